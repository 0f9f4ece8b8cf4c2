package adapt

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// Adapter names a vendor format.
type Adapter string

// The adapters.
const (
	// Native is firebreak's own event JSON (event.Decode), optionally signed like
	// OpenZeppelin Monitor signs (X-Signature, X-Timestamp) with the route's Secret.
	Native Adapter = "native"

	// Forta is a Forta scan node's webhook AlertBatch (Authorization: Bearer <scanner
	// JWT>) or alerts signed by scan nodes; unsigned Forta shapes (GraphQL API
	// responses, bot SDK findings) are read too, on routes that SkipVerify.
	Forta Adapter = "forta"

	// OZMonitor is an OpenZeppelin Monitor (v1.1 or later) webhook, raw or template
	// payload mode, signed with X-Signature and X-Timestamp.
	OZMonitor Adapter = "oz-monitor"

	// Tenderly is a Tenderly alert webhook signed with x-tenderly-signature and date.
	Tenderly Adapter = "tenderly"

	// Hypernative is a Hypernative webhook message {id, data, digitalSignature}.
	Hypernative Adapter = "hypernative"

	// Sec3 is a Sec3 WatchTower alert webhook carrying a shared secret in a header.
	Sec3 Adapter = "sec3"
)

// Adapters lists every adapter.
var Adapters = []Adapter{Native, Forta, OZMonitor, Tenderly, Hypernative, Sec3}

// Limits and defaults.
const (
	// MaxBodySize is the largest payload Adapt, Verify and Translate look at.
	MaxBodySize = 1 << 20

	// DefaultMaxAlerts is the default Route.MaxAlerts.
	DefaultMaxAlerts = 100

	// DefaultWindow is the default Route.Window.
	DefaultWindow = 5 * time.Minute

	// DefaultConfidence is the confidence of events from vendors that send none, when
	// the route sets no Confidence. It is below the shipped policies' approval
	// threshold (0.6), so a route acts automatically only once its operator has said
	// how far to trust the detector.
	DefaultConfidence = 0.5

	// Unclassified is the alert type of an alert that no alert-type mapping matched
	// and whose route has no default AlertType. No shipped policy acts on it.
	Unclassified = "unclassified"

	// MaxAddresses is the most addresses an adapter puts in one event.
	MaxAddresses = 256
)

// Route is one configured source of vendor alerts: which adapter reads them, how they
// are authenticated, and how their fields map onto an Event. It is plain data; the
// configuration layer fills it and Validate checks it. A Route is safe for concurrent
// use once filled.
type Route struct {
	// Name names the route (the {route} of POST /v1/alerts/{route}); it matches
	// [a-z0-9._-]{1,64}.
	Name string

	// Adapter is the vendor format.
	Adapter Adapter

	// Source is the Event.Source of the route's events; Name when empty. Native events
	// must carry this source.
	Source string

	// Secret is the HMAC-SHA256 key of oz-monitor, tenderly and (optionally) native
	// routes, and the shared secret a sec3 route expects in SecretHeader.
	Secret []byte

	// SecretHeader is the header in which Sec3 WatchTower sends Secret (required for
	// sec3: WatchTower lets the user choose it).
	SecretHeader string

	// FortaScanners are the scan-node addresses whose signatures a forta route accepts:
	// the recovered signer of the webhook JWT or of a signed alert must be one of them
	// (the token's own "sub" is not trusted). Required for forta.
	FortaScanners []common.Address

	// HypernativePublicKey is the ECDSA P-256 public key that signs Hypernative webhook
	// messages: PEM ("-----BEGIN PUBLIC KEY-----") or base64 of the DER SubjectPublicKeyInfo.
	// Empty means HypernativePublishedKey.
	HypernativePublicKey string

	// Window is how far an authenticated timestamp may be from now, either way: the
	// X-Timestamp of OZ Monitor, Tenderly's date, the risk insight's timestamp of
	// Hypernative, Sec3's created_at, a Forta signed alert's timestamp, the lifetime of
	// a Forta JWT. Zero means DefaultWindow.
	Window time.Duration

	// SkipVerify turns authentication off: only for a route fed from a NATS subject
	// whose publish permission is the authentication. An HTTP ingress must refuse
	// routes that set it.
	SkipVerify bool

	// Protocol is the protocol of alerts whose addresses do not name exactly one
	// registry protocol (see Contracts); empty means such alerts fail with
	// ErrUnknownProtocol.
	Protocol string

	// AlertType is the alert type of alerts that no alert-type mapping matches; empty
	// means Unclassified.
	AlertType string

	// Severity is the severity of alerts whose vendor sends none (OZ Monitor, Tenderly)
	// or sends one that no severity mapping knows; empty means such alerts fail with
	// ErrUnknownSeverity.
	Severity event.Severity

	// Confidence is the confidence of the route's events, nil meaning DefaultConfidence.
	// No supported vendor sends a per-alert confidence.
	Confidence *float64

	// ChainID is the chain of alerts that name none (or name one not in Chains); zero
	// means such alerts fail with ErrUnknownChain.
	ChainID uint64

	// Severities maps a vendor severity (matched case-insensitively) to an event
	// severity, over the vendor's defaults (DefaultSeverities).
	Severities map[string]event.Severity

	// AlertTypes maps a vendor alert id, name or category (matched case-insensitively;
	// '*' matches any run of characters, as in "ATTACK-DETECTOR-*") to an alert type,
	// over the vendor's defaults (DefaultAlertTypes). An exact key wins over a pattern,
	// a pattern with more literal characters over one with fewer.
	AlertTypes map[string]string

	// Contracts maps a registry contract address to its protocol: an alert whose
	// victim and contract addresses, or else all its addresses, name exactly one
	// protocol gets that protocol.
	Contracts map[common.Address]string

	// Chains maps a vendor's chain name (Hypernative's "bsc", OZ Monitor's
	// "ethereum_mainnet") to a chain id, over DefaultChains().
	Chains map[string]uint64

	// MaxAlerts is the most alerts one payload may hold; zero means DefaultMaxAlerts.
	MaxAlerts int
}

