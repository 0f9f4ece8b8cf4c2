package safe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

var (
	vault    = common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	treasury = common.HexToAddress("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")
	pause    = []byte{0x84, 0x56, 0xcb, 0x59}
)

// plainPauses allows exactly a plain CALL of pause() on the vault through
// the treasury.
type plainPauses struct{}

func (plainPauses) CheckSafeTx(chainID uint64, s common.Address, tx safesigner.Tx) error {
	if s != treasury {
		return errors.New("not the treasury")
	}
	if err := tx.Plain(); err != nil {
		return err
	}
	if tx.To != vault || !bytes.Equal(tx.Data, pause) {
		return errors.New("not the vault's pause")
	}
	return nil
}

func sealedApproval(t testing.TB, sealer *record.Sealer) safe.Approval {
	t.Helper()
	tx := safesigner.NewTx(vault, pause, 4)
	a := safe.Approval{
		ID: "ev-0", EventID: "ev", Protocol: "demo", Type: "pause", Signer: "treasury", Safe: treasury, ChainID: 31337,
		Function: "pause()", Tx: tx, Hash: tx.Hash(big.NewInt(31337), treasury), Threshold: 2, State: safe.Pending,
	}
	safe.SealApproval(sealer, &a)
	return a
}

// An approval the engine sealed passes; the tampering an owner must never
// sign, or the engine execute, does not, each with its reason.
func TestCheckApproval(t *testing.T) {
	sealer, _ := record.NewSealer(bytes.Repeat([]byte{1}, 32))
	other, _ := record.NewSealer(bytes.Repeat([]byte{2}, 32))
	good := sealedApproval(t, sealer)
	if err := safe.CheckApproval(good, sealer, plainPauses{}); err != nil {
		t.Fatalf("the engine's own approval: %v", err)
	}
	rehash := func(a *safe.Approval) { a.Hash = a.Tx.Hash(big.NewInt(int64(a.ChainID)), a.Safe) }
	tests := []struct {
		name   string
		tamper func(*safe.Approval)
		want   string
	}{
		{"delegatecall", func(a *safe.Approval) { a.Tx.Operation = 1; rehash(a) }, "operation 1 is not CALL"},
		{"value", func(a *safe.Approval) { a.Tx.Value = hexutil.Big(*big.NewInt(1e18)); rehash(a) }, "sends value"},
		{"other target", func(a *safe.Approval) { a.Tx.To = common.HexToAddress("0xbad"); rehash(a) }, "not the vault's pause"},
		{"other Safe", func(a *safe.Approval) { a.Safe = vault; rehash(a) }, "not the treasury"},
		{"hash not the transaction's", func(a *safe.Approval) { a.Hash = common.HexToHash("0x01") }, "is not its transaction's"},
		{"resealed with another key", func(a *safe.Approval) { safe.SealApproval(other, a) }, record.ErrBadMAC.Error()},
		{"no MAC", func(a *safe.Approval) { a.MAC = "" }, record.ErrNoMAC.Error()},
		{"other nonce", func(a *safe.Approval) { a.Tx.Nonce = 9; rehash(a) }, record.ErrBadMAC.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good
			a.Tx.Data = bytes.Clone(good.Tx.Data)
			tt.tamper(&a)
			err := safe.CheckApproval(a, sealer, plainPauses{})
			if !errors.Is(err, safe.ErrApprovalRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckApproval = %v, want a refusal about %q", err, tt.want)
			}
		})
	}
	// Signatures and state change as owners sign: the MAC stays valid.
	signed := good
	signed.Signatures, signed.State, signed.UpdatedAt = []safesigner.Signature{{Owner: vault, Signature: make([]byte, 65)}}, safe.Ready, time.Now()
	if err := safe.CheckApproval(signed, sealer, plainPauses{}); err != nil {
		t.Fatalf("after an owner signed: %v", err)
	}
	if err := safe.CheckApproval(good, nil, plainPauses{}); !errors.Is(err, record.ErrBadMAC) {
		t.Fatalf("without a key: %v, want a MAC refusal", err)
	}
}

// A stored approval that does not validate is quarantined when loaded,
// and List goes on with the others.
func TestApprovalQuarantine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	js := natstest.JetStream(t)
	store, err := safe.NewApprovalStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	var told []safe.Approval
	store.OnQuarantine(func(_ context.Context, a safe.Approval) { told = append(told, a) })
	sealer, _ := record.NewSealer(bytes.Repeat([]byte{1}, 32))
	good := sealedApproval(t, sealer)
	if _, _, err := store.Create(ctx, good); err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, safe.ApprovalsBucket)
	if err != nil {
		t.Fatal(err)
	}
	noSafe := good
	noSafe.ID, noSafe.Safe = "no-safe", common.Address{}
	data, _ := json.Marshal(noSafe)
	for key, v := range map[string][]byte{"garbage": []byte("[1,"), "no-safe": data} {
		if _, err := kv.Put(ctx, key, v); err != nil {
			t.Fatal(err)
		}
	}
	as, err := store.List(ctx)
	if err != nil {
		t.Fatalf("List: %v (one bad value must not hide the others)", err)
	}
	if len(as) != 1 || as[0].ID != good.ID {
		t.Fatalf("List = %+v, want only the valid approval", as)
	}
	if len(told) != 2 {
		t.Fatalf("quarantined %d, want 2", len(told))
	}
	for _, id := range []string{"garbage", "no-safe"} {
		a, _, err := store.Get(ctx, id)
		if err != nil || a.State != safe.Refused || !strings.Contains(a.Error, "quarantined") {
			t.Fatalf("%s after List: %+v, %v; want refused with the reason", id, a, err)
		}
	}
}
