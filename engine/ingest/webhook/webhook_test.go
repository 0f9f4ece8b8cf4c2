package webhook

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// post sends one request to the ingress's handler and decodes the answer.
func (e *env) post(route string, header http.Header, body []byte) (int, Response, http.Header) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/alerts/"+route, bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	var resp Response
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			e.t.Fatalf("answer is not JSON: %v: %s", err, rec.Body)
		}
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		e.t.Errorf("answer Content-Type %q, want application/json", ct)
	}
	return rec.Code, resp, rec.Header()
}

func TestValidWebhookIsStoredOnceAndAnswered200(t *testing.T) {
	e := newEnv(t, config.IngressOptions{}, nil, nil)
	body := ozBody(1)
	code, resp, _ := e.post("oz", ozHeaders(testSecret, body, e.now), body)
	if code != http.StatusOK || resp.Status != "stored" || len(resp.Events) != 1 || resp.Events[0].Duplicate {
		t.Fatalf("answer %d %+v, want 200 with one new stored event", code, resp)
	}
	id := resp.Events[0].ID
	if want := "oz-vault-drain-0x" + strings.Repeat("0", 63) + "1"; id != want {
		t.Errorf("event id %q, want %q (from the monitor and the transaction)", id, want)
	}
	if n := e.subjectCount("detections.oz"); n != 1 {
		t.Fatalf("detections.oz holds %d messages, want 1", n)
	}
	s, _ := e.js.Stream(e.ctx, ingest.Stream)
	m, err := s.GetMsg(e.ctx, resp.Events[0].StreamSeq)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := event.Decode(m.Data)
	if err != nil {
		t.Fatalf("the stored message is not an event: %v", err)
	}
	if ev.ID != id || ev.Protocol != "demo" || ev.Severity != event.SeverityCritical || ev.AlertType != "exploit" || ev.RawSHA256 == "" {
		t.Errorf("stored event %+v", ev)
	}
	if m.Header.Get("Nats-Msg-Id") != id {
		t.Errorf("Nats-Msg-Id %q, want the event id %q", m.Header.Get("Nats-Msg-Id"), id)
	}

	// The detector retries (signing again, later): the same event, stored once.
	e.now = e.now.Add(time.Second)
	code, resp, _ = e.post("oz", ozHeaders(testSecret, body, e.now), body)
	if code != http.StatusOK || len(resp.Events) != 1 || !resp.Events[0].Duplicate || resp.Events[0].ID != id {
		t.Fatalf("retry answered %d %+v, want 200 naming the same event as a duplicate", code, resp)
	}
	if n := e.subjectCount("detections.oz"); n != 1 {
		t.Errorf("after a retry detections.oz holds %d messages, want 1", n)
	}
	if dl, calls := e.deadLetters(), e.audit.all(); len(dl) != 0 || len(calls) != 0 {
		t.Errorf("a valid webhook made %d dead letters and %d audit calls", len(dl), len(calls))
	}
}

