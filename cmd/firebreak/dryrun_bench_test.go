package main

import (
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkDryRunCommand runs `firebreak dry-run --json` in-process
// against a local "live" anvil with the demo protocol: load the
// configuration, fork with anvil, evaluate, simulate the pause, check
// paused(), report. Reported per run: report_ms (command start to report)
// and fork_startup_ms (the part spent opening the fork).
func BenchmarkDryRunCommand(b *testing.B) {
	l := startLiveChain(b)
	config, ev := l.files(b, fmt.Sprintf("address: %q", l.guardian.Hex()))
	var report, fork float64
	for b.Loop() {
		code, out, errOut := runCLI(b, "dry-run", "--config", config, "--event", ev, "--json")
		if code != exitOK {
			b.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		var rep dryRunReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			b.Fatal(err)
		}
		report += rep.ElapsedMS
		fork += rep.ForkStartupMS
	}
	b.ReportMetric(report/float64(b.N), "report_ms")
	b.ReportMetric(fork/float64(b.N), "fork_startup_ms")
}
