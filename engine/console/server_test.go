package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

const (
	readToken     = "read-token-for-the-console-tests"
	operatorToken = "operator-token-for-the-console-tests"
)

// memSwitch is a kill switch in memory; the real one is a KV key, tested
// against NATS in engine/guard and end to end in test/.
type memSwitch struct {
	mu     sync.Mutex
	h      guard.Halt
	halted bool
}

func (m *memSwitch) Halted(context.Context) (guard.Halt, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.h, m.halted, nil
}

func (m *memSwitch) Halt(_ context.Context, h guard.Halt) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.h, m.halted = h, true
	return nil
}

func (m *memSwitch) Resume(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.h, m.halted = guard.Halt{}, false
	return nil
}

var clock = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// newServer builds a console over the fixtures below, with no NATS: the
// feed is filled by hand.
func newServer(t *testing.T, c config.ConsoleOptions, env map[string]string) (*Server, *memSwitch) {
	t.Helper()
	opts := config.DefaultOptions()
	opts.Console = c
	opts.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	opts.Chains = []config.ChainOptions{{ID: 1, RPC: "http://node.invalid", Explorer: "https://etherscan.io/"}, {ID: 31337, RPC: "http://127.0.0.1:8545"}}
	ks := &memSwitch{}
	s, err := New(Options{
		Config: opts, KillSwitch: ks, Now: func() time.Time { return clock },
		Policy: func() decide.PolicyStatus {
			return decide.PolicyStatus{Source: "shipped library", Revision: "0123456789abcdef", LoadedAt: clock, Reloads: 2, Failures: 1, LastError: "bundle: 404", LastErrorAt: clock}
		},
		Readiness: func() (observe.Report, bool) {
			return observe.Report{At: clock, OK: false, Findings: []observe.Finding{
				{Protocol: "demo", Contract: "vault", Action: "pause", ChainID: 1, Signer: "guardian", Check: observe.CheckCall, Status: observe.StatusOK, Detail: "pause() succeeds"},
				{Protocol: "demo", Contract: "vault", Action: "pause", ChainID: 1, Signer: "guardian", Check: observe.CheckRole, Status: observe.StatusFail, Detail: "guardian lacks PAUSER_ROLE", Fix: "grantRole(PAUSER_ROLE, guardian)"},
			}}, true
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.ln.Close() })
	fill(t, s.feed)
	return s, ks
}

// The fixtures: a critical event, its mined pause on a chain with an
// explorer, and a Safe approval waiting for a second owner.
const (
	eventID  = "forta-0xabc"
	actionID = "c0ffee-0"
	txHash   = "0x1111111111111111111111111111111111111111111111111111111111111111"
)

func fill(t *testing.T, f *Feed) {
	t.Helper()
	put := func(bucket, key string, rev uint64, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		f.Put(bucket, key, rev, data)
	}
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	put(ingest.EventsBucket, ingest.EventKey(eventID), 1, decide.Outcome{
		Event: event.Event{ID: eventID, Source: "forta", ChainID: 1, Severity: event.SeverityCritical, Confidence: 0.95,
			AlertType: "exploit", Protocol: "demo", Title: "<script>alert(1)</script>", Timestamp: clock},
		ReceivedAt: clock,
		Decision:   &decide.Decision{Rules: []string{"exploit_pause"}, Reasons: []string{"critical exploit alert: pausing its pausable contracts"}, Revision: "0123"},
		Actions: []decide.ActionOutcome{{Verdict: guard.Verdict{Request: guard.Request{Type: "pause", Protocol: "demo", Contract: "vault"}, Outcome: guard.Allowed}, ActionID: actionID},
			{Verdict: guard.Verdict{Request: guard.Request{Type: "freeze_bridge", Protocol: "demo", Contract: "bridge"}, Outcome: guard.Refused, Reason: "not on the allowlist"}}},
	})
	nonce, hash := uint64(7), common.HexToHash(txHash)
	fee, tip := (*hexutil.Big)(big.NewInt(31_500_000_000)), (*hexutil.Big)(big.NewInt(2_000_000_000))
	put(record.ActionsBucket, actionID, 2, record.Record{
		Intent: record.Intent{ID: actionID, EventID: eventID, Protocol: "demo", Type: "pause", ChainID: 1, To: vault, Function: "pause()",
			Data: hexutil.Bytes{0x84, 0x56, 0xcb, 0x59}, Signer: "guardian"},
		State: record.Mined, Nonce: &nonce, TxHash: &hash, GasFeeCap: fee, GasTipCap: tip, Block: 42, GasUsed: 27_000, Status: 1,
		Attempts:  []record.Attempt{{Hash: hash, Nonce: nonce, GasFeeCap: fee, GasTipCap: tip, GasLimit: 40_000, Status: record.AttemptMined, Reason: "first", At: clock}},
		CreatedAt: clock, SentAt: clock, MinedAt: clock,
	})
	put(safe.ApprovalsBucket, "approval-1", 3, safe.Approval{
		ID: "approval-1", EventID: eventID, Protocol: "demo", Type: "pause", Signer: "treasury", ChainID: 1,
		Safe: common.HexToAddress("0x00000000000000000000000000000000000000aa"), Function: "pause()",
		Tx: safesigner.NewTx(vault, []byte{0x84, 0x56, 0xcb, 0x59}, 3), Threshold: 2,
		Signatures: []safesigner.Signature{{}}, Reason: "decision requires approval", State: safe.Pending, CreatedAt: clock,
	})
	for _, b := range watched {
		f.setLoaded(b)
	}
}

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Host = "127.0.0.1:8080"
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func post(t *testing.T, h http.Handler, path, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Host = "127.0.0.1:8080"
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func basic(token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("anyone:"+token))
}

var tokens = map[string]string{"FB_READ": readToken, "FB_OPERATOR": operatorToken}

func TestAuthentication(t *testing.T) {
	s, ks := newServer(t, config.ConsoleOptions{Listen: "127.0.0.1:0", TokenEnv: "FB_READ", OperatorTokenEnv: "FB_OPERATOR"}, tokens)
	h := s.Handler()
	for _, path := range []string{"/", "/api/state", "/static/console.js"} {
		w := get(t, h, path)
		if w.Code != http.StatusUnauthorized || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("GET %s without credentials: %d %q", path, w.Code, w.Header().Get("WWW-Authenticate"))
		}
		if strings.Contains(w.Body.String(), eventID) {
			t.Errorf("GET %s without credentials shows the data", path)
		}
		for _, creds := range []string{"Bearer " + readToken, basic(readToken), "Bearer " + operatorToken, basic(operatorToken)} {
			if w := get(t, h, path, "Authorization", creds); w.Code != http.StatusOK {
				t.Errorf("GET %s with %.12s...: %d", path, creds, w.Code)
			}
		}
		for _, creds := range []string{"Bearer " + readToken + "x", basic("nope"), "Bearer ", "Basic !!!", readToken} {
			if w := get(t, h, path, "Authorization", creds); w.Code != http.StatusUnauthorized {
				t.Errorf("GET %s with a wrong credential %q: %d", path, creds, w.Code)
			}
		}
	}

	halt := `{"reason":"drill"}`
	for _, c := range []struct {
		name   string
		header []string
		body   string
		want   int
	}{
		{"no token", nil, halt, http.StatusUnauthorized},
		{"the read token", []string{"Authorization", "Bearer " + readToken}, halt, http.StatusUnauthorized},
		// A browser sends basic credentials by itself: never enough to act.
		{"basic with the operator token", []string{"Authorization", basic(operatorToken)}, halt, http.StatusUnauthorized},
		{"another origin", []string{"Authorization", "Bearer " + operatorToken, "Origin", "https://evil.example"}, halt, http.StatusForbidden},
		{"a form", []string{"Authorization", "Bearer " + operatorToken, "Content-Type", "application/x-www-form-urlencoded"}, "reason=drill", http.StatusUnsupportedMediaType},
		{"no reason", []string{"Authorization", "Bearer " + operatorToken}, `{}`, http.StatusBadRequest},
		{"unknown field", []string{"Authorization", "Bearer " + operatorToken}, `{"reason":"x","by":"me"}`, http.StatusBadRequest},
		{"too large", []string{"Authorization", "Bearer " + operatorToken}, `{"reason":"` + strings.Repeat("x", 5000) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		if w := post(t, h, "/api/halt", c.body, c.header...); w.Code != c.want {
			t.Errorf("halt, %s: %d %s, want %d", c.name, w.Code, w.Body, c.want)
		}
		if _, halted, _ := ks.Halted(context.Background()); halted {
			t.Fatalf("halt, %s: the kill switch was set", c.name)
		}
	}
	w := post(t, h, "/api/halt", halt, "Authorization", "Bearer "+operatorToken, "Origin", "http://127.0.0.1:8080")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"halted":true`) {
		t.Fatalf("halt with the operator token: %d %s", w.Code, w.Body)
	}
	if hh, halted, _ := ks.Halted(context.Background()); !halted || hh.Reason != "drill" || !strings.HasPrefix(hh.By, "console") {
		t.Fatalf("kill switch after halt: %+v %v", hh, halted)
	}
	if w := get(t, h, "/api/state", "Authorization", "Bearer "+readToken); !strings.Contains(w.Body.String(), `"halted":true`) {
		t.Errorf("state after halt: %s", w.Body)
	}
	if w := post(t, h, "/api/resume", "", "Authorization", "Bearer "+operatorToken); w.Code != http.StatusOK {
		t.Fatalf("resume: %d %s", w.Code, w.Body)
	}
	if _, halted, _ := ks.Halted(context.Background()); halted {
		t.Fatal("still halted after resume")
	}
}

func TestReadTokenOperatesWithoutASeparateOperatorToken(t *testing.T) {
	s, ks := newServer(t, config.ConsoleOptions{Listen: "127.0.0.1:0", TokenEnv: "FB_READ"}, tokens)
	h := s.Handler()
	if w := post(t, h, "/api/halt", `{"reason":"x"}`, "Authorization", basic(readToken)); w.Code != http.StatusUnauthorized {
		t.Errorf("halt with basic credentials: %d", w.Code)
	}
	if w := post(t, h, "/api/halt", `{"reason":"x"}`, "Authorization", "Bearer "+readToken); w.Code != http.StatusOK {
		t.Errorf("halt with the read token as a bearer token: %d %s", w.Code, w.Body)
	}
	if _, halted, _ := ks.Halted(context.Background()); !halted {
		t.Error("not halted")
	}
}

func TestLoopbackWithoutTokens(t *testing.T) {
	s, ks := newServer(t, config.ConsoleOptions{Listen: "127.0.0.1:0"}, nil)
	h := s.Handler()
	if w := get(t, h, "/api/state"); w.Code != http.StatusOK {
		t.Fatalf("loopback, no token: %d", w.Code)
	}
	// A DNS name rebound to 127.0.0.1 by another site gets nothing.
	r := httptest.NewRequest(http.MethodGet, "/api/state", nil)
	r.Host = "attacker.example:8080"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), eventID) {
		t.Errorf("rebound host name: %d %s", w.Code, w.Body)
	}
	// Nobody can halt: there is no operator token.
	if w := post(t, h, "/api/halt", `{"reason":"x"}`, "Authorization", "Bearer anything-at-all-long"); w.Code != http.StatusForbidden {
		t.Errorf("halt with no operator token configured: %d", w.Code)
	}
	if _, halted, _ := ks.Halted(context.Background()); halted {
		t.Error("halted")
	}
	if st := s.State(context.Background()); st.KillSwitch.Operable {
		t.Error("operable without a token")
	}
}

func TestNewRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		c    config.ConsoleOptions
		env  map[string]string
		want string
	}{
		{"open to the network", config.ConsoleOptions{Listen: "0.0.0.0:0"}, nil, "console.token_env: required"},
		{"token variable unset", config.ConsoleOptions{Listen: "0.0.0.0:0", TokenEnv: "FB_READ"}, nil, "FB_READ is not set"},
		{"short token", config.ConsoleOptions{Listen: "127.0.0.1:0", TokenEnv: "FB_READ"}, map[string]string{"FB_READ": "short"}, "shorter than 16"},
		{"off", config.ConsoleOptions{}, nil, "console.listen: not set"},
	} {
		opts := config.DefaultOptions()
		opts.Console = c.c
		opts.LookupEnv = func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
		s, err := New(Options{Config: opts})
		if err == nil {
			s.ln.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestHeadersOnEveryResponse(t *testing.T) {
	s, _ := newServer(t, config.ConsoleOptions{Listen: "127.0.0.1:0", TokenEnv: "FB_READ"}, tokens)
	h := s.Handler()
	auth := []string{"Authorization", "Bearer " + readToken}
	for _, w := range []*httptest.ResponseRecorder{
		get(t, h, "/", auth...), get(t, h, "/api/state", auth...), get(t, h, "/static/console.css", auth...),
		get(t, h, "/"), get(t, h, "/nope", auth...), post(t, h, "/api/halt", "{}"),
	} {
		if csp := w.Header().Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%d: Content-Security-Policy %q", w.Code, csp)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%d: no nosniff", w.Code)
		}
	}
	if ct := get(t, h, "/static/console.js", auth...).Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("console.js served as %q", ct)
	}
	if s.srv.ReadHeaderTimeout == 0 || s.srv.ReadTimeout == 0 || s.srv.WriteTimeout == 0 || s.srv.IdleTimeout == 0 || s.srv.MaxHeaderBytes == 0 {
		t.Errorf("a server bound is unset: %+v", s.srv)
	}
}

// The page as served, for a browser with scripts off: everything the
// script would show is there, escaped, with explorer links.
func TestServerRenderedPage(t *testing.T) {
	s, _ := newServer(t, config.ConsoleOptions{Listen: "127.0.0.1:0", TokenEnv: "FB_READ"}, tokens)
	w := get(t, s.Handler(), "/", "Authorization", "Bearer "+readToken)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /: %d", w.Code)
	}
	page := w.Body.String()
	for _, want := range []string{
		eventID, "exploit_pause", "critical exploit alert: pausing its pausable contracts", // the event and its reasons
		"not on the allowlist",                                                                                          // a refused verdict and why
		`href="https://etherscan.io/tx/` + txHash + `"`, "block", "42", "max 31.5 gwei", "tip 2 gwei", "27000 gas used", // the mined pause
		"1 attempt", "mined",
		"pause()", "1 of 2", "decision requires approval", // the approval, decoded
		"guardian lacks PAUSER_ROLE", "fix: grantRole(PAUSER_ROLE, guardian)", "NOT READY", // readiness
		"0123456789abcdef", "bundle: 404", // the policy
		"&lt;script&gt;alert(1)&lt;/script&gt;", // a detector's title is text
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("a detector's title reached the page as markup")
	}
	assertNoInlineCode(t, "the page", page)
}

// assertNoInlineCode: every script is a file of this origin, and nothing
// needs 'unsafe-inline' (no inline script, handler or style attribute).
func assertNoInlineCode(t *testing.T, what, html string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(m, `src="/static/`) {
			t.Errorf("%s: inline or foreign script %s", what, m)
		}
	}
	if m := regexp.MustCompile(`(?i)\s(on[a-z]+|style)\s*=`).FindString(html); m != "" {
		t.Errorf("%s: inline attribute %q", what, m)
	}
	if m := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).FindAllString(html, -1); len(m) > 0 {
		for _, l := range m {
			if !strings.Contains(l, "href") {
				t.Errorf("%s: loads from another origin: %s", what, l)
			}
		}
	}
}

