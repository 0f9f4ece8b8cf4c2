package adapt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/event"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testNow is the arrival time of the fixtures whose own times do not matter.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var (
	usdc          = common.HexToAddress("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")
	balancerVault = common.HexToAddress("0xba12222222228d8ba445958a75a0704d566bf2c8")
)

// The routes of the fixture tests.
func fortaTranslateRoute() Route {
	return Route{Name: "forta", Adapter: Forta, SkipVerify: true, Protocol: "demo-vault", ChainID: 1,
		Contracts: map[common.Address]string{balancerVault: "balancer"}}
}

func fortaRoute(scanners ...common.Address) Route {
	return Route{Name: "forta", Adapter: Forta, FortaScanners: scanners, Protocol: "demo-vault",
		Contracts: map[common.Address]string{balancerVault: "balancer"}}
}

func ozRoute() Route {
	return Route{Name: "oz-monitor", Adapter: OZMonitor, Secret: testSecret, Severity: event.SeverityHigh,
		ChainID: 1, Protocol: "demo-vault", Contracts: map[common.Address]string{usdc: "usdc"}}
}

func tenderlyRoute() Route {
	return Route{Name: "tenderly", Adapter: Tenderly, Secret: testSecret, Severity: event.SeverityMedium,
		Protocol: "demo-vault", Contracts: map[common.Address]string{usdc: "usdc"}}
}

func hypernativeRoute() Route {
	return Route{Name: "hypernative", Adapter: Hypernative, Protocol: "demo-vault"}
}

func sec3Route() Route {
	return Route{Name: "sec3", Adapter: Sec3, Secret: testSecret, SecretHeader: "X-Watchtower-Secret",
		ChainID: 900, Protocol: "my-token"}
}

// fortaSignedKey is the scan node of the signed-alert fixture: deterministic, so that
// its signature, and so the body's hash, are stable in the golden file.
var fortaSignedKey = detKey("firebreak adapt test scan node")

type fixture struct {
	file  string                                                // under testdata/
	route func() Route                                          // the route it arrives on
	now   time.Time                                             // arrival
	sign  func(t testing.TB, body []byte) ([]byte, http.Header) // nil: sent as is, no headers
	want  error                                                 // nil: events; else the sentinel it is refused with
}

func fixtures() []fixture {
	ozSign := func(t testing.TB, body []byte) ([]byte, http.Header) {
		return body, ozHeaders(testSecret, body, testNow.Add(-2*time.Second))
	}
	jwtKey := detKey("firebreak adapt test webhook scanner")
	return []fixture{
		// Forta, as published: unsigned shapes, read on a route that SkipVerify.
		{file: "vendor/forta_alert__attack_detector_ATTACK-DETECTOR-2.json", route: fortaTranslateRoute, now: testNow},
		{file: "vendor/forta_graphql_alerts_response__early_attack_detector_EARLY-AD-INFO.json", route: fortaTranslateRoute, now: testNow},
		{file: "vendor/forta_graphql_alerts_response__forta-core-go_client_test.json", route: fortaTranslateRoute, now: testNow},
		{file: "vendor/forta_graphql_labels_response__scam_detector_SOFT-RUG-PULL.json", route: fortaTranslateRoute, now: testNow, want: ErrNotActionable},
		{file: "vendor/forta_sdk_finding__scam_notifier_SCAM-NOTIFIER-EOA.json", route: fortaTranslateRoute, now: testNow},
		{file: "vendor/forta_webhook_swagger__forta-core-go_protocol_webhook_swagger.yml", route: fortaTranslateRoute, now: testNow, want: ErrMalformed},
		// Forta, authenticated: the webhook batch with a scanner JWT, a signed alert.
		{file: "synthetic/forta_webhook_batch.json", route: func() Route { return fortaRoute(addrOf(jwtKey)) }, now: testNow,
			sign: func(t testing.TB, body []byte) ([]byte, http.Header) {
				return body, fortaBearer(t, jwtKey, testNow, map[string]any{"localMode": "true"})
			}},
		{file: "synthetic/forta_webhook_metrics_only.json", route: func() Route { return fortaRoute(addrOf(jwtKey)) }, now: testNow, want: ErrNotActionable,
			sign: func(t testing.TB, body []byte) ([]byte, http.Header) {
				return body, fortaBearer(t, jwtKey, testNow, nil)
			}},
		{file: "synthetic/forta_signed_alert.json", route: func() Route { return fortaRoute(addrOf(fortaSignedKey)) },
			now: time.Date(2023, 8, 11, 7, 7, 0, 0, time.UTC),
			sign: func(t testing.TB, body []byte) ([]byte, http.Header) {
				return signFortaAlert(t, fortaSignedKey, body), nil
			}},

		// Hypernative: the two signed examples verify with the published key.
		{file: "vendor/hypernative_webhook_body__custom_agent_bridge_imbalance.json", route: hypernativeRoute,
			now: time.Date(2024, 5, 15, 9, 21, 0, 0, time.UTC)},
		{file: "vendor/hypernative_webhook_body__watchlist_ownership_changed.json", route: hypernativeRoute,
			now: time.Date(2023, 9, 5, 4, 56, 53, 0, time.UTC)},
		// The alerts API response is unsigned: read on a route that SkipVerify.
		{file: "vendor/hypernative_get_alerts_response__repaired.json", route: func() Route {
			r := hypernativeRoute()
			r.SkipVerify = true
			return r
		}, now: testNow},
		{file: "vendor/hypernative_get_alerts_response__published_verbatim.txt", route: hypernativeRoute, now: testNow, want: ErrMalformed},

		// OpenZeppelin Monitor, signed with the route's secret as the monitor would.
		{file: "vendor/oz_monitor_webhook_raw_mode_body_evm__extracted_from_docs_scripts.json", route: ozRoute, now: testNow, sign: ozSign},
		{file: "vendor/oz_monitor_filter_script_input_evm__docs_scripts.json", route: ozRoute, now: testNow, sign: ozSign},
		{file: "vendor/oz_monitor_webhook_template_mode_body__docs_index.json", route: ozRoute, now: testNow, sign: ozSign},
		{file: "vendor/oz_monitor_config__examples_evm_transfer_usdc.json", route: ozRoute, now: testNow, sign: ozSign, want: ErrMalformed},
		{file: "vendor/oz_monitor_trigger_config__examples_webhook_notifications.json", route: ozRoute, now: testNow, sign: ozSign, want: ErrMalformed},

		// Tenderly (synthetic bodies: no example is published).
		{file: "synthetic/tenderly_alert.json", route: tenderlyRoute, now: testNow,
			sign: func(t testing.TB, body []byte) ([]byte, http.Header) {
				return body, tenderlyHeaders(testSecret, body, testNow.Add(-time.Second))
			}},
		{file: "synthetic/tenderly_test.json", route: tenderlyRoute, now: testNow, want: ErrNotActionable,
			sign: func(t testing.TB, body []byte) ([]byte, http.Header) {
				return body, tenderlyHeaders(testSecret, body, testNow)
			}},

		// Sec3 WatchTower, with the shared secret.
		{file: "vendor/sec3_watchtower_webhook_alert__docs.json", route: sec3Route,
			now: time.Date(2022, 12, 6, 17, 11, 0, 0, time.UTC),
			sign: func(t testing.TB, body []byte) ([]byte, http.Header) {
				h := http.Header{}
				h.Set("X-Watchtower-Secret", string(testSecret))
				return body, h
			}},
	}
}

