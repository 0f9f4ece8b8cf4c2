package submit

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

const anvilChainID = 31337

// anvilEnv is a real anvil with the demo protocol, a real JetStream store
// and a started Submitter sending for the guardian.
type anvilEnv struct {
	t        testing.TB
	ctx      context.Context
	anvil    *simulate.Anvil
	client   *ethclient.Client
	rpc      *rpc.Client
	demo     contracts.Demo
	guardian *local.Signer
	store    *record.Store
	changes  *changes
	sub      *Submitter
	n        int
	// authorizer, when configure sets it, is the submitter's.
	authorizer Authorizer
	// tune, when configure sets it, changes the submitter's options.
	tune func(*Options)
	// nats is the store's server; logs the submitter's log.
	nats *natstest.Restartable
	logs *logLines
	// stop ends sub's context.
	stop func()
}

// newAnvilEnv starts it all; automine false stops anvil mining once the
// demo is deployed (blocks then come only from mine). The submitter reads
// the node over WebSocket, so heads are pushed.
func newAnvilEnv(t testing.TB, automine bool, configure func(*anvilEnv, *ChainConfig)) *anvilEnv {
	t.Helper()
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: anvilChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	e := &anvilEnv{t: t, ctx: ctx, anvil: a, changes: newChanges()}
	if e.client, err = ethclient.DialContext(ctx, a.WSURL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.client.Close)
	e.rpc = e.client.Client()
	if e.guardian, err = local.FromHex(guardianKey); err != nil {
		t.Fatal(err)
	}
	operator, _ := local.FromHex(operatorKey)
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(anvilChainID))
	if e.demo, err = contracts.DeployDemo(ctx, e.client, auth, e.guardian.Address(), operator.Address(), big.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}
	if !automine {
		e.call(nil, "evm_setAutomine", false)
	}
	e.store, e.nats = newTestStoreOn(t)
	e.logs = &logLines{t: t}
	cfg := ChainConfig{Node: e.client}
	if configure != nil {
		configure(e, &cfg)
	}
	opts := DefaultOptions()
	opts.OnChange = e.changes.onChange
	opts.Authorizer = e.authorizer
	if e.tune != nil {
		e.tune(&opts)
	}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e.sub = New(e.store, map[uint64]ChainConfig{anvilChainID: cfg}, map[string]signer.Signer{"guardian": e.guardian}, opts, log)
	subCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	e.stop = stop
	e.sub.Start(subCtx)
	return e
}

func (e *anvilEnv) call(result any, method string, args ...any) {
	e.t.Helper()
	if err := e.rpc.CallContext(e.ctx, result, method, args...); err != nil {
		e.t.Fatalf("%s: %v", method, err)
	}
}

func (e *anvilEnv) mine() { e.call(nil, "evm_mine") }

// spike sets the base fee of the next block and mines it.
func (e *anvilEnv) spike(baseFee *big.Int) {
	e.call(nil, "anvil_setNextBlockBaseFeePerGas", hexutil.EncodeBig(baseFee))
	e.mine()
}

// synced waits until the submitter's head is the node's: heads are pushed
// asynchronously, and a test that prices from a fresh block must not race
// the push.
func (e *anvilEnv) synced() {
	e.t.Helper()
	want := e.head().Hash()
	for _, cs := range e.sub.chains {
		for {
			h, _, changed, err := cs.heads.current(e.ctx)
			if err == nil && h.Hash() == want {
				break
			}
			select {
			case <-changed:
			case <-time.After(10 * time.Millisecond):
				cs.heads.refresh(e.ctx, 0)
			case <-e.ctx.Done():
				e.t.Fatal("timed out waiting for the submitter to see the head")
			}
		}
	}
}

