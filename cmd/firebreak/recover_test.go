package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecoverUsage(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "firebreak.yaml")
	if err := os.WriteFile(conf, []byte("data_dir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open.key")
	if err := os.WriteFile(open, []byte(strings.Repeat("ab", 32)), 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.key")
	if err := os.WriteFile(garbage, []byte("s3cr3t-not-a-key"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
		notOut   string
	}{
		{[]string{"recover", "-h"}, exitOK, "docs/recovery.md", ""},
		{[]string{"recover"}, exitUsage, "Usage: firebreak recover INCIDENT", ""},
		{[]string{"recover", "inc-1", "--show", "recovery-1"}, exitUsage, "Usage: firebreak recover", ""},
		{[]string{"recover", "inc-1", "--grant", "OPERATOR_ROLE"}, exitUsage, "want ROLE=0xACCOUNT", ""},
		{[]string{"recover", "inc-1", "--grant", "OPERATOR_ROLE=bob"}, exitUsage, "want ROLE=0xACCOUNT", ""},
		{[]string{"recover", "inc-1", "--config", "does-not-exist.yaml"}, exitUsage, "does-not-exist.yaml", ""},
		{[]string{"recover", "inc-1", "--config", conf}, exitFailure, "recovery: not configured", ""},
		{[]string{"approve", "-h"}, exitOK, "--recovery PROPOSAL --key FILE", ""},
		{[]string{"approve", "--recovery", "recovery-1"}, exitUsage, "Usage: firebreak approve", ""},
		{[]string{"approve", "--recovery", "recovery-1", "--key", open, "--signer", "x"}, exitUsage, "Usage: firebreak approve", ""},
		{[]string{"approve", "--recovery", "recovery-1", "--key", open, "--config", conf}, exitUsage, "chmod 600", ""},
		{[]string{"approve", "--recovery", "recovery-1", "--key", garbage, "--config", conf}, exitUsage, "neither PEM nor hex", "s3cr3t"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d:\n%s%s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.wantOut) {
				t.Errorf("output does not mention %q:\n%s%s", tt.wantOut, out, errOut)
			}
			if tt.notOut != "" && strings.Contains(out+errOut, tt.notOut) {
				t.Errorf("output repeats %q:\n%s%s", tt.notOut, out, errOut)
			}
		})
	}
}
