package submit

import (
	"crypto/ecdsa"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// A pause of a vault that is already paused reverts at its estimate
// (EnforcedPause); paused() confirms it, and the action ends a recorded
// no-op, not a failure: nothing is signed.
func TestPauseOfPausedVaultIsSatisfiedAtEstimate(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	first, done := e.pause()
	if err := <-done; err != nil {
		t.Fatalf("the first pause: %v", err)
	}
	if rec, _, err := e.store.Get(e.ctx, first); err != nil || rec.State != record.Mined || !e.paused() {
		t.Fatalf("the first pause: %+v %v", rec, err)
	}
	sent := e.sub.Stats().Sent
	id, done := e.pause()
	if err := <-done; err != nil {
		t.Fatalf("Execute of the second pause: %v, want no error", err)
	}
	rec, _, err := e.store.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != record.Satisfied || rec.TxHash != nil || len(rec.Attempts) != 0 {
		t.Fatalf("record = %+v, want satisfied, nothing signed", rec)
	}
	// The reason is confirmed by the read and the revert decoded by name.
	if !strings.Contains(rec.Error, "already paused: paused() is true") || !strings.Contains(rec.Error, "EnforcedPause()") {
		t.Errorf("error = %q, want the read's reason and the decoded revert", rec.Error)
	}
	if e.sub.Stats().Sent != sent || e.nonce() != 1 {
		t.Errorf("sent %d → %d, nonce %d: the no-op was sent", sent, e.sub.Stats().Sent, e.nonce())
	}
	// OnChange (the audit log and metrics) saw it as satisfied, never failed.
	for _, r := range e.changes.all() {
		if r.ID == id && r.State == record.Failed {
			t.Errorf("reported failed: %+v", r)
		}
	}
	e.wait(id, "satisfied reported", func(r record.Record) bool { return r.State == record.Satisfied })
}

// A pause estimated while another is in the pool reverts at the estimate
// (nodes estimate on the pending block) though the chain is not paused
// yet: it estimates again at the next block, where paused() confirms it
// was not needed.
func TestPauseBehindAPendingPauseIsSatisfied(t *testing.T) {
	e := newAnvilEnv(t, false, nil)
	a, doneA := e.pause()
	e.wait(a, "the first send", func(r record.Record) bool { return r.State == record.Sent })
	b, doneB := e.pause()
	recA := e.mineUntil(a, doneA)
	recB := e.mineUntil(b, doneB)
	if recA.State != record.Mined || recA.Status != 1 || !e.paused() {
		t.Fatalf("first = %+v, want mined, vault paused", recA)
	}
	if recB.State != record.Satisfied || recB.TxHash != nil || !strings.Contains(recB.Error, "already paused") {
		t.Fatalf("second = %+v, want satisfied, nothing signed", recB)
	}
	if n := e.nonce(); n != 1 {
		t.Errorf("the guardian sent %d transactions, want 1", n)
	}
}

// A pause sent, then beaten into the block by another pauser's: it reverts
// on chain; paused() confirms it was not needed and it ends Satisfied,
// with its receipt, not Failed.
func TestPauseRevertedOnChainBecausePausedIsSatisfied(t *testing.T) {
	e := newAnvilEnv(t, false, nil)
	admin, err := crypto.HexToECDSA(adminKey)
	if err != nil {
		t.Fatal(err)
	}
	v := contracts.NewProtectedVault()
	pauser := crypto.Keccak256Hash([]byte("PAUSER_ROLE"))
	e.sendAs(admin, e.demo.Vault, v.PackGrantRole(pauser, crypto.PubkeyToAddress(admin.PublicKey)), big.NewInt(2e9))
	e.mine()
	b, doneB := e.pause()
	sent := e.wait(b, "the send", func(r record.Record) bool { return r.State == record.Sent })
	// Far above the guardian's tip: first in the next block.
	e.sendAs(admin, e.demo.Vault, v.PackPause(), new(big.Int).Mul(sent.GasTipCap.ToInt(), big.NewInt(50)))
	rec := e.mineUntil(b, doneB)
	if !e.paused() {
		t.Fatal("not paused")
	}
	if rec.State != record.Satisfied || rec.TxHash == nil || rec.Status != 0 || rec.Block == 0 || !strings.Contains(rec.Error, "reverted on chain, and not needed: already paused") {
		t.Fatalf("record = %+v, want satisfied after an on-chain revert", rec)
	}
}

// sendAs sends a call signed with key, tip as its priority fee.
func (e *anvilEnv) sendAs(key *ecdsa.PrivateKey, to common.Address, data []byte, tip *big.Int) {
	e.t.Helper()
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := e.client.PendingNonceAt(e.ctx, from)
	if err != nil {
		e.t.Fatal(err)
	}
	chain := big.NewInt(anvilChainID)
	tx := types.MustSignNewTx(key, types.LatestSignerForChainID(chain), &types.DynamicFeeTx{
		ChainID: chain, Nonce: nonce, GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, big.NewInt(100e9)), Gas: 200_000, To: &to, Data: data,
	})
	if err := e.client.SendTransaction(e.ctx, tx); err != nil {
		e.t.Fatal(err)
	}
}

// A call with no known wanted state (a withdraw) that reverts still fails.
func TestRevertWithoutWantedStateFails(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	id, done := e.execute(e.demo.Vault, contracts.NewProtectedVault().PackWithdraw(big.NewInt(1)))
	if err := <-done; err == nil {
		t.Fatal("Execute succeeded, want the revert")
	}
	rec, _, err := e.store.Get(e.ctx, id)
	if err != nil || rec.State != record.Failed {
		t.Fatalf("record = %+v (%v), want failed", rec, err)
	}
}

func TestWantedStateReads(t *testing.T) {
	v := contracts.NewProtectedVault()
	for _, tt := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"pause", v.PackPause(), true},
		{"freeze", freezeSelector, true},
		{"revoke", append(append([]byte(nil), revokeSelector...), make([]byte, 64)...), true},
		{"revoke, short", append(append([]byte(nil), revokeSelector...), make([]byte, 10)...), false},
		{"pause with junk after", append(v.PackPause(), 1), false},
		{"withdraw", v.PackWithdraw(big.NewInt(1)), false},
		{"empty", nil, false},
	} {
		if _, ok := wanted(tt.data); ok != tt.ok {
			t.Errorf("%s: wanted ok = %v, want %v", tt.name, ok, tt.ok)
		}
	}
}
