package test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/webhook"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// The webhook secret of the OpenZeppelin Monitor route, made for the test and given
// to the engine through its environment.
const ozSecret = "oz-webhook-secret-made-in-the-test"

// ingressStack is a stack whose engine serves the webhook ingress on a free loopback
// port with two routes: oz-vault (OpenZeppelin Monitor, HMAC) and forta (a Forta
// scan node's JWT, the test's key pinned).
type ingressStack struct {
	*stack
	scanner *ecdsa.PrivateKey
	client  *http.Client
}

func newIngressStack(t *testing.T, configure func(*config.Options)) *ingressStack {
	t.Helper()
	scanner, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	conf := 0.95
	s := newStack(t, func(o *config.Options) {
		o.LookupEnv = func(name string) (string, bool) { return ozSecret, name == "FIREBREAK_OZ_SECRET" }
		o.Ingress = config.IngressOptions{Listen: "127.0.0.1:0", Routes: map[string]config.IngressRoute{
			"oz-vault": {
				Adapter: "oz-monitor", Verify: config.IngressVerify{SecretEnv: "FIREBREAK_OZ_SECRET"},
				Severity: "critical", Confidence: &conf, ChainID: chainID,
				AlertTypes: map[string]string{"Vault drain*": "exploit"},
			},
			"forta": {
				Adapter: "forta", Verify: config.IngressVerify{Scanners: []string{crypto.PubkeyToAddress(scanner.PublicKey).Hex()}},
				Confidence: &conf,
			},
		}}
		if configure != nil {
			configure(o)
		}
	})
	if s.engine.IngressURL() == "" {
		t.Fatal("the engine serves no ingress")
	}
	return &ingressStack{stack: s, scanner: scanner, client: &http.Client{Timeout: 30 * time.Second}}
}

// ozWebhook is an OpenZeppelin Monitor raw-mode body: the "Vault drain" monitor
// matched transaction tx on the demo vault.
func (s *ingressStack) ozWebhook(tx common.Hash) []byte {
	return []byte(fmt.Sprintf(`{"EVM":{"monitor":{"name":"Vault drain (large withdrawal)","networks":["anvil"],"paused":false,`+
		`"addresses":[{"address":"%s","contract_spec":null}],"match_conditions":{"functions":[{"signature":"withdraw(uint256)","expression":"amount > 1000000000000000000"}]}},`+
		`"transaction":{"hash":"%s","from":"0x90F79bf6EB2c4f870365E785982E1f101E93b906","to":"%s","chainId":"0x7a69","blockNumber":"0x10","value":"0x0","input":"0x2e1a7d4d"},`+
		`"receipt":{"status":"0x1","transactionHash":"%s"},"logs":[],"network_slug":"anvil",`+
		`"matched_on":{"functions":[{"signature":"withdraw(uint256)","expression":"amount > 1000000000000000000"}],"events":[],"transactions":[]},"matched_on_args":null}}`,
		s.demo.Vault.Hex(), tx.Hex(), s.demo.Vault.Hex(), tx.Hex()))
}

// postOZ signs body as OpenZeppelin Monitor does, now, with secret, and posts it.
func (s *ingressStack) postOZ(secret string, body []byte) (int, webhook.Response) {
	s.t.Helper()
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	mac.Write([]byte(ts))
	return s.post("oz-vault", body, map[string]string{"X-Signature": hex.EncodeToString(mac.Sum(nil)), "X-Timestamp": ts})
}

// post sends a real HTTP request to the engine's ingress.
func (s *ingressStack) post(route string, body []byte, headers map[string]string) (int, webhook.Response) {
	s.t.Helper()
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.engine.IngressURL()+"/v1/alerts/"+route, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var resp webhook.Response
	if err := json.NewDecoder(res.Body).Decode(&resp); err != nil {
		s.t.Fatalf("answer %d is not JSON: %v", res.StatusCode, err)
	}
	return res.StatusCode, resp
}

