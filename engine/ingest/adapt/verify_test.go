package adapt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// sigCase is one authentication attempt: want nil passes (and adapts), else Adapt
// must fail with want, answer 401 (or the status given) and return no event.
type sigCase struct {
	name   string
	route  Route
	now    time.Time
	body   []byte
	header http.Header
	want   error
	status int // 0: 401 when want != nil
}

func runSigCases(t *testing.T, cases []sigCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events, err := tc.route.Adapt(tc.now, tc.header, tc.body)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Adapt: %v", err)
				}
				if len(events) == 0 {
					t.Fatal("Adapt: no events")
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Adapt = %v, want %v", err, tc.want)
			}
			if events != nil {
				t.Errorf("Adapt returned %d events with %v", len(events), err)
			}
			status := tc.status
			if status == 0 {
				status = http.StatusUnauthorized
			}
			if got := StatusCode(err); got != status {
				t.Errorf("StatusCode(%v) = %d, want %d", err, got, status)
			}
			if bytes.Contains([]byte(err.Error()), testSecret) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flip returns a copy of b with one byte changed.
func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

func withHeader(h http.Header, k, v string) http.Header {
	c := h.Clone()
	if v == "" {
		c.Del(k)
	} else {
		c.Set(k, v)
	}
	return c
}

func TestVerifyOZMonitor(t *testing.T) {
	body := readTestdata(t, "vendor/oz_monitor_webhook_raw_mode_body_evm__extracted_from_docs_scripts.json")
	now := testNow
	good := ozHeaders(testSecret, body, now.Add(-time.Second))
	wrongKey := ozHeaders([]byte("another-secret"), body, now.Add(-time.Second))
	tsBad := http.Header{}
	tsBad.Set("X-Timestamp", "yesterday")
	tsBad.Set("X-Signature", hmacHex(testSecret, body, "yesterday"))
	// Headers as a NATS message carries them: not canonicalized.
	natsStyle := http.Header{"x-signature": {good.Get("X-Signature")}, "x-timestamp": {good.Get("X-Timestamp")}}
	runSigCases(t, []sigCase{
		{name: "valid", route: ozRoute(), now: now, body: body, header: good},
		{name: "valid, lower-case header keys", route: ozRoute(), now: now, body: body, header: natsStyle},
		{name: "valid at the edge of the window", route: ozRoute(), now: now, body: body, header: ozHeaders(testSecret, body, now.Add(-DefaultWindow))},
		{name: "flipped body byte", route: ozRoute(), now: now, body: flip(body, 100), header: good, want: ErrBadSignature},
		{name: "wrong key", route: ozRoute(), now: now, body: body, header: wrongKey, want: ErrBadSignature},
		{name: "stale timestamp", route: ozRoute(), now: now, body: body, header: ozHeaders(testSecret, body, now.Add(-DefaultWindow-time.Second)), want: ErrStaleTimestamp},
		{name: "future timestamp", route: ozRoute(), now: now, body: body, header: ozHeaders(testSecret, body, now.Add(DefaultWindow+time.Second)), want: ErrFutureTimestamp},
		{name: "timestamp changed after signing", route: ozRoute(), now: now, body: body, header: withHeader(good, "X-Timestamp", strconv.FormatInt(now.UnixMilli(), 10)), want: ErrBadSignature},
		{name: "timestamp not a number", route: ozRoute(), now: now, body: body, header: tsBad, want: ErrBadTimestamp},
		{name: "missing signature", route: ozRoute(), now: now, body: body, header: withHeader(good, "X-Signature", ""), want: ErrMissingSignature},
		{name: "missing timestamp", route: ozRoute(), now: now, body: body, header: withHeader(good, "X-Timestamp", ""), want: ErrMissingSignature},
		{name: "no headers", route: ozRoute(), now: now, body: body, want: ErrMissingSignature},
		{name: "signature not hex", route: ozRoute(), now: now, body: body, header: withHeader(good, "X-Signature", "zz"), want: ErrBadSignature},
		{name: "upper-case hex signature", route: ozRoute(), now: now, body: body, header: withHeader(good, "X-Signature", strings.ToUpper(good.Get("X-Signature")))},
		{name: "too large, before anything", route: ozRoute(), now: now, body: make([]byte, MaxBodySize+1), want: ErrTooLarge, status: http.StatusRequestEntityTooLarge},
	})
}

