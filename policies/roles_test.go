package policies_test

import (
	"context"
	"slices"
	"testing"

	"github.com/firebreak-dev/firebreak/policies"
)

// The shipped policies act on the roles a detector gives the addresses of an alert:
// exploit_pause pauses the victims it names, phishing_drainer blocks its attacker.
func TestDecideUsesAddressRoles(t *testing.T) {
	ctx := context.Background()
	reg := map[string]any{"protocols": map[string]any{"demo": map[string]any{
		"chain_id": 31337, "min_confidence": 0.8,
		"contracts": map[string]any{
			"vault":  map[string]any{"address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "pausable": true},
			"pool":   map[string]any{"address": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", "pausable": true},
			"router": map[string]any{"address": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", "blocklist": true},
		},
	}}}
	ev, err := policies.Load(ctx, policies.Shipped(), reg)
	if err != nil {
		t.Fatal(err)
	}
	attacker := "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
	input := func(alertType string, roles map[string]any, addrs ...any) map[string]any {
		return map[string]any{
			"id": "ev-roles", "source": "forta", "chain_id": 31337, "severity": "critical", "confidence": 0.95,
			"alert_type": alertType, "protocol": "demo", "addresses": addrs, "address_roles": roles,
		}
	}
	targets := func(d policies.Decision, typ string) []string {
		var out []string
		for _, a := range d.Actions {
			if a.Type == typ {
				out = append(out, a.Contract+":"+a.Account)
			}
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name  string
		input map[string]any
		typ   string
		want  []string
	}{
		{"exploit naming the pool as victim", input("exploit", map[string]any{
			"attacker": []any{attacker}, "victim": []any{"0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"},
		}, attacker, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"), "pause", []string{"pool:"}},
		{"exploit naming no victim", input("exploit", map[string]any{"attacker": []any{attacker}}, attacker), "pause", []string{"pool:", "vault:"}},
		{"drainer named as attacker among other addresses", input("phishing-drainer", map[string]any{
			"attacker": []any{attacker}, "related": []any{"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"},
		}, attacker, "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"), "block_address", []string{"router:" + attacker}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ev.Decide(ctx, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if got := targets(d, tt.typ); !slices.Equal(got, tt.want) {
				t.Errorf("%s actions %v, want %v (decision %+v)", tt.typ, got, tt.want, d)
			}
		})
	}
}
