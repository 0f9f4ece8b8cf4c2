package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// terminalText is s made safe to print on an operator's terminal. What a
// detector, a webhook caller or an attacker sent (a dead letter's body and
// headers, an event's title) may hold escape sequences that move the
// cursor, clear the screen or rewrite what was printed before; every
// control character (but newline and tab when keepLines) and every invalid
// byte is shown as a Go escape instead, so what is on screen is what is
// stored. --json output needs none of this: the encoder escapes them.
func terminalText(s string, keepLines bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && !(keepLines && (r == '\n' || r == '\t'))) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case unicode.IsControl(r):
			q := fmt.Sprintf("%+q", string(r)) // "\x1b", "\u009b"
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// termLine is terminalText for one line of output.
func termLine(s string) string { return terminalText(s, false) }
