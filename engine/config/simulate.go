package config

import (
	"slices"
	"strings"
	"time"
)

// SimulateOptions configure how dry-runs and shadow mode try actions.
type SimulateOptions struct {
	// Method is auto (anvil if installed, else eth_simulateV1), anvil,
	// eth_simulateV1 or eth_call.
	Method string `yaml:"method"`
	// Anvil is the anvil binary; empty means $FIREBREAK_ANVIL, the
	// Makefile's .tools install, or PATH.
	Anvil string `yaml:"anvil"`
	// ProbeTimeout bounds the first request to the chain's node;
	// StartTimeout bounds anvil's start-up on a fork.
	ProbeTimeout time.Duration `yaml:"probe_timeout"`
	StartTimeout time.Duration `yaml:"start_timeout"`
}

func defaultSimulateOptions() SimulateOptions {
	return SimulateOptions{Method: "auto", ProbeTimeout: 10 * time.Second, StartTimeout: 30 * time.Second}
}

func (s SimulateOptions) validate() error {
	if s.Method != "" && !slices.Contains(SimulateMethods, s.Method) {
		return Errorf("simulate.method: unknown method %q (want %s)", s.Method, strings.Join(SimulateMethods, ", "))
	}
	if s.ProbeTimeout < 0 || s.StartTimeout < 0 {
		return Errorf("simulate: timeouts must not be negative")
	}
	return nil
}

// SimulateMethods are the values simulate.method takes (engine/simulate's
// Method constants; a test in package engine keeps the two in step).
var SimulateMethods = []string{"auto", "anvil", "eth_simulateV1", "eth_call"}
