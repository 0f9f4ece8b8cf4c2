package test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/signer"
)

// An audit stream deleted and recreated between two runs (what an admin of
// the NATS server could do to erase a record) makes the next start fail,
// naming the checkpoint; --accept-audit-reset starts, and says so first.
func TestAuditStreamReplacedBetweenRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	anvil := startAnvil(t, ctx)
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.NATS.Port = -1
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: anvil.URL()}}
	opts.SignerInstances = map[string]signer.Signer{"guardian": mustSigner(t, guardianKey)}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {ChainID: chainID, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{"vault": {Address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", Pausable: true}}}}
	log := slog.New(slog.DiscardHandler)

	// First run: one event, decided and audited.
	eng, stop := startEngine(t, ctx, opts, log)
	js := dialJS(t, eng)
	ev := criticalExploit("audit-reset-1")
	ev.Severity = event.SeverityLow // nothing to do: the records are what matters
	if _, err := ingest.Publish(ctx, js, ev); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := eng.Outcome(ctx, ev.ID); err == nil {
			break
		} else if !engine.IsNotHandled(err) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatalf("first run: %v", err)
	}

	// Between runs the stream is deleted and recreated empty.
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: opts.DataDir, Host: "127.0.0.1", Port: -1}, log)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := srv.Dial("attacker")
	if err != nil {
		t.Fatal(err)
	}
	ajs, _ := jetstream.New(nc)
	if err := ajs.DeleteStream(ctx, audit.Stream); err != nil {
		t.Fatal(err)
	}
	if _, err := ajs.CreateStream(ctx, audit.StreamConfig(1, 0)); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	srv.Shutdown()

	// Second run: refused, naming the checkpoint.
	eng2, err := engine.New(opts, log)
	if err != nil {
		t.Fatal(err)
	}
	err = eng2.Run(ctx)
	if !errors.Is(err, audit.ErrCheckpointMismatch) || !strings.Contains(err.Error(), audit.CheckpointFile) {
		t.Fatalf("second start: err = %v, want a refusal naming %s", err, audit.CheckpointFile)
	}

	// Third run, with the override: it starts, and its first record says so.
	opts.Audit.AcceptReset = true
	eng3, stop3 := startEngine(t, ctx, opts, log)
	rd, err := audit.NewReader(ctx, dialJS(t, eng3))
	if err != nil {
		t.Fatal(err)
	}
	first, err := rd.Get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Kind != audit.KindCheckpointOverride {
		t.Fatalf("first record of the new stream is %q, want %q", first.Kind, audit.KindCheckpointOverride)
	}
	if err := stop3(); err != nil {
		t.Fatal(err)
	}
}

// startEngine runs an engine until the returned stop is called.
func startEngine(t testing.TB, ctx context.Context, opts config.Options, log *slog.Logger) (*engine.Engine, func() error) {
	t.Helper()
	eng, err := engine.New(opts, log)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	select {
	case <-eng.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("engine stopped during start: %v", err)
	case <-ctx.Done():
		t.Fatal("engine did not start")
	}
	var stopped bool
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	return eng, stop
}
