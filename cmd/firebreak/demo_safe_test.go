package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// TestDemoSafeJSON runs `firebreak demo --safe --json` on a real anvil: the
// vault is paused by the Safe's execTransaction.
func TestDemoSafeJSON(t *testing.T) {
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	code, out, errOut := runCLI(t, "demo", "--safe", "--json", "--anvil", bin)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var rep demoReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if !rep.Paused || rep.Safe == "" || rep.TxHash == "" {
		t.Fatalf("report = %+v, want the vault paused through a Safe", rep)
	}
}