// Validate checks the route. Adapt, Verify and Translate call it first; the
// configuration layer calls it at load time. Errors wrap ErrConfig.
func (r *Route) Validate() error {
	if reason := nameReason(r.Name); reason != "" {
		return errorf(ErrConfig, "name %s", reason)
	}
	if !slices.Contains(Adapters, r.Adapter) {
		return errorf(ErrConfig, "route %s: unknown adapter %s", r.Name, q(string(r.Adapter)))
	}
	if r.Source != "" {
		if reason := nameReason(r.Source); reason != "" {
			return errorf(ErrConfig, "route %s: source %s", r.Name, reason)
		}
	}
	if r.Window < 0 {
		return errorf(ErrConfig, "route %s: window must not be negative", r.Name)
	}
	if r.MaxAlerts < 0 {
		return errorf(ErrConfig, "route %s: max alerts must not be negative", r.Name)
	}
	if !r.SkipVerify {
		switch r.Adapter {
		case OZMonitor, Tenderly:
			if len(r.Secret) == 0 {
				return errorf(ErrConfig, "route %s: %s needs the signing secret", r.Name, r.Adapter)
			}
		case Sec3:
			if len(r.Secret) == 0 || r.SecretHeader == "" {
				return errorf(ErrConfig, "route %s: sec3 needs the shared secret and the header that carries it", r.Name)
			}
		case Forta:
			if len(r.FortaScanners) == 0 {
				return errorf(ErrConfig, "route %s: forta needs the scanner addresses to accept", r.Name)
			}
		case Hypernative:
			if _, err := parsePublicKey(r.hypernativeKey()); err != nil {
				return errorf(ErrConfig, "route %s: hypernative public key: %v", r.Name, err)
			}
		case Native:
			if len(r.Secret) == 0 {
				return errorf(ErrConfig, "route %s: native needs a signing secret, or SkipVerify for a NATS-authenticated subject", r.Name)
			}
		}
	}
	if r.Protocol != "" {
		if reason := nameReason(r.Protocol); reason != "" {
			return errorf(ErrConfig, "route %s: protocol %s", r.Name, reason)
		}
	}
	if r.AlertType != "" {
		if reason := nameReason(r.AlertType); reason != "" {
			return errorf(ErrConfig, "route %s: alert type %s", r.Name, reason)
		}
	}
	if r.Severity != "" && !r.Severity.Valid() {
		return errorf(ErrConfig, "route %s: severity %s is not one of info, low, medium, high, critical", r.Name, q(string(r.Severity)))
	}
	if c := r.Confidence; c != nil && !(*c >= 0 && *c <= 1) {
		return errorf(ErrConfig, "route %s: confidence must be between 0 and 1", r.Name)
	}
	if (r.Adapter == OZMonitor || r.Adapter == Tenderly) && r.Severity == "" {
		return errorf(ErrConfig, "route %s: %s sends no severity: the route needs a default severity", r.Name, r.Adapter)
	}
	if r.Adapter == Sec3 && r.ChainID == 0 {
		return errorf(ErrConfig, "route %s: sec3 alerts (Solana) name no EIP-155 chain: the route needs a chain id", r.Name)
	}
	for k, v := range r.Severities {
		if !v.Valid() {
			return errorf(ErrConfig, "route %s: severity map %s: %s is not a severity", r.Name, q(k), q(string(v)))
		}
	}
	for k, v := range r.AlertTypes {
		if k == "" {
			return errorf(ErrConfig, "route %s: alert type map has an empty key", r.Name)
		}
		if reason := nameReason(v); reason != "" {
			return errorf(ErrConfig, "route %s: alert type map %s: %s", r.Name, q(k), reason)
		}
	}
	for a, p := range r.Contracts {
		if reason := nameReason(p); reason != "" {
			return errorf(ErrConfig, "route %s: contract %s: protocol %s", r.Name, a.Hex(), reason)
		}
	}
	for k, id := range r.Chains {
		if id == 0 {
			return errorf(ErrConfig, "route %s: chain %s has id 0", r.Name, q(k))
		}
	}
	return nil
}