func TestStateJSON(t *testing.T) {
	s, _ := newServer(t, config.ConsoleOptions{Listen: "127.0.0.1:0"}, nil)
	w := get(t, s.Handler(), "/api/state")
	var st State
	if err := json.NewDecoder(w.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if len(st.Events) != 1 || len(st.Actions) != 1 || len(st.Approvals) != 1 || st.Loading {
		t.Fatalf("state = %+v", st)
	}
	a := st.Actions[0]
	if a.TxHash != txHash || a.TxURL != "https://etherscan.io/tx/"+txHash || a.BlockURL != "https://etherscan.io/block/42" || a.Call != "pause()" || a.MaxFee != "31.5" || a.Nonce != "7" {
		t.Errorf("action = %+v", a)
	}
	if e := st.Events[0]; len(e.Reasons) != 1 || len(e.Verdicts) != 2 || e.Verdicts[0].ActionID != actionID || e.Verdicts[1].Outcome != "refused" {
		t.Errorf("event = %+v", e)
	}
	if r := st.Readiness; !r.Checked || r.OK || r.Findings[0].Status != "fail" {
		t.Errorf("readiness, failures first: %+v", r)
	}
	if ap := st.Approvals[0]; ap.Call != "pause()" || ap.Signatures != "1 of 2" || ap.SafeURL == "" {
		t.Errorf("approval = %+v", ap)
	}
}

func TestStaticAssetsAreSelfContained(t *testing.T) {
	s, _ := newServer(t, config.ConsoleOptions{Listen: "127.0.0.1:0"}, nil)
	for _, name := range []string{"/static/console.js", "/static/console.css", "/static/favicon.svg"} {
		w := get(t, s.Handler(), name)
		body, _ := io.ReadAll(w.Body)
		if w.Code != http.StatusOK || len(body) == 0 {
			t.Fatalf("%s: %d", name, w.Code)
		}
		// Nothing at run time comes from anywhere but this origin.
		if m := regexp.MustCompile(`(?i)(@import|url\(\s*['"]?(https?:)?//|fetch\(\s*['"]https?:|innerHTML|eval\(|new Function)`).Find(body); m != nil {
			t.Errorf("%s: %s", name, m)
		}
	}
}

func TestGwei(t *testing.T) {
	for wei, want := range map[int64]string{0: "0", 1: "0", 1_000_000_000: "1", 31_500_000_000: "31.5", 1_234_567: "0.001", 2_000_000_001: "2"} {
		if got := gwei((*hexutil.Big)(big.NewInt(wei))); got != want {
			t.Errorf("gwei(%d) = %q, want %q", wei, got, want)
		}
	}
	if gwei(nil) != "" {
		t.Error("gwei(nil)")
	}
}

func TestExplorerLinks(t *testing.T) {
	x := newExplorers(map[uint64]string{1: "https://etherscan.io/", 2: "javascript:alert(1)", 3: "", 4: "ftp://x"})
	if got := x.link(1, "tx", "0xab"); got != "https://etherscan.io/tx/0xab" {
		t.Errorf("link = %q", got)
	}
	for _, id := range []uint64{2, 3, 4, 5} {
		if got := x.link(id, "tx", "0xab"); got != "" {
			t.Errorf("chain %d: %q", id, got)
		}
	}
}
