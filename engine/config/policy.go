package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

var decimalWei = regexp.MustCompile(`^[0-9]{1,78}$`)

// validate checks the settings the response policies and the guard read
// from a contract; the error starts with the offending key.
func (c ContractOptions) validate() error {
	if c.OutflowThreshold != "" && !decimalWei.MatchString(c.OutflowThreshold) {
		return fmt.Errorf("outflow_threshold: %q is not a decimal amount in wei", c.OutflowThreshold)
	}
	if c.OutflowWindow < 0 {
		return fmt.Errorf("outflow_window: %v is negative", c.OutflowWindow)
	}
	for _, f := range []struct{ key, sig string }{{"block_function", c.BlockFunction}, {"blocked_function", c.BlockedFunction}} {
		if f.sig != "" && !strings.HasSuffix(f.sig, "(address)") {
			return fmt.Errorf("%s: %q must take one address, like \"blockAddress(address)\"", f.key, f.sig)
		}
	}
	if c.BlockedFunction != "" && c.BlockFunction == "" {
		return fmt.Errorf("blocked_function: set block_function too")
	}
	return nil
}

// policyData is what a policy sees of a contract: data.protocols[p].contracts[name].
func (c ContractOptions) policyData(addr common.Address) map[string]any {
	d := map[string]any{
		"address": addr.Hex(), "pausable": c.Pausable, "bridge": c.Bridge,
		"access_control": c.AccessControl, "blocklist": c.BlockFunction != "",
	}
	if c.OutflowThreshold != "" {
		d["outflow_threshold"] = c.OutflowThreshold
	}
	if c.OutflowWindow > 0 {
		d["outflow_window_seconds"] = int64(c.OutflowWindow / time.Second)
	}
	return d
}

// GuardrailOptions bound what the policies can make firebreak do over
// time, whatever they ask for.
type GuardrailOptions struct {
	// RateLimit allowed actions per protocol and action type within
	// RateWindow; 0 disables it.
	RateLimit  int           `yaml:"rate_limit"`
	RateWindow time.Duration `yaml:"rate_window"`
	// Cooldown refuses the same action on the same target again within
	// this long; 0 disables it.
	Cooldown time.Duration `yaml:"cooldown"`
}

func (o Options) validatePolicy() error {
	g := o.Guardrails
	switch {
	case o.PolicyDir != "" && o.PolicyBundle != "":
		return Errorf("policy_bundle: set policy_dir or policy_bundle, not both")
	case o.PolicyBundle != "" && !strings.HasSuffix(o.PolicyBundle, ".tar.gz") && !hasScheme(o.PolicyBundle, "http://", "https://"):
		return Errorf("policy_bundle: %s is neither a .tar.gz file nor an http(s):// URL", shownValue(o.PolicyBundle))
	case o.PolicyReload < 0:
		return Errorf("policy_reload: %v is negative", o.PolicyReload)
	case g.RateLimit < 0:
		return Errorf("guardrails.rate_limit: %d is negative", g.RateLimit)
	case g.RateLimit > 0 && g.RateWindow <= 0:
		return Errorf("guardrails.rate_window: required (like 10m) when rate_limit is set")
	case g.Cooldown < 0:
		return Errorf("guardrails.cooldown: %v is negative", g.Cooldown)
	}
	return nil
}

// PolicySource names where opts' policies come from, in the form
// policies.OpenSource takes: a bundle, a folder, or "" for the shipped library.
func (o Options) PolicySource() string {
	if o.PolicyBundle != "" {
		return o.PolicyBundle
	}
	return o.PolicyDir
}