// nameReason checks a [a-z0-9._-]{1,64} name, as Event requires of source, protocol
// and alert type.
func nameReason(s string) string {
	if s == "" || len(s) > event.MaxNameLen {
		return "must be 1 to 64 characters, got " + q(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "must match [a-z0-9._-]{1,64}, got " + q(s)
		}
	}
	return ""
}

// Adapt authenticates body (and its HTTP headers) as the route's vendor requires and
// translates it into events: Verify, then Translate. now is the time the payload
// arrived; it bounds the freshness of authenticated timestamps and is the timestamp of
// alerts that carry none.
//
// It returns one event per alert, or an error matching one of the package's sentinel
// errors (see StatusCode); with a *PartialError it returns the events that adapted.
// Events are valid (event.Event.Validate), encode within event.MaxSize, carry
// RawSHA256 = SHA-256 of body and IDs that depend only on the vendor's alert, so a
// retried delivery yields the same IDs.
func (r *Route) Adapt(now time.Time, header http.Header, body []byte) ([]event.Event, error) {
	if err := r.check(body); err != nil {
		return nil, err
	}
	if err := r.verify(now, header, body); err != nil {
		return nil, err
	}
	return r.translate(now, header, body)
}

// check refuses oversized bodies, before anything else, and invalid routes.
func (r *Route) check(body []byte) error {
	if len(body) > MaxBodySize {
		return errorf(ErrTooLarge, "got %d bytes", len(body))
	}
	return r.Validate()
}

// Verify authenticates body as the route's vendor signs it, looking at nothing but the
// raw bytes, the headers it names and, where the signature is inside the payload
// (Hypernative, Forta signed alerts), the signed fields. It does not translate. Routes
// that SkipVerify pass.
func (r *Route) Verify(now time.Time, header http.Header, body []byte) error {
	if err := r.check(body); err != nil {
		return err
	}
	return r.verify(now, header, body)
}

func (r *Route) verify(now time.Time, header http.Header, body []byte) error {
	if r.SkipVerify {
		return nil
	}
	switch r.Adapter {
	case Native:
		return r.verifyHMAC(now, header, body, "X-Signature", "X-Timestamp", parseMillis)
	case OZMonitor:
		return r.verifyHMAC(now, header, body, "X-Signature", "X-Timestamp", parseMillis)
	case Tenderly:
		return r.verifyHMAC(now, header, body, "X-Tenderly-Signature", "Date", parseHTTPDate)
	case Forta:
		return r.verifyForta(now, header, body)
	case Hypernative:
		return r.verifyHypernative(now, body)
	case Sec3:
		return r.verifySec3(now, header, body)
	}
	return errorf(ErrConfig, "unknown adapter %s", q(string(r.Adapter)))
}

// Translate turns body into events without authenticating it: for `firebreak ingest
// try`, tests, and routes that SkipVerify. Anything that acts on events must use
// Adapt.
func (r *Route) Translate(now time.Time, header http.Header, body []byte) ([]event.Event, error) {
	if err := r.check(body); err != nil {
		return nil, err
	}
	return r.translate(now, header, body)
}

func (r *Route) translate(now time.Time, header http.Header, body []byte) ([]event.Event, error) {
	sum := sha256.Sum256(body)
	c := &ctx{r: r, now: now.UTC(), header: header, body: body, sha: hex.EncodeToString(sum[:])}
	switch r.Adapter {
	case Native:
		return c.native()
	case Forta:
		return c.forta()
	case OZMonitor:
		return c.ozMonitor()
	case Tenderly:
		return c.tenderly()
	case Hypernative:
		return c.hypernative()
	case Sec3:
		return c.sec3()
	}
	return nil, errorf(ErrConfig, "unknown adapter %s", q(string(r.Adapter)))
}

func (r *Route) source() string {
	if r.Source != "" {
		return r.Source
	}
	return r.Name
}

func (r *Route) window() time.Duration {
	if r.Window > 0 {
		return r.Window
	}
	return DefaultWindow
}

func (r *Route) maxAlerts() int {
	if r.MaxAlerts > 0 {
		return r.MaxAlerts
	}
	return DefaultMaxAlerts
}

