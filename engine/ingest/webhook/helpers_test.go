package webhook

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

var testSecret = []byte("whsec-webhook-test-0123456789")

// auditCall is one Rejected call.
type auditCall struct {
	Subject string
	Seq     uint64
	Data    []byte
	Reason  string
}

// fakeAudit records what the ingress reports.
type fakeAudit struct {
	mu    sync.Mutex
	calls []auditCall
}

func (a *fakeAudit) Rejected(_ context.Context, subject string, seq uint64, data []byte, reason string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, auditCall{subject, seq, append([]byte(nil), data...), reason})
}

func (a *fakeAudit) all() []auditCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]auditCall(nil), a.calls...)
}

// env is a real JetStream with the DETECTIONS stream, and an ingress on it.
type env struct {
	t     testing.TB
	ctx   context.Context
	js    jetstream.JetStream
	audit *fakeAudit
	srv   *Server
	now   time.Time
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newEnv starts NATS and an ingress with routes (default: testRoutes) over pub
// (default: the JetStream itself).
func newEnv(t testing.TB, opts config.IngressOptions, routes []adapt.Route, wrap func(ingest.MsgPublisher) ingest.MsgPublisher) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	js := natstest.JetStream(t)
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	if routes == nil {
		routes = testRoutes()
	}
	var pub ingest.MsgPublisher = js
	if wrap != nil {
		pub = wrap(js)
	}
	e := &env{t: t, ctx: ctx, js: js, audit: &fakeAudit{}, now: time.Now().UTC()}
	srv, err := New(opts, routes, pub, e.audit, quietLog(), func() time.Time { return e.now })
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	return e
}

// fortaKey is the scan node the forta test route pins.
var fortaKey = func() *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		panic(err)
	}
	return k
}()

func testRoutes() []adapt.Route {
	conf := 0.95
	return []adapt.Route{
		{Name: "oz", Adapter: adapt.OZMonitor, Secret: testSecret, Severity: event.SeverityCritical, Confidence: &conf, ChainID: 31337, Protocol: "demo", AlertType: "exploit"},
		{Name: "oz-noproto", Adapter: adapt.OZMonitor, Secret: testSecret, Severity: event.SeverityCritical, ChainID: 31337},
		{Name: "tenderly", Adapter: adapt.Tenderly, Secret: testSecret, Severity: event.SeverityHigh, Protocol: "demo"},
		{Name: "forta", Adapter: adapt.Forta, FortaScanners: []common.Address{crypto.PubkeyToAddress(fortaKey.PublicKey)}, Protocol: "demo", ChainID: 31337},
	}
}

// ozBody is an OpenZeppelin Monitor raw-mode body about transaction tx.
func ozBody(tx int) []byte {
	return []byte(fmt.Sprintf(`{"EVM":{"monitor":{"name":"Vault drain","networks":["anvil"],"addresses":[{"address":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}]},`+
		`"transaction":{"hash":"0x%064x","from":"0x90F79bf6EB2c4f870365E785982E1f101E93b906","to":"0x5FbDB2315678afecb367f032d93F642f64180aa3","chainId":31337},`+
		`"receipt":{"status":"0x1"},"logs":[],"network_slug":"anvil","matched_on":{"functions":[{"signature":"withdraw(uint256)"}]},"matched_on_args":null}}`, tx))
}

func hmacHex(secret, body []byte, ts string) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	m.Write([]byte(ts))
	return hex.EncodeToString(m.Sum(nil))
}

// ozHeaders signs body as OpenZeppelin Monitor does, at time at.
func ozHeaders(secret, body []byte, at time.Time) http.Header {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Signature", hmacHex(secret, body, ts))
	h.Set("X-Timestamp", ts)
	return h
}

// tenderlyHeaders signs body as Tenderly does.
func tenderlyHeaders(secret, body []byte, at time.Time) http.Header {
	date := at.UTC().Format(http.TimeFormat)
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Tenderly-Signature", hmacHex(secret, body, date))
	h.Set("Date", date)
	return h
}

// fortaJWT is a Forta scanner JWT (alg ETH) signed by key, valid around now.
func fortaJWT(t testing.TB, key *ecdsa.PrivateKey, now time.Time) string {
	t.Helper()
	hdr, _ := json.Marshal(map[string]string{"alg": "ETH", "typ": "JWT"})
	cl, _ := json.Marshal(map[string]any{
		"sub": crypto.PubkeyToAddress(key.PublicKey).Hex(), "iat": now.Unix(),
		"nbf": now.Add(-30 * time.Second).Unix(), "exp": now.Add(30 * time.Second).Unix(),
	})
	signing := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(cl)
	sig, err := crypto.Sign(crypto.Keccak256([]byte(signing)), key)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// subjectCount is how many messages the stream holds on subject.
func (e *env) subjectCount(subject string) uint64 {
	e.t.Helper()
	s, err := e.js.Stream(e.ctx, ingest.Stream)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(e.ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		e.t.Fatal(err)
	}
	return info.State.Subjects[subject]
}

// deadLetters returns every dead letter stored so far.
func (e *env) deadLetters() []*nats.Msg {
	e.t.Helper()
	s, err := e.js.Stream(e.ctx, ingest.Stream)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*nats.Msg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(e.ctx, seq)
		if err != nil {
			e.t.Fatal(err)
		}
		if m.Subject == ingest.DeadSubject {
			out = append(out, &nats.Msg{Subject: m.Subject, Header: m.Header, Data: m.Data, Reply: strconv.FormatUint(m.Sequence, 10)})
		}
	}
	return out
}

// blockingPublisher holds every PublishMsg until release is closed, telling entered.
type blockingPublisher struct {
	ingest.MsgPublisher
	entered chan struct{}
	release chan struct{}
}

func (b *blockingPublisher) PublishMsg(ctx context.Context, m *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.MsgPublisher.PublishMsg(ctx, m, opts...)
}

// failingPublisher fails every PublishMsg.
type failingPublisher struct{ ingest.MsgPublisher }

func (failingPublisher) PublishMsg(context.Context, *nats.Msg, ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	return nil, nats.ErrConnectionClosed
}
