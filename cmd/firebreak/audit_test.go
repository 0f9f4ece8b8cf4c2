package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// auditServer starts a real embedded NATS server and appends a small,
// signed story to its audit log: one rejected message and one event
// taken to inclusion.
func auditServer(t *testing.T, key string) string {
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
	js, _ := jetstream.New(nc)
	opts := audit.DefaultOptions()
	if opts.Key, err = audit.ParsePrivateKey(key); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := audit.NewLog(ctx, js, opts, quiet)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []audit.Entry{
		{Kind: audit.KindRejected, EventID: "bad-1", Data: audit.RejectedData{Subject: "detections.forta", StreamSeq: 1, Reason: `field "severity": unknown`}},
		{Kind: audit.KindReceived, EventID: "12345", Protocol: "demo"},
		{Kind: audit.KindDecision, EventID: "12345", Protocol: "demo", Data: audit.DecisionData{DecisionID: "d1", Error: "policy failed"}},
		{Kind: audit.KindReceived, EventID: "forta-9", Protocol: "other"},
	} {
		if _, err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	return srv.ClientURL()
}

func TestAuditCommands(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "audit.key")
	code, out, errOut := runCLI(t, "audit", "keygen", "--out", keyFile)
	if code != exitOK || !strings.Contains(out, "public key ") {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", st, err)
	}
	pub := strings.Fields(out[strings.Index(out, "public key ")+len("public key "):])[0]
	seed, _ := os.ReadFile(keyFile)
	if strings.Contains(out+errOut, strings.TrimSpace(string(seed))) {
		t.Fatal("keygen printed the secret key")
	}
	url := auditServer(t, string(seed))
	exported := filepath.Join(dir, "audit.jsonl")

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		not      []string
	}{
		{"list", []string{"audit", "list", "--nats", url}, exitOK, []string{"rejected", "received", "decision", "forta-9"}, nil},
		{"list by event", []string{"audit", "list", "--nats", url, "--event", "12345"}, exitOK, []string{"received", "decision"}, []string{"forta-9", "rejected"}},
		{"list by protocol", []string{"audit", "list", "--protocol", "other", "--nats", url}, exitOK, []string{"forta-9"}, []string{"12345"}},
		{"list by kind", []string{"audit", "list", "--nats", url, "--kind", "rejected"}, exitOK, []string{"bad-1", `"severity": unknown`}, []string{"decision"}},
		{"list since the future", []string{"audit", "list", "--nats", url, "--since", "2099-01-01T00:00:00Z"}, exitOK, []string{"no matching records"}, []string{"received"}},
		{"list bad since", []string{"audit", "list", "--nats", url, "--since", "yesterday"}, exitUsage, []string{"neither a duration"}, nil},
		{"list bad kind", []string{"audit", "list", "--nats", url, "--kind", "Bad.Kind"}, exitUsage, []string{"not a record kind"}, nil},
		{"show event", []string{"audit", "show", "forta-9", "--nats", url}, exitOK, []string{"Event forta-9 (protocol other): 1 records"}, nil},
		{"show seq", []string{"audit", "show", "--nats", url, "3"}, exitOK, []string{"Event 12345", "could not decide, so nothing was done: policy failed"}, nil},
		{"show all-digit event id", []string{"audit", "show", "--nats", url, "--event", "12345"}, exitOK, []string{"Event 12345 (protocol demo): 2 records"}, nil},
		{"show unknown", []string{"audit", "show", "--nats", url, "nobody"}, exitFailure, []string{"no audit record about event"}, nil},
		{"verify stream", []string{"audit", "verify", "--nats", url, "--public-key", pub}, exitOK, []string{"OK: the audit stream: 4 records verify, every one signed by key"}, nil},
		{"verify wrong key", []string{"audit", "verify", "--nats", url, "--public-key", strings.Repeat("ab", 32)}, exitFailure, []string{"BROKEN", "record 1", "not by the given key"}, nil},
		{"export", []string{"audit", "export", "--nats", url, "--out", exported}, exitOK, []string{"exported 4 records"}, nil},
		{"export refuses to overwrite", []string{"audit", "export", "--nats", url, "--out", exported}, exitFailure, []string{"exists"}, nil},
		{"verify export", []string{"audit", "verify", "--file", exported, "--public-key", pub}, exitOK, []string{"4 records verify"}, nil},
		{"no stream", []string{"audit", "list", "--nats", "nats://127.0.0.1:1", "--timeout", "2s"}, exitFailure, []string{"firebreak audit list:"}, nil},
		{"help", []string{"audit", "-h"}, exitOK, []string{"hash-chained", "keygen"}, nil},
		{"list help", []string{"audit", "list", "-h"}, exitOK, []string{"--event"}, nil},
		{"no command", []string{"audit"}, exitUsage, []string{"Commands:"}, nil},
		{"unknown", []string{"audit", "frob"}, exitUsage, []string{`unknown command "frob"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output does not mention %q:\n%s%s", w, out, errOut)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("output mentions %q:\n%s", w, out)
				}
			}
		})
	}

	// --json prints the stored records; verify --json says where it broke.
	code, out, _ = runCLI(t, "audit", "list", "--nats", url, "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 4 {
		t.Fatalf("list --json: exit %d, %d lines", code, len(lines))
	}
	if _, err := audit.ParseRecord([]byte(lines[1])); err != nil {
		t.Fatalf("list --json line is not a stored record: %v", err)
	}
	lines[1], lines[2] = lines[2], lines[1]
	tampered := filepath.Join(dir, "tampered.jsonl")
	if err := os.WriteFile(tampered, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "audit", "verify", "--file", tampered, "--json")
	var rep struct {
		OK       bool   `json:"ok"`
		BrokenAt uint64 `json:"broken_at"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitFailure || rep.OK || rep.BrokenAt != 2 {
		t.Fatalf("verify --json on a reordered copy: exit %d, %s (%v); want broken at 2", code, out, err)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"90m", now.Add(-90 * time.Minute), true},
		{"2026-11-25T10:00:00Z", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), true},
		{"-1h", time.Time{}, false},
		{"last tuesday", time.Time{}, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSince(tt.in, now)
			if (err == nil) != tt.ok || !got.Equal(tt.want) {
				t.Fatalf("parseSince(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}

// audit head prints what verify --expect-head later checks: the full
// export holds it, a truncated one and another log do not.
func TestAuditHeadAndExpectHead(t *testing.T) {
	_, seed, _ := strings.Cut(mustKeygen(t), "\n")
	url := auditServer(t, seed)
	dir := t.TempDir()

	code, out, errOut := runCLI(t, "audit", "head", "--nats", url, "--json")
	var head audit.Head
	if err := json.Unmarshal([]byte(out), &head); code != exitOK || err != nil || head.Seq != 4 || len(head.Hash) != 64 {
		t.Fatalf("head --json: exit %d, %s%s (%v); want record 4 and its hash", code, out, errOut, err)
	}
	code, out, _ = runCLI(t, "audit", "head", "--nats", url)
	if code != exitOK || !strings.Contains(out, "record 4, hash "+head.Hash) || !strings.Contains(out, "--expect-head "+head.Hash+" --expect-seq 4") {
		t.Fatalf("head: exit %d\n%s", code, out)
	}

	full := filepath.Join(dir, "full.jsonl")
	if code, out, errOut := runCLI(t, "audit", "export", "--nats", url, "--out", full); code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
	truncated := filepath.Join(dir, "truncated.jsonl")
	if err := os.WriteFile(truncated, []byte(strings.Join(lines[:2], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	seq := "4"
	cpFile := filepath.Join(dir, audit.CheckpointFile)
	if err := audit.SaveCheckpoint(cpFile, audit.Checkpoint{Stream: audit.Stream, Seq: head.Seq, Hash: head.Hash}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"full export", []string{"--file", full, "--expect-head", head.Hash, "--expect-seq", seq}, exitOK, []string{"OK:", "expected head found: record 4"}},
		{"full export, head only", []string{"--file", full, "--expect-head", head.Hash}, exitOK, []string{"expected head found: record 4"}},
		{"truncated export", []string{"--file", truncated, "--expect-head", head.Hash, "--expect-seq", seq}, exitFailure, []string{"BROKEN", "record 3", "ends at record 2", "cut off the end"}},
		{"truncated export, head only", []string{"--file", truncated, "--expect-head", head.Hash}, exitFailure, []string{"BROKEN", "not in the chain"}},
		{"live stream", []string{"--nats", url, "--expect-head", strings.ToUpper(head.Hash), "--expect-seq", seq}, exitOK, []string{"OK: the audit stream", "expected head found: record 4"}},
		{"live stream, another head", []string{"--nats", url, "--expect-head", strings.Repeat("ab", 32), "--expect-seq", "2"}, exitFailure, []string{"BROKEN", "record 2 is not the expected head"}},
		{"live stream, head beyond the end", []string{"--nats", url, "--expect-head", head.Hash, "--expect-seq", "9"}, exitFailure, []string{"BROKEN", "record 5", "ends at record 4"}},
		{"the engine's checkpoint, full export", []string{"--file", full, "--checkpoint", cpFile}, exitOK, []string{"expected head found: record 4"}},
		{"the engine's checkpoint, truncated export", []string{"--file", truncated, "--checkpoint", cpFile}, exitFailure, []string{"BROKEN", "ends at record 2"}},
		{"checkpoint and head", []string{"--file", full, "--checkpoint", cpFile, "--expect-head", head.Hash}, exitUsage, []string{"not both"}},
		{"no checkpoint file", []string{"--file", full, "--checkpoint", filepath.Join(dir, "nope")}, exitUsage, []string{"checkpoint"}},
		{"seq without head", []string{"--file", full, "--expect-seq", seq}, exitUsage, []string{"--expect-seq needs --expect-head"}},
		{"not a hash", []string{"--file", full, "--expect-head", "abc"}, exitUsage, []string{"not a record hash"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"audit", "verify"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output does not mention %q:\n%s%s", w, out, errOut)
				}
			}
		})
	}
	code, out, _ = runCLI(t, "audit", "verify", "--file", truncated, "--expect-head", head.Hash, "--expect-seq", seq, "--json")
	var rep struct {
		OK       bool   `json:"ok"`
		BrokenAt uint64 `json:"broken_at"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitFailure || rep.OK || rep.BrokenAt != 3 {
		t.Fatalf("verify --json on a truncated export: exit %d, %s (%v); want broken at 3", code, out, err)
	}
}

// mustKeygen makes an audit key with the CLI: "public\nseed".
func mustKeygen(t *testing.T) string {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "audit.key")
	code, out, errOut := runCLI(t, "audit", "keygen", "--out", keyFile)
	if code != exitOK {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	seed, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pub := strings.Fields(out[strings.Index(out, "public key ")+len("public key "):])[0]
	return pub + "\n" + strings.TrimSpace(string(seed))
}
