package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// SourceOptions say how the events of one detector source (the events
// published on detections.<source>) are authenticated. See docs/SECURITY.md.
type SourceOptions struct {
	// Verify is "ed25519" (each message carries a detached signature, made
	// with one of PublicKeys, over its exact bytes) or "none" (the NATS
	// identity allowed to publish detections.<source> is the
	// authentication). Either way the event's source must be the subject's
	// last token.
	Verify string `yaml:"verify"`
	// PublicKeys are the detector's ed25519 public keys, 32 bytes each, in
	// hex or base64. More than one during a key rotation.
	PublicKeys []string `yaml:"public_keys"`
	// VendorRoute names an ingress route (ingress.routes) whose adapter,
	// vendor verification and mapping read this source's messages: a
	// vendor's own payload published straight to detections.<source>
	// (for example an OpenZeppelin Monitor webhook body, with its
	// X-Signature and X-Timestamp as NATS headers). Requires verify: none:
	// the vendor's signature is the authentication. The source must differ
	// from every route's own source, where the ingress publishes events it
	// already translated.
	VendorRoute string `yaml:"vendor_route"`
}

// Verification modes of a source.
const (
	VerifyEd25519 = "ed25519"
	VerifyNone    = "none"
)

// IngestOptions configure how detection events are accepted.
type IngestOptions struct {
	// MaxEventAge: an event of a configured source whose timestamp is older
	// than this is refused as stale (default 15m). Events more than
	// MaxClockSkew in the future are refused too.
	MaxEventAge time.Duration `yaml:"max_event_age"`
	// EventsTTL is how long a handled event's record (its decision and the
	// fate of its actions, FIREBREAK_EVENTS) is kept, which is also how long
	// a redelivery of it is recognised as a duplicate (default 30 days; keep
	// it far longer than max_event_age, which refuses older events anyway).
	EventsTTL time.Duration `yaml:"events_ttl"`
	// The consumer's settings (engine/config/consumer.go): 0 means the
	// default of each.
	AckWait       time.Duration `yaml:"ack_wait"`
	HandleTimeout time.Duration `yaml:"handle_timeout"`
	Workers       int           `yaml:"workers"`
	RetryDelay    time.Duration `yaml:"retry_delay"`
	MaxRetryDelay time.Duration `yaml:"max_retry_delay"`
}

// DefaultEventsTTL is how long handled events are kept by default.
const DefaultEventsTTL = 30 * 24 * time.Hour

// EventsKeep is EventsTTL, or its default.
func (i IngestOptions) EventsKeep() time.Duration {
	if i.EventsTTL == 0 {
		return DefaultEventsTTL
	}
	return i.EventsTTL
}

// Freshness bounds of events from configured sources.
const (
	DefaultMaxEventAge = 15 * time.Minute
	// MaxClockSkew is how far in the future an event's timestamp may be.
	MaxClockSkew = time.Minute
)

// EventMaxAge is MaxEventAge, or its default when not set.
func (i IngestOptions) EventMaxAge() time.Duration {
	if i.MaxEventAge == 0 {
		return DefaultMaxEventAge
	}
	return i.MaxEventAge
}

// GuardOptions configure the guard beyond the allowlist.
type GuardOptions struct {
	// ProtectedRoles are AccessControl roles (names like "MINTER_ROLE" or
	// 0x-prefixed 32-byte ids) that no automated action may revoke, on top
	// of DEFAULT_ADMIN_ROLE, which is always protected.
	ProtectedRoles []string `yaml:"protected_roles"`
}

// DefaultAdminRole is OpenZeppelin AccessControl's admin role, the zero
// role id: it is always protected.
const DefaultAdminRole = "DEFAULT_ADMIN_ROLE"

// Bundle signature algorithms OPA verifies (policy_bundle_verification_algorithm).
var bundleAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

// sourceName is what may follow "detections.": one NATS subject token.
var sourceName = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

var roleID = regexp.MustCompile(`^0x[0-9a-fA-F]{64}$`)

// SourcesConfigured reports whether a sources section is present: then
// every event must come from a listed source, verified as it says. Without
// one, any source is accepted unverified (insecure; a warning is logged).
func (o Options) SourcesConfigured() bool { return o.Sources != nil }

