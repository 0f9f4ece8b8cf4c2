package approval_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/approval"
	"github.com/firebreak-dev/firebreak/signer/local"
	"github.com/firebreak-dev/firebreak/signer/safe"
)

func TestAdd(t *testing.T) {
	ctx := context.Background()
	alice, _ := local.FromHex("7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6")
	bob, _ := local.FromHex("47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a")
	eve, _ := local.FromHex("92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e")
	tx := safe.NewTx(common.HexToAddress("0x01"), []byte{0x84, 0x56, 0xcb, 0x59}, 3)
	hash := tx.Hash(common.Big1, common.HexToAddress("0x02"))
	sign := func(s *local.Signer, h common.Hash) safe.Signature {
		sig, err := safe.SignHash(ctx, s, h)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	fresh := func() approval.Approval {
		return approval.Approval{ID: "a-0", Tx: tx, Hash: hash, Threshold: 2, Owners: []common.Address{alice.Address(), bob.Address()}, State: approval.Pending}
	}
	now := time.Unix(1_800_000_000, 0)

	tests := []struct {
		name  string
		sigs  []safe.Signature
		want  error
		state approval.State
	}{
		{"one of two", []safe.Signature{sign(alice, hash)}, nil, approval.Pending},
		{"two of two", []safe.Signature{sign(alice, hash), sign(bob, hash)}, nil, approval.Ready},
		{"same owner twice", []safe.Signature{sign(alice, hash), sign(alice, hash)}, safe.ErrDuplicateOwner, approval.Pending},
		{"not an owner", []safe.Signature{sign(eve, hash)}, safe.ErrNotOwner, approval.Pending},
		{"another hash", []safe.Signature{sign(bob, common.HexToHash("0x1234"))}, safe.ErrBadSignature, approval.Pending},
		{"after ready", []safe.Signature{sign(alice, hash), sign(bob, hash), sign(bob, hash)}, approval.ErrNotPending, approval.Ready},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fresh()
			var err error
			for _, s := range tt.sigs {
				if err = a.Add(s, now); err != nil {
					break
				}
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if a.State != tt.state {
				t.Errorf("state = %s, want %s", a.State, tt.state)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":"x-0","state":"pending","threshold":2,"safe_tx":{"to":"0x0000000000000000000000000000000000000001","value":"0x0","data":"0x","operation":0,"safe_tx_gas":"0x0","base_gas":"0x0","gas_price":"0x0","gas_token":"0x0000000000000000000000000000000000000000","refund_receiver":"0x0000000000000000000000000000000000000000","nonce":1}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := approval.Decode(data)
		if err == nil && a.ID == "" {
			t.Fatal("decoded an approval without an id")
		}
	})
}