// TestFixtures adapts every payload in testdata/vendor and testdata/synthetic on its
// route and compares the events (or the refusal) with testdata/golden. Run with
// -update to rewrite the golden files after a deliberate change.
func TestFixtures(t *testing.T) {
	seen := map[string]bool{}
	for _, fx := range fixtures() {
		seen[fx.file] = true
		t.Run(filepath.Base(fx.file), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", fx.file))
			if err != nil {
				t.Fatal(err)
			}
			var h http.Header
			if fx.sign != nil {
				body, h = fx.sign(t, body)
			}
			r := fx.route()
			events, err := r.Adapt(fx.now, h, body)
			if fx.want != nil {
				if !errors.Is(err, fx.want) || len(events) != 0 {
					t.Fatalf("Adapt = %d events, %v; want %v", len(events), err, fx.want)
				}
			} else if err != nil {
				t.Fatalf("Adapt: %v", err)
			}
			sum := sha256.Sum256(body)
			for _, e := range events {
				if err := e.Validate(); err != nil {
					t.Errorf("event %s is invalid: %v", e.ID, err)
				}
				if e.RawSHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("event %s: raw_sha256 %s is not the body's", e.ID, e.RawSHA256)
				}
			}
			checkGolden(t, fx.file, golden(t, events, err))

			// The same delivery again yields the same events: IDs are stable.
			again, err2 := r.Adapt(fx.now, h, body)
			if (err == nil) != (err2 == nil) || len(again) != len(events) {
				t.Fatalf("second Adapt differs: %v / %v", err, err2)
			}
			for i := range again {
				if again[i].ID != events[i].ID {
					t.Errorf("ID %s then %s", events[i].ID, again[i].ID)
				}
			}
		})
	}
	for _, dir := range []string{"vendor", "synthetic"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, f := range files {
			rel := dir + "/" + filepath.Base(f)
			if strings.HasSuffix(f, ".md") {
				continue
			}
			if !seen[rel] {
				t.Errorf("testdata/%s has no case in fixtures()", rel)
			}
		}
	}
}

// golden renders the outcome of Adapt for a golden file.
func golden(t *testing.T, events []event.Event, err error) []byte {
	t.Helper()
	var out struct {
		Events []json.RawMessage `json:"events,omitempty"`
		Error  string            `json:"error,omitempty"`
		Status int               `json:"status"`
		Reason string            `json:"reason,omitempty"`
	}
	for _, e := range events {
		b, encErr := e.Encode()
		if encErr != nil {
			t.Fatalf("Encode %s: %v", e.ID, encErr)
		}
		out.Events = append(out.Events, b)
	}
	if err != nil {
		out.Error = err.Error()
		out.Reason = Reason(err)
	}
	out.Status = StatusCode(err)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	name := strings.TrimSuffix(strings.ReplaceAll(file, "/", "__"), filepath.Ext(file)) + ".golden.json"
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestFixtures -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update if the change is intended):\n%s", path, diffLines(string(want), string(got)))
	}
}

// diffLines shows the first differing lines.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n want " + wl + "\n  got " + gl
		}
	}
	return ""
}
