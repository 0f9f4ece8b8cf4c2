package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

// budget bounds one scenario: its outage, two settle waits and room for
// starting everything.
func budget() time.Duration { return suite.outage + 2*suite.settle + 3*time.Minute }

// guardian is the local key every local-signer scenario sends from.
func guardian(t *testing.T) (common.Address, string) {
	k, err := crypto.HexToECDSA(contracts.DevGuardianKey)
	if err != nil {
		t.Fatal(err)
	}
	return crypto.PubkeyToAddress(k.PublicKey), "FIREBREAK_GUARDIAN_KEY=" + contracts.DevGuardianKey
}

// burstWindow is how long a kill-burst's publishing is spread over.
func burstWindow() time.Duration {
	if suite.full {
		return 40 * time.Second
	}
	return 8 * time.Second
}

// single is one engine on its embedded NATS (the default install), with
// the chain and an incident.
type single struct {
	t       *testing.T
	chain   *chain
	in      *incident
	engine  *engineProc
	url     string
	seed    string
	stores  *stores
	watcher *containment
}

// startSingle deploys the protocols, writes the configuration (rpc is the
// chain's URL unless set) and starts the engine.
func startSingle(t *testing.T, ctx context.Context, name string, sender common.Address, env []string, configure func(*engineConfig)) *single {
	t.Helper()
	binaries(t)
	s := &single{t: t, chain: startChain(t, ctx, sender)}
	s.in = newIncident(t, name, rng(name), suite.events, suite.malformed)
	dir := t.TempDir()
	cfg := engineConfig{dataDir: filepath.Join(dir, "data"), natsPort: freePort(t), rpc: s.chain.anvil.URL(), detectorPublicKey: s.in.publicKey()}
	for _, v := range s.chain.vaults {
		cfg.vaults = append(cfg.vaults, v.Hex())
	}
	if configure != nil {
		configure(&cfg)
	}
	path := filepath.Join(dir, "firebreak.yaml")
	cfg.write(t, path)
	s.url = fmt.Sprintf("nats://127.0.0.1:%d", cfg.natsPort)
	s.seed = ingest.EngineSeedPath(ingest.IdentityDir(cfg.dataDir))
	s.engine = newEngine(t, "serve", path, env...)
	s.engine.start()
	s.watcher = watchContainment(ctx, s.chain)
	return s
}

// consuming waits until the engine's durable consumer exists, i.e. the
// engine is handling detections.
func (s *single) consuming(ctx context.Context) {
	s.t.Helper()
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if s.stores == nil {
		st, closeFn, err := dialStores(wctx, s.url, s.seed)
		if err != nil {
			s.t.Fatalf("connecting to the engine's NATS: %v\n", err)
		}
		s.t.Cleanup(closeFn)
		s.stores = st
	}
	if !wait(wctx, func() bool {
		_, err := s.stores.js.Consumer(wctx, ingest.Stream, ingest.DefaultDurable)
		return err == nil
	}) {
		s.t.Fatal("the engine did not start consuming within a minute")
	}
}

// TestKillBurst SIGKILLs the engine at random points (seeded) during a
// burst across three protocols sharing one sender, restarting it each
// time.
func TestKillBurst(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), budget())
	defer cancel()
	sender, env := guardian(t)
	s := startSingle(t, ctx, "kill-burst", sender, []string{env}, nil)
	s.consuming(ctx)
	p := &publisher{url: s.url, seed: s.seed}
	defer p.close()

	r := rng("kill-burst")
	window := burstWindow()
	gap := window / time.Duration(len(s.in.messages))
	// One kill at a random point of each of kills equal slices of the
	// burst, so that they spread over it and the first lands early, while
	// the first pauses are in flight.
	var at []time.Duration
	for i := range suite.kills {
		slice := window / time.Duration(suite.kills)
		at = append(at, time.Duration(i)*slice+time.Duration(r.Int64N(int64(slice))))
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- s.in.burst(ctx, p, gap) }()
	recovered := start
	for i, d := range at {
		if !sleep(ctx, time.Until(start.Add(d))) {
			t.Fatal(ctx.Err())
		}
		s.engine.kill()
		down := time.Duration(r.IntN(1000)) * time.Millisecond
		t.Logf("kill %d at %v of the burst, down %v", i+1, time.Since(start).Round(time.Millisecond), down)
		sleep(ctx, down)
		s.engine.start()
		recovered = time.Now()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("burst published in %v, %d publish retries", time.Since(start).Round(time.Millisecond), p.retries)
	s.consuming(ctx)
	s.in.check(ctx, s.chain, s.stores, s.watcher, recovered, len(at), s.url, s.seed)
	s.alive()
}

