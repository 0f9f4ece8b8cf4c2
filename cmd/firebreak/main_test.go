package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/simulate"
)

func runCLI(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	noEnv := func(string) (string, bool) { return "", false }
	code = run(context.Background(), args, &out, &errOut, noEnv)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string // in stdout or stderr
	}{
		{nil, exitUsage, "Commands:"},
		{[]string{"help"}, exitOK, "serve"},
		{[]string{"version"}, exitOK, "firebreak dev"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"serve", "-h"}, exitOK, "embedded NATS server"},
		{[]string{"publish", "-h"}, exitOK, "detections.<source>"},
		{[]string{"demo", "-h"}, exitOK, "Exits 0 only if the vault is really paused"},
		{[]string{"dry-run", "-h"}, exitOK, "without sending anything"},
		{[]string{"serve", "-h"}, exitOK, "--shadow"},
		{[]string{"publish"}, exitUsage, "Usage: firebreak publish"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(out+errOut, tt.wantOut) {
				t.Errorf("output does not mention %q:\n%s%s", tt.wantOut, out, errOut)
			}
		})
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("chains: [{id: 1, rpc: ftp://x}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "serve", "--config", bad)
	if code != exitUsage || !strings.Contains(errOut, "chains[0].rpc") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming chains[0].rpc", code, errOut)
	}
	code, _, errOut = runCLI(t, "serve", "--config", filepath.Join(dir, "missing.yaml"))
	if code != exitUsage || !strings.Contains(errOut, "no such file") {
		t.Fatalf("exit %d, stderr %q; want exit 2 for a missing file", code, errOut)
	}
}

func TestServeNamesMissingKeyVariable(t *testing.T) {
	dir := t.TempDir()
	cfg := strings.ReplaceAll(mustRead(t, "../../firebreak.example.yaml"), "./data", filepath.Join(dir, "data"))
	path := filepath.Join(dir, "firebreak.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "serve", "--config", path)
	if code != exitUsage || !strings.Contains(errOut, "FIREBREAK_GUARDIAN_KEY is not set") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming the unset variable", code, errOut)
	}
}

func TestPublishRejectsInvalidEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ev.json")
	if err := os.WriteFile(path, []byte(`{"id":"x","confidence":7}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// No NATS server is needed: the event is refused before connecting.
	code, _, errOut := runCLI(t, "publish", "--nats", "nats://127.0.0.1:1", path)
	if code != exitUsage || !strings.Contains(errOut, "field") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming the field at fault", code, errOut)
	}
}

// TestDemoJSON runs `firebreak demo --json` in-process on a real anvil and
// checks the promised fields, with paused read back from the chain.
func TestDemoJSON(t *testing.T) {
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	code, out, errOut := runCLI(t, "demo", "--json", "--anvil", bin)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"paused", "tx_hash", "block", "event_to_broadcast_ms", "event_to_inclusion_ms"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("demo --json has no %q: %s", k, out)
		}
	}
	if rep["paused"] != true {
		t.Errorf("paused = %v, want true", rep["paused"])
	}
	if b, _ := rep["event_to_broadcast_ms"].(float64); b <= 0 {
		t.Errorf("event_to_broadcast_ms = %v, want > 0", rep["event_to_broadcast_ms"])
	}
	if i, b := rep["event_to_inclusion_ms"].(float64), rep["event_to_broadcast_ms"].(float64); i < b {
		t.Errorf("inclusion (%v ms) before broadcast (%v ms)", i, b)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPolicyCommands(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "bad.rego"), []byte("package firebreak\n\nx if {\n\ty == 1\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	evFile := filepath.Join(t.TempDir(), "ev.json")
	ev := `{"id":"ev-42","source":"forta","chain_id":31337,"severity":"high","confidence":0.95,"alert_type":"compromised-key",` +
		`"protocol":"demo","timestamp":"2026-11-25T10:00:00Z","metadata":{"role":"operator","account":"0x70997970C51812DC3A010c7D01b50E20D6dC79c8"}}`
	if err := os.WriteFile(evFile, []byte(ev), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string // in stdout + stderr
	}{
		{"test the shipped folder", []string{"policy", "test", "../../policies"}, exitOK, []string{"0 failed", "coverage:", "exploit_pause.rego", "total"}},
		{"test the built-in library", []string{"policy", "test", "-v"}, exitOK, []string{"PASS", "coverage:"}},
		{"check a broken folder", []string{"policy", "check", bad}, exitFailure, []string{"bad.rego:4:2: rego_unsafe_var_error"}},
		{"check the shipped folder", []string{"policy", "check", "../../policies"}, exitOK, []string{"files compile, revision"}},
		{"eval with explain", []string{"policy", "eval", "--event", evFile, "--config", "../../firebreak.example.yaml", "--explain"}, exitOK, []string{
			`"type": "revoke_role"`, "rule revoke_role fired: Revoke the role of a compromised account",
			"revoke_role demo.vault account 0x70997970C51812DC3A010c7D01b50E20D6dC79c8: allowed: revokeRole(bytes32,address)",
			"revoke_role demo.bridge account 0x70997970C51812DC3A010c7D01b50E20D6dC79c8: refused: revokeRole(bytes32,address) on demo.bridge",
		}},
		{"eval without event", []string{"policy", "eval"}, exitUsage, []string{"Usage: firebreak policy eval"}},
		{"unknown policy command", []string{"policy", "frob"}, exitUsage, []string{`unknown command "frob"`}},
		{"halt needs a reason", []string{"halt"}, exitUsage, []string{"Usage: firebreak halt --reason"}},
		{"resume help", []string{"resume", "-h"}, exitOK, []string{"Clears the global kill switch"}},
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
		})
	}
}
