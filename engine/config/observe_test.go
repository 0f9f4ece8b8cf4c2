package config

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestObserveOptions(t *testing.T) {
	base, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := ParseConfig(strings.NewReader(string(base)))
	if err != nil {
		t.Fatal(err)
	}
	if addr, on := opts.Metrics.Addr(); !on || addr != DefaultMetricsListen {
		t.Errorf("default metrics address %q %v", addr, on)
	}
	r := opts.Readiness.WithDefaults()
	if r.Interval != time.Minute || r.MinActions != 3 || r.TokenMargin != 24*time.Hour || r.MaxHeadLag != 2*time.Minute || r.SafeQuorum != 0 || r.CallTimeout != 5*time.Second {
		t.Errorf("defaults %+v", r)
	}
	if err := opts.ValidateObserve(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		extra   string
		wantErr string // empty: valid
	}{
		{"metrics: {listen: off}\n", ""},
		{"metrics: {listen: \"0.0.0.0:9464\"}\nreadiness: {interval: 30s, min_actions: 5, token_margin: 72h, safe_quorum: 1, max_head_lag: 5m, call_timeout: 2s}\n", ""},
		{"metrics: {listen: \"9464\"}\n", "metrics.listen"},
		{"readiness: {interval: 10ms}\n", "readiness.interval"},
		{"readiness: {min_actions: -1}\n", "readiness.min_actions"},
		{"readiness: {safe_quorum: -2}\n", "readiness.safe_quorum"},
		{"readiness: {max_head_lag: -1s}\n", "readiness.max_head_lag"},
		{"readiness: {pauses: 3}\n", "field pauses not found"},
	}
	for _, tt := range tests {
		opts, err := ParseConfig(strings.NewReader(string(base) + tt.extra))
		if err == nil {
			err = opts.ValidateObserve()
		}
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tt.extra, err)
		case tt.wantErr != "" && (!errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: err %v, want one naming %s", tt.extra, err, tt.wantErr)
		}
	}
	off, _ := ParseConfig(strings.NewReader(string(base) + "metrics: {listen: off}\n"))
	if _, on := off.Metrics.Addr(); on {
		t.Error("metrics.listen: off still serves")
	}
}