// alive fails the test if the engine exited on its own.
func (s *single) alive() {
	if !s.engine.running() {
		s.t.Errorf("the engine exited: %s", s.engine.lastLine())
	}
}

// outage runs an incident on one engine while fault holds for the
// suite's outage, then heals it and checks.
func (s *single) outage(ctx context.Context, fault, heal func()) {
	s.t.Helper()
	s.consuming(ctx)
	p := &publisher{url: s.url, seed: s.seed}
	defer p.close()
	fault()
	start := time.Now()
	if err := s.in.burst(ctx, p, 0); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("burst published %v into the outage; healing after %v", time.Since(start).Round(time.Millisecond), suite.outage)
	if !sleep(ctx, time.Until(start.Add(suite.outage))) {
		s.t.Fatal(ctx.Err())
	}
	heal()
	recovered := time.Now()
	s.in.check(ctx, s.chain, s.stores, s.watcher, recovered, 0, s.url, s.seed)
	s.alive()
}

// TestRPCHung puts the chain's RPC behind a gate that accepts connections
// and never answers, during an incident.
func TestRPCHung(t *testing.T) { testRPC(t, "rpc-hung", gateHang) }

// TestRPCDown puts the chain's RPC behind a gate that refuses
// connections, during an incident.
func TestRPCDown(t *testing.T) { testRPC(t, "rpc-down", gateDown) }

func testRPC(t *testing.T, name string, mode gateMode) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), budget())
	defer cancel()
	sender, env := guardian(t)
	var g *gate
	s := startSingle(t, ctx, name, sender, []string{env}, func(c *engineConfig) {
		g = startGate(t, strings.TrimPrefix(c.rpc, "http://"))
		c.rpc = "http://" + g.addr
	})
	s.outage(ctx, func() { g.set(mode) }, func() { g.set(gatePass) })
}

// TestVaultSealed signs with a key inside a real Vault, sealed during an
// incident and unsealed with the dev unseal key.
func TestVaultSealed(t *testing.T) {
	t.Parallel()
	binaries(t)
	srv := vaulttest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), budget())
	defer cancel()
	sec, err := srv.Client().Logical().WriteWithContext(ctx, vaulttest.PluginMount+"/keys/guardian", nil)
	if err != nil {
		t.Fatal(err)
	}
	sender := common.HexToAddress(sec.Data["address"].(string))
	s := startSingle(t, ctx, "vault-sealed", sender, []string{"FIREBREAK_VAULT_TOKEN=" + srv.RootToken}, func(c *engineConfig) {
		c.vaultAddr, c.vaultKV = srv.Addr, "guardian"
	})
	s.outage(ctx, func() {
		if out, err := srv.CLI("", "operator", "seal"); err != nil {
			t.Fatalf("vault operator seal: %v\n%s", err, out)
		}
	}, srv.Unseal)
}

