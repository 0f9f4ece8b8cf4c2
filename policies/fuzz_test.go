package policies_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/firebreak-dev/firebreak/policies"
)

// FuzzDecision feeds arbitrary JSON to the decision decoder through a
// policy that returns its input as the decision: a malformed decision must
// be ErrBadDecision (or undefined), never a panic or a half-read action.
func FuzzDecision(f *testing.F) {
	for _, seed := range []string{
		`{"actions": [{"type": "pause", "protocol": "demo", "contract": "vault", "rule": "r"}], "require_approval": false, "reasons": ["x"]}`,
		`{"actions": [{"type": 1}]}`, `{"actions": {}}`, `{"reasons": [1]}`, `{"require_approval": "yes"}`, `[]`, `null`, `{"rules": ["a", "a"]}`, `{"actions": [{"type": "", "protocol": "", "contract": ""}]}`, `{"actions": [{"type": "notify", "protocol": "p", "message": "m"}]}`,
	} {
		f.Add([]byte(seed))
	}
	ev, err := policies.Load(context.Background(), fstest.MapFS{"p.rego": {Data: []byte("package firebreak\n\ndecision := input.d\n")}}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		d, err := ev.Decide(context.Background(), map[string]any{"d": v})
		switch {
		case err == nil:
			for i, a := range d.Actions {
				missing := a.Type == "" || a.Protocol == ""
				if a.Type == "notify" {
					missing = missing || a.Message == ""
				} else {
					missing = missing || a.Contract == ""
				}
				if missing {
					t.Fatalf("action %d decoded without a required field: %+v", i, a)
				}
			}
		case errors.Is(err, policies.ErrBadDecision), errors.Is(err, policies.ErrUndefined):
		default:
			t.Fatalf("unexpected error class: %v", err)
		}
	})
}

// FuzzCheck: any text as a policy file is reported on, never a panic.
func FuzzCheck(f *testing.F) {
	f.Add("package firebreak\n\ndecision := {}\n")
	f.Add("package firebreak\n\nx if {\n\ty == 1\n}\n")
	f.Add("# METADATA\n# title: [\npackage firebreak\n")
	f.Fuzz(func(t *testing.T, src string) {
		if _, err := policies.Check(policies.Files{"f.rego": []byte(src)}); err != nil {
			t.Fatal(err)
		}
	})
}
