package adapt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/event"
)

func TestSeverityMapping(t *testing.T) {
	tests := []struct {
		adapter  Adapter
		routeMap map[string]event.Severity
		def      event.Severity
		vendor   string
		want     event.Severity
		err      error
	}{
		{Forta, nil, "", "CRITICAL", event.SeverityCritical, nil},
		{Forta, nil, "", "High", event.SeverityHigh, nil}, // bot SDK findings
		{Forta, nil, "", "4", event.SeverityHigh, nil},    // enum number
		{Forta, nil, "", "UNKNOWN", event.SeverityInfo, nil},
		{Forta, map[string]event.Severity{"high": event.SeverityCritical}, "", "HIGH", event.SeverityCritical, nil},
		{Forta, nil, "", "SEVERE", "", ErrUnknownSeverity},
		{Forta, nil, event.SeverityLow, "SEVERE", event.SeverityLow, nil},
		{Hypernative, nil, "", "Medium", event.SeverityMedium, nil},
		{Hypernative, map[string]event.Severity{"Medium": event.SeverityHigh}, "", "medium", event.SeverityHigh, nil},
		{Sec3, nil, "", "critical", event.SeverityCritical, nil},
		{OZMonitor, nil, event.SeverityHigh, "", event.SeverityHigh, nil},
		{Tenderly, nil, "", "", "", ErrUnknownSeverity},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.adapter, tt.vendor), func(t *testing.T) {
			r := &Route{Adapter: tt.adapter, Severities: tt.routeMap, Severity: tt.def}
			got, err := r.severity(tt.vendor)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("severity(%q) = %q, %v; want %q, %v", tt.vendor, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestAlertTypeMapping(t *testing.T) {
	tests := []struct {
		name  string
		route Route
		keys  []string
		want  string
	}{
		{"forta default prefix", Route{Adapter: Forta}, []string{"ATTACK-DETECTOR-3", "name", "EXPLOIT"}, "exploit"},
		{"forta default exact beats prefix", Route{Adapter: Forta}, []string{"ATTACK-DETECTOR-FALSE-POSITIVE"}, "false-positive"},
		{"forta ice phishing", Route{Adapter: Forta}, []string{"SCAM-DETECTOR-ICE-PHISHING"}, "phishing-drainer"},
		{"forta ice phishing retraction is not a drainer", Route{Adapter: Forta}, []string{"SCAM-DETECTOR-ICE-PHISHING-FALSE-POSITIVE"}, Unclassified},
		{"case-insensitive", Route{Adapter: Forta}, []string{"attack-detector-2"}, "exploit"},
		{"unmapped", Route{Adapter: Forta}, []string{"FORTA-1"}, Unclassified},
		{"route default", Route{Adapter: Forta, AlertType: "anomaly"}, []string{"FORTA-1"}, "anomaly"},
		{"route table over vendor defaults", Route{Adapter: Forta, AlertTypes: map[string]string{"ATTACK-DETECTOR-4": "attack-low"}}, []string{"ATTACK-DETECTOR-4"}, "attack-low"},
		{"route pattern over vendor exact", Route{Adapter: Forta, AlertTypes: map[string]string{"SCAM-*": "scam"}}, []string{"SCAM-DETECTOR-ICE-PHISHING"}, "scam"},
		{"exact on a later key beats a pattern on the first", Route{Adapter: Hypernative, AlertTypes: map[string]string{"A-*": "any-a", "Governance": "governance"}}, []string{"A-29", "Ownership changed", "Governance"}, "governance"},
		{"longer pattern wins", Route{Adapter: Hypernative, AlertTypes: map[string]string{"A-*": "short", "A-19*": "long"}}, []string{"A-19251"}, "long"},
		{"suffix and infix patterns", Route{Adapter: Sec3, AlertTypes: map[string]string{"*Transfer*": "anomalous-outflow"}}, []string{"AbnormalTransferToken"}, "anomalous-outflow"},
		{"category key", Route{Adapter: Forta, AlertTypes: map[string]string{"EXPLOIT": "exploit"}}, []string{"MY-BOT-1", "name", "EXPLOIT"}, "exploit"},
		{"empty keys skipped", Route{Adapter: Tenderly, AlertTypes: map[string]string{"*": "catch-all"}}, []string{"", "x"}, "catch-all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.route.alertType(tt.keys); got != tt.want {
				t.Errorf("alertType(%q) = %q, want %q", tt.keys, got, tt.want)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"a*", "abc", true}, {"a*", "a", true}, {"a*", "ba", false},
		{"*c", "abc", true}, {"*c", "cb", false},
		{"a*c", "abc", true}, {"a*c", "ac", true}, {"a*c", "acb", false},
		{"a*b*c", "aXbYc", true}, {"a*b*c", "aXcYb", false},
		{"*", "", true}, {"abc", "abc", true}, {"a**c", "ac", true},
		{"ab*ba", "aba", false},
	} {
		if got := globMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func TestProtocolResolver(t *testing.T) {
	a, b, c := common.Address{0xa}, common.Address{0xb}, common.Address{0xc}
	contracts := map[common.Address]string{a: "vault", b: "bridge"}
	tests := []struct {
		name string
		def  string
		add  func(s *addrSet)
		want string
		err  error
	}{
		{"one match", "", func(s *addrSet) { s.add(rankRelated, c, a) }, "vault", nil},
		{"no match, default", "demo", func(s *addrSet) { s.add(rankRelated, c) }, "demo", nil},
		{"no match, no default", "", func(s *addrSet) { s.add(rankRelated, c) }, "", ErrUnknownProtocol},
		{"no addresses", "", func(s *addrSet) {}, "", ErrUnknownProtocol},
		{"several, default", "demo", func(s *addrSet) { s.add(rankRelated, a, b) }, "demo", nil},
		{"several, no default", "", func(s *addrSet) { s.add(rankRelated, a, b) }, "", ErrUnknownProtocol},
		{"victim decides among several", "", func(s *addrSet) { s.add(rankRelated, a); s.add(rankVictim, b) }, "bridge", nil},
		{"contract role decides too", "", func(s *addrSet) { s.add(rankAttacker, a); s.add(rankContract, b) }, "bridge", nil},
		{"several victims, default", "demo", func(s *addrSet) { s.add(rankVictim, a, b) }, "demo", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Route{Contracts: contracts, Protocol: tt.def}
			var s addrSet
			tt.add(&s)
			got, err := r.resolveProtocol(&s)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("resolveProtocol = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestChainByName(t *testing.T) {
	r := &Route{Chains: map[string]uint64{"MyChain": 777, "bsc": 97}}
	for name, want := range map[string]uint64{
		"ethereum": 1, "ethereum_mainnet": 1, "optimism": 10, "polygon_mainnet": 137,
		"arbitrum-mainnet": 42161, "Base": 8453, "ethereum_sepolia": 11155111,
		"mychain": 777, "bsc": 97, "nowhere": 0, "": 0,
	} {
		if got, _ := r.chainByName(name); got != want {
			t.Errorf("chainByName(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	c := 1.5
	tests := []struct {
		name   string
		route  Route
		reason string // substring; "" for valid
	}{
		{"oz valid", ozRoute(), ""},
		{"tenderly valid", tenderlyRoute(), ""},
		{"sec3 valid", sec3Route(), ""},
		{"hypernative valid with the published key", hypernativeRoute(), ""},
		{"forta valid", fortaRoute(common.Address{1}), ""},
		{"native valid", Route{Name: "n", Adapter: Native, Secret: []byte("s")}, ""},
		{"native unsigned on NATS", Route{Name: "n", Adapter: Native, SkipVerify: true}, ""},
		{"bad name", Route{Name: "My Route", Adapter: Native, SkipVerify: true}, "name must match"},
		{"unknown adapter", Route{Name: "x", Adapter: "hexagate"}, "unknown adapter"},
		{"oz without secret", Route{Name: "x", Adapter: OZMonitor, Severity: "high"}, "needs the signing secret"},
		{"oz without severity", Route{Name: "x", Adapter: OZMonitor, Secret: testSecret}, "needs a default severity"},
		{"tenderly without severity", Route{Name: "x", Adapter: Tenderly, Secret: testSecret}, "needs a default severity"},
		{"sec3 without header", Route{Name: "x", Adapter: Sec3, Secret: testSecret, ChainID: 1}, "header that carries it"},
		{"sec3 without chain", Route{Name: "x", Adapter: Sec3, Secret: testSecret, SecretHeader: "X"}, "needs a chain id"},
		{"forta without scanners", Route{Name: "x", Adapter: Forta}, "scanner addresses"},
		{"native without secret", Route{Name: "x", Adapter: Native}, "SkipVerify"},
		{"hypernative bad key", Route{Name: "x", Adapter: Hypernative, HypernativePublicKey: "bm90IGEga2V5"}, "public key"},
		{"bad default protocol", Route{Name: "x", Adapter: Native, SkipVerify: true, Protocol: "Demo"}, "protocol must match"},
		{"bad default severity", Route{Name: "x", Adapter: Native, SkipVerify: true, Severity: "HIGH"}, "severity"},
		{"bad confidence", Route{Name: "x", Adapter: Native, SkipVerify: true, Confidence: &c}, "confidence"},
		{"bad severity map", Route{Name: "x", Adapter: Forta, SkipVerify: true, Severities: map[string]event.Severity{"x": "urgent"}}, "severity map"},
		{"bad alert type map", Route{Name: "x", Adapter: Forta, SkipVerify: true, AlertTypes: map[string]string{"A-*": "Exploit"}}, "alert type map"},
		{"bad contract protocol", Route{Name: "x", Adapter: Forta, SkipVerify: true, Contracts: map[common.Address]string{{1}: ""}}, "protocol must be"},
		{"zero chain id", Route{Name: "x", Adapter: Forta, SkipVerify: true, Chains: map[string]uint64{"a": 0}}, "id 0"},
		{"negative window", Route{Name: "x", Adapter: Forta, SkipVerify: true, Window: -1}, "window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.route.Validate()
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("Validate = %v, want ErrConfig with %q", err, tt.reason)
			}
			if _, err := tt.route.Adapt(testNow, nil, []byte("{}")); !errors.Is(err, ErrConfig) {
				t.Errorf("Adapt on an invalid route = %v, want ErrConfig", err)
			}
			if StatusCode(err) != http.StatusInternalServerError {
				t.Errorf("StatusCode(%v) = %d", err, StatusCode(err))
			}
		})
	}
}

func TestStatusCodeAndReason(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("context: %w", err) }
	tests := []struct {
		err    error
		status int
		reason string
	}{
		{nil, 200, ""},
		{wrap(ErrNotActionable), 200, "not-actionable"},
		{&PartialError{Total: 2, Failed: []error{wrap(ErrMalformed)}}, 200, "partial"},
		{wrap(ErrMissingSignature), 401, "missing-signature"},
		{wrap(ErrBadSignature), 401, "bad-signature"},
		{wrap(ErrUnknownSigner), 401, "unknown-signer"},
		{wrap(ErrBadTimestamp), 401, "bad-timestamp"},
		{wrap(ErrStaleTimestamp), 401, "stale-timestamp"},
		{wrap(ErrFutureTimestamp), 401, "future-timestamp"},
		{wrap(ErrTooLarge), 413, "too-large"},
		{wrap(ErrTooManyAlerts), 413, "too-many-alerts"},
		{wrap(ErrMalformed), 400, "malformed"},
		{fmt.Errorf("%w: %w", ErrMalformed, event.ErrInvalid), 400, "malformed"},
		{wrap(ErrUnknownProtocol), 422, "unknown-protocol"},
		{wrap(ErrUnknownChain), 422, "unknown-chain"},
		{wrap(ErrUnknownSeverity), 422, "unknown-severity"},
		{wrap(event.ErrInvalid), 422, "invalid-event"},
		{wrap(ErrConfig), 500, "config"},
		{errors.New("boom"), 500, "internal"},
	}
	for _, tt := range tests {
		if got := StatusCode(tt.err); got != tt.status {
			t.Errorf("StatusCode(%v) = %d, want %d", tt.err, got, tt.status)
		}
		if got := Reason(tt.err); got != tt.reason {
			t.Errorf("Reason(%v) = %q, want %q", tt.err, got, tt.reason)
		}
	}
	if !errors.Is(ErrUnknownSigner, ErrBadSignature) {
		t.Error("ErrUnknownSigner does not wrap ErrBadSignature")
	}
}

func TestBatchLimitsAndPartial(t *testing.T) {
	r := fortaTranslateRoute()
	alertJSON := func(i int, id string) string {
		return fmt.Sprintf(`{"hash":"0x%064x","alertId":%q,"severity":"HIGH","createdAt":"2026-11-25T11:00:00Z"}`, i+1, id)
	}
	many := make([]string, DefaultMaxAlerts+1)
	for i := range many {
		many[i] = alertJSON(i, "A")
	}
	if _, err := r.Translate(testNow, nil, []byte(`{"alerts":[`+strings.Join(many, ",")+`]}`)); !errors.Is(err, ErrTooManyAlerts) {
		t.Errorf("101 alerts: %v, want ErrTooManyAlerts", err)
	}
	r.MaxAlerts = 2
	if _, err := r.Translate(testNow, nil, []byte(`{"alerts":[`+strings.Join(many[:3], ",")+`]}`)); !errors.Is(err, ErrTooManyAlerts) {
		t.Errorf("3 alerts, MaxAlerts 2: %v, want ErrTooManyAlerts", err)
	}
	r.MaxAlerts = 0

	// One good alert, one without an alertId, one with a severity nobody maps.
	body := `{"alerts":[` + alertJSON(0, "A") + `,{"hash":"0x01"},` + strings.Replace(alertJSON(2, "C"), "HIGH", "URGENT", 1) + `]}`
	events, err := r.Translate(testNow, nil, []byte(body))
	var pe *PartialError
	if !errors.As(err, &pe) || len(events) != 1 || pe.Total != 3 || len(pe.Failed) != 2 {
		t.Fatalf("Translate = %d events, %v; want 1 event and a PartialError of 2", len(events), err)
	}
	if !errors.Is(err, ErrMalformed) || !errors.Is(err, ErrUnknownSeverity) {
		t.Errorf("PartialError %v does not match its alerts' errors", err)
	}
	if !strings.Contains(pe.Failed[0].Error(), "alert 1 of 3") {
		t.Errorf("failure %q does not name the alert", pe.Failed[0])
	}
	if StatusCode(err) != http.StatusOK {
		t.Errorf("StatusCode(partial) = %d", StatusCode(err))
	}

	// All failing: the first failure, no PartialError.
	_, err = r.Translate(testNow, nil, []byte(`{"alerts":[{"hash":"0x01"},{"hash":"0x02"}]}`))
	if !errors.Is(err, ErrMalformed) || errors.As(err, &pe) {
		t.Errorf("all failing: %v, want ErrMalformed without a PartialError", err)
	}
	if _, err := r.Translate(testNow, nil, []byte(`{"alerts":[]}`)); !errors.Is(err, ErrNotActionable) {
		t.Errorf("empty batch: %v, want ErrNotActionable", err)
	}
}

// TestTolerantShapes feeds the shapes vendors actually send where their schemas say
// otherwise.
func TestTolerantShapes(t *testing.T) {
	r := fortaTranslateRoute()
	body := `{"alert_id":"ATTACK-DETECTOR-1","Severity":"critical","hash":"0x` + strings.Repeat("ab", 32) + `",
		"metadata":{"attacker_address":"0x2439243727ac7d0bbfa962b6f21ca47a72eeb347,0x00000000000000000000000000000000000000aa",
		"victimAddress":"0xBA12222222228D8BA445958A75A0704D566BF2C8","score":0.97,"stages":["prep","exploit"],
		"nested":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":1}}}}}}}}}},"big":"` + strings.Repeat("x", 5000) + `"},
		"labels":[{"label":"victim","entity":"0x0000000000000000000000000000000000000bbb","entityType":"ADDRESS"},
		          {"label":"attacker","entity":"0x0000000000000000000000000000000000000ccc","remove":true},
		          {"label":"attacker","entity":"0x0000000000000000000000000000000000000ddd","entityType":"TRANSACTION"}],
		"source":{"block":{"chainId":"0x89","number":"0x10"}}}`
	events, err := r.Translate(testNow, nil, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	e := events[0]
	if e.ChainID != 137 || e.Block != 16 || e.Severity != event.SeverityCritical || e.AlertType != "exploit" {
		t.Errorf("chain %d block %d severity %s type %s", e.ChainID, e.Block, e.Severity, e.AlertType)
	}
	if e.Protocol != "balancer" {
		t.Errorf("protocol = %q, want balancer (the victim)", e.Protocol)
	}
	roles := e.AddressRoles
	if len(roles[event.RoleAttacker]) != 2 || len(roles[event.RoleVictim]) != 2 {
		t.Errorf("roles = %v; want 2 attackers (comma-separated) and 2 victims (metadata and label)", roles)
	}
	for _, a := range e.Addresses {
		if a == common.HexToAddress("0xccc") || a == common.HexToAddress("0xddd") {
			t.Errorf("address %s from a removed or non-address label is in the event", a.Hex())
		}
	}
	vm := e.Metadata["vendor_metadata"].(map[string]any)
	if vm["score"] != json.Number("0.97") {
		t.Errorf("score = %#v, want the number kept", vm["score"])
	}
	if s := vm["big"].(string); len(s) != maxMetaString {
		t.Errorf("big string kept %d bytes, want %d", len(s), maxMetaString)
	}
	if e.Metadata["truncated"] != true {
		t.Error("truncated not recorded")
	}
	deep, _ := json.Marshal(vm["nested"])
	if !strings.Contains(string(deep), "(truncated)") {
		t.Errorf("nested metadata not cut: %s", deep)
	}
}

func TestEventFitsMaxSize(t *testing.T) {
	r := fortaTranslateRoute()
	md := map[string]string{}
	for i := range 60 {
		md[fmt.Sprintf("k%02d", i)] = strings.Repeat("y", 2000)
	}
	mdJSON, _ := json.Marshal(md)
	labels := make([]string, 64)
	for i := range labels {
		labels[i] = fmt.Sprintf(`{"label":"x","entity":"0x%040x","metadata":["%s"]}`, i+1, strings.Repeat("z", 1500))
	}
	body := `{"alertId":"X","severity":"LOW","hash":"0x01","metadata":` + string(mdJSON) + `,"labels":[` + strings.Join(labels, ",") + `]}`
	events, err := r.Translate(testNow, nil, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := events[0].Encode()
	if err != nil || len(enc) > event.MaxSize {
		t.Fatalf("Encode: %d bytes, %v", len(enc), err)
	}
	if events[0].Metadata["truncated"] != true {
		t.Error("truncated not recorded")
	}
}

func TestNativeSourceMustMatch(t *testing.T) {
	r := Route{Name: "custom", Adapter: Native, SkipVerify: true}
	ok := []byte(`{"id":"e1","source":"custom","chain_id":1,"severity":"high","confidence":0.5,"alert_type":"exploit","protocol":"p","timestamp":"2026-11-25T12:00:00Z"}`)
	events, err := r.Adapt(testNow, nil, ok)
	sum := sha256.Sum256(ok)
	if err != nil || len(events) != 1 || events[0].RawSHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("Adapt = %v, %v", events, err)
	}
	other := []byte(strings.Replace(string(ok), `"custom"`, `"forta"`, 1))
	if _, err := r.Adapt(testNow, nil, other); !errors.Is(err, ErrMalformed) {
		t.Errorf("another source: %v, want ErrMalformed", err)
	}
	bad := []byte(strings.Replace(string(ok), `0.5`, `1.5`, 1))
	if _, err := r.Adapt(testNow, nil, bad); !errors.Is(err, ErrMalformed) || !errors.Is(err, event.ErrInvalid) {
		t.Errorf("invalid event: %v, want ErrMalformed and event.ErrInvalid", err)
	}
}

func TestMakeIDAndCleanText(t *testing.T) {
	if got := makeID("forta", "0xabc"); got != "forta-0xabc" {
		t.Errorf("makeID = %q", got)
	}
	long := makeID("forta", strings.Repeat("a", 300))
	spaced := makeID("sec3", "an id with spaces")
	for _, id := range []string{long, spaced} {
		if !strings.Contains(id, "-sha256-") || len(id) > event.MaxIDLen {
			t.Errorf("makeID = %q, want a hashed id", id)
		}
	}
	if makeID("sec3", "an id with spaces") != spaced {
		t.Error("makeID is not stable")
	}
	for in, want := range map[string]string{
		"  Vault\n\tdrained  ":   "Vault drained",
		"a\u200db\x00c":          "abc",
		"🔴 ok":                   "🔴 ok",
		strings.Repeat("é", 150): strings.Repeat("é", 100),
	} {
		if got := cleanText(in, event.MaxTitleLen); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTimestampFallsBackToNow(t *testing.T) {
	r := fortaTranslateRoute()
	events, err := r.Translate(testNow, nil, []byte(`{"alertId":"X","severity":"LOW","hash":"0x01","createdAt":"yesterday"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !events[0].Timestamp.Equal(testNow) {
		t.Errorf("timestamp = %v, want now", events[0].Timestamp)
	}
	if _, err := r.Translate(testNow, nil, []byte(`{"alertId":"X","severity":"LOW","hash":"0x01","createdAt":"`+time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)+`"}`)); err != nil {
		t.Fatal(err)
	}
}

func TestKeyEq(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"alertId", "alert_id", true}, {"AlertID", "alertid", true}, {"event_type", "eventType", true},
		{"a-b c", "ABC", true}, {"alert", "alerts", false}, {"", "_", true}, {"x", "", false},
	} {
		if got := keyEq(tt.a, tt.b); got != tt.want || got != (normKey(tt.a) == normKey(tt.b)) {
			t.Errorf("keyEq(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
