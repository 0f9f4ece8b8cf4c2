package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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

const (
	signingKey = "whsec_5f3c1e0a9b8d7c6e5f4a3b2c1d0e9f8a"
	hookPath   = "/hooks/firebreak/3fa85f6457174562b3fc2c963f66afa6"
)

// receiver stands in for a team's own webhook endpoint: it records each
// request (headers and raw body) and answers what the test sets.
type receiver struct {
	mu     sync.Mutex
	header []http.Header
	bodies [][]byte
	status int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.header, r.bodies = append(r.header, req.Header.Clone()), append(r.bodies, b)
	status := r.status
	r.mu.Unlock()
	if status == 0 {
		status = http.StatusNoContent
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "refused "+req.URL.Path)
}

func newNotifier(t *testing.T, rec *receiver) (*Notifier, *bytes.Buffer, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	tmpl, err := notify.ParseTemplate("webhook", "")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	n, err := New(Config{URL: notify.Secret(srv.URL + hookPath), Secret: signingKey}, tmpl, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	n.now = func() time.Time { return time.Unix(1772366400, 0) }
	return n, &logs, srv
}

func message() notify.Message {
	return notify.Message{
		ID: "incident/inc-7/contained", Kind: notify.KindIncidentContained, Title: "Vault drained", Severity: event.SeverityCritical,
		Protocol: "demo", IncidentID: "inc-7", EventIDs: []string{"ev-1"}, At: time.Unix(1772366390, 0).UTC(),
	}
}

// TestSignedDelivery: the request carries the documented headers, and the
// HMAC recomputed here from the documented algorithm (not with Sign)
// matches.
func TestSignedDelivery(t *testing.T) {
	rec := &receiver{}
	n, _, _ := newNotifier(t, rec)
	if retry, err := n.Notify(context.Background(), message()); err != nil || retry {
		t.Fatalf("Notify = %v, %v", retry, err)
	}
	h, body := rec.header[0], rec.bodies[0]
	if h.Get(HeaderTimestamp) != "1772366400" || h.Get(HeaderNotification) != "incident/inc-7/contained" || h.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", h)
	}
	mac := hmac.New(sha256.New, []byte(signingKey))
	mac.Write([]byte(h.Get(HeaderTimestamp) + "." + string(body)))
	if want := "v1=" + hex.EncodeToString(mac.Sum(nil)); h.Get(HeaderSignature) != want {
		t.Errorf("signature = %q, want %q", h.Get(HeaderSignature), want)
	}
	if err := Verify([]byte(signingKey), h, body, time.Unix(1772366430, 0), 5*time.Minute); err != nil {
		t.Errorf("Verify: %v", err)
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Version != 1 || p.Notification.ID != "incident/inc-7/contained" || p.Notification.IncidentID != "inc-7" || !strings.HasPrefix(p.Text, "Incident contained · demo: Vault drained") {
		t.Errorf("payload = %+v", p)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"version":1}`)
	ts := int64(1772366400)
	h := http.Header{}
	h.Set(HeaderTimestamp, "1772366400")
	h.Set(HeaderSignature, Sign([]byte(signingKey), ts, body))
	now := time.Unix(ts, 0)
	tests := []struct {
		name   string
		mutate func(h http.Header, body []byte) []byte
		now    time.Time
		want   error
	}{
		{"valid", func(http.Header, []byte) []byte { return body }, now, nil},
		{"body changed", func(http.Header, []byte) []byte { return []byte(`{"version":2}`) }, now, ErrBadSignature},
		{"timestamp changed", func(h http.Header, b []byte) []byte { h.Set(HeaderTimestamp, "1772366401"); return b }, now, ErrBadSignature},
		{"other key", func(h http.Header, b []byte) []byte { h.Set(HeaderSignature, Sign([]byte("other"), ts, b)); return b }, now, ErrBadSignature},
		{"rotation: one of two", func(h http.Header, b []byte) []byte {
			h.Set(HeaderSignature, Sign([]byte("old"), ts, b)+", "+Sign([]byte(signingKey), ts, b))
			return b
		}, now, nil},
		{"no signature", func(h http.Header, b []byte) []byte { h.Del(HeaderSignature); return b }, now, ErrNoSignature},
		{"replayed later", func(http.Header, []byte) []byte { return body }, now.Add(6 * time.Minute), ErrStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hh := h.Clone()
			b := tt.mutate(hh, body)
			if err := Verify([]byte(signingKey), hh, b, tt.now, 5*time.Minute); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestFailuresKeepSecrets(t *testing.T) {
	for _, tt := range []struct {
		status    int
		wantRetry bool
	}{{400, false}, {401, false}, {429, true}, {500, true}} {
		n, logs, _ := newNotifier(t, &receiver{status: tt.status})
		retry, err := n.Notify(context.Background(), message())
		if err == nil || retry != tt.wantRetry {
			t.Errorf("HTTP %d: Notify = %v, %v; want retry %v", tt.status, retry, err, tt.wantRetry)
			continue
		}
		n.log.Error("failed", "err", err, "conf", n.conf)
		for _, part := range []string{"3fa85f6457174562b3fc2c963f66afa6", "firebreak/3fa8", signingKey} {
			if strings.Contains(err.Error(), part) || strings.Contains(logs.String(), part) {
				t.Errorf("HTTP %d: %q reached the error or log: %v\n%s", tt.status, part, err, logs)
			}
		}
	}
}
