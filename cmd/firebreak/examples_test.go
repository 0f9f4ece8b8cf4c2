package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The example events in docs/examples decide what the playground's text
// and docs/console.md say they do, against the playground's configuration.
func TestExampleEventsDecideAsDocumented(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "firebreak.yaml")
	f, err := os.Create(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = playgroundConfig.Execute(f, map[string]any{
		"Dir": dir, "NATSPort": 4222, "ChainID": demoChainID, "RPC": "http://127.0.0.1:8545", "WS": "ws://127.0.0.1:8545",
		"KeyFile": filepath.Join(dir, "guardian.key"), "Vault": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
		"Bridge": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", "Anvil": "/usr/bin/true",
		"DetectorPublicKey": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
	})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "guardian.key"), []byte(demoGuardianKey), 0o600); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../docs/examples/*.json")
	want := map[string]struct {
		action   string // the one action asked for, "" for none
		approval bool
	}{
		"bridge-outflow.json":    {"freeze_bridge", false},
		"critical-exploit.json":  {"pause", false},
		"medium-confidence.json": {"pause", true},
		"low-severity.json":      {"", false},
	}
	if len(files) != len(want) {
		t.Fatalf("docs/examples holds %v; this test knows %d", files, len(want))
	}
	for _, file := range files {
		w, ok := want[filepath.Base(file)]
		if !ok {
			t.Errorf("%s: not known to this test", file)
			continue
		}
		code, out, errOut := runCLI(t, "policy", "eval", "--config", cfg, "--event", file)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", file, code, errOut)
		}
		var d struct {
			Actions []struct {
				Type string `json:"type"`
			} `json:"actions"`
			RequireApproval bool `json:"require_approval"`
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%s: %v\n%s", file, err, out)
		}
		got := ""
		if len(d.Actions) == 1 {
			got = d.Actions[0].Type
		}
		if got != w.action || len(d.Actions) > 1 || d.RequireApproval != w.approval {
			t.Errorf("%s decides %s, want %+v", file, out, w)
		}
	}
}
