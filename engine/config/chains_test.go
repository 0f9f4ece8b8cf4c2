package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestChainDeadlineAndReorgWatch(t *testing.T) {
	base := `rpc: "https://rpc.example"`
	tests := []struct {
		name    string
		with    string // added to the chain's settings
		wantMsg string // "" for valid
		check   func(ChainOptions) bool
	}{
		{"defaults", "", "", func(c ChainOptions) bool {
			return c.CallTimeout() == DefaultRPCTimeout && c.WatchBlocks() == DefaultReorgWatchBlocks && c.ReorgWatch == ""
		}},
		{"set", `rpc_timeout: 2s, reorg_watch_blocks: 10, reorg_watch: finalized`, "", func(c ChainOptions) bool {
			return c.CallTimeout() == 2*time.Second && c.WatchBlocks() == 10 && c.ReorgWatch == ReorgWatchFinalized
		}},
		{"negative timeout", `rpc_timeout: -1s`, "chains[0].rpc_timeout", nil},
		{"tiny timeout", `rpc_timeout: 1ms`, "chains[0].rpc_timeout: want between 100ms and 2m0s", nil},
		{"huge timeout", `rpc_timeout: 1h`, "chains[0].rpc_timeout", nil},
		{"deep watch", `reorg_watch_blocks: 1000000`, "chains[0].reorg_watch_blocks: at most 100000", nil},
		{"unknown watch", `reorg_watch: safe`, `chains[0].reorg_watch: "safe" is not blocks or finalized`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			with := base
			if tt.with != "" {
				with += ", " + tt.with
			}
			src := strings.Replace(validConfig, base, with, 1)
			o, err := ParseConfig(strings.NewReader(src))
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !tt.check(o.Chains[0]) {
					t.Errorf("chain = %+v", o.Chains[0])
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want ErrConfig mentioning %q", err, tt.wantMsg)
			}
		})
	}
}
