package safe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// anvil's public development keys: two of the Safes' owners.
var laneOwnerKeys = []string{
	"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
	"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
}

// pausesOf allows a plain CALL of pause() on the given vaults.
type pausesOf map[common.Address]bool

func (p pausesOf) CheckSafeTx(_ uint64, _ common.Address, tx safesigner.Tx) error {
	if err := tx.Plain(); err != nil {
		return err
	}
	if !p[tx.To] || !bytes.Equal(tx.Data, contracts.NewProtectedVault().PackPause()) {
		return errors.New("not a vault's pause")
	}
	return nil
}

// auditNothing is the runner's Auditor here: what is audited is the
// audit package's subject.
type auditNothing struct{}

func (auditNothing) Approved(context.Context, Approval, record.Intent) {}
func (auditNothing) ApprovalRefused(context.Context, Approval, string) {}

// twoSafes is a real anvil with two 2-of-2 Safes, each the pauser of its
// own demo vault, and a Runner for both on a real NATS; Execute records
// the actions it is handed, in order.
type twoSafes struct {
	ctx       context.Context
	r         *Runner
	approvals *ApprovalStore
	store     *record.Store
	sealer    *record.Sealer
	vaults    map[string]common.Address

	mu       sync.Mutex
	executed []string
}

func newTwoSafes(t *testing.T) *twoSafes {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: contracts.DevChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	client, err := ethclient.DialContext(ctx, a.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	signers := map[string]signer.Signer{}
	var owners []common.Address
	for i, k := range laneOwnerKeys {
		s, err := local.FromHex(k)
		if err != nil {
			t.Fatal(err)
		}
		signers[[]string{"owner0", "owner1"}[i]] = s
		owners = append(owners, s.Address())
	}
	exec, err := local.FromHex(contracts.DevGuardianKey)
	if err != nil {
		t.Fatal(err)
	}
	signers["executor"] = exec
	admin, _ := crypto.HexToECDSA(contracts.DevAdminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(contracts.DevChainID))
	ts := &twoSafes{ctx: ctx, vaults: map[string]common.Address{}}
	opts := config.DefaultOptions()
	opts.SafePoll = time.Hour // the test ticks
	opts.Signers = map[string]config.SignerOptions{}
	check := pausesOf{}
	for _, name := range []string{"safe-a", "safe-b"} {
		demo, err := safeabi.DeployDemo(ctx, client, auth, owners, 2, exec.Address(), big.NewInt(1e18))
		if err != nil {
			t.Fatal(err)
		}
		ts.vaults[name] = demo.Vault
		check[demo.Vault] = true
		opts.Signers[name] = config.SignerOptions{Kind: "safe", SafeSignerOptions: config.SafeSignerOptions{
			Address: demo.Safe.Hex(), ChainID: contracts.DevChainID, Owners: []string{"owner0", "owner1"}, Executor: "executor",
		}}
	}
	js := natstest.JetStream(t)
	if ts.approvals, err = NewApprovalStore(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	if ts.store, err = record.NewStore(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	if ts.sealer, err = record.NewSealer(bytes.Repeat([]byte{7}, 32)); err != nil {
		t.Fatal(err)
	}
	noPresign := func(guard.Request) guard.Verdict { return guard.Verdict{} }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts.r, err = NewRunner(opts, noPresign, signers, map[uint64]Chain{contracts.DevChainID: client}, ts.store, ts.approvals, log, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ts.r.Sealer, ts.r.Check, ts.r.Audit = ts.sealer, check, auditNothing{}
	ts.r.Go = func(f func()) { go f() }
	ts.r.Execute = func(rec record.Record, _ uint64) {
		ts.mu.Lock()
		ts.executed = append(ts.executed, rec.ID)
		ts.mu.Unlock()
	}
	return ts
}

// ready records an approval of the vault's pause through Safe name,
// signed by both owners (ready to execute).
func (ts *twoSafes) ready(t *testing.T, name, id string, at time.Time) {
	t.Helper()
	l := ts.r.lanes[name]
	st, err := l.safe.State(ts.ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx := safesigner.NewTx(ts.vaults[name], contracts.NewProtectedVault().PackPause(), st.Nonce)
	sigs, err := l.safe.Sign(ts.ctx, tx, st, l.safe.Owners()...)
	if err != nil {
		t.Fatal(err)
	}
	a := Approval{
		ID: id, EventID: id, Protocol: "demo", Type: "pause", Signer: name, Safe: l.safe.Address(), ChainID: contracts.DevChainID,
		Function: "pause()", Tx: tx, Hash: l.safe.Hash(tx), Threshold: st.Threshold, Owners: st.Owners, Signatures: sigs,
		Reason: "test", State: Ready, CreatedAt: at, UpdatedAt: at,
	}
	SealApproval(ts.sealer, &a)
	if _, created, err := ts.approvals.Create(ts.ctx, a); err != nil || !created {
		t.Fatalf("creating approval %s: %v, %v", id, created, err)
	}
}

// poll runs one tick and waits for the polls it started.
func (ts *twoSafes) poll() {
	ts.r.tick(ts.ctx)
	ts.r.ticks.Wait()
}

func (ts *twoSafes) state(t *testing.T, id string) ApprovalState {
	t.Helper()
	a, _, err := ts.approvals.Get(ts.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a.State
}

// waitExecuted waits until Execute was handed every id in want.
func (ts *twoSafes) waitExecuted(t *testing.T, want ...string) []string {
	t.Helper()
	for {
		ts.mu.Lock()
		got := slices.Clone(ts.executed)
		ts.mu.Unlock()
		if len(got) >= len(want) {
			return got
		}
		select {
		case <-ts.ctx.Done():
			t.Fatalf("executed %v, want %v", got, want)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// A Safe whose lane is held (its previous transaction is not final: stuck
// at the fee cap, say, which is what holding the lane here stands for)
// does not hold up another Safe's approval, even when its own approval
// comes first: the poll skips the busy Safe's approval instead of waiting
// for the lane, executes the other one, and comes back to the first at a
// later tick, once the lane is free.
func TestSafeBusyLaneDoesNotHoldUpAnotherSafe(t *testing.T) {
	ts := newTwoSafes(t)
	release, busy := ts.r.lanes["safe-a"].tryAcquire()
	if busy {
		t.Fatal("safe-a's lane is busy before the test holds it")
	}
	now := time.Now()
	ts.ready(t, "safe-a", "approval-a", now) // listed first
	ts.ready(t, "safe-b", "approval-b", now.Add(time.Second))

	ts.poll() // returns although safe-a's lane stays held
	if got := ts.state(t, "approval-b"); got != Executed {
		t.Fatalf("safe-b's approval is %s while safe-a is busy, want executed", got)
	}
	if got := ts.state(t, "approval-a"); got != Ready {
		t.Fatalf("safe-a's approval is %s while its lane is held, want still ready", got)
	}
	if _, _, err := ts.store.Get(ts.ctx, "approval-a"); err == nil {
		t.Fatal("an action was recorded for the busy Safe")
	}
	ts.waitExecuted(t, "approval-b")

	release() // the stuck transaction is final
	ts.poll()
	if got := ts.state(t, "approval-a"); got != Executed {
		t.Fatalf("safe-a's approval is %s once its lane is free, want executed", got)
	}
	if got := ts.waitExecuted(t, "approval-b", "approval-a"); !slices.Equal(got, []string{"approval-b", "approval-a"}) {
		t.Fatalf("executed %v, want safe-b's approval, then safe-a's", got)
	}
}

// A Safe whose last poll still runs (its node does not answer) is not
// polled again meanwhile, and the tick does not wait for it: the other
// Safe's approval executes.
func TestSafeSlowPollDoesNotHoldUpAnotherSafe(t *testing.T) {
	ts := newTwoSafes(t)
	ts.r.lanes["safe-a"].polling.Store(true) // a poll of safe-a hangs
	now := time.Now()
	ts.ready(t, "safe-a", "approval-a", now)
	ts.ready(t, "safe-b", "approval-b", now.Add(time.Second))
	ts.poll()
	if a, b := ts.state(t, "approval-a"), ts.state(t, "approval-b"); a != Ready || b != Executed {
		t.Fatalf("approvals: safe-a's %s, safe-b's %s; want ready (not polled), executed", a, b)
	}
	ts.r.lanes["safe-a"].polling.Store(false)
	ts.poll()
	if got := ts.state(t, "approval-a"); got != Executed {
		t.Fatalf("safe-a's approval is %s once its poll ended, want executed", got)
	}
}
