package main

import (
	"strings"
	"testing"
)

func TestApproveUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"approvals", "-h"}, exitOK, "STALE means the nonce moved on"},
		{[]string{"approve", "-h"}, exitOK, "never sends one approval twice"},
		{[]string{"approve"}, exitUsage, "Usage: firebreak approve ID --signer NAME"},
		{[]string{"approve", "abc-0"}, exitUsage, "Usage: firebreak approve ID --signer NAME"},
		{[]string{"approve", "abc-0", "--signer", "x", "extra"}, exitUsage, "Usage: firebreak approve"},
		{[]string{"approve", "abc-0", "--signer", "x", "--config", "does-not-exist.yaml"}, exitUsage, "does-not-exist.yaml"},
		{[]string{"approvals", "--config", "does-not-exist.yaml"}, exitUsage, "does-not-exist.yaml"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(out+errOut, tt.wantOut) {
				t.Errorf("output does not mention %q:\n%s%s", tt.wantOut, out, errOut)
			}
		})
	}
}
