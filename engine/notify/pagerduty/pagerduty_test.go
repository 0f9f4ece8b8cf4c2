package pagerduty

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

const routingKey = "R0UT1NGk3ySECRET0123456789abcdef"

// eventsAPI stands in for events.pagerduty.com/v2/enqueue: it records the
// events and answers 202 like the Events API, or what the test sets.
type eventsAPI struct {
	mu     sync.Mutex
	events []Event
	raw    [][]byte
	status int
	body   string
}

func (e *eventsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var ev Event
	_ = json.Unmarshal(b, &ev)
	e.mu.Lock()
	e.events, e.raw = append(e.events, ev), append(e.raw, b)
	status, body := e.status, e.body
	e.mu.Unlock()
	if r.URL.Path != "/v2/enqueue" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if status == 0 {
		status, body = http.StatusAccepted, `{"status":"success","message":"Event processed","dedup_key":"`+ev.DedupKey+`"}`
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, strings.ReplaceAll(body, "$KEY", ev.RoutingKey))
}

func newNotifier(t *testing.T, api *eventsAPI) (*Notifier, *bytes.Buffer) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	tmpl, err := notify.ParseTemplate("pagerduty", "")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	n, err := New(Config{RoutingKey: routingKey, URL: srv.URL + "/v2/enqueue"}, tmpl, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return n, &logs
}

func incident(kind notify.Kind) notify.Message {
	return notify.Message{
		ID: "incident/inc-7/" + string(kind), Kind: kind, Title: "Vault drained", Severity: event.SeverityHigh,
		Protocol: "demo", IncidentID: "inc-7", EventIDs: []string{"ev-1"},
		Actions: []notify.Action{{Type: "pause", Contract: "demo.vault", TxHash: "0xabc", ExplorerURL: "https://etherscan.io/tx/0xabc"}},
		At:      time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

// TestIncidentLifecycle: an incident's messages trigger, trigger again,
// then resolve, all with the incident's id as dedup_key.
func TestIncidentLifecycle(t *testing.T) {
	api := &eventsAPI{}
	n, _ := newNotifier(t, api)
	for _, k := range []notify.Kind{notify.KindIncidentOpened, notify.KindIncidentContained, notify.KindIncidentResolved} {
		if retry, err := n.Notify(context.Background(), incident(k)); err != nil || retry {
			t.Fatalf("%s: Notify = %v, %v", k, retry, err)
		}
	}
	if len(api.events) != 3 {
		t.Fatalf("%d events, want 3", len(api.events))
	}
	for i, want := range []string{ActionTrigger, ActionTrigger, ActionResolve} {
		ev := api.events[i]
		if ev.EventAction != want || ev.DedupKey != "inc-7" || ev.RoutingKey != routingKey {
			t.Errorf("event %d = %s dedup_key %q routing_key ok=%v; want %s inc-7", i, ev.EventAction, ev.DedupKey, ev.RoutingKey == routingKey, want)
		}
	}
	open := api.events[0]
	if p := open.Payload; p == nil || p.Summary != "Incident opened · demo: Vault drained" || p.Severity != "error" || p.Source != "firebreak" || p.Timestamp != "2026-03-01T12:00:00Z" || p.Class != "incident.opened" {
		t.Errorf("trigger payload = %+v", open.Payload)
	}
	if len(open.Links) != 1 || open.Links[0].Href != "https://etherscan.io/tx/0xabc" {
		t.Errorf("links = %+v", open.Links)
	}
	if api.events[2].Payload != nil || bytes.Contains(api.raw[2], []byte(`"payload"`)) {
		t.Errorf("resolve carries a payload: %s", api.raw[2])
	}
}

func TestOperatorAlertHasItsOwnAlert(t *testing.T) {
	api := &eventsAPI{}
	n, _ := newNotifier(t, api)
	msg := notify.Message{ID: "operator/fee-cap/1/7", Kind: notify.KindFeeCapReached, Title: "Fee cap reached on chain 1", Severity: event.SeverityCritical, Facts: map[string]string{"chain": "1"}}
	if _, err := n.Notify(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	ev := api.events[0]
	if ev.EventAction != ActionTrigger || ev.DedupKey != msg.ID || ev.Payload.Severity != "critical" || ev.Payload.CustomDetails["chain"] != "1" {
		t.Errorf("event = %+v %+v", ev, ev.Payload)
	}
	long := notify.Message{ID: strings.Repeat("x", 300), Kind: notify.KindDeadLetter, Title: "t"}
	if k := DedupKey(long); len(k) > 255 || !strings.HasPrefix(k, "firebreak-") {
		t.Errorf("DedupKey of a long id = %q", k)
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantRetry bool
	}{
		{"invalid event", 400, `{"status":"invalid event","message":"Event object is invalid","errors":["routing_key $KEY is not valid"]}`, false},
		{"rate limited", 429, `{"status":"throttle event","message":"Request Limit Exceeded"}`, true},
		{"server error", 503, `unavailable`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, logs := newNotifier(t, &eventsAPI{status: tt.status, body: tt.body})
			retry, err := n.Notify(context.Background(), incident(notify.KindIncidentOpened))
			if err == nil || retry != tt.wantRetry {
				t.Fatalf("Notify = %v, %v; want retry %v", retry, err, tt.wantRetry)
			}
			n.log.Error("failed", "err", err, "conf", n.conf)
			if strings.Contains(err.Error(), routingKey) || strings.Contains(logs.String(), routingKey) {
				t.Errorf("the routing key reached the error or log: %v\n%s", err, logs)
			}
		})
	}
}
