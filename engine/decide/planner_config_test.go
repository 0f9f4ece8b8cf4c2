package decide

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/config"
)

func TestParsePolicyConfig(t *testing.T) {
	tests := []struct {
		name    string
		extra   string // appended to validConfig
		vault   string // replaces the vault's settings
		wantMsg string // empty: valid
	}{
		{"guardrails", "guardrails: {rate_limit: 3, rate_window: 5m, cooldown: 30s}\npolicy_reload: 0s\n", "", ""},
		{"bundle URL", "policy_bundle: https://bundles.example/fb.tar.gz\n", "", ""},
		{"bundle file", "policy_bundle: ./fb.tar.gz\n", "", ""},
		{"contract settings", "", `pausable: true, access_control: true, block_function: "blockAddress(address)", blocked_function: "isBlocked(address)", outflow_threshold: "1000000000000000000000", outflow_window: 10m`, ""},
		{"dir and bundle", "policy_dir: ./p\npolicy_bundle: ./fb.tar.gz\n", "", "set policy_dir or policy_bundle, not both"},
		{"bundle not a bundle", "policy_bundle: ./fb.zip\n", "", "policy_bundle"},
		{"rate limit without window", "guardrails: {rate_limit: 3, rate_window: 0s}\n", "", "guardrails.rate_window"},
		{"negative cooldown", "guardrails: {cooldown: -1s}\n", "", "guardrails.cooldown"},
		{"unknown guardrail", "guardrails: {burst: 3}\n", "", "field burst not found"},
		{"threshold not wei", "", `pausable: true, outflow_threshold: "1e21"`, "protocols.p.contracts.vault.outflow_threshold"},
		{"block function without address", "", `pausable: true, block_function: "block()"`, "protocols.p.contracts.vault.block_function"},
		{"blocked view alone", "", `pausable: true, blocked_function: "isBlocked(address)"`, "blocked_function: set block_function too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := validConfig + tt.extra
			if tt.vault != "" {
				src = strings.Replace(src, "pausable: true", tt.vault, 1)
			}
			opts, err := config.ParseConfig(strings.NewReader(src))
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want ErrConfig mentioning %q (opts %+v)", err, tt.wantMsg, opts.Guardrails)
			}
		})
	}
}

func TestPolicyDataAndLimits(t *testing.T) {
	src := strings.Replace(validConfig, "pausable: true", `pausable: true, access_control: true, block_function: "blockAddress(address)", outflow_threshold: "5", outflow_window: 90s`, 1) +
		"guardrails: {rate_limit: 3, rate_window: 5m, cooldown: 30s}\n"
	src = strings.Replace(src, "    signer: g\n", "    signer: g\n    approval_min_confidence: 0.5\n", 1)
	opts, err := config.ParseConfig(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	p := opts.PolicyData()["protocols"].(map[string]any)["p"].(map[string]any)
	v := p["contracts"].(map[string]any)["vault"].(map[string]any)
	if p["approval_min_confidence"] != 0.5 || v["access_control"] != true || v["blocklist"] != true ||
		v["outflow_threshold"] != "5" || v["outflow_window_seconds"] != int64(90) {
		t.Fatalf("policy data = %v", p)
	}
	l := guardLimits(opts)
	if l.RateLimit != 3 || l.RateWindow != 5*time.Minute || l.Cooldown != 30*time.Second || l.MaxActionsPerEvent != 8 {
		t.Fatalf("limits = %+v", l)
	}
}

// validConfig is package config's small valid configuration.
var validConfig = func() string {
	b, err := os.ReadFile("../config/testdata/valid.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()