// Every refusal: its status and reason, a dead letter with the payload and the
// specific reason, one audit record pointing at it, and no event in the stream.
func TestRefusalsAreDeadLetteredAndAudited(t *testing.T) {
	stale := time.Now().Add(-10 * time.Minute)
	big := bytes.Repeat([]byte("x"), adapt.MaxBodySize+1)
	flipped := ozBody(2)
	flippedHeader := ozHeaders(testSecret, flipped, time.Now())
	flipped = bytes.Replace(flipped, []byte("Vault"), []byte("Vaulu"), 1)
	notJSON := []byte("definitely not json")
	noContentType := ozHeaders(testSecret, ozBody(7), time.Now())
	noContentType.Del("Content-Type")
	tests := []struct {
		name       string
		route      string
		header     http.Header
		body       []byte
		status     int
		reason     string
		wantDetail string // in the dead letter's reason
		truncated  bool
	}{
		{"flipped body byte", "oz", flippedHeader, flipped, 401, "bad-signature", "does not match", false},
		{"wrong key", "oz", ozHeaders([]byte("another-secret"), ozBody(3), time.Now()), ozBody(3), 401, "bad-signature", "does not match", false},
		{"missing signature", "oz", http.Header{"Content-Type": {"application/json"}}, ozBody(4), 401, "missing-signature", "no X-Signature", false},
		{"stale timestamp", "oz", ozHeaders(testSecret, ozBody(5), stale), ozBody(5), 401, "stale-timestamp", "old, more than the 5m0s window", false},
		{"future timestamp", "oz", ozHeaders(testSecret, ozBody(5), time.Now().Add(10*time.Minute)), ozBody(5), 401, "future-timestamp", "ahead", false},
		{"malformed", "oz", ozHeaders(testSecret, notJSON, time.Now()), notJSON, 400, "malformed", "malformed", false},
		{"too large", "oz", ozHeaders(testSecret, big, time.Now()), big, 413, "too-large", "larger", true},
		{"text/plain", "oz", func() http.Header {
			h := ozHeaders(testSecret, ozBody(6), time.Now())
			h.Set("Content-Type", "text/plain")
			return h
		}(), ozBody(6), 415, "unsupported-media-type", "want application/json", false},
		{"latin-1 JSON", "oz", func() http.Header {
			h := ozHeaders(testSecret, ozBody(6), time.Now())
			h.Set("Content-Type", "application/json; charset=iso-8859-1")
			return h
		}(), ozBody(6), 415, "unsupported-media-type", "JSON is UTF-8", false},
		{"no content type", "oz", noContentType, ozBody(7), 415, "unsupported-media-type", "no Content-Type", false},
		{"unknown protocol", "oz-noproto", ozHeaders(testSecret, ozBody(8), time.Now()), ozBody(8), 422, "unknown-protocol", "no default protocol", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, config.IngressOptions{}, nil, nil)
			e.now = time.Now()
			code, resp, _ := e.post(tc.route, tc.header, tc.body)
			if code != tc.status || resp.Status != "rejected" || resp.Reason != tc.reason {
				t.Fatalf("answer %d %+v, want %d %s", code, resp, tc.status, tc.reason)
			}
			if code == 401 && strings.Contains(resp.Message, tc.wantDetail) {
				t.Errorf("a 401 tells the unauthenticated sender why: %q", resp.Message)
			}
			src := "detections." + tc.route
			if n := e.subjectCount(src); n != 0 {
				t.Errorf("%s holds %d events after a refusal", src, n)
			}
			dl := e.deadLetters()
			if len(dl) != 1 {
				t.Fatalf("%d dead letters, want 1", len(dl))
			}
			h := dl[0].Header
			if h.Get(ingest.HeaderReasonCode) != tc.reason || !strings.Contains(h.Get(ingest.HeaderReason), tc.wantDetail) {
				t.Errorf("dead letter reason %q (%s), want %s naming %q", h.Get(ingest.HeaderReason), h.Get(ingest.HeaderReasonCode), tc.reason, tc.wantDetail)
			}
			if h.Get(ingest.HeaderRoute) != tc.route || h.Get(ingest.HeaderOriginalSubject) != src {
				t.Errorf("dead letter route %q subject %q", h.Get(ingest.HeaderRoute), h.Get(ingest.HeaderOriginalSubject))
			}
			if tc.truncated {
				if h.Get(ingest.HeaderBodyTruncated) != "true" || len(dl[0].Data) != ingest.MaxDeadLetterBody {
					t.Errorf("dead letter of an oversized body: truncated %q, %d bytes", h.Get(ingest.HeaderBodyTruncated), len(dl[0].Data))
				}
			} else if !bytes.Equal(dl[0].Data, tc.body) || h.Get(ingest.HeaderBodyTruncated) != "" || h.Get(ingest.HeaderBodySize) != strconv.Itoa(len(tc.body)) {
				t.Errorf("dead letter body %q (size header %s), want the request body", dl[0].Data, h.Get(ingest.HeaderBodySize))
			}
			calls := e.audit.all()
			if len(calls) != 1 {
				t.Fatalf("%d audit calls, want 1", len(calls))
			}
			c := calls[0]
			if c.Subject != "POST /v1/alerts/"+tc.route || strconv.FormatUint(c.Seq, 10) != dl[0].Reply || !strings.HasPrefix(c.Reason, tc.reason+": ") {
				t.Errorf("audit call %s seq %d reason %q; dead letter at %s", c.Subject, c.Seq, c.Reason, dl[0].Reply)
			}
			if strings.Contains(c.Reason, string(testSecret)) || strings.Contains(h.Get(ingest.HeaderReason), string(testSecret)) {
				t.Error("the route's secret is in a reason")
			}

			// The same refused request again: stored and audited once.
			e.post(tc.route, tc.header, tc.body)
			if n, m := len(e.deadLetters()), len(e.audit.all()); n != 1 || m != 1 {
				t.Errorf("the same refusal twice: %d dead letters, %d audit calls; want 1 and 1", n, m)
			}
		})
	}
}

