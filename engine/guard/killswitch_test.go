package guard_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// newKillSwitch opens the kill switch on a real embedded NATS server.
func newKillSwitch(t *testing.T) *guard.KillSwitch {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := ingest.Dial(srv.ClientURL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := guard.OpenKillSwitch(context.Background(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestKillSwitch(t *testing.T) {
	ctx := context.Background()
	ks := newKillSwitch(t)
	c := newSimChain(t)
	g := guard.New(c.registry(), c.allow(), map[uint64]guard.Caller{simChainID: c.caller}, guard.WithHaltReader(ks))
	decide := func(id string) guard.Verdict {
		t.Helper()
		vs, err := g.CheckDecision(ctx, id, []guard.Request{pauseVault})
		if err != nil || len(vs) != 1 {
			t.Fatalf("CheckDecision: %v, %v", vs, err)
		}
		return vs[0]
	}
	if v := decide("before"); v.Outcome != guard.Allowed {
		t.Fatalf("before any halt: %+v", v)
	}
	if err := ks.Halt(ctx, guard.Halt{Reason: ""}); err == nil {
		t.Fatal("a halt without a reason was accepted")
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if err := ks.Halt(ctx, guard.Halt{Reason: "false positives from bot X", By: "alice", At: at}); err != nil {
		t.Fatal(err)
	}
	// The very next event is refused: the key is read per decision.
	v := decide("during")
	if v.Outcome != guard.Refused || !strings.Contains(v.Reason, `firebreak is halted: "false positives from bot X" since 2026-11-25T10:00:00Z by alice`) {
		t.Fatalf("during the halt: %+v", v)
	}
	if err := ks.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ks.Resume(ctx); err != nil {
		t.Fatalf("resuming twice: %v", err)
	}
	if v := decide("after"); v.Outcome != guard.Allowed {
		t.Fatalf("after resume: %+v", v)
	}
}
