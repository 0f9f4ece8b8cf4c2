package engine

import (
	"testing"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

func TestGweiToWei(t *testing.T) {
	for _, tt := range []struct {
		gwei float64
		wei  string
	}{{0, "0"}, {1, "1000000000"}, {0.001, "1000000"}, {500, "500000000000"}} {
		if got := gweiToWei(tt.gwei).String(); got != tt.wei {
			t.Errorf("gweiToWei(%v) = %s, want %s", tt.gwei, got, tt.wei)
		}
	}
}

// The configuration's enumerations are the stages' own values.
func TestConfigEnumsMatchTheStages(t *testing.T) {
	for _, m := range config.SimulateMethods {
		if _, err := simulate.ParseMethod(m); err != nil {
			t.Errorf("simulate.method %q: %v", m, err)
		}
	}
	if config.MethodSendRaw != submit.MethodSendRaw || config.MethodSendPrivate != submit.MethodSendPrivate {
		t.Errorf("private_method values differ from engine/submit's")
	}
	for cfg, mode := range map[string]submit.Mode{config.BroadcastPublic: submit.Public, config.BroadcastPrivate: submit.Private, config.BroadcastBoth: submit.Both} {
		if cfg != string(mode) {
			t.Errorf("broadcast %q differs from engine/submit's %q", cfg, mode)
		}
	}
}