func TestVerifyNative(t *testing.T) {
	r := Route{Name: "custom", Adapter: Native, Secret: testSecret}
	body := []byte(`{"id":"evt-1","source":"custom","chain_id":1,"severity":"critical","confidence":0.95,"alert_type":"exploit","protocol":"demo-vault","timestamp":"2026-11-25T11:59:00Z"}`)
	now := testNow
	good := ozHeaders(testSecret, body, now)
	runSigCases(t, []sigCase{
		{name: "valid", route: r, now: now, body: body, header: good},
		{name: "flipped body byte", route: r, now: now, body: flip(body, 10), header: good, want: ErrBadSignature},
		{name: "wrong key", route: r, now: now, body: body, header: ozHeaders([]byte("x"), body, now), want: ErrBadSignature},
		{name: "stale timestamp", route: r, now: now, body: body, header: ozHeaders(testSecret, body, now.Add(-time.Hour)), want: ErrStaleTimestamp},
		{name: "future timestamp", route: r, now: now, body: body, header: ozHeaders(testSecret, body, now.Add(time.Hour)), want: ErrFutureTimestamp},
		{name: "missing header", route: r, now: now, body: body, want: ErrMissingSignature},
	})
}

func TestVerifyTenderly(t *testing.T) {
	body := readTestdata(t, "synthetic/tenderly_alert.json")
	now := testNow
	good := tenderlyHeaders(testSecret, body, now)
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	msHeader := http.Header{"X-Tenderly-Signature": {hmacHex(testSecret, body, ms)}, "Date": {ms}}
	runSigCases(t, []sigCase{
		{name: "valid", route: tenderlyRoute(), now: now, body: body, header: good},
		{name: "valid, date in Unix milliseconds", route: tenderlyRoute(), now: now, body: body, header: msHeader},
		{name: "flipped body byte", route: tenderlyRoute(), now: now, body: flip(body, 20), header: good, want: ErrBadSignature},
		{name: "wrong key", route: tenderlyRoute(), now: now, body: body, header: tenderlyHeaders([]byte("other"), body, now), want: ErrBadSignature},
		{name: "stale date", route: tenderlyRoute(), now: now, body: body, header: tenderlyHeaders(testSecret, body, now.Add(-10*time.Minute)), want: ErrStaleTimestamp},
		{name: "future date", route: tenderlyRoute(), now: now, body: body, header: tenderlyHeaders(testSecret, body, now.Add(10*time.Minute)), want: ErrFutureTimestamp},
		{name: "missing signature", route: tenderlyRoute(), now: now, body: body, header: withHeader(good, "X-Tenderly-Signature", ""), want: ErrMissingSignature},
		{name: "missing date", route: tenderlyRoute(), now: now, body: body, header: withHeader(good, "Date", ""), want: ErrMissingSignature},
	})
}

