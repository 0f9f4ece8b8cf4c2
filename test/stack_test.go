package test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// Anvil's public development accounts: test ether on a throw-away chain.
const (
	adminKey    = contracts.DevAdminKey
	guardianKey = contracts.DevGuardianKey
	operatorKey = contracts.DevOperatorKey
	chainID     = contracts.DevChainID
)

// stack is one real anvil, the demo protocol deployed on it, and a running
// engine with its embedded NATS server.
type stack struct {
	t        testing.TB
	ctx      context.Context
	anvil    *simulate.Anvil
	client   *ethclient.Client
	demo     contracts.Demo
	guardian *local.Signer
	operator *local.Signer
	// guardianAddr holds the vault's PAUSER_ROLE: guardian's address unless
	// the stack was started with another one.
	guardianAddr common.Address
	engine       *engine.Engine
	js           jetstream.JetStream
}

// startAnvil starts a real anvil or skips (fails under make test) when the
// binary is not installed.
func startAnvil(t testing.TB, ctx context.Context) *simulate.Anvil {
	t.Helper()
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: chainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	return a
}

// newStack deploys the demo protocol and starts the engine; configure may
// change the engine options before start.
func newStack(t testing.TB, configure func(*config.Options)) *stack {
	t.Helper()
	return newStackWithGuardian(t, common.Address{}, configure)
}

// newStackWithGuardian is newStack with the vault's pauser set to guardian
// (funded on the chain), for signers that are not anvil's development keys.
// configure must then configure the "guardian" signer.
func newStackWithGuardian(t testing.TB, guardian common.Address, configure func(*config.Options)) *stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	s := &stack{t: t, ctx: ctx, anvil: startAnvil(t, ctx)}
	var err error
	if s.client, err = ethclient.DialContext(ctx, s.anvil.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.client.Close)
	s.guardian = mustSigner(t, guardianKey)
	s.operator = mustSigner(t, operatorKey)
	s.guardianAddr = s.guardian.Address()
	if guardian != (common.Address{}) {
		s.guardianAddr = guardian
		if err := s.client.Client().CallContext(ctx, nil, "anvil_setBalance", guardian, "0x56BC75E2D63100000"); err != nil {
			t.Fatal(err)
		}
	}
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(chainID))
	if s.demo, err = contracts.DeployDemo(ctx, s.client, auth, s.guardianAddr, s.operator.Address(), big.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.NATS.Port = -1
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: s.anvil.URL()}}
	if guardian == (common.Address{}) {
		opts.SignerInstances = map[string]signer.Signer{"guardian": s.guardian}
	}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, MinConfidence: &minConf, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{
			"vault":  {Address: s.demo.Vault.Hex(), Pausable: true},
			"bridge": {Address: s.demo.Bridge.Hex(), Bridge: true},
		},
		Roles: map[string]string{"operator": "OPERATOR_ROLE"},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"pause()"}}}
	if configure != nil {
		configure(&opts)
	}
	s.engine = runEngine(t, ctx, opts, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})))
	s.js = dialJS(t, s.engine)
	return s
}

// runEngine runs an engine on opts until the test ends, and returns it
// once it is ready.
func runEngine(t testing.TB, ctx context.Context, opts config.Options, log *slog.Logger) *engine.Engine {
	t.Helper()
	eng, stop := startEngine(t, ctx, opts, log)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("engine.Run: %v", err)
		}
	})
	return eng
}

// dialJS connects the test to the engine's NATS with the engine's own
// identity: it publishes events and reads every bucket. What a detector's
// identity may do is engine/ingest's permission tests' subject.
func dialJS(t testing.TB, eng *engine.Engine) jetstream.JetStream {
	t.Helper()
	nc, err := eng.DialNATS(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func mustSigner(t testing.TB, key string) *local.Signer {
	t.Helper()
	s, err := local.FromHex(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// criticalExploit is the event the shipped policy acts on.
func criticalExploit(id string) event.Event {
	return event.Event{
		ID: id, Source: "forta", ChainID: chainID, Severity: event.SeverityCritical, Confidence: 0.95,
		AlertType: "exploit", Protocol: "demo", Timestamp: time.Now().UTC(),
	}
}

func (s *stack) publish(ev event.Event) {
	s.t.Helper()
	if _, err := ingest.Publish(s.ctx, s.js, ev); err != nil {
		s.t.Fatal(err)
	}
}

// outcome waits until the engine has recorded the event.
func (s *stack) outcome(id string) decide.Outcome {
	s.t.Helper()
	for {
		out, err := s.engine.Outcome(s.ctx, id)
		if err == nil {
			return out
		}
		if !engine.IsNotHandled(err) {
			s.t.Fatal(err)
		}
		s.sleep(10 * time.Millisecond)
	}
}

// action waits until an action is final.
func (s *stack) action(id string) record.Record {
	s.t.Helper()
	for {
		rec, err := s.engine.Action(s.ctx, id)
		if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			s.t.Fatal(err)
		}
		if err == nil && rec.State.Final() {
			return rec
		}
		s.sleep(10 * time.Millisecond)
	}
}

// drained waits until the engine's consumer has acknowledged every message
// in the stream.
func (s *stack) drained() {
	s.t.Helper()
	for {
		c, err := s.js.Consumer(s.ctx, ingest.Stream, ingest.DefaultDurable)
		if err != nil {
			s.t.Fatal(err)
		}
		info, err := c.Info(s.ctx)
		if err != nil {
			s.t.Fatal(err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 && info.NumRedelivered == 0 {
			return
		}
		s.sleep(10 * time.Millisecond)
	}
}

func (s *stack) sleep(d time.Duration) {
	select {
	case <-s.ctx.Done():
		s.t.Fatal("timed out waiting for the engine")
	case <-time.After(d):
	}
}

func (s *stack) paused() bool {
	s.t.Helper()
	v := contracts.NewProtectedVault()
	p, err := bind.Call(v.Instance(s.client, s.demo.Vault), nil, v.PackPaused(), v.UnpackPaused)
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *stack) frozen() bool {
	s.t.Helper()
	b := contracts.NewTokenBridge()
	f, err := bind.Call(b.Instance(s.client, s.demo.Bridge), nil, b.PackFrozen(), b.UnpackFrozen)
	if err != nil {
		s.t.Fatal(err)
	}
	return f
}

// sent counts the transactions the guardian has had mined.
func (s *stack) sent(who common.Address) uint64 {
	s.t.Helper()
	n, err := s.client.NonceAt(s.ctx, who, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// testWriter sends the engine's log to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}

var _ io.Writer = testWriter{}

// waitIdentity waits until the embedded server at url lets the identity
// with seed file seed in (it reads new identities every 2 s).
func waitIdentity(t testing.TB, url, seed string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		nc, err := ingest.DialWith(url, "wait-identity", ingest.ConnectOptions{NkeySeedFile: seed})
		if err == nil {
			nc.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the identity %s cannot connect: %v", seed, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