// TestNATSCluster runs two engines on a 3-node NATS cluster (R3 streams
// and buckets), kills the DETECTIONS stream's leader during a burst, then
// SIGKILLs one engine; the other carries on.
func TestNATSCluster(t *testing.T) {
	t.Parallel()
	binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), budget())
	defer cancel()
	sender, env := guardian(t)
	c := startChain(t, ctx, sender)
	in := newIncident(t, "nats-cluster", rng("nats-cluster"), suite.events, suite.malformed)

	cl := &cluster{t: t, ids: filepath.Join(t.TempDir(), "ids")}
	seeds := map[string]string{"a": cl.createIdentity("engine", "a"), "b": cl.createIdentity("engine", "b")}
	detector := cl.createIdentity("detector", "forta")
	cl.start(ctx)
	cl.ready(ctx, seeds["a"])

	// Engines sharing a NATS share the records' MAC key.
	mac := filepath.Join(t.TempDir(), "record-mac.key")
	if err := os.WriteFile(mac, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	engines := map[string]*engineProc{}
	for _, name := range []string{"a", "b"} {
		dir := t.TempDir()
		cfg := engineConfig{
			dataDir: filepath.Join(dir, "data"), natsURL: cl.url(), seedFile: seeds[name], instance: name, replicas: 3,
			macKeyFile: mac, rpc: c.anvil.URL(), detectorPublicKey: in.publicKey(),
		}
		for _, v := range c.vaults {
			cfg.vaults = append(cfg.vaults, v.Hex())
		}
		path := filepath.Join(dir, "firebreak.yaml")
		cfg.write(t, path)
		engines[name] = newEngine(t, name, path, env)
		engines[name].start()
	}
	st, closeFn, err := dialStores(ctx, cl.url(), seeds["b"])
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	// Both replicas start at once, as a deployment starts them. One that
	// exits at start is a finding; it is then restarted as a supervisor
	// would (up to three times), so that the rest of the scenario runs.
	for _, name := range []string{"a", "b"} {
		if !supervise(t, ctx, engines[name]) {
			t.Fatalf("engine %s did not start", name)
		}
	}
	for _, stream := range append([]string{ingest.Stream, audit.Stream}, kvStreams()...) {
		if _, err := cl.leaderOf(ctx, st.js, stream); err != nil {
			t.Errorf("replicas: %v", err)
		}
	}
	w := watchContainment(ctx, c)
	p := &publisher{url: cl.url(), seed: detector}
	defer p.close()

	r := rng("nats-cluster")
	window := burstWindow()
	gap := window / time.Duration(len(in.messages))
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- in.burst(ctx, p, gap) }()

	sleep(ctx, window/4+time.Duration(r.Int64N(int64(window/4))))
	leader, err := cl.leaderOf(ctx, st.js, ingest.Stream)
	if err != nil {
		t.Fatal(err)
	}
	leader.kill()
	t.Logf("killed the %s leader %s at %v of the burst", ingest.Stream, leader.name, time.Since(start).Round(time.Millisecond))
	kills := 1

	sleep(ctx, window/4)
	victim := []string{"a", "b"}[r.IntN(2)]
	engines[victim].kill()
	kills++
	recovered := time.Now()
	t.Logf("SIGKILLed engine %s at %v of the burst; it stays down", victim, time.Since(start).Round(time.Millisecond))
	leader.start(t)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("burst published in %v, %d publish retries", time.Since(start).Round(time.Millisecond), p.retries)
	survivor := engines[map[string]string{"a": "b", "b": "a"}[victim]]
	defer func() {
		if !survivor.running() {
			t.Errorf("engine %s, the survivor, exited: %s", survivor.name, survivor.lastLine())
		}
	}()
	// The test reads the stores with b's identity whichever engine died:
	// the identity is a key, not the process.
	in.check(ctx, c, st, w, recovered, kills, cl.url(), seeds["b"])
}

// supervise waits until e runs, restarting it when it exits at start; each
// exit is an error of the test.
func supervise(t *testing.T, ctx context.Context, e *engineProc) bool {
	t.Helper()
	for range 4 {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		ok := wait(wctx, func() bool { return e.ready() || !e.running() })
		cancel()
		if ok && e.ready() {
			return true
		}
		if e.running() {
			t.Errorf("start: engine %s did not say it runs within a minute", e.name)
			return false
		}
		t.Errorf("start: engine %s (start %d) exited: %s", e.name, e.starts, e.lastLine())
		e.start()
	}
	return false
}

// kvStreams are the streams of the engine's state buckets.
func kvStreams() []string {
	var out []string
	for _, b := range ingest.StateBuckets {
		out = append(out, "KV_"+b)
	}
	return out
}
