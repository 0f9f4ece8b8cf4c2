package vault

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"
)

// Modes of a Signer.
const (
	// ModePlugin signs through firebreak-vault-plugin: the key stays in Vault.
	ModePlugin = "plugin"
	// ModeKV reads a hex private key from a KV v2 secret for each signature,
	// signs locally and drops the key right after.
	ModeKV = "kv"
)

// Authentication methods.
const (
	AuthToken      = "token"
	AuthAppRole    = "approle"
	AuthKubernetes = "kubernetes"
)

// Defaults applied by New to the zero fields of a Config.
const (
	DefaultMount        = "eth"
	DefaultKVMount      = "secret"
	DefaultKVField      = "private_key"
	DefaultTimeout      = 5 * time.Second
	DefaultK8sTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token"
	// DefaultMaxRetries is how often a request that failed with a 5xx or a
	// connection error is retried.
	DefaultMaxRetries = 2
)

// ErrConfig means a Config is incomplete or inconsistent.
var ErrConfig = errors.New("vault: invalid configuration")

// Config configures a Signer.
type Config struct {
	// Address of Vault, e.g. https://vault.example:8200.
	Address string
	// CACert is the PEM file of the CA that signed Vault's TLS certificate;
	// empty for the system's roots (or VAULT_CACERT, which the Vault API
	// client reads with the other VAULT_* TLS variables).
	CACert string
	// Mount is where firebreak-vault-plugin is mounted (plugin mode);
	// default "eth".
	Mount string
	// Key is the name of the key in the plugin (plugin mode).
	Key string
	// Mode is ModePlugin or ModeKV; default ModePlugin.
	Mode string
	// KVMount, KVPath and KVField locate the hex private key in a KV v2
	// engine (kv mode); defaults "secret", -, "private_key".
	KVMount string
	KVPath  string
	KVField string
	// Auth is how the Signer logs in.
	Auth Auth
	// Timeout bounds each request to Vault, retries included; default 5s.
	Timeout time.Duration
	// MaxRetries is how often a request that failed with a 5xx or a
	// connection error is retried (never a 4xx); default 2, negative for none.
	MaxRetries int
}

// Auth says how a Signer logs in to Vault.
type Auth struct {
	// Method is AuthToken, AuthAppRole or AuthKubernetes; default AuthToken.
	Method string
	// Token is the Vault token (token method).
	Token Secret
	// RoleID and SecretID are the AppRole credentials (approle method).
	RoleID   string
	SecretID Secret
	// K8sRole is the Vault role to log in as, with the service account token
	// read from K8sTokenPath (kubernetes method; default path
	// DefaultK8sTokenPath).
	K8sRole      string
	K8sTokenPath string
	// Path is where the auth method is mounted; default "approle" or
	// "kubernetes".
	Path string
}

// withDefaults returns c with its zero fields set to the defaults and
// checks it.
func (c Config) withDefaults() (Config, error) {
	if c.Mode == "" {
		c.Mode = ModePlugin
	}
	if c.Mount == "" {
		c.Mount = DefaultMount
	}
	if c.KVMount == "" {
		c.KVMount = DefaultKVMount
	}
	if c.KVField == "" {
		c.KVField = DefaultKVField
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	} else if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.Auth.Method == "" {
		c.Auth.Method = AuthToken
	}
	if c.Auth.Method == AuthKubernetes && c.Auth.K8sTokenPath == "" {
		c.Auth.K8sTokenPath = DefaultK8sTokenPath
	}
	return c, c.validate()
}

func (c Config) validate() error {
	var errs []error
	if u, err := url.Parse(c.Address); c.Address == "" || err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		errs = append(errs, errors.New("field Address must be an http(s) URL of Vault"))
	}
	switch c.Mode {
	case ModePlugin:
		if c.Key == "" {
			errs = append(errs, errors.New("field Key is required in plugin mode"))
		}
	case ModeKV:
		if c.KVPath == "" {
			errs = append(errs, errors.New("field KVPath is required in kv mode"))
		}
	default:
		errs = append(errs, fmt.Errorf("field Mode %q is not %q or %q", c.Mode, ModePlugin, ModeKV))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("field Timeout must not be negative"))
	}
	switch c.Auth.Method {
	case AuthToken:
		if c.Auth.Token == "" {
			errs = append(errs, errors.New("field Auth.Token is required for token auth"))
		}
	case AuthAppRole:
		if c.Auth.RoleID == "" || c.Auth.SecretID == "" {
			errs = append(errs, errors.New("field Auth.RoleID and Auth.SecretID are required for approle auth"))
		}
	case AuthKubernetes:
		if c.Auth.K8sRole == "" {
			errs = append(errs, errors.New("field Auth.K8sRole is required for kubernetes auth"))
		}
	default:
		errs = append(errs, fmt.Errorf("field Auth.Method %q is not %q, %q or %q", c.Auth.Method, AuthToken, AuthAppRole, AuthKubernetes))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
	}
	return nil
}

// Secret is a credential (a token or a secret id). It prints, formats, logs
// and marshals as "<secret>"; Reveal returns the value.
type Secret string

const redacted = "<secret>"

// Reveal returns the secret value. Call it only where the value is sent to
// Vault.
func (s Secret) Reveal() string { return string(s) }

// String returns "<secret>".
func (s Secret) String() string { return redacted }

// GoString returns "<secret>", for %#v.
func (s Secret) GoString() string { return redacted }

// Format prints "<secret>" for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// MarshalJSON returns "<secret>" as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText returns "<secret>", for YAML and other text encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue logs "<secret>".
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
