package submit

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// TestNonceOwnerFillsHolesAndSkipsHeld runs the nonce owner against geth's
// simulated chain and a real store: nonces held by unfinished recorded
// actions (signed before a restart, maybe never broadcast) are never handed
// out again, a hole below them (a failed action's nonce) is handed out
// first, and a use that fails gives its nonce back.
func TestNonceOwnerFillsHolesAndSkipsHeld(t *testing.T) {
	key, _ := crypto.HexToECDSA(guardianKey)
	from := crypto.PubkeyToAddress(key.PublicKey)
	sim := contracts.NewSimulated(types.GenesisAlloc{from: {Balance: new(big.Int).Mul(big.NewInt(10), big.NewInt(params.Ether))}})
	t.Cleanup(func() { _ = sim.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store := newTestStore(t)

	// Two transactions mined: the chain's nonce is 2.
	to := common.HexToAddress("0x000000000000000000000000000000000000dEaD")
	for n := range uint64(2) {
		tx := types.MustSignNewTx(key, types.LatestSignerForChainID(big.NewInt(1337)), &types.DynamicFeeTx{
			ChainID: big.NewInt(1337), Nonce: n, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9), Gas: 21000, To: &to,
		})
		if err := sim.Client().SendTransaction(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	sim.Commit()
	put := func(id string, nonce uint64, state record.State) {
		rec, rev, _, err := store.Create(ctx, record.Intent{ID: id, ChainID: 1337}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		signedAt(t, &rec, guardianKey, state, nonce) // from's
		if _, err := store.Update(ctx, rec, rev); err != nil {
			t.Fatal(err)
		}
	}
	put("failed-at-2", 2, record.Failed) // its nonce is a hole
	put("held-3", 3, record.Signed)
	put("held-4", 4, record.Sent)
	put("old-1", 1, record.Sent) // below the chain's nonce: irrelevant

	o := newNonceOwner(1337, from, sim.Client(), store, discardLog())
	go o.run(ctx)
	next := func() uint64 {
		var got uint64
		if err := o.assign(ctx, func(n uint64) error { got = n; return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if n := next(); n != 2 {
		t.Fatalf("first nonce %d, want the hole 2", n)
	}
	errSign := errors.New("signer unavailable")
	if err := o.assign(ctx, func(uint64) error { return errSign }); !errors.Is(err, errSign) {
		t.Fatalf("err = %v", err)
	}
	if n := next(); n != 5 {
		t.Fatalf("nonce %d, want 5: 3 and 4 are held, and a failed use gives its nonce back", n)
	}
	if n := next(); n != 6 {
		t.Fatalf("nonce %d, want 6", n)
	}
	// After a resync, the chain and the store are read again.
	if err := o.resync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != 2 {
		t.Fatalf("after resync: nonce %d, want 2 again (nothing was recorded at 2, 5 or 6)", n)
	}
}

func TestExecuteBeforeStart(t *testing.T) {
	sub := New(newTestStore(t), nil, nil, DefaultOptions(), discardLog())
	if _, err := sub.Execute(context.Background(), record.Record{}, 0); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("err = %v, want ErrNotStarted", err)
	}
}
