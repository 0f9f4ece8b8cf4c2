package watch_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/engine/watch"
)

var ether = big.NewInt(1e18)

func eth(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), ether) }

// env is a real anvil (mining a block per transaction) with the drill
// protocol holding 100 ETH, a real JetStream with the DETECTIONS stream,
// and options with watch rules over the vault.
type env struct {
	t                          testing.TB
	ctx                        context.Context
	anvil                      *simulate.Anvil
	client                     *ethclient.Client
	js                         jetstream.JetStream
	drill                      contracts.Drill
	admin, attacker, operator  *bind.TransactOpts
	treasury                   common.Address
	opts                       config.Options
	vault                      *contracts.DrillVault
	attack                     *contracts.DrillAttacker
	vaultC, attackC            *bind.BoundContract
	log                        *slog.Logger
	attackerNonce, operatorNon uint64
	// watching, while a watcher runs and can read the node, makes send
	// and mine wait until it has evaluated the head (see quiesce).
	watching *running
}

func newEnv(t testing.TB) *env {
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
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: contracts.DevChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	e := &env{t: t, ctx: ctx, anvil: a, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if testing.Verbose() {
		e.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if e.client, err = ethclient.DialContext(ctx, a.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.client.Close)
	chainID := big.NewInt(contracts.DevChainID)
	keyed := func(hex string) *bind.TransactOpts {
		k, _ := crypto.HexToECDSA(hex)
		return bind.NewKeyedTransactor(k, chainID)
	}
	e.admin, e.attacker, e.operator = keyed(contracts.DevAdminKey), keyed(contracts.DevAttackerKey), keyed(contracts.DevDrillOperatorKey)
	e.treasury = keyed(contracts.DevTreasuryKey).From
	guardian := keyed(contracts.DevGuardianKey).From
	if e.drill, err = contracts.DeployDrill(ctx, e.client, e.admin, e.attacker, guardian, e.operator.From, eth(100)); err != nil {
		t.Fatal(err)
	}
	e.vault, e.attack = contracts.NewDrillVault(), contracts.NewDrillAttacker()
	e.vaultC, e.attackC = e.vault.Instance(e.client, e.drill.Vault), e.attack.Instance(e.client, e.drill.Attacker)
	e.js = natstest.JetStream(t)
	if _, err := ingest.EnsureStream(ctx, e.js, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}

	opts := config.DefaultOptions()
	opts.Chains = []config.ChainOptions{{ID: contracts.DevChainID, RPC: a.URL()}}
	opts.Signers = map[string]config.SignerOptions{"guardian": {Kind: "local", KeyEnv: "UNUSED"}}
	opts.Protocols = map[string]config.ProtocolOptions{"drill": {ChainID: contracts.DevChainID, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{
			"vault":  {Address: e.drill.Vault.Hex(), Pausable: true, AccessControl: true},
			"bridge": {Address: e.drill.Bridge.Hex(), Bridge: true},
		},
		Roles: map[string]string{"operator": "OPERATOR_ROLE"}}}
	opts.Watch = config.WatchOptions{Poll: 50 * time.Millisecond, Protocols: map[string]config.WatchProtocolOptions{"drill": {
		KnownAccounts: []string{e.treasury.Hex()},
		Rules: []config.WatchRule{
			{Name: "vault-outflow", Kind: config.WatchOutflow, Contract: "vault", Threshold: "3%", ExploitThreshold: "8%", WindowBlocks: 3},
			{Name: "sweep-to-stranger", Kind: config.WatchEvent, Contract: "vault",
				Event:     "Swept(address indexed operator, address indexed to, uint256 amount)",
				Where:     []config.WatchCondition{{Arg: "to", Op: "not_in_registry"}},
				AlertType: "compromised-key", Severity: "critical",
				Metadata: map[string]string{"role": "operator"}, MetadataArgs: map[string]string{"account": "operator", "amount": "amount"}},
			{Name: "vault-reverts", Kind: config.WatchCallRevertBurst, Contract: "vault", Count: 3, WindowBlocks: 5},
		},
	}}}
	e.opts = opts
	return e
}

// run starts a watcher reading node (push: heads pushed too) and returns
// its detections as they come; stop ends it and waits.
type running struct {
	w      *watch.Watcher
	mu     sync.Mutex
	dets   []watch.Detection
	blocks []uint64
	stop   func()
}

func (e *env) run(node watch.Node, sign watch.SignFunc) *running {
	e.t.Helper()
	r := &running{}
	w, err := watch.New(e.opts, watch.Options{
		Nodes: map[uint64]watch.Node{contracts.DevChainID: node}, JetStream: e.js, Sign: sign,
		RetryInitial: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, CallTimeout: time.Second,
		OnDetection: func(d watch.Detection) { r.mu.Lock(); r.dets = append(r.dets, d); r.mu.Unlock() },
		OnBlock:     func(b watch.BlockReport) { r.mu.Lock(); r.blocks = append(r.blocks, b.Block); r.mu.Unlock() },
	}, e.log)
	if err != nil {
		e.t.Fatal(err)
	}
	r.w = w
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			if e.watching == r {
				e.watching = nil
			}
			cancel()
			if err := <-done; err != nil {
				e.t.Error(err)
			}
		})
	}
	e.t.Cleanup(r.stop)
	select {
	case <-w.Ready():
	case err := <-done:
		e.t.Fatalf("watcher ended: %v", err)
	case <-e.ctx.Done():
		e.t.Fatal("watcher not ready")
	}
	// From now on the test mines only once the watcher has evaluated the
	// head, starting with the head at start.
	e.watching = r
	e.quiesce()
	return r
}

