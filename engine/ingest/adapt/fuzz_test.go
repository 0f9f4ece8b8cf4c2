package adapt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// The fuzz tests feed each adapter arbitrary bodies, both unverified (Translate) and
// correctly signed (Adapt), so the parser is reached behind the verification. Any
// outcome must be bounded: no panic, at most MaxAlerts valid events that encode within
// event.MaxSize, or an error that is one of the package's (Reason is not "internal")
// with a bounded message.

func checkOutcome(t *testing.T, r *Route, body []byte, events []event.Event, err error) {
	t.Helper()
	var pe *PartialError
	if err != nil && !errors.As(err, &pe) {
		if len(events) != 0 {
			t.Fatalf("%d events with error %v", len(events), err)
		}
		if Reason(err) == "internal" {
			t.Fatalf("error matches no sentinel: %v", err)
		}
		if n := len(err.Error()); n > 2000 {
			t.Fatalf("error is %d bytes", n)
		}
		return
	}
	if len(events) == 0 || len(events) > r.maxAlerts() {
		t.Fatalf("%d events", len(events))
	}
	for _, e := range events {
		if err := e.Validate(); err != nil {
			t.Fatalf("invalid event: %v", err)
		}
		enc, err := e.Encode()
		if err != nil || len(enc) > event.MaxSize {
			t.Fatalf("Encode: %d bytes, %v", len(enc), err)
		}
		if e.Source != r.source() {
			t.Fatalf("source %q", e.Source)
		}
	}
}

func seedFiles(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, err := filepath.Glob(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			f.Add(readTestdata(f, file[len("testdata/"):]))
		}
	}
}

func FuzzForta(f *testing.F) {
	seedFiles(f, "vendor/forta_*", "synthetic/forta_*")
	f.Add([]byte(`[{"alertId":"A","severity":3,"type":1}]`))
	f.Add([]byte(`{"alert":{"id":"x","timestamp":"t","finding":{"alertId":"A"}},"signature":{"signature":"0x00"}}`))
	key := detKey("fuzz scanner")
	open := fortaTranslateRoute()
	signed := fortaRoute(addrOf(key))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := open.Translate(testNow, nil, body)
		checkOutcome(t, &open, body, events, err)
		events, err = signed.Adapt(testNow, fortaBearer(t, key, testNow, nil), body)
		checkOutcome(t, &signed, body, events, err)
	})
}

func FuzzOZMonitor(f *testing.F) {
	seedFiles(f, "vendor/oz_monitor_*")
	f.Add([]byte(`{"title":"0x2439243727ac7d0bbfa962b6f21ca47a72eeb347","body":"tx 0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0"}`))
	f.Add([]byte(`{"Stellar":{}}`))
	r := ozRoute()
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := r.Adapt(testNow, ozHeaders(testSecret, body, testNow), body)
		checkOutcome(t, &r, body, events, err)
	})
}

func FuzzTenderly(f *testing.F) {
	seedFiles(f, "synthetic/tenderly_*")
	f.Add([]byte(`{"id":"x","event_type":"ALERT","transaction":{"network":"polygon","logs":[{"address":1}]}}`))
	r := tenderlyRoute()
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := r.Adapt(testNow, tenderlyHeaders(testSecret, body, testNow), body)
		checkOutcome(t, &r, body, events, err)
	})
}

func FuzzHypernative(f *testing.F) {
	seedFiles(f, "vendor/hypernative_*")
	f.Add([]byte(`{"riskInsight":{"id":"R","chain":"ethereum","severity":"High","timestamp":"2026-11-25T12:00:00Z"}}`))
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	signed := Route{Name: "hypernative", Adapter: Hypernative, Protocol: "demo-vault", ChainID: 1,
		HypernativePublicKey: base64.StdEncoding.EncodeToString(der), Window: 100 * 365 * 24 * time.Hour}
	open := signed
	open.SkipVerify = true
	f.Fuzz(func(t *testing.T, data []byte) {
		// data as a whole body, unverified, and as the signed data string of a message.
		events, err := open.Translate(testNow, nil, data)
		checkOutcome(t, &open, data, events, err)
		body := hypernativeBody(t, key, "m", string(data))
		events, err = signed.Adapt(testNow, nil, body)
		checkOutcome(t, &signed, body, events, err)
	})
}

func FuzzSec3(f *testing.F) {
	seedFiles(f, "vendor/sec3_*")
	f.Add([]byte(`{"id":"1","severity":"CRITICAL","targets":["a"],"args":{"n":[1,{"x":null}]}}`))
	r := sec3Route()
	r.Window = 100 * 365 * 24 * time.Hour
	h := http.Header{"X-Watchtower-Secret": {string(testSecret)}}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := r.Adapt(testNow, h, body)
		checkOutcome(t, &r, body, events, err)
	})
}

func FuzzNative(f *testing.F) {
	f.Add([]byte(`{"id":"e1","source":"custom","chain_id":1,"severity":"high","confidence":0.5,"alert_type":"exploit","protocol":"p","timestamp":"2026-11-25T12:00:00Z"}`))
	f.Add([]byte(`{"id":"e1","source":"other"}`))
	r := Route{Name: "custom", Adapter: Native, Secret: testSecret}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := r.Adapt(testNow, ozHeaders(testSecret, body, testNow), body)
		checkOutcome(t, &r, body, events, err)
	})
}
