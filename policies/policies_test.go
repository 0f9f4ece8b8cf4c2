package policies_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/firebreak-dev/firebreak/policies"
)

// TestShippedRegoTests runs every _test.rego of the shipped library through
// OPA's test runner, so `go test` (and make test) fails when a policy test
// fails.
func TestShippedRegoTests(t *testing.T) {
	results, err := policies.RunTests(context.Background(), policies.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("the shipped library has no Rego tests")
	}
	for _, r := range results {
		if !r.Pass {
			t.Error(r)
		} else {
			t.Log(r)
		}
	}
}

var registry = map[string]any{"protocols": map[string]any{"demo": map[string]any{
	"chain_id":       31337,
	"min_confidence": 0.8,
	"contracts": map[string]any{
		"vault": map[string]any{"address": "0x0000000000000000000000000000000000000001", "pausable": true},
	},
}}}

func event(severity string, confidence float64) map[string]any {
	return map[string]any{
		"id": "ev-1", "source": "test", "chain_id": 31337, "severity": severity,
		"confidence": confidence, "alert_type": "exploit", "protocol": "demo",
	}
}

func TestDecide(t *testing.T) {
	ctx := context.Background()
	ev, err := policies.Load(ctx, policies.Shipped(), registry)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		input       map[string]any
		wantActions []policies.ActionRequest
	}{
		{"critical exploit", event("critical", 0.95), []policies.ActionRequest{{Type: "pause", Protocol: "demo", Contract: "vault", Rule: "exploit_pause"}}},
		{"low severity", event("low", 0.95), nil},
		{"low confidence", event("critical", 0.5), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ev.Decide(ctx, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Actions) != len(tt.wantActions) {
				t.Fatalf("actions = %+v, want %+v", d.Actions, tt.wantActions)
			}
			for i := range d.Actions {
				if d.Actions[i] != tt.wantActions[i] {
					t.Errorf("actions[%d] = %+v, want %+v", i, d.Actions[i], tt.wantActions[i])
				}
			}
			if len(tt.wantActions) > 0 && (len(d.Reasons) == 0 || len(d.Rules) != 1 || d.Rules[0] != "exploit_pause") {
				t.Errorf("reasons %q rules %q: want a reason and rule exploit_pause", d.Reasons, d.Rules)
			}
			if d.Revision != ev.Revision() || len(d.Revision) != 64 {
				t.Errorf("revision = %q, want the evaluator's %q", d.Revision, ev.Revision())
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		wantErr error
		wantMsg string
	}{
		{"empty folder", fstest.MapFS{}, policies.ErrNoPolicies, ""},
		{"syntax error names file and line", fstest.MapFS{
			"bad.rego": {Data: []byte("package firebreak\n\ndecision := {\n")},
		}, policies.ErrCompile, "bad.rego:"},
		{"unsafe variable", fstest.MapFS{
			"bad.rego": {Data: []byte("package firebreak\n\ndecision := x if { y == 1 }\n")},
		}, policies.ErrCompile, "bad.rego:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policies.Load(ctx, tt.fsys, nil)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && !contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestDecideErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		src     string
		wantErr error
	}{
		{"undefined decision", "package firebreak\n\ndecision := 1 if { input.never }\n", policies.ErrUndefined},
		{"decision not an object", "package firebreak\n\ndecision := 1\n", policies.ErrBadDecision},
		{"action without type", "package firebreak\n\ndecision := {\"actions\": [{\"protocol\": \"demo\", \"contract\": \"vault\"}]}\n", policies.ErrBadDecision},
		{"runtime error", "package firebreak\n\ndecision := {\"actions\": [], \"x\": 1 / input.zero}\n", policies.ErrEval},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := policies.Load(ctx, fstest.MapFS{"p.rego": {Data: []byte(tt.src)}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ev.Decide(ctx, map[string]any{"zero": 0})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func contains(s, sub string) bool {
	return strings.Contains(s, sub)
}

func TestRunTestsReportsFailures(t *testing.T) {
	fsys := fstest.MapFS{
		"p.rego": {Data: []byte("package firebreak\n\ndecision := {\"actions\": []}\n")},
		"p_test.rego": {Data: []byte("package firebreak_test\n\nimport data.firebreak\n\n" +
			"test_passes if { firebreak.decision.actions == [] }\n\n" +
			"test_fails if { count(firebreak.decision.actions) == 1 }\n")},
	}
	results, err := policies.RunTests(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range results {
		got[r.Name] = r.Pass
	}
	if len(got) != 2 || !got["test_passes"] || got["test_fails"] {
		t.Fatalf("results = %v, want test_passes to pass and test_fails to fail", results)
	}
}