func (e *anvilEnv) head() *types.Header {
	e.t.Helper()
	h, err := e.client.HeaderByNumber(e.ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// execute records an intent calling data on to and runs it; the returned
// channel yields Execute's result.
func (e *anvilEnv) execute(to common.Address, data []byte) (string, <-chan error) {
	e.t.Helper()
	return e.run(e.intent(to, data))
}

// intent is the next intent of the test: the guardian calling data on to.
func (e *anvilEnv) intent(to common.Address, data []byte) record.Intent {
	e.n++
	id := e.t.Name() + "-" + string(rune('a'+e.n))
	id = strings.NewReplacer("/", "-", " ", "-").Replace(id)
	return record.Intent{ID: id, EventID: "ev-" + id, ChainID: anvilChainID, To: to, Data: data, Function: "pause()", Signer: "guardian"}
}

// run records in and executes it.
func (e *anvilEnv) run(in record.Intent) (string, <-chan error) {
	e.t.Helper()
	id := in.ID
	rec, rev, ok, err := e.store.Create(e.ctx, in, time.Now())
	if err != nil || !ok {
		e.t.Fatalf("recording the intent: %v %v", ok, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.sub.Execute(e.ctx, rec, rev)
		done <- err
	}()
	return id, done
}

func (e *anvilEnv) pause() (string, <-chan error) {
	return e.execute(e.demo.Vault, contracts.NewProtectedVault().PackPause())
}

func (e *anvilEnv) wait(id, what string, ok func(record.Record) bool) record.Record {
	e.t.Helper()
	return e.changes.wait(e.t, e.ctx, what, func(r record.Record) bool { return r.ID == id && ok(r) })
}

func (e *anvilEnv) paused() bool {
	e.t.Helper()
	v := contracts.NewProtectedVault()
	p, err := bind.Call(v.Instance(e.client, e.demo.Vault), nil, v.PackPaused(), v.UnpackPaused)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *anvilEnv) nonce() uint64 {
	e.t.Helper()
	n, err := e.client.NonceAt(e.ctx, e.guardian.Address(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// mineUntil mines a block at a time, with a pause for the submitter to
// react, until the action is final.
func (e *anvilEnv) mineUntil(id string, done <-chan error) record.Record {
	e.t.Helper()
	for {
		select {
		case err := <-done:
			if err != nil {
				e.t.Fatalf("Execute: %v", err)
			}
			rec, _, err := e.store.Get(e.ctx, id)
			if err != nil {
				e.t.Fatal(err)
			}
			return rec
		case <-time.After(100 * time.Millisecond):
			e.mine()
		case <-e.ctx.Done():
			e.t.Fatal("timed out")
		}
	}
}

// pooled waits until anvil has the transaction: a bump is recorded (and
// reported) before it is broadcast.
func (e *anvilEnv) pooled(hash common.Hash) {
	e.t.Helper()
	for {
		if _, _, err := e.client.TransactionByHash(e.ctx, hash); err == nil {
			return
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-e.ctx.Done():
			e.t.Fatal("timed out waiting for the transaction to reach the node")
		}
	}
}

func feeCap(a record.Attempt) *big.Int { return a.GasFeeCap.ToInt() }

func TestBaseFeeSpikesForceBumpsUntilMined(t *testing.T) {
	e := newAnvilEnv(t, false, nil)
	id, done := e.pause()
	sent := e.wait(id, "the first send", func(r record.Record) bool { return r.State == record.Sent })
	first := sent.Attempts[0]
	e.pooled(first.Hash)

	// A block whose base fee is above the transaction's fee cap cannot
	// include it: the submitter must bump at that head.
	e.spike(new(big.Int).Mul(feeCap(first), big.NewInt(2)))
	one := e.wait(id, "the first bump", func(r record.Record) bool { return r.Bumps == 1 })
	second := one.Attempts[1]
	e.pooled(second.Hash)
	if feeCap(second).Cmp(new(big.Int).Mul(feeCap(first), big.NewInt(2))) <= 0 {
		t.Fatalf("the bump's fee cap %s does not clear the spiked base fee", feeCap(second))
	}
	e.spike(new(big.Int).Add(feeCap(second), big.NewInt(1)))
	two := e.wait(id, "the second bump", func(r record.Record) bool { return r.Bumps == 2 })
	e.pooled(two.Attempts[2].Hash)

	rec := e.mineUntil(id, done)
	if rec.State != record.Mined || rec.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("record = %+v, want mined", rec)
	}
	last := rec.Attempts[len(rec.Attempts)-1]
	if *rec.TxHash != last.Hash || last.Status != record.AttemptMined {
		t.Errorf("mined %s, want the last attempt %s (status %s)", rec.TxHash, last.Hash, last.Status)
	}
	for _, a := range rec.Attempts[:len(rec.Attempts)-1] {
		if a.Status != record.AttemptReplaced {
			t.Errorf("attempt %s has status %q, want replaced", a.Hash, a.Status)
		}
		if _, err := e.client.TransactionReceipt(e.ctx, a.Hash); !errors.Is(err, ethereum.NotFound) {
			t.Errorf("replaced attempt %s has a receipt (err %v)", a.Hash, err)
		}
	}
	if n := e.nonce(); n != 1 {
		t.Errorf("the guardian has %d mined transactions, want 1", n)
	}
	if !e.paused() {
		t.Error("the vault is not paused")
	}
	if st := e.sub.Stats(); st.Bumps < 2 || st.Replaced < 2 {
		t.Errorf("stats = %+v, want at least 2 bumps and 2 replaced", st)
	}
}

func TestOutOfBandNonceIsRecovered(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	// A first action warms the nonce owner's view of the chain.
	someone := common.HexToAddress("0x000000000000000000000000000000000000bEEF")
	id, done := e.execute(someone, nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The same key sends a transaction the submitter knows nothing of.
	key, _ := crypto.HexToECDSA(guardianKey)
	oob := types.MustSignNewTx(key, types.LatestSignerForChainID(big.NewInt(anvilChainID)), &types.DynamicFeeTx{
		ChainID: big.NewInt(anvilChainID), Nonce: 1, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9), Gas: 21000, To: &someone,
	})
	if err := e.client.SendTransaction(e.ctx, oob); err != nil {
		t.Fatal(err)
	}
	if _, err := bind.WaitMined(e.ctx, e.client, oob.Hash()); err != nil {
		t.Fatal(err)
	}

	id, done = e.pause()
	if err := <-done; err != nil {
		t.Fatalf("Execute: %v", err)
	}
	rec, _, err := e.store.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != record.Mined || !e.paused() {
		t.Fatalf("record = %+v, want mined and the vault paused", rec)
	}
	if len(rec.Attempts) != 2 || rec.Attempts[0].Nonce != 1 || rec.Attempts[0].Status != record.AttemptDropped || *rec.Nonce != 2 {
		t.Errorf("attempts = %+v, want nonce 1 dropped then nonce 2 mined", rec.Attempts)
	}
	if n := e.nonce(); n != 3 {
		t.Errorf("guardian nonce = %d, want 3 (one action, the out-of-band transfer, the pause)", n)
	}
}

func TestCapBlockingBumpIsReportedNotHung(t *testing.T) {
	var maxFee *big.Int
	e := newAnvilEnv(t, false, func(_ *anvilEnv, c *ChainConfig) {
		// Above the base fee, below the market price: the first
		// transaction already sits at the cap.
		maxFee = big.NewInt(3e9)
		c.MaxFeePerGas = maxFee
	})
	e.spike(big.NewInt(2e9))
	e.synced()
	id, done := e.pause()
	sent := e.wait(id, "the first send", func(r record.Record) bool { return r.State == record.Sent })
	if feeCap(sent.Attempts[0]).Cmp(maxFee) != 0 {
		t.Fatalf("first fee cap %s, want the cap %s", feeCap(sent.Attempts[0]), maxFee)
	}
	e.spike(big.NewInt(5e9))
	warned := e.wait(id, "the cap warning", func(r record.Record) bool { return r.Warning != "" })
	if !strings.Contains(warned.Warning, "fee cap reached") || warned.State != record.Sent || warned.Bumps != 0 {
		t.Fatalf("record = %+v, want a cap warning and the transaction still in flight", warned)
	}
	select {
	case err := <-done:
		t.Fatalf("Execute returned (%v) while the transaction is in flight", err)
	default:
	}
	if e.sub.Stats().CapBlocked == 0 {
		t.Error("the cap block was not counted")
	}
	// The base fee falls back: the capped transaction gets in.
	e.spike(big.NewInt(1e9))
	rec := e.mineUntil(id, done)
	if rec.State != record.Mined || *rec.TxHash != sent.Attempts[0].Hash || !e.paused() {
		t.Fatalf("record = %+v, want the original transaction mined", rec)
	}
}

func TestReorgIsNoticedAndCarriedOn(t *testing.T) {
	e := newAnvilEnv(t, false, func(_ *anvilEnv, c *ChainConfig) { c.Confirmations = 3 })
	id, done := e.pause()
	e.wait(id, "the first send", func(r record.Record) bool { return r.State == record.Sent })
	var snap string
	e.call(&snap, "evm_snapshot")
	e.mine()
	in := e.wait(id, "inclusion", func(r record.Record) bool { return r.State == record.Included })
	if in.Confirmations != 1 {
		t.Errorf("confirmations = %d, want 1", in.Confirmations)
	}
	var reverted bool
	e.call(&reverted, "evm_revert", snap)
	if !reverted {
		t.Fatal("evm_revert refused")
	}
	back := e.wait(id, "the reorg", func(r record.Record) bool { return r.Reorgs == 1 })
	if back.State != record.Sent || back.Block != 0 {
		t.Fatalf("after the reorg: %+v, want back in flight", back)
	}
	rec := e.mineUntil(id, done)
	if rec.State != record.Mined || rec.Confirmations < 3 || rec.Reorgs != 1 || !e.paused() {
		t.Fatalf("record = %+v, want mined with 3 confirmations after one reorg", rec)
	}
	if n := e.nonce(); n != 1 {
		t.Errorf("the guardian has %d mined transactions, want 1", n)
	}
}

func TestNonceHoleIsFilled(t *testing.T) {
	var ghost record.Record
	var ghostRev uint64
	e := newAnvilEnv(t, false, func(e *anvilEnv, _ *ChainConfig) {
		// An action recorded as signed at nonce 0 before this start: the
		// submitter holds 0 for it and hands out 1 next.
		var err error
		ghost, ghostRev, _, err = e.store.Create(e.ctx, record.Intent{ID: "ghost", ChainID: anvilChainID, Signer: "guardian"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		signedAt(t, &ghost, guardianKey, record.Signed, 0)
		if ghostRev, err = e.store.Update(e.ctx, ghost, ghostRev); err != nil {
			t.Fatal(err)
		}
	})
	id, done := e.pause()
	sent := e.wait(id, "the first send", func(r record.Record) bool { return r.State == record.Sent })
	if *sent.Nonce != 1 {
		t.Fatalf("nonce %d, want 1 (0 is held)", *sent.Nonce)
	}
	// The ghost fails without ever reaching a node: nonce 0 is a hole and
	// the pause is queued behind it.
	ghost.State = record.Failed
	if _, err := e.store.Update(e.ctx, ghost, ghostRev); err != nil {
		t.Fatal(err)
	}
	rec := e.mineUntil(id, done)
	if rec.State != record.Mined || !e.paused() || *rec.Nonce != 1 {
		t.Fatalf("record = %+v, want the pause mined at nonce 1", rec)
	}
	if n := e.nonce(); n != 2 {
		t.Errorf("guardian nonce %d, want 2 (the filler and the pause)", n)
	}
	if st := e.sub.Stats(); st.HolesFilled != 1 {
		t.Errorf("stats = %+v, want one hole filled", st)
	}
}
