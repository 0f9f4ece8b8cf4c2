package discord

import (
	"bytes"
	"context"
	"encoding/json"
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

// recorder stands in for Discord's execute-webhook endpoint
// (discord.com/api/webhooks/{id}/{token}): it records each request and
// answers as the test sets (by default 200 with the created message, as
// Discord does with wait=true).
type recorder struct {
	mu     sync.Mutex
	reqs   []*http.Request
	bodies [][]byte
	status int
	body   string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs, r.bodies = append(r.reqs, req), append(r.bodies, b)
	status, body := r.status, r.body
	r.mu.Unlock()
	if status == 0 {
		status, body = http.StatusOK, `{"id":"1","type":0}`
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, strings.ReplaceAll(body, "$PATH", req.URL.Path))
}

const (
	webhookID    = "112233445566778899"
	webhookToken = "dIsCoRdSeCrEtToKeN_abcdefghijklmnop"
)

func newNotifier(t *testing.T, rec *recorder) (*Notifier, *bytes.Buffer) {
	t.Helper()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	tmpl, err := notify.ParseTemplate("discord", "")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n, err := New(Config{WebhookURL: notify.Secret(srv.URL + "/api/webhooks/" + webhookID + "/" + webhookToken)}, tmpl, log, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return n, &logs
}

func message() notify.Message {
	return notify.Message{
		ID: "incident/inc-7/opened", Kind: notify.KindIncidentOpened, Title: "Vault drained by @everyone",
		Severity: event.SeverityCritical, Protocol: "demo", IncidentID: "inc-7", EventIDs: []string{"ev-1"},
		Reasons: []string{"critical exploit alert"}, At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestNotifySendsEmbed(t *testing.T) {
	rec := &recorder{}
	n, _ := newNotifier(t, rec)
	if retry, err := n.Notify(context.Background(), message()); err != nil || retry {
		t.Fatalf("Notify = %v, %v; want delivered", retry, err)
	}
	if len(rec.reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(rec.reqs))
	}
	req := rec.reqs[0]
	if req.Method != http.MethodPost || req.URL.Path != "/api/webhooks/"+webhookID+"/"+webhookToken || req.URL.Query().Get("wait") != "true" {
		t.Errorf("request = %s %s, want POST to the webhook with wait=true", req.Method, req.URL)
	}
	var p struct {
		Username string `json:"username"`
		Embeds   []struct {
			Title, Description, Timestamp string
			Color                         int
			Fields                        []struct {
				Name, Value string
				Inline      bool
			}
			Footer struct{ Text string }
		}
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(rec.bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Embeds) != 1 {
		t.Fatalf("embeds = %d, want 1\n%s", len(p.Embeds), rec.bodies[0])
	}
	e := p.Embeds[0]
	if e.Title != "Incident opened · demo: Vault drained by @everyone" || e.Color != 0xE01E5A || e.Timestamp != "2026-03-01T12:00:00Z" {
		t.Errorf("embed = %+v", e)
	}
	if !strings.Contains(e.Description, "**Why**") || !strings.Contains(e.Description, "critical exploit alert") {
		t.Errorf("description = %q", e.Description)
	}
	if len(e.Fields) != 4 || e.Fields[0].Name != "Severity" || e.Fields[0].Value != "critical" || !e.Fields[0].Inline {
		t.Errorf("fields = %+v", e.Fields)
	}
	if p.AllowedMentions == nil || p.AllowedMentions.Parse == nil || len(p.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v, want parse: [] (no pings)", p.AllowedMentions)
	}
}

func TestNotifyFailures(t *testing.T) {
	t.Run("rate limited", func(t *testing.T) {
		n, _ := newNotifier(t, &recorder{status: 429, body: `{"message":"You are being rate limited.","retry_after":2.5,"global":false}`})
		retry, err := n.Notify(context.Background(), message())
		if !retry || err == nil {
			t.Fatalf("Notify = %v, %v; want a retry", retry, err)
		}
		if after, _ := notify.RetryAfter(err); after != 2500*time.Millisecond {
			t.Errorf("RetryAfter = %v, want 2.5s from the body", after)
		}
	})
	t.Run("bad request", func(t *testing.T) {
		n, logs := newNotifier(t, &recorder{status: 400, body: `{"code":50006,"message":"Cannot send an empty message","path":"$PATH"}`})
		retry, err := n.Notify(context.Background(), message())
		if retry || err == nil || !strings.Contains(err.Error(), "Cannot send an empty message") {
			t.Fatalf("Notify = %v, %v; want a permanent failure with Discord's reason", retry, err)
		}
		n.log.Error("delivery failed", "err", err, "url", n.url)
		for _, part := range []string{webhookToken, webhookID} {
			if strings.Contains(err.Error(), part) || strings.Contains(logs.String(), part) {
				t.Errorf("the webhook's %q reached the error or log: %v / %s", part, err, logs)
			}
		}
	})
}
