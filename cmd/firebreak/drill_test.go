package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/simulate"
)

func drillAnvil(t testing.TB) string {
	t.Helper()
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return bin
}

// A short drill, with firebreak and without: the pause is included at most
// one block after the first malicious transaction and saves at least 80%;
// without a response the vault is drained.
func TestDrillReentrancyDrain(t *testing.T) {
	bin := drillAnvil(t)
	code, out, errOut := runCLI(t, "drill", "--scenario", "reentrancy-drain", "--block-time", "500ms", "--json", "--anvil", bin)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var rep drillReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, out)
	}
	var fields map[string]any
	_ = json.Unmarshal([]byte(out), &fields)
	for _, k := range []string{"saved_pct", "blocks_to_inclusion", "ms_first_malicious_to_broadcast", "ms_first_malicious_to_detection", "timeline"} {
		if fields[k] == nil {
			t.Errorf("drill --json has no %q", k)
		}
	}
	if !rep.Contained || rep.BlocksToInclusion == nil || *rep.BlocksToInclusion > 1 || rep.SavedPct < 80 {
		t.Errorf("contained %v, blocks to inclusion %s, saved %.1f%%: want the pause at most 1 block after the first malicious tx and at least 80%% saved\n%s",
			rep.Contained, fmtBlocks(rep.BlocksToInclusion), rep.SavedPct, out)
	}
	if rep.MSToBroadcast == nil || *rep.MSToBroadcast <= 0 || rep.ContainmentFirstInBlock == nil || !*rep.ContainmentFirstInBlock {
		t.Errorf("broadcast %s, pause first in its block %v (min_tip %v gwei over the attacker's %v)", fmtMS(rep.MSToBroadcast), rep.ContainmentFirstInBlock, rep.MinTipGwei, rep.AttackerTipGwei)
	}
	t.Logf("with firebreak: detection %s, broadcast %s, inclusion %s (%s), saved %.1f%%",
		fmtMS(rep.MSToDetection), fmtMS(rep.MSToBroadcast), fmtMS(rep.MSToInclusion), fmtBlocks(rep.BlocksToInclusion), rep.SavedPct)
	if rep.AttackerRevertedAfter == 0 {
		t.Error("no attacker transaction reverted after the pause")
	}

	o := defaultDrillOptions()
	o.Anvil, o.BlockTime, o.Response, o.Slices = bin, 500*time.Millisecond, false, 5
	base, err := drill(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if base.SavedPct > 5 || base.Contained || base.BlocksToDetection == nil {
		t.Errorf("baseline: saved %.1f%%, contained %v, detected %v: want the vault drained, and the watcher to report it", base.SavedPct, base.Contained, base.BlocksToDetection)
	}
}

func TestDrillAndWatchUsage(t *testing.T) {
	noWatch := filepath.Join(t.TempDir(), "fb.yaml")
	if err := os.WriteFile(noWatch, []byte("data_dir: /tmp/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"drill", "-h"}, exitOK, "docs/drills.md"},
		{[]string{"drill", "-h"}, exitOK, "compromised-operator"},
		{[]string{"watch", "-h"}, exitOK, "FIREBREAK_WATCH"},
		{[]string{"drill", "--scenario", "nope"}, exitUsage, `unknown scenario "nope"`},
		{[]string{"drill", "-h"}, exitOK, "FIREBREAK_FORK_URL"},
		{[]string{"drill", "--attack-data", "0x8456cb59"}, exitUsage, "give --config too"},
		{[]string{"drill", "--config", noWatch, "--scenario", "bridge-outflow", "--fork-url", "http://127.0.0.1:1"}, exitUsage, "--scenario is for the shipped drill protocol"},
		{[]string{"drill", "--config", noWatch, "--fork-url", "http://127.0.0.1:1"}, exitUsage, "needs --attack-data"},
		{[]string{"watch", "--config", noWatch}, exitUsage, "no rules configured"},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", tc.args, code, out+errOut, tc.code, tc.want)
		}
	}
}
