package notify

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strings"
)

// Secret is a credential of a channel: a webhook URL (whose path is the
// token), a bot token, a routing key, a password. It prints, formats,
// logs and marshals as "<secret>"; Reveal gives the value to the one
// place that sends it.
type Secret string

const redacted = "<secret>"

// Reveal returns the value itself.
func (s Secret) Reveal() string { return string(s) }

// String returns "<secret>".
func (s Secret) String() string { return redacted }

// GoString returns "<secret>", for %#v.
func (s Secret) GoString() string { return redacted }

// Format writes "<secret>" whatever the verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue logs "<secret>".
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText marshals "<secret>" (JSON, YAML).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Parts are the pieces of the value that must not be shown either: the
// whole value, and for a URL its user, password, query values and every
// path segment long enough to be a token, longest first.
func (s Secret) Parts() []string {
	v := strings.TrimSpace(string(s))
	if v == "" {
		return nil
	}
	parts := []string{v}
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		if u.User != nil {
			parts = append(parts, u.User.Username())
			if p, ok := u.User.Password(); ok {
				parts = append(parts, p)
			}
		}
		for _, vs := range u.Query() {
			parts = append(parts, vs...)
		}
		if u.RawQuery != "" {
			parts = append(parts, u.RawQuery)
		}
		if u.Path != "" && u.Path != "/" {
			parts = append(parts, u.Path, u.EscapedPath())
		}
		for _, seg := range strings.Split(u.Path, "/") {
			// Route words (services, api, webhooks, v2) are short; ids
			// and tokens are not.
			if len(seg) >= 6 {
				parts = append(parts, seg)
			}
		}
	}
	out := parts[:0]
	for _, p := range parts {
		if len(p) >= 4 {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Scrub returns text with every part of the secrets replaced by
// "<secret>": for a vendor's answer or an error that might echo them.
func Scrub(text string, secrets ...Secret) string {
	for _, s := range secrets {
		for _, p := range s.Parts() {
			text = strings.ReplaceAll(text, p, redacted)
		}
	}
	return text
}

// SecretReader reads a secret from the environment variable env or the
// file (exactly one is set); config.Options.Secret is one. Its errors name
// where it looked, never what it found.
type SecretReader func(env, file string) (string, error)

// ReadSecret reads one secret with read; what names it in the error
// ("slack webhook_url").
func ReadSecret(read SecretReader, what, env, file string) (Secret, error) {
	if env == "" && file == "" {
		return "", fmt.Errorf("notify: %s: set %s_env or %s_file", what, what, what)
	}
	v, err := read(env, file)
	if err != nil {
		return "", fmt.Errorf("notify: %s: %w", what, err)
	}
	if strings.TrimSpace(v) == "" {
		return "", fmt.Errorf("notify: %s is empty", what)
	}
	return Secret(strings.TrimSpace(v)), nil
}