func TestUnknownRouteIs404WithoutDeadLetter(t *testing.T) {
	e := newEnv(t, config.IngressOptions{}, nil, nil)
	body := ozBody(1)
	for _, route := range []string{"nope", "OZ", "oz.", "oz%00"} {
		code, resp, _ := e.post(route, ozHeaders(testSecret, body, e.now), body)
		if code != http.StatusNotFound || resp.Reason != "unknown-route" {
			t.Errorf("route %q: answer %d %+v, want 404 unknown-route", route, code, resp)
		}
	}
	for _, path := range []string{"/v1/alerts/oz/", "/v1/alerts/", "/v1/alerts/oz/x"} {
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
		if rec.Code != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, rec.Code)
		}
	}
	if dl, calls := e.deadLetters(), e.audit.all(); len(dl) != 0 || len(calls) != 0 {
		t.Errorf("unknown routes made %d dead letters and %d audit calls, want none", len(dl), len(calls))
	}
}

func TestGetOnRouteAnswers200(t *testing.T) {
	e := newEnv(t, config.IngressOptions{}, nil, nil)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/v1/alerts/tenderly", 200},
		{http.MethodHead, "/v1/alerts/tenderly", 200},
		{http.MethodGet, "/v1/alerts/nope", 404},
		{http.MethodPut, "/v1/alerts/tenderly", 405},
		{http.MethodDelete, "/v1/alerts/tenderly", 405},
	} {
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.want)
		}
	}
}

func TestTenderlyTestDeliveryIsIgnored(t *testing.T) {
	e := newEnv(t, config.IngressOptions{}, nil, nil)
	body, err := os.ReadFile("../adapt/testdata/synthetic/tenderly_test.json")
	if err != nil {
		t.Fatal(err)
	}
	code, resp, _ := e.post("tenderly", tenderlyHeaders(testSecret, body, e.now), body)
	if code != http.StatusOK || resp.Status != "ignored" || resp.Reason != "not-actionable" || len(resp.Events) != 0 {
		t.Fatalf("answer %d %+v, want 200 ignored", code, resp)
	}
	if n, dl := e.subjectCount("detections.tenderly"), e.deadLetters(); n != 0 || len(dl) != 0 {
		t.Errorf("a TEST delivery stored %d events and %d dead letters", n, len(dl))
	}
	// The same TEST with a bad signature is a refusal, not a test.
	code, resp, _ = e.post("tenderly", tenderlyHeaders([]byte("other"), body, e.now), body)
	if code != http.StatusUnauthorized || resp.Reason != "bad-signature" {
		t.Errorf("unsigned TEST answered %d %+v", code, resp)
	}
}