func TestVerifyFortaJWT(t *testing.T) {
	body := readTestdata(t, "synthetic/forta_webhook_batch.json")
	now := testNow
	scanner, stranger := secpKey(t), secpKey(t)
	r := fortaRoute(addrOf(scanner))
	bearer := func(key *ecdsa.PrivateKey, claims map[string]any) http.Header {
		return fortaBearer(t, key, now, claims)
	}
	good := bearer(scanner, nil)
	token := strings.TrimPrefix(good.Get("Authorization"), "Bearer ")
	parts := strings.Split(token, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[10] ^= 1
	tampered := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	noneHdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	runSigCases(t, []sigCase{
		{name: "valid", route: r, now: now, body: body, header: good},
		{name: "valid, lower-case scheme and key", route: r, now: now, body: body, header: http.Header{"authorization": {"bearer " + token}}},
		// Forta's token signs the scanner's identity, not the body: a changed body
		// still authenticates as long as the token is valid (see verifyForta).
		{name: "flipped body byte is not covered by the token", route: r, now: now, body: flip(body, 40), header: good},
		{name: "flipped token signature byte", route: r, now: now, body: body, header: http.Header{"Authorization": {"Bearer " + tampered}}, want: ErrBadSignature},
		{name: "flipped token claims byte", route: r, now: now, body: body, header: http.Header{"Authorization": {"Bearer " + parts[0] + "." + parts[1][:5] + "x" + parts[1][6:] + "." + parts[2]}}, want: ErrBadSignature},
		{name: "wrong key (not a pinned scanner)", route: r, now: now, body: body, header: bearer(stranger, nil), want: ErrUnknownSigner},
		{name: "sub claims the pinned scanner, signed by another key", route: r, now: now, body: body, header: bearer(stranger, map[string]any{"sub": addrOf(scanner).Hex()}), want: ErrBadSignature},
		{name: "expired", route: r, now: now, body: body, header: fortaBearer(t, scanner, now.Add(-time.Minute), nil), want: ErrStaleTimestamp},
		{name: "not valid yet", route: r, now: now, body: body, header: bearer(scanner, map[string]any{"nbf": now.Add(10 * time.Second).Unix()}), want: ErrFutureTimestamp},
		{name: "expiry beyond the window", route: r, now: now, body: body, header: bearer(scanner, map[string]any{"exp": now.Add(time.Hour).Unix()}), want: ErrFutureTimestamp},
		{name: "no exp", route: r, now: now, body: body, header: bearer(scanner, map[string]any{"exp": nil}), want: ErrBadSignature},
		{name: "alg none", route: r, now: now, body: body, header: http.Header{"Authorization": {"Bearer " + noneHdr + "." + parts[1] + "."}}, want: ErrBadSignature},
		{name: "not a bearer token", route: r, now: now, body: body, header: http.Header{"Authorization": {"Basic " + token}}, want: ErrBadSignature},
		{name: "missing header", route: r, now: now, body: body, want: ErrMissingSignature},
	})
}

func TestVerifyFortaSignedAlert(t *testing.T) {
	template := readTestdata(t, "synthetic/forta_signed_alert.json")
	scanner, stranger := secpKey(t), secpKey(t)
	r := fortaRoute(addrOf(scanner))
	now := time.Date(2023, 8, 11, 7, 7, 0, 0, time.UTC)
	good := signFortaAlert(t, scanner, template)
	edit := func(b []byte, f func(sa map[string]any)) []byte {
		var sa map[string]any
		if err := json.Unmarshal(b, &sa); err != nil {
			t.Fatal(err)
		}
		f(sa)
		out, _ := json.Marshal(sa)
		return out
	}
	alertOf := func(sa map[string]any) map[string]any { return sa["alert"].(map[string]any) }
	setTime := func(ts time.Time) []byte {
		return signFortaAlert(t, scanner, edit(template, func(sa map[string]any) { alertOf(sa)["timestamp"] = ts.Format(time.RFC3339Nano) }))
	}
	response := []byte(`{"alerts":[` + string(good) + `,` + string(good) + `],"nextPageToken":""}`)
	runSigCases(t, []sigCase{
		{name: "valid", route: r, now: now, body: good},
		{name: "valid AlertResponse of two", route: r, now: now, body: response},
		{name: "flipped byte of the signed id", route: r, now: now, body: edit(good, func(sa map[string]any) { alertOf(sa)["id"] = "0x1" + alertOf(sa)["id"].(string)[3:] }), want: ErrBadSignature},
		{name: "changed signed metadata", route: r, now: now, body: edit(good, func(sa map[string]any) { alertOf(sa)["metadata"].(map[string]any)["scanNode"] = "2" }), want: ErrBadSignature},
		{name: "wrong key (not a pinned scanner)", route: r, now: now, body: signFortaAlert(t, stranger, template), want: ErrUnknownSigner},
		{name: "signer field names someone else", route: r, now: now, body: edit(good, func(sa map[string]any) {
			sa["signature"].(map[string]any)["signer"] = addrOf(stranger).Hex()
		}), want: ErrBadSignature},
		{name: "stale timestamp", route: r, now: now, body: setTime(now.Add(-time.Hour)), want: ErrStaleTimestamp},
		{name: "future timestamp", route: r, now: now, body: setTime(now.Add(time.Hour)), want: ErrFutureTimestamp},
		{name: "missing signature", route: r, now: now, body: template, want: ErrMissingSignature},
		{name: "metadata not string to string", route: r, now: now, body: edit(good, func(sa map[string]any) { alertOf(sa)["metadata"].(map[string]any)["scanNode"] = 1 }), want: ErrBadSignature},
		{name: "one bad alert fails the response", route: r, now: now, body: []byte(`{"alerts":[` + string(good) + `,` + string(signFortaAlert(t, stranger, template)) + `]}`), want: ErrUnknownSigner},
	})
}

// TestFortaSignatureKnownAnswer checks the signature primitive against forta-core-go's
// own test vector (security/signing_test.go: SignString(testkey, ref) and
// VerifySignature): the signer of keccak256(message) is recovered from the 65-byte
// signature.
func TestFortaSignatureKnownAnswer(t *testing.T) {
	const (
		ref       = "Qmc2Dmb3wAycyeg3E7Nf6AANqDeBhiX4rdSy3ZJqg2PpMP"
		signature = "0x815136705413e8608fb33c7eab05057d1c697db2b8f8fc22e4e29c0d980002626a292cf12a863192f162c19576288c937e162301bc79dcbd006b1e76aea264b101"
		signer    = "0xeE0D82ac806efe2b9a0003a27a785458bC67bbf0"
	)
	sig, err := hex.DecodeString(strings.TrimPrefix(signature, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := recoverSigner([]byte(ref), sig)
	if err != nil {
		t.Fatal(err)
	}
	if got != common.HexToAddress(signer) {
		t.Errorf("recovered %s, want %s", got.Hex(), signer)
	}
	if got, _ := recoverSigner([]byte(ref+"x"), sig); got == common.HexToAddress(signer) {
		t.Error("a changed message recovers the same signer")
	}
}

func TestVerifyHypernative(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	r := Route{Name: "hypernative", Adapter: Hypernative, Protocol: "demo-vault",
		HypernativePublicKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}
	now := testNow
	insight := func(ts time.Time) string {
		return `{"riskInsight":{"id":"R1","chain":"ethereum","name":"Exploit","severity":"High","timestamp":"` +
			ts.Format("2006-01-02T15:04:05.000Z") + `","involvedAssets":[{"address":"0xba12222222228d8ba445958a75a0704d566bf2c8","type":"Contract","involvementType":"Victim"}]}}`
	}
	data := insight(now.Add(-time.Minute))
	good := hypernativeBody(t, key, "m1", data)
	var msg map[string]string
	_ = json.Unmarshal(good, &msg)
	tamper := func(m map[string]string) []byte { b, _ := json.Marshal(m); return b }
	flipped := map[string]string{"id": "m1", "data": strings.Replace(data, "High", "Higg", 1), "digitalSignature": msg["digitalSignature"]}
	noSig := map[string]string{"id": "m1", "data": data}
	pretty := "{\n  \"riskInsight\": {\n    \"id\": \"R2\",\n    \"chain\": \"ethereum\",\n    \"severity\": \"Low\",\n    \"timestamp\": \"" + now.Format(time.RFC3339) + "\"\n  }\n}"
	real := readTestdata(t, "vendor/hypernative_webhook_body__watchlist_ownership_changed.json")
	realNow := time.Date(2023, 9, 5, 4, 56, 53, 0, time.UTC)
	runSigCases(t, []sigCase{
		{name: "valid", route: r, now: now, body: good},
		{name: "valid, pretty-printed data", route: r, now: now, body: hypernativeBody(t, key, "m2", pretty)},
		{name: "valid, base64 DER key", route: Route{Name: "h", Adapter: Hypernative, Protocol: "p", HypernativePublicKey: base64.StdEncoding.EncodeToString(der)}, now: now, body: good},
		{name: "flipped data byte", route: r, now: now, body: tamper(flipped), want: ErrBadSignature},
		{name: "wrong key", route: r, now: now, body: hypernativeBody(t, other, "m1", data), want: ErrBadSignature},
		{name: "stale insight", route: r, now: now, body: hypernativeBody(t, key, "m1", insight(now.Add(-time.Hour))), want: ErrStaleTimestamp},
		{name: "future insight", route: r, now: now, body: hypernativeBody(t, key, "m1", insight(now.Add(time.Hour))), want: ErrFutureTimestamp},
		{name: "missing signature", route: r, now: now, body: tamper(noSig), want: ErrMissingSignature},
		{name: "real message, published key", route: hypernativeRoute(), now: realNow, body: real},
		{name: "real message, flipped byte", route: hypernativeRoute(), now: realNow, body: bytes.Replace(real, []byte("Ownership changed"), []byte("Ownership chanGed"), 1), want: ErrBadSignature},
		{name: "real message, test key", route: r, now: realNow, body: real, want: ErrBadSignature},
		{name: "real message, a day late", route: hypernativeRoute(), now: realNow.Add(24 * time.Hour), body: real, want: ErrStaleTimestamp},
	})
}

func TestVerifySec3(t *testing.T) {
	body := readTestdata(t, "vendor/sec3_watchtower_webhook_alert__docs.json")
	now := time.Date(2022, 12, 6, 17, 11, 0, 0, time.UTC)
	h := func(v string) http.Header { return http.Header{"X-Watchtower-Secret": {v}} }
	at := func(ts time.Time) []byte {
		return bytes.Replace(body, []byte("2022-12-06T17:10:21.672Z"), []byte(ts.Format(time.RFC3339Nano)), 1)
	}
	runSigCases(t, []sigCase{
		{name: "valid", route: sec3Route(), now: now, body: body, header: h(string(testSecret))},
		{name: "wrong secret", route: sec3Route(), now: now, body: body, header: h("guess"), want: ErrBadSignature},
		{name: "secret with a flipped byte", route: sec3Route(), now: now, body: body, header: h(string(flip(testSecret, 3))), want: ErrBadSignature},
		{name: "stale created_at", route: sec3Route(), now: now, body: at(now.Add(-time.Hour)), header: h(string(testSecret)), want: ErrStaleTimestamp},
		{name: "future created_at", route: sec3Route(), now: now, body: at(now.Add(time.Hour)), header: h(string(testSecret)), want: ErrFutureTimestamp},
		{name: "missing header", route: sec3Route(), now: now, body: body, want: ErrMissingSignature},
	})
}

// TestVerifyBeforeParse checks that authentication comes first: a body that would
// not parse is refused for its signature, never for its shape.
func TestVerifyBeforeParse(t *testing.T) {
	garbage := []byte("not json at all")
	for _, r := range []Route{ozRoute(), tenderlyRoute(), fortaRoute(common.Address{1}), sec3Route(), {Name: "n", Adapter: Native, Secret: testSecret}} {
		t.Run(string(r.Adapter), func(t *testing.T) {
			_, err := r.Adapt(testNow, nil, garbage)
			if !errors.Is(err, ErrMissingSignature) {
				t.Errorf("Adapt(garbage, no headers) = %v, want ErrMissingSignature", err)
			}
		})
	}
}