func (r *Route) confidence() float64 {
	if r.Confidence != nil {
		return *r.Confidence
	}
	return DefaultConfidence
}

// checkWindow checks an authenticated timestamp against now and the window.
func (r *Route) checkWindow(now, t time.Time, what string) error {
	w := r.window()
	switch d := now.Sub(t); {
	case d > w:
		return errorf(ErrStaleTimestamp, "%s %s is %s old, more than the %s window", what, t.UTC().Format(time.RFC3339Nano), d.Round(time.Millisecond), w)
	case -d > w:
		return errorf(ErrFutureTimestamp, "%s %s is %s ahead, more than the %s window", what, t.UTC().Format(time.RFC3339Nano), (-d).Round(time.Millisecond), w)
	}
	return nil
}

// severity maps a vendor severity.
func (r *Route) severity(vendor string) (event.Severity, error) {
	key := strings.ToLower(strings.TrimSpace(vendor))
	if key != "" {
		for k, v := range r.Severities {
			if strings.ToLower(strings.TrimSpace(k)) == key {
				return v, nil
			}
		}
		if v, ok := defaultSeverities[r.Adapter][key]; ok {
			return v, nil
		}
	}
	if r.Severity != "" {
		return r.Severity, nil
	}
	if key == "" {
		return "", errorf(ErrUnknownSeverity, "the alert has no severity and the route no default")
	}
	return "", errorf(ErrUnknownSeverity, "vendor severity %s is not mapped and the route has no default", q(vendor))
}

// alertType maps the first of keys (a vendor alert id, name, category) that a table
// knows: the route's table, then the vendor's defaults, then the route's default.
func (r *Route) alertType(keys []string) string {
	for _, table := range []map[string]string{r.AlertTypes, defaultAlertTypes[r.Adapter]} {
		if t, ok := matchTable(table, keys); ok {
			return t
		}
	}
	if r.AlertType != "" {
		return r.AlertType
	}
	return Unclassified
}

// matchTable looks keys up in table: exact (case-insensitive) matches first, in the
// order of keys, then the most specific pattern for the first key any pattern matches.
func matchTable(table map[string]string, keys []string) (string, bool) {
	if len(table) == 0 {
		return "", false
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		for p, t := range table {
			if !strings.Contains(p, "*") && strings.EqualFold(p, k) {
				return t, true
			}
		}
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		best, bestLen, found := "", -1, ""
		for p, t := range table {
			if !strings.Contains(p, "*") || !globMatch(strings.ToLower(p), strings.ToLower(k)) {
				continue
			}
			if n := len(p) - strings.Count(p, "*"); n > bestLen || n == bestLen && p < best {
				best, bestLen, found = p, n, t
			}
		}
		if bestLen >= 0 {
			return found, true
		}
	}
	return "", false
}

// globMatch reports whether s matches pattern, in which '*' matches any run of
// characters (including none) and every other character itself.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// chainByName maps a vendor chain name.
func (r *Route) chainByName(name string) (uint64, bool) {
	if name == "" {
		return 0, false
	}
	for k, id := range r.Chains {
		if strings.EqualFold(k, name) {
			return id, true
		}
	}
	key := strings.ToLower(strings.TrimSpace(name))
	if id, ok := defaultChains[key]; ok {
		return id, true
	}
	for _, suffix := range []string{"_mainnet", "-mainnet", " mainnet", "-mainnet-beta"} {
		if base, ok := strings.CutSuffix(key, suffix); ok {
			if id, ok := defaultChains[base]; ok {
				return id, true
			}
		}
	}
	return 0, false
}

// resolveProtocol picks the protocol of an alert from its addresses (see Contracts).
func (r *Route) resolveProtocol(s *addrSet) (string, error) {
	if len(r.Contracts) > 0 {
		for _, pass := range []func(rank int) bool{
			func(rank int) bool { return rank == rankVictim || rank == rankContract },
			func(int) bool { return true },
		} {
			var found []string
			for _, a := range s.order {
				if !pass(s.rank[a]) {
					continue
				}
				if p, ok := r.Contracts[a]; ok && !slices.Contains(found, p) {
					found = append(found, p)
				}
			}
			if len(found) == 1 {
				return found[0], nil
			}
			if len(found) > 1 {
				slices.Sort(found)
				if r.Protocol != "" {
					return r.Protocol, nil
				}
				return "", errorf(ErrUnknownProtocol, "the alert's addresses belong to several protocols (%s) and the route has no default", strings.Join(found, ", "))
			}
		}
	}
	if r.Protocol != "" {
		return r.Protocol, nil
	}
	return "", errorf(ErrUnknownProtocol, "no address of the alert is a registry contract and the route has no default protocol")
}

// finite reports whether f is a finite number.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