// quiesce waits until the running watcher has evaluated the node's head,
// so that nothing the test mines next overlaps its reads of that head.
// Anvil serves the head block's state from its live database, even when
// asked by the block's hash: a balance read of block N that overlaps
// mining N+1 returns N+1's balance (CI runs saw a drain reported one
// block early, with no attacker transaction in it). foundry-rs/foundry
// #4700 is the fork-mode form of the same thing; geth and reth read a
// block's own state root, so this is a property of the test chain.
func (e *env) quiesce() {
	e.t.Helper()
	if e.watching == nil {
		return
	}
	head, err := e.client.BlockNumber(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	e.waitCursor(e.watching, head)
}

func (r *running) detections() []watch.Detection {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.dets)
}

// waitCursor waits until the watcher has processed block n.
func (e *env) waitCursor(r *running, n uint64) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if s := r.w.Stats()[0]; s.Cursor >= n {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the watcher did not reach block %d: %+v", n, r.w.Stats()[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// send sends data to c from opts with a fixed gas limit (no estimate: a
// call that reverts is sent and mined too) and returns its receipt.
func (e *env) send(c *bind.BoundContract, opts *bind.TransactOpts, value *big.Int, data []byte) *types.Receipt {
	e.t.Helper()
	e.quiesce()
	o := *opts
	o.Context, o.Value, o.GasLimit = e.ctx, value, 500_000
	tx, err := bind.Transact(c, &o, data)
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := bind.WaitMined(e.ctx, e.client, tx.Hash())
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) mine(n int) uint64 {
	e.t.Helper()
	for range n {
		e.quiesce()
		if err := e.client.Client().CallContext(e.ctx, nil, "evm_mine"); err != nil {
			e.t.Fatal(err)
		}
	}
	h, err := e.client.HeaderByNumber(e.ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Number.Uint64()
}

// attackOnce drains 10 ETH by reentrancy (a 1 ETH deposit withdrawn 11 times).
func (e *env) attackOnce() *types.Receipt {
	return e.send(e.attackC, e.attacker, ether, e.attack.PackAttack(big.NewInt(11)))
}

// stream returns every event on the DETECTIONS stream, with its headers.
func (e *env) stream() ([]event.Event, []jetstream.Msg) {
	e.t.Helper()
	c, err := e.js.OrderedConsumer(e.ctx, ingest.Stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := c.Info(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	n := int(info.NumPending)
	var evs []event.Event
	var msgs []jetstream.Msg
	if n == 0 {
		return nil, nil
	}
	batch, err := c.FetchNoWait(n)
	if err != nil {
		e.t.Fatal(err)
	}
	for m := range batch.Messages() {
		ev, err := event.Decode(m.Data())
		if err != nil {
			e.t.Fatalf("published event does not decode: %v", err)
		}
		evs, msgs = append(evs, ev), append(msgs, m)
	}
	return evs, msgs
}

// Each rule fires once per condition, with the fields a policy reads.
func TestRulesOnAnvil(t *testing.T) {
	e := newEnv(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	ws, err := ethclient.DialContext(e.ctx, e.anvil.WSURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ws.Close)
	r := e.run(watch.Node{Node: e.client, Heads: ws}, watch.Ed25519Signer(priv))

	// A legitimate 5 ETH sweep to the treasury: anomalous outflow only.
	sweep := e.send(e.vaultC, e.operator, nil, e.vault.PackSweep(e.treasury, eth(5)))
	e.mine(4) // past the 3-block window
	// The reentrancy drain: 10 ETH of 95 in one transaction.
	drain := e.attackOnce()
	// A sweep to a stranger: a compromised operator; the outflow is still
	// in the window of the drain, so it does not fire again.
	stolen := e.send(e.vaultC, e.operator, nil, e.vault.PackSweep(e.attacker.From, ether))
	// Four reverted calls from the attacker: one burst.
	var reverts []*types.Receipt
	for range 4 {
		reverts = append(reverts, e.send(e.vaultC, e.attacker, nil, e.vault.PackWithdrawAll()))
	}
	for _, rc := range reverts {
		if rc.Status != types.ReceiptStatusFailed {
			t.Fatal("withdrawAll without a balance did not revert")
		}
	}
	last := e.mine(1)
	e.waitCursor(r, last)

	evs, msgs := e.stream()
	type want struct {
		alert    string
		severity event.Severity
		block    uint64
		tx       common.Hash
		attacker common.Address
	}
	wants := []want{
		{"anomalous-outflow", event.SeverityHigh, sweep.BlockNumber.Uint64(), sweep.TxHash, e.operator.From},
		{"exploit", event.SeverityCritical, drain.BlockNumber.Uint64(), drain.TxHash, e.attacker.From},
		{"compromised-key", event.SeverityCritical, stolen.BlockNumber.Uint64(), stolen.TxHash, e.operator.From},
		{"call-revert-burst", event.SeverityMedium, reverts[2].BlockNumber.Uint64(), reverts[2].TxHash, e.attacker.From},
	}
	if len(evs) != len(wants) {
		for _, ev := range evs {
			t.Logf("published %s %s at %d", ev.ID, ev.AlertType, ev.Block)
		}
		t.Fatalf("%d events published, want %d", len(evs), len(wants))
	}
	for i, w := range wants {
		ev, m := evs[i], msgs[i]
		if ev.AlertType != w.alert || ev.Severity != w.severity || ev.Block != w.block || ev.TxHash == nil || *ev.TxHash != w.tx {
			t.Errorf("event %d: %s %s block %d tx %v, want %+v", i, ev.AlertType, ev.Severity, ev.Block, ev.TxHash, w)
		}
		if ev.Source != watch.DefaultSource || ev.Protocol != "drill" || ev.ChainID != contracts.DevChainID || ev.Confidence != watch.DefaultConfidence {
			t.Errorf("event %d: source %s protocol %s chain %d confidence %v", i, ev.Source, ev.Protocol, ev.ChainID, ev.Confidence)
		}
		if got := ev.AddressRoles[event.RoleAttacker]; len(got) != 1 || got[0] != w.attacker {
			t.Errorf("event %d (%s): attacker %v, want %s", i, w.alert, got, w.attacker)
		}
		if got := ev.AddressRoles[event.RoleVictim]; len(got) != 1 || got[0] != e.drill.Vault {
			t.Errorf("event %d: victim %v, want the vault", i, got)
		}
		if m.Headers().Get(jetstream.MsgIDHeader) != ev.ID {
			t.Errorf("event %d: Nats-Msg-Id %q, want %q", i, m.Headers().Get(jetstream.MsgIDHeader), ev.ID)
		}
		sig, err := base64.StdEncoding.DecodeString(m.Headers().Get(watch.SignatureHeader))
		if err != nil || !ed25519.Verify(pub, m.Data(), sig) {
			t.Errorf("event %d: signature header does not verify (%v)", i, err)
		}
	}
	md := func(i int, k string) any { return evs[i].Metadata[k] }
	if md(0, "amount") != eth(5).String() || md(1, "amount") != eth(10).String() || md(1, "contract") != "vault" {
		t.Errorf("outflow amounts: %v, %v", evs[0].Metadata, evs[1].Metadata)
	}
	if md(1, "window_blocks") != jsonNumber("1") {
		t.Errorf("exploit window_blocks %v (%T), want 1", md(1, "window_blocks"), md(1, "window_blocks"))
	}
	if md(2, "account") != e.operator.From.Hex() || md(2, "role") != "operator" || md(2, "amount") != ether.String() {
		t.Errorf("compromised-key metadata %v", evs[2].Metadata)
	}
	if md(3, "count") != jsonNumber("3") {
		t.Errorf("burst count %v", md(3, "count"))
	}
	if s := r.w.Stats()[0]; s.Detections != 4 || s.Duplicates != 0 || s.Lag != 0 || !s.Pushed {
		t.Errorf("stats %+v", s)
	}
}

func jsonNumber(s string) json.Number { return json.Number(s) }

// A restarted watcher resumes after its cursor: it neither reports again a
// condition that was already reported (still true after the restart) nor
// skips a block; a block published again (a crash between publishing and
// writing the cursor) is a duplicate the stream drops.
func TestRestartNeitherSkipsNorDoubleReports(t *testing.T) {
	e := newEnv(t)
	node := watch.Node{Node: e.client}
	r1 := e.run(node, nil)
	drain := e.attackOnce()
	b := drain.BlockNumber.Uint64()
	e.waitCursor(r1, b)
	r1.stop()
	if d := r1.detections(); len(d) != 1 || d[0].Block != b {
		t.Fatalf("first run: %+v, want the exploit at block %d", d, b)
	}

	// While it is down: a block in which the outflow is still over the
	// threshold (no new condition), then a second drain 4 blocks later,
	// out of the window (a new one).
	e.mine(1)
	e.mine(3)
	drain2 := e.attackOnce()
	last := e.mine(1)
	r2 := e.run(node, nil)
	e.waitCursor(r2, last)
	r2.stop()
	dets := r2.detections()
	if len(dets) != 1 || dets[0].Block != drain2.BlockNumber.Uint64() || dets[0].Duplicate {
		t.Fatalf("after the restart: %+v, want one new exploit at block %d", dets, drain2.BlockNumber)
	}
	r2.mu.Lock()
	blocks := slices.Clone(r2.blocks)
	r2.mu.Unlock()
	for i, n := range blocks {
		if n != b+1+uint64(i) {
			t.Fatalf("blocks processed after the restart %v, want %d..%d in order", blocks, b+1, last)
		}
	}

	// A crash after publishing block b but before its cursor was written.
	kv, err := e.js.KeyValue(e.ctx, watch.CursorBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(e.ctx, watch.CursorKey(watch.DefaultSource, contracts.DevChainID), []byte(`{"block":`+itoa(b-1)+`}`)); err != nil {
		t.Fatal(err)
	}
	r3 := e.run(node, nil)
	e.waitCursor(r3, last)
	r3.stop()
	dets = r3.detections()
	if len(dets) != 2 || !dets[0].Duplicate || !dets[1].Duplicate {
		t.Errorf("replaying from block %d: %+v, want the two exploits again, as duplicates", b, dets)
	}
	if evs, msgs := e.stream(); len(evs) != 2 {
		for i, ev := range evs {
			md, _ := msgs[i].Metadata()
			t.Logf("stream seq %d: %s (Nats-Msg-Id %s) at %v", md.Sequence.Stream, ev.ID, msgs[i].Headers().Get(jetstream.MsgIDHeader), md.Timestamp)
		}
		t.Errorf("%d events on the stream, want 2", len(evs))
	}
}

func itoa(n uint64) string { return big.NewInt(0).SetUint64(n).String() }

// gate is a TCP proxy to a node that the test can shut and open again.
type gate struct {
	t      testing.TB
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func newGate(t testing.TB, target string) *gate {
	g := &gate{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.addr = ln.Addr().String()
	g.serve(ln)
	t.Cleanup(g.shut)
	return g
}

func (g *gate) serve(ln net.Listener) {
	g.mu.Lock()
	g.ln = ln
	g.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", g.target)
			if err != nil {
				c.Close()
				continue
			}
			g.mu.Lock()
			g.conns[c], g.conns[up] = true, true
			g.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

// shut refuses new connections and cuts the open ones.
func (g *gate) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ln != nil {
		g.ln.Close()
		g.ln = nil
	}
	for c := range g.conns {
		c.Close()
	}
	clear(g.conns)
}

func (g *gate) open() {
	ln, err := net.Listen("tcp", g.addr)
	if err != nil {
		g.t.Fatal(err)
	}
	g.serve(ln)
}

// An RPC outage: the watcher retries, and once the node is back it goes on
// from its cursor through every block mined meanwhile, each once, in order.
func TestRPCOutageResumesFromTheCursor(t *testing.T) {
	e := newEnv(t)
	g := newGate(t, e.anvil.URL()[len("http://"):])
	client, err := ethclient.DialContext(e.ctx, "http://"+g.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	// Heads are pushed straight from the node, so the watcher knows of
	// the blocks it cannot read.
	ws, err := ethclient.DialContext(e.ctx, e.anvil.WSURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ws.Close)
	r := e.run(watch.Node{Node: client, Heads: ws}, nil)
	before := e.mine(1)
	e.waitCursor(r, before)

	// The gate is shut: the watcher reads nothing while these blocks are
	// mined, so there is no read to keep clear of (and no head it could
	// reach meanwhile).
	e.watching = nil
	g.shut()
	e.mine(3)
	drain := e.attackOnce()
	last := e.mine(2)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.w.Stats()[0].LastError, "reading block") {
		if time.Now().After(deadline) {
			t.Fatal("the watcher saw no error with its node away")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // several retries
	if s := r.w.Stats()[0]; s.Cursor != before {
		t.Fatalf("cursor moved to %d during the outage, want %d", s.Cursor, before)
	}
	g.open()
	e.waitCursor(r, last)

	r.mu.Lock()
	blocks := slices.Clone(r.blocks)
	r.mu.Unlock()
	from := slices.Index(blocks, before)
	if from < 0 {
		t.Fatalf("block %d not processed: %v", before, blocks)
	}
	for i, n := range blocks[from:] {
		if n != before+uint64(i) {
			t.Fatalf("blocks processed %v: want every block from %d to %d once, in order", blocks, before, last)
		}
	}
	if blocks[len(blocks)-1] != last {
		t.Fatalf("last block processed %d, want %d", blocks[len(blocks)-1], last)
	}
	dets := r.detections()
	if len(dets) != 1 || dets[0].Block != drain.BlockNumber.Uint64() || dets[0].Event.AlertType != "exploit" {
		t.Errorf("detections %+v, want the exploit at block %d", dets, drain.BlockNumber)
	}
	if s := r.w.Stats()[0]; s.Errors == 0 || s.Lag != 0 {
		t.Errorf("stats %+v", s)
	}
}

// A reorg seen at the head is followed back to the fork point, and the new
// branch is evaluated: its drain is reported, at its own block.
func TestReorgEvaluatesTheNewBranch(t *testing.T) {
	e := newEnv(t)
	r := e.run(watch.Node{Node: e.client}, nil)
	var snap string
	if err := e.client.Client().CallContext(e.ctx, &snap, "evm_snapshot"); err != nil {
		t.Fatal(err)
	}
	old := e.attackOnce()
	e.waitCursor(r, old.BlockNumber.Uint64())
	var reverted bool
	if err := e.client.Client().CallContext(e.ctx, &reverted, "evm_revert", snap); err != nil || !reverted {
		t.Fatalf("evm_revert: %v %v", reverted, err)
	}
	// The new branch: another transaction first, then the drain one block
	// later than on the old branch, then one more block.
	e.send(e.vaultC, e.admin, ether, e.vault.PackDeposit())
	drain := e.attackOnce()
	last := e.mine(1)
	e.waitCursor(r, last)
	dets := r.detections()
	if len(dets) != 2 || dets[0].Block != old.BlockNumber.Uint64() || dets[1].Block != drain.BlockNumber.Uint64() || dets[1].Tx != drain.TxHash {
		t.Fatalf("detections %+v: want the drain on the old branch at %d, then on the new one at %d", dets, old.BlockNumber, drain.BlockNumber)
	}
	if s := r.w.Stats()[0]; s.Reorgs != 1 {
		t.Errorf("stats %+v, want one reorg", s)
	}
}
