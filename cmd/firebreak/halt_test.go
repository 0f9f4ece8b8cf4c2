package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

func TestHaltAndResume(t *testing.T) {
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := srv.Dial(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The kill switch engine's bucket exists, as it does once an engine ran.
	ks, err := guard.OpenKillSwitch(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	// An operator's identity, as 'firebreak creds create --role operator' makes it.
	seed, _, err := ingest.CreateIdentity(srv.IdentityDir(), ingest.RoleOperator, "oncall", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "halt", "--nats", srv.ClientURL(), "--reason", "drill"); code == exitOK {
		t.Fatalf("halt without credentials succeeded: %s", errOut)
	}

	code, out, errOut := runCLI(t, "halt", "--nats", srv.ClientURL(), "--creds", seed, "--reason", "drill")
	if code != exitOK || !strings.Contains(out, "kill switch set") {
		t.Fatalf("halt: exit %d\n%s%s", code, out, errOut)
	}
	h, halted, err := ks.Halted(ctx)
	if err != nil || !halted || h.Reason != "drill" {
		t.Fatalf("after halt: %+v %v %v", h, halted, err)
	}
	if code, out, errOut := runCLI(t, "resume", "--nats", srv.ClientURL(), "--creds", seed); code != exitOK {
		t.Fatalf("resume: exit %d\n%s%s", code, out, errOut)
	}
	if _, halted, err := ks.Halted(ctx); err != nil || halted {
		t.Fatalf("after resume: halted %v, %v", halted, err)
	}
}
