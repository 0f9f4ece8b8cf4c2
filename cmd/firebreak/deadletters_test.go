package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// macOf is a stand-in for the engine's MAC in this test: the replay marker
// is checked by the consumer, which does not run here.
type macOf struct{}

func (macOf) Sum(string, ...[]byte) string          { return "00" }
func (macOf) Check(string, string, ...[]byte) error { return nil }

// A real embedded NATS with the stream, two dead letters and a replayer
// answering requests, as 'firebreak serve' runs it.
func deadLettersServer(t *testing.T) (url string, js jetstream.JetStream) {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := ingest.Dial(srv.ClientURL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ = jetstream.New(nc)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []ingest.DeadLetter{
		{Subject: "detections.forta", Code: "malformed", Reason: "malformed: not JSON", Body: []byte("{nope")},
		{Subject: "detections.oz", Route: "oz", Code: "bad-signature", Reason: "bad-signature: X-Signature does not verify", Body: []byte(`{"id":"x"}`)},
	} {
		if _, err := ingest.PublishDeadLetter(ctx, js, d); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { _ = ingest.NewReplayer(js, macOf{}, nil, quiet).Serve(ctx, nc); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return srv.ClientURL(), js
}

func TestDeadLettersCommands(t *testing.T) {
	url, js := deadLettersServer(t)
	code, out, errOut := runCLI(t, "dead-letters", "list", "--nats", url)
	if code != exitOK {
		t.Fatalf("list: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "malformed") || !strings.Contains(lines[2], "detections.oz") {
		t.Fatalf("list:\n%s", out)
	}
	code, out, _ = runCLI(t, "dead-letters", "list", "--since", "1h", "--json", "--nats", url)
	var ds []ingest.DeadLetterInfo
	if code != exitOK || json.Unmarshal([]byte(out), &ds) != nil || len(ds) != 2 {
		t.Fatalf("list --json: exit %d: %s", code, out)
	}
	code, out, _ = runCLI(t, "dead-letters", "show", "2", "--nats", url)
	if code != exitOK || !strings.Contains(out, "bad-signature: X-Signature") || !strings.Contains(out, "route:            oz") || !strings.Contains(out, `{"id":"x"}`) {
		t.Fatalf("show 2: exit %d:\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "dead-letters", "show", "99", "--nats", url); code != exitFailure || !strings.Contains(errOut, "99") {
		t.Fatalf("show 99: exit %d: %s", code, errOut)
	}

	code, out, errOut = runCLI(t, "dead-letters", "replay", "1", "--nats", url)
	if code != exitOK || !strings.Contains(out, "dead letter 1 replayed to detections.forta") {
		t.Fatalf("replay 1: exit %d: %s %s", code, out, errOut)
	}
	s, err := js.Stream(context.Background(), ingest.Stream)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMsg(context.Background(), 3)
	if err != nil || m.Subject != "detections.forta" || string(m.Data) != "{nope" || m.Header.Get(ingest.HeaderReplayOf) != "1" {
		t.Fatalf("the replayed message: %+v, %v", m, err)
	}
	code, out, _ = runCLI(t, "dead-letters", "replay", "--since", "1h", "--json", "--nats", url)
	var reply ingest.ReplayReply
	if code != exitOK || json.Unmarshal([]byte(out), &reply) != nil || len(reply.Replayed) != 2 || !reply.Replayed[0].Duplicate {
		t.Fatalf("replay --since: exit %d: %s", code, out)
	}
}

func TestDeadLettersUsage(t *testing.T) {
	for _, args := range [][]string{
		{"dead-letters"},
		{"dead-letters", "show"},
		{"dead-letters", "replay"},
		{"dead-letters", "replay", "1", "--since", "1h"},
		{"dead-letters", "show", "x"},
		{"dead-letters", "bogus"},
	} {
		if code, _, _ := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, out, _ := runCLI(t, "dead-letters", "--help"); code != exitOK || !strings.Contains(out, "docs/operations.md") {
		t.Errorf("--help: exit %d: %s", code, out)
	}
}

// A dead letter holds what anyone could post: escape sequences in it are
// shown, not obeyed by the operator's terminal.
func TestDeadLetterShowEscapesTerminalControls(t *testing.T) {
	url, js := deadLettersServer(t)
	evil := ingest.DeadLetter{Subject: "detections.forta", Code: "malformed", Reason: "malformed: \x1b[2Jnot JSON",
		Body: []byte("line one\n\x1b[1A\x1b[2Kall clear\r\n")}
	if _, err := ingest.PublishDeadLetter(context.Background(), js, evil); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "dead-letters", "show", "3", "--nats", url)
	if code != exitOK {
		t.Fatalf("show 3: exit %d: %s", code, errOut)
	}
	if strings.ContainsAny(out, "\x1b\r") {
		t.Fatalf("show printed raw control characters:\n%q", out)
	}
	for _, want := range []string{`malformed: \x1b[2Jnot JSON`, "line one\n" + `\x1b[1A\x1b[2Kall clear\r`} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "dead-letters", "list", "--nats", url)
	if code != exitOK || strings.Contains(out, "\x1b") || !strings.Contains(out, `\x1b[2J`) {
		t.Errorf("list: exit %d, raw or missing escape:\n%q", code, out)
	}
}
