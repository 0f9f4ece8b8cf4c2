package policies_test

import (
	"context"
	"fmt"

	"github.com/firebreak-dev/firebreak/policies"
)

// Deciding one event with the shipped library and a one-protocol registry.
func ExampleEvaluator_Decide() {
	ctx := context.Background()
	registry := map[string]any{"protocols": map[string]any{"demo": map[string]any{
		"chain_id": 1, "min_confidence": 0.8,
		"contracts": map[string]any{"vault": map[string]any{"address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "pausable": true}},
	}}}
	ev, err := policies.Load(ctx, policies.Shipped(), registry)
	if err != nil {
		panic(err)
	}
	d, err := ev.Decide(ctx, map[string]any{
		"id": "ev-1", "source": "forta", "chain_id": 1, "severity": "critical",
		"confidence": 0.95, "alert_type": "exploit", "protocol": "demo",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Actions[0].Type, d.Actions[0].Contract, d.Rules, d.RequireApproval)
	doc, _ := ev.Doc("exploit_pause")
	fmt.Println(doc.Title)
	// Output:
	// pause vault [exploit_pause] false
	// Pause on a critical exploit alert
}

// Checking a policy set reports each problem at its file and line.
func ExampleCheck() {
	problems, err := policies.Check(policies.Files{
		"mine.rego": []byte("package firebreak\n\nactions contains a if {\n\tinput.severity == \"critical\"\n}\n"),
	})
	if err != nil {
		panic(err)
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	// Output:
	// mine.rego:3:18: rego_unsafe_var_error: var a is unsafe
}
