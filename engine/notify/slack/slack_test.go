package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// recorder stands in for Slack's incoming-webhook endpoint
// (hooks.slack.com/services/...): it records each request and answers
// with the status and body the test sets.
type recorder struct {
	mu     sync.Mutex
	reqs   []recorded
	status int
	body   string
	header http.Header
}

type recorded struct {
	method, path, contentType string
	body                      []byte
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.Path, req.Header.Get("Content-Type"), b})
	status, body := r.status, r.body
	for k, v := range r.header {
		w.Header()[k] = v
	}
	r.mu.Unlock()
	if status == 0 {
		status, body = http.StatusOK, "ok"
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, strings.ReplaceAll(body, "$PATH", req.URL.Path))
}

const secretPath = "/services/T0SECRET01/B0SECRET02/xoxbSECRETtoken0123456789"

func newNotifier(t *testing.T, rec *recorder) (*Notifier, *bytes.Buffer, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	tmpl, err := notify.ParseTemplate("slack", "")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n, err := New(Config{WebhookURL: notify.Secret(srv.URL + secretPath)}, tmpl, log, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return n, &logs, srv
}

func message() notify.Message {
	return notify.Message{
		ID: "incident/inc-7/contained", Kind: notify.KindIncidentContained, Title: "Vault drained",
		Detail: "1200 ETH left the vault <in 2 blocks>", Severity: event.SeverityCritical, Protocol: "demo",
		IncidentID: "inc-7", EventIDs: []string{"ev-1"}, Reasons: []string{"critical exploit alert"},
		Actions: []notify.Action{{Type: "pause", Contract: "demo.vault", State: "final", TxHash: "0xabc", ExplorerURL: "https://etherscan.io/tx/0xabc"}},
		At:      time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestNotifySendsBlockKit(t *testing.T) {
	rec := &recorder{}
	n, _, _ := newNotifier(t, rec)
	retry, err := n.Notify(context.Background(), message())
	if err != nil || retry {
		t.Fatalf("Notify = %v, %v; want delivered", retry, err)
	}
	if len(rec.reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(rec.reqs))
	}
	r := rec.reqs[0]
	if r.method != http.MethodPost || r.path != secretPath || r.contentType != "application/json" {
		t.Errorf("request = %s %s (%s), want a JSON POST to the webhook's path", r.method, r.path, r.contentType)
	}
	var p struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Type, Text string
			} `json:"text"`
			Fields []struct {
				Type, Text string
			} `json:"fields"`
			Elements []struct{ Type, Text string } `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
	var types []string
	for _, b := range p.Blocks {
		types = append(types, b.Type)
	}
	if got := strings.Join(types, ","); got != "header,section,section,context" {
		t.Fatalf("blocks = %s, want header,section,section,context\n%s", got, r.body)
	}
	if h := p.Blocks[0].Text; h.Type != "plain_text" || h.Text != "Incident contained · demo: Vault drained" {
		t.Errorf("header = %+v", h)
	}
	if p.Text != "Incident contained · demo: Vault drained" {
		t.Errorf("fallback text = %q", p.Text)
	}
	s := p.Blocks[1].Text
	for _, want := range []string{"&lt;in 2 blocks&gt;", "*Why*", "<https://etherscan.io/tx/0xabc|0xabc>", "`pause`"} {
		if s.Type != "mrkdwn" || !strings.Contains(s.Text, want) {
			t.Errorf("section (%s) lacks %q:\n%s", s.Type, want, s.Text)
		}
	}
	if f := p.Blocks[2].Fields; len(f) != 4 || f[0].Text != "*Severity*\ncritical" {
		t.Errorf("fields = %+v", f)
	}
	if e := p.Blocks[3].Elements; len(e) != 1 || !strings.Contains(e[0].Text, "incident.contained · 2026-03-01 12:00:00 UTC") {
		t.Errorf("context = %+v", e)
	}
}

func TestNotifyFailures(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		header    http.Header
		wantRetry bool
		wantAfter time.Duration
	}{
		{"invalid payload", 400, "invalid_payload", nil, false, 0},
		{"channel archived", 410, "channel_is_archived", nil, false, 0},
		{"rate limited", 429, "rate_limited", http.Header{"Retry-After": {"7"}}, true, 7 * time.Second},
		{"server error", 500, "rollup_error", nil, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{status: tt.status, body: tt.body, header: tt.header}
			n, _, _ := newNotifier(t, rec)
			retry, err := n.Notify(context.Background(), message())
			if err == nil || retry != tt.wantRetry || !errors.Is(err, notify.ErrStatus) {
				t.Fatalf("Notify = %v, %v; want retry %v and an ErrStatus", retry, err, tt.wantRetry)
			}
			if !strings.Contains(err.Error(), tt.body) {
				t.Errorf("error %q does not say what Slack said (%s)", err, tt.body)
			}
			if after, _ := notify.RetryAfter(err); after != tt.wantAfter {
				t.Errorf("RetryAfter = %v, want %v", after, tt.wantAfter)
			}
		})
	}
}

// TestSecretNeverShown: neither the error of a failing delivery nor the
// log holds any part of the webhook URL's path, whether Slack answers
// (echoing the path back) or cannot be reached at all.
func TestSecretNeverShown(t *testing.T) {
	parts := strings.Split(strings.Trim(secretPath, "/"), "/")[1:] // T…, B…, the token
	check := func(t *testing.T, err error, logs string) {
		t.Helper()
		if err == nil {
			t.Fatal("the delivery did not fail")
		}
		for _, p := range parts {
			if strings.Contains(err.Error(), p) || strings.Contains(logs, p) {
				t.Errorf("%q reached the error or the log:\nerror: %v\nlog: %s", p, err, logs)
			}
		}
	}
	t.Run("answer echoing the path", func(t *testing.T) {
		n, logs, _ := newNotifier(t, &recorder{status: 404, body: "channel_not_found for $PATH"})
		_, err := n.Notify(context.Background(), message())
		n.log.Error("delivery failed", "err", err, "url", n.conf.WebhookURL)
		check(t, err, logs.String())
		if !strings.Contains(err.Error(), "channel_not_found") {
			t.Errorf("error %q lost Slack's reason", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		n, logs, srv := newNotifier(t, &recorder{})
		srv.Close()
		retry, err := n.Notify(context.Background(), message())
		n.log.Error("delivery failed", "err", err, "config", n.conf)
		check(t, err, logs.String())
		if !retry || !errors.Is(err, notify.ErrUnreachable) {
			t.Errorf("Notify = %v, %v; want a retryable ErrUnreachable", retry, err)
		}
	})
}