// A Forta batch with one alert that cannot be used: the usable one is stored, the
// payload is dead-lettered for the other, and the answer is 200 naming both.
func TestPartialBatchStoresWhatAdapted(t *testing.T) {
	e := newEnv(t, config.IngressOptions{}, nil, nil)
	body := []byte(`{"alerts":[` +
		`{"hash":"0x1111111111111111111111111111111111111111111111111111111111111111","alertId":"ATTACK-DETECTOR-2","name":"attack","severity":"CRITICAL","findingType":"EXPLOIT","source":{"block":{"chainId":31337}}},` +
		`{"hash":"0x2222222222222222222222222222222222222222222222222222222222222222","name":"no alert id","severity":"CRITICAL"}` +
		`],"metrics":[]}`)
	h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + fortaJWT(t, fortaKey, e.now)}}
	code, resp, _ := e.post("forta", h, body)
	if code != http.StatusOK || len(resp.Events) != 1 || len(resp.Failed) != 1 || !strings.HasPrefix(resp.Failed[0], "malformed: ") {
		t.Fatalf("answer %d %+v, want 200 with one event stored and one failure", code, resp)
	}
	if n := e.subjectCount("detections.forta"); n != 1 {
		t.Errorf("detections.forta holds %d, want 1", n)
	}
	dl := e.deadLetters()
	if len(dl) != 1 || dl[0].Header.Get(ingest.HeaderReasonCode) != "partial" || len(e.audit.all()) != 1 {
		t.Fatalf("%d dead letters (%v), %d audit calls; want one partial of each", len(dl), dl, len(e.audit.all()))
	}

	// A JWT from a scan node the route does not pin is refused whole.
	other, err := gethcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	h.Set("Authorization", "Bearer "+fortaJWT(t, other, e.now))
	if code, resp, _ := e.post("forta", h, body); code != 401 || resp.Reason != "unknown-signer" {
		t.Errorf("unpinned scanner: %d %+v, want 401 unknown-signer", code, resp)
	}
}

func TestBusyIs503(t *testing.T) {
	var bp *blockingPublisher
	e := newEnv(t, config.IngressOptions{MaxConcurrent: 1}, nil, func(p ingest.MsgPublisher) ingest.MsgPublisher {
		bp = &blockingPublisher{MsgPublisher: p, entered: make(chan struct{}, 1), release: make(chan struct{})}
		return bp
	})
	body := ozBody(1)
	var wg sync.WaitGroup
	wg.Add(1)
	var first int
	go func() {
		defer wg.Done()
		first, _, _ = e.post("oz", ozHeaders(testSecret, body, e.now), body)
	}()
	<-bp.entered // the first request holds the only slot, storing its event
	code, resp, h := e.post("oz", ozHeaders(testSecret, ozBody(2), e.now), ozBody(2))
	if code != http.StatusServiceUnavailable || resp.Reason != "busy" || h.Get("Retry-After") == "" {
		t.Errorf("second request while full: %d %+v (Retry-After %q), want 503 busy", code, resp, h.Get("Retry-After"))
	}
	close(bp.release)
	wg.Wait()
	if first != http.StatusOK {
		t.Errorf("first request: %d, want 200", first)
	}
}

// When the stream cannot take the event, the detector is told to retry: nothing is
// answered 2xx that is not stored, and a refusal whose dead letter cannot be written
// is not answered 4xx either.
func TestStoreUnavailableIs503(t *testing.T) {
	e := newEnv(t, config.IngressOptions{}, nil, func(p ingest.MsgPublisher) ingest.MsgPublisher { return failingPublisher{p} })
	body := ozBody(1)
	code, resp, h := e.post("oz", ozHeaders(testSecret, body, e.now), body)
	if code != http.StatusServiceUnavailable || resp.Reason != "store-unavailable" || h.Get("Retry-After") == "" {
		t.Errorf("valid webhook, stream down: %d %+v, want 503", code, resp)
	}
	code, resp, _ = e.post("oz", ozHeaders([]byte("wrong"), body, e.now), body)
	if code != http.StatusServiceUnavailable || resp.Reason != "store-unavailable" {
		t.Errorf("refused webhook, stream down: %d %+v, want 503", code, resp)
	}
	if len(e.audit.all()) != 0 {
		t.Error("a refusal that was not dead-lettered was audited")
	}
}

