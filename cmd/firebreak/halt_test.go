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
	nc, err := ingest.Dial(srv.ClientURL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	code, out, errOut := runCLI(t, "halt", "--nats", srv.ClientURL(), "--reason", "drill")
	if code != exitOK || !strings.Contains(out, "kill switch set") {
		t.Fatalf("halt: exit %d\n%s%s", code, out, errOut)
	}
	ks, err := guard.OpenKillSwitch(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	h, halted, err := ks.Halted(ctx)
	if err != nil || !halted || h.Reason != "drill" {
		t.Fatalf("after halt: %+v %v %v", h, halted, err)
	}
	if code, out, errOut := runCLI(t, "resume", "--nats", srv.ClientURL()); code != exitOK {
		t.Fatalf("resume: exit %d\n%s%s", code, out, errOut)
	}
	if _, halted, err := ks.Halted(ctx); err != nil || halted {
		t.Fatalf("after resume: halted %v, %v", halted, err)
	}
}