// validateTrust checks sources, ingest, guard and the bundle settings.
func (o Options) validateTrust() error {
	for _, name := range sortedKeys(o.Sources) {
		s := o.Sources[name]
		if !sourceName.MatchString(name) || name == "dead" {
			return Errorf("sources.%s: a source is one subject token of 1 to 64 lower-case letters, digits, - and _ (and not \"dead\")", name)
		}
		switch s.Verify {
		case VerifyEd25519:
			if s.VendorRoute != "" {
				return Errorf("sources.%s.vendor_route: needs verify: none (the vendor's signature is the authentication)", name)
			}
			if len(s.PublicKeys) == 0 {
				return Errorf("sources.%s.public_keys: at least one ed25519 public key for verify: ed25519", name)
			}
			for i, k := range s.PublicKeys {
				if _, err := ParseEd25519PublicKey(k); err != nil {
					return Errorf("sources.%s.public_keys[%d]: %v", name, i, err)
				}
			}
		case VerifyNone:
			if len(s.PublicKeys) > 0 {
				return Errorf("sources.%s.public_keys: only for verify: ed25519", name)
			}
			if s.VendorRoute != "" {
				if _, ok := o.Ingress.Routes[s.VendorRoute]; !ok {
					return Errorf("sources.%s.vendor_route: no route named %q in ingress.routes", name, s.VendorRoute)
				}
				for rname, r := range o.Ingress.Routes {
					if r.Source == name || (r.Source == "" && rname == name) {
						return Errorf("sources.%s.vendor_route: %s is also ingress route %s's source, where the ingress publishes translated events; use another source name", name, name, rname)
					}
				}
			}
		default:
			return Errorf("sources.%s.verify: %q is not ed25519 or none", name, s.Verify)
		}
	}
	if t := o.Ingest.EventsTTL; t < 0 || (t > 0 && t < time.Hour) {
		return Errorf("ingest.events_ttl: %v is not a duration of at least 1h", t)
	}
	if a := o.Ingest.MaxEventAge; a < 0 || (a > 0 && a < time.Second) {
		return Errorf("ingest.max_event_age: %v is not a duration of at least 1s", a)
	}
	if err := o.Ingest.validateConsumer(); err != nil {
		return err
	}
	for i, r := range o.Guard.ProtectedRoles {
		switch {
		case strings.HasPrefix(r, "0x") && !roleID.MatchString(r):
			return Errorf("guard.protected_roles[%d]: %q is not a 0x-prefixed 32-byte role id", i, r)
		case strings.TrimSpace(r) == "" || strings.ContainsAny(r, " \t\n"):
			return Errorf("guard.protected_roles[%d]: %q is not a role name like MINTER_ROLE", i, r)
		}
	}
	return o.validateBundle()
}

// validateBundle: a bundle is a local file or comes over https; plain http
// only from a loopback address (a bundle server beside the engine, tests).
func (o Options) validateBundle() error {
	b := o.PolicyBundle
	if strings.HasPrefix(b, "http://") && !IsLoopbackURL(b) {
		return Errorf("policy_bundle: plain http is refused (a bundle decides what firebreak does): use https://, or a local file")
	}
	if o.PolicyBundleVerificationKey == "" {
		if o.PolicyBundleVerificationAlgorithm != "" {
			return Errorf("policy_bundle_verification_algorithm: set policy_bundle_verification_key too")
		}
		return nil
	}
	if b == "" {
		return Errorf("policy_bundle_verification_key: only for policy_bundle")
	}
	if alg := o.PolicyBundleVerificationAlgorithm; alg != "" && !slices.Contains(bundleAlgorithms, alg) {
		return Errorf("policy_bundle_verification_algorithm: %q is not one of %s", alg, strings.Join(bundleAlgorithms, ", "))
	}
	return nil
}

// IsLoopbackURL reports whether raw's host is localhost or a loopback IP.
func IsLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseEd25519PublicKey reads a 32-byte ed25519 public key written as hex
// (optionally 0x-prefixed) or base64 (standard or URL alphabet, padded or
// not).
func ParseEd25519PublicKey(text string) (ed25519.PublicKey, error) {
	s := strings.TrimSpace(text)
	if b, err := hex.DecodeString(strings.TrimPrefix(s, "0x")); err == nil {
		if len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("the key is %d bytes, want %d", len(b), ed25519.PublicKeySize)
		}
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("the key is %d bytes, want %d", len(b), ed25519.PublicKeySize)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("%q is neither hex nor base64", text)
}