// The server itself: a real listener on a free port, with TLS, timeouts set, and a
// request that arrives while it shuts down still answered.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	e := newEnv(t, config.IngressOptions{Listen: "127.0.0.1:0", TLS: config.IngressTLSOptions{CertFile: certFile, KeyFile: keyFile}}, nil, nil)
	if err := e.srv.Listen(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.srv.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %q", e.srv.URL())
	}
	if e.srv.srv.ReadHeaderTimeout == 0 || e.srv.srv.ReadTimeout == 0 || e.srv.srv.WriteTimeout == 0 || e.srv.srv.IdleTimeout == 0 {
		t.Errorf("server timeouts not all set: %+v", e.srv.srv)
	}
	ctx, stop := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx) }()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	body := ozBody(9)
	e.now = time.Now()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL()+"/v1/alerts/oz", bytes.NewReader(body))
	req.Header = ozHeaders(testSecret, body, e.now)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.TLS == nil {
		t.Fatalf("HTTPS POST: %d (TLS %v)", res.StatusCode, res.TLS != nil)
	}
	// Plain HTTP on the TLS port never reaches a route.
	if res, err := http.Get("http" + strings.TrimPrefix(e.srv.URL(), "https") + "/v1/alerts/oz"); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP on the TLS port: %d, want 400", res.StatusCode)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// A body of unannounced length is cut at the limit as it is read.
func TestChunkedBodyOverLimitIs413(t *testing.T) {
	e := newEnv(t, config.IngressOptions{}, nil, nil)
	big := bytes.Repeat([]byte("y"), adapt.MaxBodySize+10)
	req := httptest.NewRequest(http.MethodPost, "/v1/alerts/oz", io.NopCloser(bytes.NewReader(big)))
	req.ContentLength = -1
	req.Header = ozHeaders(testSecret, big, e.now)
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("%d, want 413", rec.Code)
	}
	dl := e.deadLetters()
	if len(dl) != 1 || dl[0].Header.Get(ingest.HeaderBodyTruncated) != "true" || dl[0].Header.Get(ingest.HeaderReasonCode) != "too-large" {
		t.Fatalf("dead letters %v, want one truncated too-large", dl)
	}
}

func TestListenRefusesBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	e := newEnv(t, config.IngressOptions{Listen: ln.Addr().String()}, nil, nil)
	if err := e.srv.Listen(); err == nil {
		t.Fatal("Listen on a busy port succeeded")
	}
}

func TestNewRefusesInvalidRoutes(t *testing.T) {
	js := failingPublisher{}
	public := config.IngressOptions{Listen: "0.0.0.0:8443", InsecureHTTP: true}
	if _, err := New(public, []adapt.Route{{Name: "x", Adapter: adapt.Native, SkipVerify: true}}, js, nil, quietLog(), nil); err == nil {
		t.Error("New accepted an unverified route on a public listener")
	}
	for _, routes := range [][]adapt.Route{
		{{Name: "oz", Adapter: adapt.OZMonitor, Severity: event.SeverityHigh, ChainID: 1}},                           // no secret
		{{Name: "Bad Name", Adapter: adapt.Native, SkipVerify: true}},                                                // name
		{{Name: "x", Adapter: adapt.Native, SkipVerify: true}, {Name: "x", Adapter: adapt.Native, SkipVerify: true}}, // twice
	} {
		if _, err := New(config.IngressOptions{}, routes, js, nil, quietLog(), nil); err == nil {
			t.Errorf("New accepted %+v", routes)
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a pool
// trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "firebreak test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
