package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

const token = "123456789:AAHsEcReTtOkEnOfTheBoT_abcdefghij"

// botAPI stands in for api.telegram.org: it records each sendMessage
// request and answers like the Bot API, with the status and JSON the test
// sets (by default {"ok":true,...}).
type botAPI struct {
	mu     sync.Mutex
	paths  []string
	bodies [][]byte
	status int
	answer string
}

func (b *botAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.paths, b.bodies = append(b.paths, r.URL.Path), append(b.bodies, body)
	status, answer := b.status, b.answer
	b.mu.Unlock()
	if status == 0 {
		status, answer = 200, `{"ok":true,"result":{"message_id":42,"chat":{"id":-1001234567890}}}`
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, strings.ReplaceAll(answer, "$PATH", r.URL.Path))
}

func newNotifier(t *testing.T, api *botAPI, chat string) (*Notifier, *bytes.Buffer, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	tmpl, err := notify.ParseTemplate("telegram", "")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	n, err := New(Config{BotToken: token, ChatID: chat, APIURL: srv.URL}, tmpl, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return n, &logs, srv
}

func message() notify.Message {
	return notify.Message{
		ID: "incident/inc-7/contained", Kind: notify.KindIncidentContained, Title: "Vault <drained> & paused",
		Severity: event.SeverityCritical, Protocol: "demo", IncidentID: "inc-7",
		Actions: []notify.Action{{Type: "pause", Contract: "demo.vault", State: "final", TxHash: "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060", ExplorerURL: "https://etherscan.io/tx/0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"}},
		At:      time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestSendMessage(t *testing.T) {
	api := &botAPI{}
	n, _, _ := newNotifier(t, api, "-1001234567890")
	if retry, err := n.Notify(context.Background(), message()); err != nil || retry {
		t.Fatalf("Notify = %v, %v; want delivered", retry, err)
	}
	if len(api.paths) != 1 || api.paths[0] != "/bot"+token+"/sendMessage" {
		t.Fatalf("paths = %v, want one /bot<token>/sendMessage", api.paths)
	}
	var req struct {
		ChatID    json.Number `json:"chat_id"`
		Text      string      `json:"text"`
		ParseMode string      `json:"parse_mode"`
		Preview   struct {
			IsDisabled bool `json:"is_disabled"`
		} `json:"link_preview_options"`
	}
	dec := json.NewDecoder(bytes.NewReader(api.bodies[0]))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		t.Fatal(err)
	}
	if req.ChatID.String() != "-1001234567890" || req.ParseMode != "HTML" || !req.Preview.IsDisabled {
		t.Errorf("request = %+v (raw %s)", req, api.bodies[0])
	}
	for _, want := range []string{
		"<b>Incident contained · demo: Vault &lt;drained&gt; &amp; paused</b>",
		`<a href="https://etherscan.io/tx/0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060">0x5c504ed4…b22060</a>`,
		"<code>pause</code>",
	} {
		if !strings.Contains(req.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, req.Text)
		}
	}
}

func TestChannelNameIsAString(t *testing.T) {
	api := &botAPI{}
	n, _, _ := newNotifier(t, api, "@firebreak_alerts")
	if _, err := n.Notify(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(api.bodies[0], []byte(`"chat_id":"@firebreak_alerts"`)) {
		t.Errorf("body = %s", api.bodies[0])
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		answer    string
		wantRetry bool
		wantText  string
		wantAfter time.Duration
	}{
		{"chat not found", 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, false, "chat not found", 0},
		{"bot blocked", 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, false, "blocked", 0},
		{"flood control", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`, true, "Too Many Requests", 3 * time.Second},
		{"server error", 502, `<html>Bad Gateway</html>`, true, "Bad Gateway", 0},
		{"not ok", 200, `{"ok":false,"description":"odd"}`, false, "did not answer ok", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, _ := newNotifier(t, &botAPI{status: tt.status, answer: tt.answer}, "42")
			retry, err := n.Notify(context.Background(), message())
			if err == nil || retry != tt.wantRetry || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Notify = %v, %v; want retry %v and %q", retry, err, tt.wantRetry, tt.wantText)
			}
			if after, _ := notify.RetryAfter(err); after != tt.wantAfter {
				t.Errorf("RetryAfter = %v, want %v", after, tt.wantAfter)
			}
		})
	}
}

// TestTokenNeverShown: the bot token is in the request path; neither an
// answer that echoes it nor an unreachable API puts it in the error or
// the log.
func TestTokenNeverShown(t *testing.T) {
	parts := strings.Split(token, ":")
	check := func(t *testing.T, err error, logs string) {
		t.Helper()
		for _, p := range append(parts, token) {
			if err == nil || strings.Contains(err.Error(), p) || strings.Contains(logs, p) {
				t.Errorf("%q reached the error or log (or nothing failed): %v\n%s", p, err, logs)
			}
		}
	}
	t.Run("echoed", func(t *testing.T) {
		n, logs, _ := newNotifier(t, &botAPI{status: 404, answer: `{"ok":false,"error_code":404,"description":"Not Found: $PATH"}`}, "42")
		_, err := n.Notify(context.Background(), message())
		n.log.Error("failed", "err", err, "conf", fmt.Sprintf("%+v", n.conf))
		check(t, err, logs.String())
	})
	t.Run("unreachable", func(t *testing.T) {
		n, logs, srv := newNotifier(t, &botAPI{}, "42")
		srv.Close()
		retry, err := n.Notify(context.Background(), message())
		n.log.Error("failed", "err", err, "url", n.url)
		check(t, err, logs.String())
		if !retry {
			t.Error("an unreachable Bot API is not retried")
		}
	})
}

func TestCutKeepsLines(t *testing.T) {
	line := "<b>" + strings.Repeat("x", 90) + "</b>\n"
	got := cut(strings.Repeat(line, 100), maxText)
	if utf8.RuneCountInString(got) > maxText {
		t.Fatalf("cut text has %d characters", utf8.RuneCountInString(got))
	}
	if strings.Count(got, "<b>") != strings.Count(got, "</b>") || !strings.HasSuffix(got, "\n…") {
		t.Errorf("cut left a tag open or no mark: ...%s", got[len(got)-40:])
	}
}
