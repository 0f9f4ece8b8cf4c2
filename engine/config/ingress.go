package config

import (
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// IngressOptions configure the HTTP webhook ingress: detectors POST their alerts, in
// their own formats, to /v1/alerts/<route>. It is off unless Listen is set. Routes are
// read by 'firebreak ingest try' even when it is off.
type IngressOptions struct {
	// Listen is the host:port the ingress listens on ("127.0.0.1:8443"); empty turns
	// the ingress off. A listener that is not loopback needs TLS, or InsecureHTTP.
	Listen string `yaml:"listen"`
	// TLS serves HTTPS with this certificate and key (PEM files).
	TLS IngressTLSOptions `yaml:"tls"`
	// InsecureHTTP allows plain HTTP on a listener that is not loopback: only behind
	// a TLS-terminating proxy on a network nobody else reaches.
	InsecureHTTP bool `yaml:"insecure_http"`
	// MaxConcurrent bounds the requests handled at once; more are answered 503 with
	// Retry-After (default 256).
	MaxConcurrent int `yaml:"max_concurrent"`
	// Timeouts of the HTTP server (defaults: read_header_timeout 5s, read_timeout
	// 15s, write_timeout 20s, idle_timeout 2m) and of storing one request's events in
	// JetStream (publish_timeout, default 5s; a request whose events cannot be stored
	// in time is answered 503 and the detector retries).
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	PublishTimeout    time.Duration `yaml:"publish_timeout"`
	// Routes by name: POST /v1/alerts/<name>. Names match [a-z0-9._-]{1,64} and are
	// matched exactly.
	Routes map[string]IngressRoute `yaml:"routes"`
}

// IngressTLSOptions name the PEM files of the ingress's certificate (with its chain)
// and private key: both or neither.
type IngressTLSOptions struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// IngressRoute is one detector's webhook: the vendor format, how its requests are
// authenticated, and what to fill in for what the vendor does not say.
type IngressRoute struct {
	// Adapter is the vendor format: native, forta, oz-monitor, tenderly, hypernative
	// or sec3 (IngressAdapters).
	Adapter string `yaml:"adapter"`
	// Source is the events' source (and subject: detections.<source>); the route's
	// name when empty.
	Source string `yaml:"source"`
	// Verify says how requests are authenticated.
	Verify IngressVerify `yaml:"verify"`

	// Defaults for what the vendor does not send, and the mappings of what it does.
	Protocol   string            `yaml:"protocol"`
	AlertType  string            `yaml:"alert_type"`
	Severity   string            `yaml:"severity"`
	Confidence *float64          `yaml:"confidence"`
	ChainID    uint64            `yaml:"chain_id"`
	Severities map[string]string `yaml:"severities"`
	AlertTypes map[string]string `yaml:"alert_types"`
	Chains     map[string]uint64 `yaml:"chains"`
	// MaxAlerts bounds the alerts of one payload (default 100).
	MaxAlerts int `yaml:"max_alerts"`
}

// IngressVerify is a route's authentication. Secrets are never in the file: SecretEnv
// names the environment variable, SecretFile the file, that holds the HMAC key
// (oz-monitor, tenderly, native) or the shared secret (sec3).
type IngressVerify struct {
	SecretEnv  string `yaml:"secret_env"`
	SecretFile string `yaml:"secret_file"`
	// Header is the header Sec3 WatchTower sends the shared secret in.
	Header string `yaml:"header"`
	// Scanners are the Forta scan-node addresses whose JWTs and signed alerts the
	// route accepts.
	Scanners []string `yaml:"scanners"`
	// PublicKey (PEM or base64 DER; public, so it may be inline) or PublicKeyFile is
	// the key that signs Hypernative messages; neither means the key Hypernative
	// publishes.
	PublicKey     string `yaml:"public_key"`
	PublicKeyFile string `yaml:"public_key_file"`
	// Window is how far an authenticated timestamp may be from now (default 5m).
	Window time.Duration `yaml:"window"`
	// Skip turns authentication off. Refused unless the listener is loopback (a
	// detector on the same machine, or 'ingest try').
	Skip bool `yaml:"skip"`
}

// IngressAdapters are the adapter names a route may use; a test in package engine
// checks they are the adapters engine/ingest/adapt has.
var IngressAdapters = []string{"native", "forta", "oz-monitor", "tenderly", "hypernative", "sec3"}

// Defaults of the ingress.
const (
	DefaultIngressMaxConcurrent     = 256
	DefaultIngressReadHeaderTimeout = 5 * time.Second
	DefaultIngressReadTimeout       = 15 * time.Second
	DefaultIngressWriteTimeout      = 20 * time.Second
	DefaultIngressIdleTimeout       = 2 * time.Minute
	DefaultIngressPublishTimeout    = 5 * time.Second
)

// WithDefaults returns i with zero settings replaced by their defaults.
func (i IngressOptions) WithDefaults() IngressOptions {
	set := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	if i.MaxConcurrent == 0 {
		i.MaxConcurrent = DefaultIngressMaxConcurrent
	}
	set(&i.ReadHeaderTimeout, DefaultIngressReadHeaderTimeout)
	set(&i.ReadTimeout, DefaultIngressReadTimeout)
	set(&i.WriteTimeout, DefaultIngressWriteTimeout)
	set(&i.IdleTimeout, DefaultIngressIdleTimeout)
	set(&i.PublishTimeout, DefaultIngressPublishTimeout)
	return i
}

// Loopback reports whether the listener only accepts connections from this machine:
// its host is "localhost" or a loopback IP. An empty host (":8443") listens on every
// interface.
func (i IngressOptions) Loopback() bool {
	host, _, err := net.SplitHostPort(i.Listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ValidateIngress checks the ingress settings, and that each route's default protocol
// is a configured protocol. engine.New calls it; like Validate it does no I/O (secrets
// are read when the engine starts).
func (o Options) ValidateIngress() error {
	in := o.Ingress
	if in.Listen != "" {
		host, port, err := net.SplitHostPort(in.Listen)
		if err != nil || port == "" {
			return Errorf("ingress.listen: %q is not host:port", in.Listen)
		}
		if n, err := net.LookupPort("tcp", port); err != nil || n < 0 || n > 65535 {
			return Errorf("ingress.listen: %q has no valid port", in.Listen)
		}
		if host != "" && !strings.EqualFold(host, "localhost") && net.ParseIP(host) == nil {
			return Errorf("ingress.listen: %q: the host must be an IP address or localhost", in.Listen)
		}
	}
	if (in.TLS.CertFile == "") != (in.TLS.KeyFile == "") {
		return Errorf("ingress.tls: set both cert_file and key_file, or neither")
	}
	tls := in.TLS.CertFile != ""
	if in.Listen != "" && !in.Loopback() && !tls && !in.InsecureHTTP {
		return Errorf("ingress.listen: %q is not a loopback address: configure ingress.tls, or set insecure_http: true behind a TLS-terminating proxy", in.Listen)
	}
	if in.MaxConcurrent < 0 {
		return Errorf("ingress.max_concurrent: must not be negative, got %d", in.MaxConcurrent)
	}
	for name, d := range map[string]time.Duration{
		"read_header_timeout": in.ReadHeaderTimeout, "read_timeout": in.ReadTimeout,
		"write_timeout": in.WriteTimeout, "idle_timeout": in.IdleTimeout, "publish_timeout": in.PublishTimeout,
	} {
		if d < 0 {
			return Errorf("ingress.%s: must not be negative, got %s", name, d)
		}
	}
	for _, name := range sortedKeys(in.Routes) {
		if err := o.validateRoute(name, in.Routes[name]); err != nil {
			return err
		}
	}
	return nil
}

func (o Options) validateRoute(name string, r IngressRoute) error {
	at := "ingress.routes." + name
	if reason := nameReason(name); reason != "" {
		return Errorf("ingress.routes: route name %s", reason)
	}
	known := false
	for _, a := range IngressAdapters {
		known = known || a == r.Adapter
	}
	if !known {
		return Errorf("%s.adapter: %q is not one of %s", at, r.Adapter, strings.Join(IngressAdapters, ", "))
	}
	if r.Source != "" {
		if reason := nameReason(r.Source); reason != "" {
			return Errorf("%s.source: %s", at, reason)
		}
	}
	if src := r.SourceOr(name); src == "dead" {
		return Errorf("%s.source: %q is reserved for dead letters", at, src)
	}
	v := r.Verify
	if v.SecretEnv != "" && v.SecretFile != "" {
		return Errorf("%s.verify: set at most one of secret_env and secret_file", at)
	}
	if v.PublicKey != "" && v.PublicKeyFile != "" {
		return Errorf("%s.verify: set at most one of public_key and public_key_file", at)
	}
	if v.Window < 0 {
		return Errorf("%s.verify.window: must not be negative, got %s", at, v.Window)
	}
	if v.Skip {
		if o.Ingress.Listen != "" && !o.Ingress.Loopback() {
			return Errorf("%s.verify.skip: refused: the ingress listens on %q, not on loopback, and an unauthenticated route there lets anyone make firebreak act", at, o.Ingress.Listen)
		}
	} else {
		secret := v.SecretEnv != "" || v.SecretFile != ""
		switch r.Adapter {
		case "oz-monitor", "tenderly", "native":
			if !secret {
				return Errorf("%s.verify: %s signs with an HMAC key: set secret_env or secret_file", at, r.Adapter)
			}
		case "sec3":
			if !secret || v.Header == "" {
				return Errorf("%s.verify: sec3 sends a shared secret in a header: set header and secret_env or secret_file", at)
			}
		case "forta":
			if len(v.Scanners) == 0 {
				return Errorf("%s.verify.scanners: forta needs the scan-node addresses to accept", at)
			}
		}
	}
	for j, s := range v.Scanners {
		if !isAddress(s) {
			return Errorf("%s.verify.scanners[%d]: %q is not a 0x-prefixed 20-byte hex address", at, j, s)
		}
	}
	if r.Protocol != "" {
		if _, ok := o.Protocols[r.Protocol]; !ok {
			return Errorf("%s.protocol: %q is not in protocols", at, r.Protocol)
		}
	}
	if r.AlertType != "" {
		if reason := nameReason(r.AlertType); reason != "" {
			return Errorf("%s.alert_type: %s", at, reason)
		}
	}
	if r.Severity != "" && !isSeverity(r.Severity) {
		return Errorf("%s.severity: %q is not one of info, low, medium, high, critical", at, r.Severity)
	}
	if c := r.Confidence; c != nil && !(*c >= 0 && *c <= 1) {
		return Errorf("%s.confidence: must be between 0 and 1, got %v", at, *c)
	}
	if (r.Adapter == "oz-monitor" || r.Adapter == "tenderly") && r.Severity == "" {
		return Errorf("%s.severity: %s sends no severity: the route needs one", at, r.Adapter)
	}
	if r.Adapter == "sec3" && r.ChainID == 0 {
		return Errorf("%s.chain_id: sec3 alerts name no EIP-155 chain: the route needs one", at)
	}
	for _, k := range sortedKeys(r.Severities) {
		if !isSeverity(r.Severities[k]) {
			return Errorf("%s.severities.%s: %q is not one of info, low, medium, high, critical", at, k, r.Severities[k])
		}
	}
	for _, k := range sortedKeys(r.AlertTypes) {
		if k == "" {
			return Errorf("%s.alert_types: empty key", at)
		}
		if reason := nameReason(r.AlertTypes[k]); reason != "" {
			return Errorf("%s.alert_types.%s: %s", at, k, reason)
		}
	}
	for _, k := range sortedKeys(r.Chains) {
		if r.Chains[k] == 0 {
			return Errorf("%s.chains.%s: chain id 0", at, k)
		}
	}
	if r.MaxAlerts < 0 {
		return Errorf("%s.max_alerts: must not be negative, got %d", at, r.MaxAlerts)
	}
	return nil
}

// SourceOr is the route's source: Source, or name when it is empty.
func (r IngressRoute) SourceOr(name string) string {
	if r.Source != "" {
		return r.Source
	}
	return name
}

// RouteSecret reads the route's secret from its variable or file (trailing white space
// removed); nil when the route names neither. The value never appears in the error.
func (o Options) RouteSecret(name string) ([]byte, error) {
	v := o.Ingress.Routes[name].Verify
	switch {
	case v.SecretEnv != "":
		s, ok := o.Env()(v.SecretEnv)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, Errorf("ingress.routes.%s.verify.secret_env: environment variable %s is not set", name, v.SecretEnv)
		}
		return []byte(strings.TrimSpace(s)), nil
	case v.SecretFile != "":
		b, err := readSmallFile(v.SecretFile)
		if err != nil {
			return nil, Errorf("ingress.routes.%s.verify.secret_file: %v", name, err)
		}
		if len(b) == 0 {
			return nil, Errorf("ingress.routes.%s.verify.secret_file: %s is empty", name, v.SecretFile)
		}
		return b, nil
	}
	return nil, nil
}

// RoutePublicKey is the route's Hypernative public key: inline, from its file, or ""
// for the key Hypernative publishes.
func (o Options) RoutePublicKey(name string) (string, error) {
	v := o.Ingress.Routes[name].Verify
	if v.PublicKeyFile == "" {
		return v.PublicKey, nil
	}
	b, err := readSmallFile(v.PublicKeyFile)
	if err != nil {
		return "", Errorf("ingress.routes.%s.verify.public_key_file: %v", name, err)
	}
	return string(b), nil
}

// IngressSecrets are the routes' secrets that can be read, for redaction (see Secrets).
func (o Options) IngressSecrets() []string {
	var out []string
	for _, name := range sortedKeys(o.Ingress.Routes) {
		if b, err := o.RouteSecret(name); err == nil && len(b) > 0 {
			out = append(out, string(b))
		}
	}
	return out
}

// RegistryContracts maps each registry contract address to its protocol, for the
// ingress's protocol resolution. An address that two protocols list is left out: an
// alert naming it names no one protocol.
func (o Options) RegistryContracts() map[common.Address]string {
	out := map[common.Address]string{}
	shared := map[common.Address]bool{}
	for _, pname := range sortedKeys(o.Protocols) {
		for _, c := range o.Protocols[pname].Contracts {
			a := common.HexToAddress(c.Address)
			if p, ok := out[a]; ok && p != pname {
				shared[a] = true
			}
			out[a] = pname
		}
	}
	for a := range shared {
		delete(out, a)
	}
	return out
}

// RouteNames are the configured routes, sorted.
func (i IngressOptions) RouteNames() []string {
	names := make([]string, 0, len(i.Routes))
	for n := range i.Routes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// maxSecretFile bounds a secret or key file.
const maxSecretFile = 16 << 10

func readSmallFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxSecretFile {
		return nil, Errorf("%s is larger than %d bytes", path, maxSecretFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return []byte(strings.TrimSpace(string(b))), nil
}

// nameReason checks a [a-z0-9._-]{1,64} name, as events require of source, protocol
// and alert type; "" when it is one.
func nameReason(s string) string {
	if s == "" || len(s) > 64 {
		return "must be 1 to 64 characters of [a-z0-9._-], got " + quote(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "must match [a-z0-9._-]{1,64}, got " + quote(s)
		}
	}
	return ""
}

func quote(s string) string {
	if len(s) > 48 {
		return strconv.Quote(s[:48]) + "..."
	}
	return strconv.Quote(s)
}

func isSeverity(s string) bool {
	switch s {
	case "info", "low", "medium", "high", "critical":
		return true
	}
	return false
}
