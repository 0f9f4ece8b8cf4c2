package config

import (
	"context"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// RedactURL shows a URL without what may be a secret: RPC providers put
// API keys in the path, the query or the user info, and NATS and bundle
// URLs carry passwords and tokens the same way, so only the scheme and
// host are kept; "/…" says something was left out. It is the one place a
// URL is made fit for a log line, an error, a status or an audit record.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<unparseable URL>"
	}
	out := u.Scheme + "://" + u.Host
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		out += "/…"
	}
	return out
}

// RedactURLs returns s with each of urls redacted (RedactURL), and each
// secret part of them (user info, query values, long path segments, the
// path) wherever it appears alone: for text only these URLs can have
// leaked into, like a node's or a tool's error.
func RedactURLs(s string, urls ...string) string {
	var parts []string
	for _, raw := range urls {
		parts = append(parts, urlSecrets(raw)...)
		if u, err := url.Parse(raw); err == nil && isURL(raw) && u.Path != "" && u.Path != "/" {
			parts = append(parts, u.Path)
		}
	}
	return NewRedactor(urls, parts).Redact(s)
}

// shownValue is a configured value as an error may show it: redacted when
// it looks like a URL, even a malformed one without a scheme (it may hold
// a key all the same), else quoted.
func shownValue(raw string) string {
	if strings.Contains(raw, "://") {
		return RedactURL(raw)
	}
	if strings.ContainsAny(raw, "/?#@") {
		host := raw[strings.LastIndex(raw, "@")+1:]
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		return strconv.Quote(host + "/…")
	}
	return strconv.Quote(raw)
}

// isURL: raw has a scheme and a host (a file path has neither).
func isURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme != "" && u.Host != ""
}

// Redacted replaces a secret that is not a URL.
const Redacted = "<redacted>"

// minSecretLen: shorter strings would redact ordinary words and numbers.
const minSecretLen = 8

// Redactor removes the configured secrets from text: every configured URL
// that carries a secret becomes its RedactURL form, and every other secret
// (key material, tokens, passwords, the secret parts of URLs wherever they
// appear alone) becomes "<redacted>". The zero value and nil redact
// nothing. It is safe for concurrent use.
type Redactor struct {
	r *strings.Replacer
}

// Redactor is the redactor of opts' secrets (Secrets) and extra, secrets
// known only at run time (a key read from a file, a MAC key, a URL given
// on the command line: a value with "://" is redacted as a URL).
func (o Options) Redactor(extra ...string) *Redactor {
	urls, secrets := o.secretURLs(), o.Secrets("")
	for _, x := range extra {
		if strings.Contains(x, "://") {
			urls = append(urls, x)
			secrets = append(secrets, urlSecrets(x)...)
		} else {
			secrets = append(secrets, x)
		}
	}
	return NewRedactor(urls, secrets)
}

// NewRedactor redacts each of urls to its RedactURL form and each of
// secrets to "<redacted>". Longer strings are replaced first, so a URL is
// shown as its redacted form rather than with its token cut out.
func NewRedactor(urls, secrets []string) *Redactor {
	type pair struct{ old, new string }
	seen := map[string]bool{}
	var pairs []pair
	for _, u := range urls {
		// A URL with anything but a scheme and host is shown as its
		// redacted form wherever it appears whole.
		if u = strings.TrimSpace(u); len(u) >= minSecretLen && !seen[u] && isURL(u) && RedactURL(u) != strings.TrimSuffix(u, "/") {
			seen[u] = true
			pairs = append(pairs, pair{u, RedactURL(u)})
		}
	}
	for _, s := range secrets {
		if s = strings.TrimSpace(s); len(s) >= minSecretLen && !seen[s] {
			seen[s] = true
			pairs = append(pairs, pair{s, Redacted})
		}
	}
	if len(pairs) == 0 {
		return &Redactor{}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i].old) > len(pairs[j].old) })
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.old, p.new)
	}
	return &Redactor{r: strings.NewReplacer(args...)}
}

// Redact returns s without the secrets.
func (r *Redactor) Redact(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Error returns err with a message without the secrets. errors.Is and
// errors.As still see the errors err wraps (whose own messages are not
// redacted: print the returned error, not what it unwraps to).
func (r *Redactor) Error(err error) error {
	if err == nil || r == nil || r.r == nil {
		return err
	}
	msg := err.Error()
	if red := r.r.Replace(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Handler wraps h so that every message and attribute it writes is
// redacted: the engine's logger goes through it, so no stage has to
// remember which of its values may hold a secret.
func (r *Redactor) Handler(h slog.Handler) slog.Handler {
	if r == nil || r.r == nil {
		return h
	}
	return redactingHandler{h: h, r: r}
}

type redactingHandler struct {
	h slog.Handler
	r *Redactor
}

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.h.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return redactingHandler{h: h.h.WithAttrs(red), r: h.r}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{h: h.h.WithGroup(name), r: h.r}
}

// attr redacts one attribute. Values that are not strings are rendered
// first (an error, a URL, a struct) when their text holds a secret.
func (h redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.Redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		red := make([]any, len(group))
		for i, g := range group {
			red[i] = h.attr(g)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.Any(a.Key, h.r.Error(err))
		}
		s := v.String()
		if red := h.r.Redact(s); red != s {
			return slog.String(a.Key, red)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// secretURLs are the configured URLs that may carry credentials.
func (o Options) secretURLs() []string {
	urls := []string{o.PolicyBundle}
	urls = append(urls, strings.Split(o.NATS.URL, ",")...)
	for _, s := range o.Signers {
		if s.Vault != nil {
			urls = append(urls, s.Vault.Address)
		}
	}
	for _, c := range o.Chains {
		urls = append(urls, c.RPC, c.WS, c.PrivateRPC)
		urls = append(urls, c.RPCURLs...)
	}
	return urls
}
