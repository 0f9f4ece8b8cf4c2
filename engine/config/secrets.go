package config

import (
	"net/url"
	"os"
	"strings"
	"time"
)

// AuditOptions configure the audit log. Records are always written; a
// signing key additionally signs each one, so an export can be verified
// by anyone holding the public key (firebreak audit keygen makes a pair).
type AuditOptions struct {
	// SigningKeyEnv names the environment variable holding the hex ed25519
	// seed; SigningKeyFile a file holding it. At most one; neither means
	// unsigned records (the hash chain still holds).
	SigningKeyEnv  string `yaml:"signing_key_env"`
	SigningKeyFile string `yaml:"signing_key_file"`
	// RetryFor bounds how long a record that has no event to hold back
	// (a dead letter, a transaction change) is retried before it is
	// reported lost; default 30s.
	RetryFor time.Duration `yaml:"retry_for"`
	// MaxBytes bounds the audit stream's size (0: no bound of its own).
	// A full stream refuses new records loudly (an error and the size
	// alarm), never discards old ones.
	MaxBytes int64 `yaml:"max_bytes"`
	// AcceptReset starts the engine although the audit stream no longer
	// holds the checkpoint kept in the data folder (it was deleted,
	// replaced or truncated); the first record then says so. Set by
	// 'firebreak serve --accept-audit-reset', never from the file.
	AcceptReset bool `yaml:"-"`
}

func (a AuditOptions) validate() error {
	if a.SigningKeyEnv != "" && a.SigningKeyFile != "" {
		return Errorf("audit: set at most one of signing_key_env and signing_key_file")
	}
	if a.MaxBytes < 0 {
		return Errorf("audit.max_bytes: must not be negative, got %d", a.MaxBytes)
	}
	if a.RetryFor < 0 {
		return Errorf("audit.retry_for: must not be negative, got %s", a.RetryFor)
	}
	return nil
}

// Secrets lists the configured values that must never reach a log line,
// an error or an audit record: auditKeyText, key material and Vault
// credentials from the environment and from files, and the secret parts
// of the RPC, NATS, Vault and bundle URLs (API tokens in paths and
// queries, passwords) and those whole URLs. Redactor redacts them.
func (o Options) Secrets(auditKeyText string) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" {
			out = append(out, s, strings.TrimPrefix(s, "0x"))
		}
	}
	add(auditKeyText)
	for _, s := range o.Signers {
		envs, files := []string{s.KeyEnv, s.PassphraseEnv}, []string{s.KeyFile}
		if v := s.Vault; v != nil {
			envs = append(envs, v.Auth.TokenEnv, v.Auth.SecretIDEnv)
			files = append(files, v.Auth.TokenFile, v.Auth.SecretIDFile, v.Auth.K8sTokenPath)
		}
		for _, name := range envs {
			if name == "" {
				continue
			}
			if v, ok := o.Env()(name); ok {
				add(v)
			}
		}
		for _, name := range files {
			// A file that cannot be read here fails the signer's own
			// start, with its own error.
			if b, err := os.ReadFile(name); name != "" && err == nil && len(b) <= 16<<10 {
				add(string(b))
			}
		}
	}
	// The notification channels' webhook URLs, tokens, keys and passwords,
	// and the NATS token.
	envs, files := o.Notify.SecretSources()
	if o.NATS.TokenEnv != "" {
		envs = append(envs, o.NATS.TokenEnv)
	}
	for _, name := range envs {
		if v, ok := o.Env()(name); ok {
			add(v)
			out = append(out, urlSecrets(strings.TrimSpace(v))...)
		}
	}
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && len(b) <= 16<<10 {
			add(string(b))
			out = append(out, urlSecrets(strings.TrimSpace(string(b)))...)
		}
	}
	for _, raw := range o.secretURLs() {
		out = append(out, urlSecrets(strings.TrimSpace(raw))...)
	}
	return out
}

// urlSecrets: a URL with credentials, a query or a path carries an API
// token more often than not; the whole URL and each such part is secret.
func urlSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil // not a URL: a file path, say
	}
	var out []string
	p, hasPassword := u.User.Password()
	if hasPassword {
		out = append(out, p)
	}
	// A user name alone is the token (https://KEY@host); beside a password
	// it is a name like any other, unless it is as long as a token.
	if name := u.User.Username(); name != "" && (!hasPassword || len(name) >= 16) {
		out = append(out, name)
	}
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		// Short segments are route names (v3, rpc); tokens are long.
		if len(seg) >= 16 {
			out = append(out, seg)
		}
	}
	if len(out) > 0 {
		out = append(out, raw)
	}
	return out
}

// Env is LookupEnv, or an empty environment when it is not set.
func (o Options) Env() func(string) (string, bool) {
	if o.LookupEnv == nil {
		return func(string) (string, bool) { return "", false }
	}
	return o.LookupEnv
}
