package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The drill ends with its incident report, built from the engine's audit
// log, in its output folder: Markdown and HTML, whose timeline holds the
// containment's transaction, over a verified chain; --json says where.
func TestDrillWritesItsIncidentReport(t *testing.T) {
	bin := drillAnvil(t)
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errOut := runCLI(t, "drill", "--scenario", "reentrancy-drain", "--block-time", "500ms", "--json", "--anvil", bin, "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var rep drillReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, out)
	}
	p := rep.Postmortem
	if p == nil {
		t.Fatalf("drill --json names no incident report; notes %v", rep.Notes)
	}
	if p.Markdown != filepath.Join(dir, "reentrancy-drain-postmortem.md") || p.HTML != filepath.Join(dir, "reentrancy-drain-postmortem.html") ||
		!p.Verified || p.FirstSeq == 0 || p.LastSeq < p.FirstSeq || p.Incident == "" {
		t.Errorf("postmortem %+v", p)
	}
	if len(rep.Actions) == 0 || rep.Actions[0].TxHash == "" {
		t.Fatalf("no containment transaction in %+v", rep.Actions)
	}
	tx := rep.Actions[0].TxHash
	for _, path := range []string{p.Markdown, p.HTML} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{tx, rep.Detections[0].EventID, "Root cause", "Lessons learned"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
	}
	md, _ := os.ReadFile(p.Markdown)
	if !strings.Contains(string(md), "- Verified: **yes**") || !strings.Contains(string(md), "| pause |") {
		t.Errorf("the Markdown report does not show a verified chain and the pause:\n%s", md)
	}
}
