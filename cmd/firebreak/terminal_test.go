package main

import "testing"

func TestTerminalText(t *testing.T) {
	for _, tt := range []struct {
		in        string
		keepLines bool
		want      string
	}{
		{"plain {\"id\":\"x\"}", false, "plain {\"id\":\"x\"}"},
		{"héllo ✓", false, "héllo ✓"},
		{"\x1b[2J\x1b[1;1Hall good", false, `\x1b[2J\x1b[1;1Hall good`},
		{"a\nb\tc", true, "a\nb\tc"},
		{"a\nb\tc", false, `a\nb\tc`},
		{"\u009b31m red", false, `\u009b31m red`},
		{"bad \xff byte", false, `bad \xff byte`},
		{"\r overwrite", true, `\r overwrite`},
	} {
		if got := terminalText(tt.in, tt.keepLines); got != tt.want {
			t.Errorf("terminalText(%q, %v) = %q, want %q", tt.in, tt.keepLines, got, tt.want)
		}
	}
}
