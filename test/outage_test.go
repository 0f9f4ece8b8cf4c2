package test

import (
	"context"
	"io"
	"math/big"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// Modes of a tcpGate.
const (
	gateForward int32 = iota // pass bytes both ways
	gateRefuse               // accept and close at once: the node is down
	gateHang                 // accept and never answer: the node is hung
)

// tcpGate is a TCP proxy in front of a real node that the test can make
// refuse connections or hang, as an RPC outage does. Changing the mode
// drops every open connection, so keep-alive connections see it too.
type tcpGate struct {
	ln       net.Listener
	target   string
	mode     atomic.Int32
	accepted atomic.Int64
	// hungClosed counts hung connections the client gave up on.
	hungClosed atomic.Int64

	mu    sync.Mutex
	conns []net.Conn
}

func newTCPGate(t testing.TB, target string) *tcpGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &tcpGate{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close(); g.drop() })
	go g.serve()
	return g
}

// URL is the node's URL through the gate.
func (g *tcpGate) URL() string { return "http://" + g.ln.Addr().String() }

func (g *tcpGate) set(mode int32) {
	g.mode.Store(mode)
	g.drop()
}

func (g *tcpGate) drop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
}

func (g *tcpGate) track(c net.Conn) {
	g.mu.Lock()
	g.conns = append(g.conns, c)
	g.mu.Unlock()
}

func (g *tcpGate) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.accepted.Add(1)
		switch g.mode.Load() {
		case gateRefuse:
			_ = c.Close()
		case gateHang:
			g.track(c) // answer nothing; notice when the client gives up
			go func() {
				_, _ = io.Copy(io.Discard, c)
				if g.mode.Load() == gateHang {
					g.hungClosed.Add(1)
				}
			}()
		default:
			up, err := net.Dial("tcp", g.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			g.track(c)
			g.track(up)
			go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
			go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
		}
	}
}

func hostOf(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// deliveries is how many messages the engine's consumer was handed, counting
// redeliveries.
func deliveries(s *stack) uint64 {
	s.t.Helper()
	c, err := s.js.Consumer(s.ctx, ingest.Stream, ingest.DefaultDurable)
	if err != nil {
		s.t.Fatal(err)
	}
	info, err := c.Info(s.ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	return info.Delivered.Consumer
}

// firstDeadLetter waits for the first dead letter in DETECTIONS.
func firstDeadLetter(s *stack) jetstream.Msg {
	s.t.Helper()
	c, err := s.js.OrderedConsumer(s.ctx, ingest.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{ingest.DeadSubject}})
	if err != nil {
		s.t.Fatal(err)
	}
	msg, err := c.Next(jetstream.FetchMaxWait(30 * time.Second))
	if err != nil {
		s.t.Fatalf("no dead letter: %v", err)
	}
	return msg
}

// An RPC outage longer than the old retry budget (10 deliveries) still ends
// with the vault paused once the node is back, and an event older than
// max_event_age that meets the outage is dead-lettered as stale.
func TestRPCOutageOutlivesOldRetryBudget(t *testing.T) {
	var gate *tcpGate
	s := newStack(t, func(o *config.Options) {
		gate = newTCPGate(t, hostOf(t, o.Chains[0].RPC))
		o.Chains[0].RPC = gate.URL()
		o.Ingest.RetryDelay, o.Ingest.MaxRetryDelay = 20*time.Millisecond, 100*time.Millisecond
		o.Ingest.HandleTimeout = 5 * time.Second
	})
	gate.set(gateRefuse)

	old := criticalExploit("outage-old")
	old.Timestamp = time.Now().Add(-20 * time.Minute)
	s.publish(old)
	dead := firstDeadLetter(s)
	if code := dead.Headers().Get(ingest.HeaderDeadCode); code != ingest.CodeStale {
		t.Fatalf("the old event's dead letter has code %q (%s), want %q", code, dead.Headers().Get(ingest.HeaderReason), ingest.CodeStale)
	}

	before := deliveries(s)
	s.publish(criticalExploit("outage-fresh"))
	// Far more deliveries than the old MaxDeliver of 10, all while the node
	// is down.
	for deliveries(s)-before < 15 {
		s.sleep(20 * time.Millisecond)
	}
	if s.paused() {
		t.Fatal("the vault is paused while its node was down")
	}
	gate.set(gateForward)
	out := s.outcome("outage-fresh")
	if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
		t.Fatalf("outcome = %+v, want one recorded pause", out)
	}
	s.action(out.Actions[0].ActionID)
	if !s.paused() {
		t.Fatal("the vault is not paused after the node came back")
	}
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Fatalf("the guardian sent %d transactions, want 1", n)
	}
}

// A hung RPC node of one protocol's chain (accepts, never answers) does not
// stop the engine handling another protocol's events: the other vault is
// paused while the hung protocol's event is still unhandled.
func TestHungRPCHoldsUpOnlyItsProtocol(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := simulate.FindAnvil()
	if err != nil {
		t.Skip(err)
	}
	const otherChain = 31338
	other, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: otherChain})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Stop)
	oc, err := ethclient.DialContext(ctx, other.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close()
	admin, _ := crypto.HexToECDSA(adminKey)
	guardian, operator := mustSigner(t, guardianKey), mustSigner(t, operatorKey)
	otherDemo, err := contracts.DeployDemo(ctx, oc, bind.NewKeyedTransactor(admin, big.NewInt(otherChain)), guardian.Address(), operator.Address(), big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	gate := newTCPGate(t, hostOf(t, other.URL()))

	s := newStack(t, func(o *config.Options) {
		o.Chains = append(o.Chains, config.ChainOptions{ID: otherChain, Name: "other", RPC: gate.URL()})
		minConf := 0.8
		o.Protocols["stuck"] = config.ProtocolOptions{
			ChainID: otherChain, MinConfidence: &minConf, Signer: "guardian",
			Contracts: map[string]config.ContractOptions{"vault": {Address: otherDemo.Vault.Hex(), Pausable: true}},
		}
		o.Allowlist = append(o.Allowlist, config.AllowOptions{ChainID: otherChain, Contract: "stuck.vault", Functions: []string{"pause()"}})
		o.Ingest.HandleTimeout = 20 * time.Second
	})
	gate.set(gateHang)
	stuck := criticalExploit("hung-stuck")
	stuck.Protocol, stuck.ChainID = "stuck", otherChain
	s.publish(stuck)
	for gate.accepted.Load() == 0 { // the stuck event is being handled
		s.sleep(10 * time.Millisecond)
	}
	s.publish(criticalExploit("hung-demo"))
	out := s.outcome("hung-demo")
	if len(out.Actions) != 1 {
		t.Fatalf("outcome = %+v, want one pause", out)
	}
	s.action(out.Actions[0].ActionID)
	if !s.paused() {
		t.Fatal("the demo vault is not paused")
	}
	if _, err := s.engine.Outcome(s.ctx, "hung-stuck"); err == nil {
		t.Fatal("the stuck protocol's event was handled: its node was not hung")
	}
	// The stuck event's first attempt is still waiting on its node: the
	// demo event did not wait for it to give up.
	if n := gate.hungClosed.Load(); n != 0 {
		t.Fatalf("the stuck event gave up on its node %d times before the demo vault was paused: it waited behind it", n)
	}
	gate.set(gateForward)
	s.outcome("hung-stuck") // and it is handled once its node answers
}