// fortaJWT is the scanner JWT a Forta scan node sends its webhook with
// (forta-core-go CreateScannerJWT: alg ETH, secp256k1 over keccak256(header.claims)).
func (s *ingressStack) fortaJWT() string {
	s.t.Helper()
	now := time.Now()
	hdr, _ := json.Marshal(map[string]string{"alg": "ETH", "typ": "JWT"})
	cl, _ := json.Marshal(map[string]any{
		"sub": crypto.PubkeyToAddress(s.scanner.PublicKey).Hex(), "iat": now.Unix(),
		"nbf": now.Add(-30 * time.Second).Unix(), "exp": now.Add(30 * time.Second).Unix(),
		"jti": fmt.Sprintf("jti-%d", now.UnixNano()),
	})
	signing := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(cl)
	sig, err := crypto.Sign(crypto.Keccak256([]byte(signing)), s.scanner)
	if err != nil {
		s.t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// fortaAttack is a Forta webhook AlertBatch with one Attack Detector alert naming
// attacker and the demo vault as its victim.
func (s *ingressStack) fortaAttack(hash common.Hash, attacker common.Address) []byte {
	now := time.Now().UTC()
	return []byte(fmt.Sprintf(`{"alerts":[{"hash":"%s","createdAt":"%s","alertId":"ATTACK-DETECTOR-2",`+
		`"name":"Attack detector identified an EOA with behavior consistent with an attack","protocol":"ethereum",`+
		`"findingType":"EXPLOIT","severity":"CRITICAL","description":"%s likely involved in an attack on %s",`+
		`"metadata":{"anomalyScore":"0.0003399258343634117","attackerAddress":"%s","victimAddress":"%s","involvedAddresses1":"0x2b33cf282f867a7ff693a66e11b0fcc5552e4425"},`+
		`"addresses":["%s","%s"],`+
		`"source":{"transactionHash":"0x8d578c55e52d8e89f9419b617bca9fab2c893fb5d4fa957e787cfceafd4717d3","bot":{"id":"0x80ed808b586aeebe9cdd4088ea4dea0a8e322909c0e4493c993e060e89c09ed1"},`+
		`"block":{"number":17,"timestamp":"%s","chainId":%d}}}],`+
		`"metrics":[{"botId":"0x80ed808b586aeebe9cdd4088ea4dea0a8e322909c0e4493c993e060e89c09ed1","timestamp":"%s","metrics":[{"name":"tx.latency","count":1,"max":5,"average":5,"sum":5,"p95":5}]}]}`,
		hash.Hex(), now.Format(time.RFC3339Nano), attacker.Hex(), s.demo.Vault.Hex(),
		strings.ToLower(attacker.Hex()), strings.ToLower(s.demo.Vault.Hex()), attacker.Hex(), s.demo.Vault.Hex(),
		now.Format(time.RFC3339), chainID, now.Format(time.RFC3339Nano)))
}

// An OpenZeppelin Monitor webhook (raw mode, signed) pauses the demo vault; one with
// a bad signature before it is refused, dead-lettered and audited, and acts on nothing.
func TestOZMonitorWebhookPausesVault(t *testing.T) {
	s := newIngressStack(t, nil)
	body := s.ozWebhook(common.HexToHash("0x01"))

	code, resp := s.postOZ("not-the-secret", body)
	if code != http.StatusUnauthorized || resp.Reason != "bad-signature" {
		t.Fatalf("wrongly signed webhook: %d %+v, want 401 bad-signature", code, resp)
	}
	if s.paused() {
		t.Fatal("a wrongly signed webhook paused the vault")
	}

	code, resp = s.postOZ(ozSecret, body)
	if code != http.StatusOK || resp.Status != "stored" || len(resp.Events) != 1 {
		t.Fatalf("signed webhook: %d %+v, want 200 with one stored event", code, resp)
	}
	out := s.outcome(resp.Events[0].ID)
	ev := out.Event
	if ev.Source != "oz-vault" || ev.Protocol != "demo" || ev.AlertType != "exploit" || ev.ChainID != chainID || ev.RuleID != "Vault drain (large withdrawal)" ||
		len(ev.AddressRoles["contract"]) != 1 || ev.AddressRoles["contract"][0] != s.demo.Vault || ev.RawSHA256 == "" {
		t.Errorf("event %+v", ev)
	}
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed || out.Actions[0].Request.Contract != "vault" {
		t.Fatalf("actions %+v, want one allowed pause of the vault", out.Actions)
	}
	if rec := s.action(out.Actions[0].ActionID); rec.State != record.Mined || rec.Status != 1 {
		t.Fatalf("action %+v, want mined", rec)
	}
	if !s.paused() {
		t.Fatal("paused() is false after the webhook's pause was mined")
	}

	// The refused one: on detections.dead with the body and the reason, and audited.
	dead, err := s.js.OrderedConsumer(s.ctx, ingest.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{ingest.DeadSubject}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := dead.Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatalf("no dead letter: %v", err)
	}
	if msg.Headers().Get(ingest.HeaderReasonCode) != "bad-signature" || !bytes.Equal(msg.Data(), body) || msg.Headers().Get(ingest.HeaderRoute) != "oz-vault" {
		t.Errorf("dead letter %v %q", msg.Headers(), msg.Data())
	}
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	for {
		recs, err := rd.List(s.ctx, audit.Filter{Kind: audit.KindRejected})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 1 {
			var d audit.RejectedData
			if err := json.Unmarshal(recs[0].Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Subject != "POST /v1/alerts/oz-vault" || !strings.HasPrefix(d.Reason, "bad-signature: ") {
				t.Errorf("audit record %+v", d)
			}
			break
		}
		s.sleep(20 * time.Millisecond)
	}
	var export bytes.Buffer
	if _, err := rd.Export(s.ctx, &export); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(export.Bytes(), []byte(ozSecret)) {
		t.Error("the webhook secret is in the audit log")
	}
}

// A Forta Attack Detector alert, sent with a pinned scan node's JWT, pauses the vault
// it names as the victim, and only that.
func TestFortaAttackDetectorWebhookPausesVault(t *testing.T) {
	s := newIngressStack(t, nil)
	attacker := common.HexToAddress("0x2439243727ac7d0bbfa962b6f21ca47a72eeb347")
	body := s.fortaAttack(common.HexToHash("0xfcbf1c3d20fcfae7ebc7c963c78ca16b4454e64a8f6d8c459aab78bb45c1760e"), attacker)

	// A JWT from a scan node the route does not pin is refused.
	other, _ := crypto.GenerateKey()
	pinned := s.scanner
	s.scanner = other
	if code, resp := s.post("forta", body, map[string]string{"Authorization": "Bearer " + s.fortaJWT()}); code != 401 || resp.Reason != "unknown-signer" {
		t.Fatalf("unpinned scanner: %d %+v, want 401 unknown-signer", code, resp)
	}
	s.scanner = pinned

	code, resp := s.post("forta", body, map[string]string{"Authorization": "Bearer " + s.fortaJWT()})
	if code != http.StatusOK || len(resp.Events) != 1 {
		t.Fatalf("Forta webhook: %d %+v, want 200 with one event", code, resp)
	}
	out := s.outcome(resp.Events[0].ID)
	ev := out.Event
	if ev.ID != "forta-0xfcbf1c3d20fcfae7ebc7c963c78ca16b4454e64a8f6d8c459aab78bb45c1760e" || ev.AlertType != "exploit" || ev.Protocol != "demo" ||
		ev.RuleID != "ATTACK-DETECTOR-2" || len(ev.AddressRoles["attacker"]) != 1 || ev.AddressRoles["attacker"][0] != attacker ||
		len(ev.AddressRoles["victim"]) != 1 || ev.AddressRoles["victim"][0] != s.demo.Vault {
		t.Errorf("event %+v", ev)
	}
	if len(out.Actions) != 1 || out.Actions[0].Request.Contract != "vault" || out.Actions[0].Outcome != guard.Allowed {
		t.Fatalf("actions %+v, want one allowed pause of the vault", out.Actions)
	}
	if len(out.Decision.Reasons) != 1 || !strings.Contains(out.Decision.Reasons[0], `names the victims ["vault"]`) {
		t.Errorf("reasons %q, want the victim named", out.Decision.Reasons)
	}
	if rec := s.action(out.Actions[0].ActionID); rec.State != record.Mined || !s.paused() {
		t.Fatalf("action %+v; paused %v", rec, s.paused())
	}
}

// The same webhook delivered three times (each delivery signed anew, as a detector
// retrying does) is stored once and sends one transaction.
func TestSameWebhookThreeTimesActsOnce(t *testing.T) {
	s := newIngressStack(t, nil)
	body := s.ozWebhook(common.HexToHash("0x03"))
	var ids []string
	var dups []bool
	for range 3 {
		code, resp := s.postOZ(ozSecret, body)
		if code != http.StatusOK || len(resp.Events) != 1 {
			t.Fatalf("delivery: %d %+v", code, resp)
		}
		ids = append(ids, resp.Events[0].ID)
		dups = append(dups, resp.Events[0].Duplicate)
	}
	if ids[0] != ids[1] || ids[1] != ids[2] || dups[0] || !dups[1] || !dups[2] {
		t.Fatalf("ids %q duplicates %v, want one id, new once then duplicate", ids, dups)
	}
	out := s.outcome(ids[0])
	s.action(out.Actions[0].ActionID)
	s.drained()
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Fatalf("the guardian sent %d transactions for one webhook delivered three times, want 1", n)
	}
	st, err := s.js.Stream(s.ctx, ingest.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(s.ctx, jetstream.WithSubjectFilter("detections.oz-vault"))
	if err != nil {
		t.Fatal(err)
	}
	if n := info.State.Subjects["detections.oz-vault"]; n != 1 {
		t.Errorf("detections.oz-vault holds %d messages, want 1", n)
	}
	if !s.paused() {
		t.Error("the vault is not paused")
	}
}

// rpcHold is a proxy in front of anvil that can hold every call: the engine's pipeline
// stalls at its first chain read while it is closed.
type rpcHold struct {
	mu    sync.Mutex
	open  chan struct{}
	proxy *httputil.ReverseProxy
	url   string
}

func newRPCHold(t *testing.T, target string) *rpcHold {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	g := &rpcHold{open: make(chan struct{}), proxy: httputil.NewSingleHostReverseProxy(u)}
	g.proxy.ErrorLog = log.New(io.Discard, "", 0)
	close(g.open)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		open := g.open
		g.mu.Unlock()
		select {
		case <-open:
		case <-r.Context().Done():
			return
		}
		g.proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

func (g *rpcHold) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = make(chan struct{})
}

func (g *rpcHold) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// A webhook that arrives while the engine's pipeline is stuck (its chain calls held)
// is answered 200 as soon as its event is stored, not when it is decided; the event
// is acted on once the pipeline moves again.
func TestWebhookAnsweredWhilePipelineIsSlow(t *testing.T) {
	var g *rpcHold
	s := newIngressStack(t, func(o *config.Options) {
		g = newRPCHold(t, o.Chains[0].RPC)
		o.Chains[0].RPC = g.url
	})
	t.Cleanup(g.release)
	g.hold()

	// The pipeline takes this event up and stalls at the guard's chain read.
	first := criticalExploit("stuck-first")
	s.publish(first)
	waitFor(t, s.stack, func() bool {
		c, err := s.js.Consumer(s.ctx, ingest.Stream, ingest.DefaultDurable)
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.Info(s.ctx)
		return err == nil && info.NumAckPending == 1
	})

	start := time.Now()
	code, resp := s.postOZ(ozSecret, s.ozWebhook(common.HexToHash("0x04")))
	took := time.Since(start)
	if code != http.StatusOK || len(resp.Events) != 1 {
		t.Fatalf("webhook during the stall: %d %+v", code, resp)
	}
	if took > 2*time.Second {
		t.Errorf("the webhook was answered after %s: it waited for the pipeline", took)
	}
	t.Logf("webhook answered in %s while the pipeline was held", took)
	st, _ := s.js.Stream(s.ctx, ingest.Stream)
	if m, err := st.GetMsg(s.ctx, resp.Events[0].StreamSeq); err != nil || m.Subject != "detections.oz-vault" {
		t.Fatalf("the answered event is not in the stream: %v", err)
	}
	for _, id := range []string{first.ID, resp.Events[0].ID} {
		if _, err := s.engine.Outcome(s.ctx, id); !engine.IsNotHandled(err) {
			t.Fatalf("event %s was handled while the pipeline was held: %v", id, err)
		}
	}

	g.release()
	if out := s.outcome(resp.Events[0].ID); out.Decision == nil || len(out.Decision.Rules) != 1 || out.Decision.Rules[0] != "exploit_pause" {
		t.Fatalf("the webhook's event, decided after the stall: %+v", out.Decision)
	}
	s.action(s.outcome(first.ID).Actions[0].ActionID)
	if !s.paused() {
		t.Error("the vault is not paused after the stall")
	}
}

func waitFor(t *testing.T, s *stack, cond func() bool) {
	t.Helper()
	for !cond() {
		s.sleep(10 * time.Millisecond)
	}
}

// A vendor's own payload published straight to detections.<source> on NATS
// (sources.<name>.vendor_route) goes through the route's adapter: a wrongly
// signed OpenZeppelin Monitor body is dead-lettered with its reason and
// pauses nothing; the signed one pauses the vault.
func TestVendorPayloadOnNATSPausesVault(t *testing.T) {
	s := newIngressStack(t, func(o *config.Options) {
		o.Sources = map[string]config.SourceOptions{
			"oz-nats": {Verify: config.VerifyNone, VendorRoute: "oz-vault"},
		}
	})
	body := s.ozWebhook(common.HexToHash("0x02"))
	publish := func(secret string) {
		t.Helper()
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		mac.Write([]byte(ts))
		msg := nats.NewMsg(ingest.SubjectPrefix + "oz-nats")
		msg.Data = body
		msg.Header.Set("X-Signature", hex.EncodeToString(mac.Sum(nil)))
		msg.Header.Set("X-Timestamp", ts)
		if _, err := s.js.PublishMsg(s.ctx, msg); err != nil {
			t.Fatal(err)
		}
	}

	publish("not-the-secret")
	dead, err := s.js.OrderedConsumer(s.ctx, ingest.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{ingest.DeadSubject}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := dead.Next(jetstream.FetchMaxWait(15 * time.Second))
	if err != nil {
		t.Fatalf("no dead letter for the wrongly signed vendor message: %v", err)
	}
	if reason := msg.Headers().Get(ingest.HeaderReason); !strings.Contains(reason, "signature") {
		t.Fatalf("dead letter reason %q, want the signature", reason)
	}
	if s.paused() {
		t.Fatal("a wrongly signed vendor message paused the vault")
	}

	publish(ozSecret)
	waitFor(t, s.stack, s.paused)
}
