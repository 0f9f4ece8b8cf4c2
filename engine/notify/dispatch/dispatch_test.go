package dispatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/notify/dispatch"
	"github.com/firebreak-dev/firebreak/engine/notify/nflog"
	"github.com/firebreak-dev/firebreak/engine/notify/receiver"
	"github.com/firebreak-dev/firebreak/engine/notify/webhook"
)

const signingKey = "whsec_dispatch_test_key"

// endpoint stands in for one channel's service: a team's webhook receiver
// (the generic webhook integration posts to it). It verifies each
// request's signature, records every attempt and every delivered
// notification, and answers with status(n) for the n-th attempt (0: 204).
type endpoint struct {
	t      *testing.T
	srv    *httptest.Server
	status func(n int) int
	// hang, when set, makes attempts wait for it to close (or for the
	// request to be abandoned); started is signalled as each one starts.
	hang    chan struct{}
	started chan struct{}

	mu        sync.Mutex
	attempts  int
	delivered []notify.Message
	events    *[]string // shared, ordered record of what happened
}

func newEndpoint(t *testing.T, status func(n int) int) *endpoint {
	e := &endpoint{t: t, status: status, started: make(chan struct{}, 16)}
	e.srv = httptest.NewServer(e)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := webhook.Verify([]byte(signingKey), r.Header, body, time.Now(), time.Minute); err != nil {
		e.t.Errorf("delivery with a bad signature: %v", err)
	}
	e.mu.Lock()
	e.attempts++
	n, hang := e.attempts, e.hang
	e.mu.Unlock()
	select {
	case e.started <- struct{}{}:
	default:
	}
	if hang != nil {
		select {
		case <-hang:
		case <-r.Context().Done():
			e.note("attempt abandoned")
			return
		}
	}
	status := 0
	if e.status != nil {
		status = e.status(n)
	}
	if status == 0 || status < 300 {
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			e.t.Errorf("delivery body: %v", err)
		}
		e.mu.Lock()
		e.delivered = append(e.delivered, p.Notification)
		e.mu.Unlock()
		e.note("attempt completed")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	e.note("attempt failed")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "refused by the test")
}

func (e *endpoint) note(s string) {
	if e.events != nil {
		e.mu.Lock()
		*e.events = append(*e.events, s)
		e.mu.Unlock()
	}
}

func (e *endpoint) got() (attempts int, delivered []notify.Message) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.attempts, slices.Clone(e.delivered)
}

// ids are the notification ids of msgs.
func ids(msgs []notify.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

// harness is one NATS server and the channels' configuration.
type harness struct {
	t       *testing.T
	srv     *server.Server
	opts    config.Options
	tweak   func(*dispatch.Options)
	logs    *syncBuffer
	started []context.CancelFunc
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newHarness configures one webhook channel per endpoint (by name) and
// the given routes, with short timeouts and backoffs.
func newHarness(t *testing.T, endpoints map[string]*endpoint, routes []config.RouteOptions) *harness {
	env := map[string]string{"HOOK_SECRET": signingKey}
	channels := map[string]config.ChannelOptions{}
	for name, e := range endpoints {
		v := "HOOK_URL_" + strings.ToUpper(name)
		env[v] = e.srv.URL + "/hooks/" + name
		channels[name] = config.ChannelOptions{Type: config.ChannelWebhook, WebhookURLEnv: v, SecretEnv: "HOOK_SECRET"}
	}
	opts := config.Options{
		Notify: config.NotifyOptions{
			Channels: channels, Routes: routes,
			Timeout: 500 * time.Millisecond, EnqueueTimeout: 2 * time.Second,
			MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		},
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	}
	return &harness{t: t, srv: natstest.Server(t), opts: opts, logs: &syncBuffer{}}
}

// connect opens a connection of its own (one engine process).
func (h *harness) connect() (*nats.Conn, jetstream.JetStream) {
	h.t.Helper()
	nc, err := nats.Connect(h.srv.ClientURL(), nats.Name(h.t.Name()))
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		h.t.Fatal(err)
	}
	return nc, js
}

// dispatcher builds a dispatcher on its own connection, not running.
func (h *harness) dispatcher() (*dispatch.Dispatcher, *nats.Conn, jetstream.JetStream) {
	h.t.Helper()
	nc, js := h.connect()
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	channels, err := receiver.Build(h.opts, log, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	o := dispatch.Options{Notify: h.opts.Notify, Channels: channels, Explorers: map[uint64]string{1: "https://etherscan.io"}}
	if h.tweak != nil {
		h.tweak(&o)
	}
	d, err := dispatch.New(context.Background(), js, o, log)
	if err != nil {
		h.t.Fatal(err)
	}
	return d, nc, js
}

// run starts d until the test ends or the returned stop is called; stop
// waits for Run to return.
func (h *harness) run(d *dispatch.Dispatcher) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.Run(ctx); err != nil {
			h.t.Errorf("Run: %v", err)
		}
	}()
	stop = func() { cancel(); <-done }
	h.t.Cleanup(stop)
	return stop
}

// running is dispatcher + run.
func (h *harness) running() (*dispatch.Dispatcher, jetstream.JetStream) {
	d, _, js := h.dispatcher()
	h.run(d)
	return d, js
}

// settled waits until the stream holds no delivery (all delivered or
// given up) and nothing is pending on any consumer.
func settled(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	eventually(t, 15*time.Second, func() bool {
		s, err := js.Stream(context.Background(), dispatch.Stream)
		if err != nil {
			return false
		}
		info, err := s.Info(context.Background())
		return err == nil && info.State.Msgs == 0
	})
}

func eventually(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func contained(id string) notify.Message {
	return notify.Message{
		ID: "incident/" + id + "/contained", Kind: notify.KindIncidentContained, Title: "Vault drained",
		Severity: event.SeverityCritical, Protocol: "demo", IncidentID: id, EventIDs: []string{"ev-1"},
		Actions: []notify.Action{{Type: "pause", ChainID: 1, Contract: "demo.vault", State: "final", TxHash: "0xabc"}},
	}
}

// TestEachRoutedChannelOnce: a message reaches each channel its routes
// name exactly once, and no other; an operator alert follows its own
// route and severity floor.
func TestEachRoutedChannelOnce(t *testing.T) {
	a, b, c := newEndpoint(t, nil), newEndpoint(t, nil), newEndpoint(t, nil)
	h := newHarness(t, map[string]*endpoint{"a": a, "b": b, "ops": c}, []config.RouteOptions{
		{Channels: []string{"a", "b"}, Kinds: []string{"incident"}, Protocols: []string{"demo"}},
		{Channels: []string{"ops"}, Kinds: []string{"operator"}, MinSeverity: "high"},
	})
	d, js := h.running()
	ctx := context.Background()
	if got := d.Route(contained("inc-1")); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("Route = %v", got)
	}
	if err := d.Enqueue(ctx, contained("inc-1")); err != nil {
		t.Fatal(err)
	}
	feeCap := notify.Message{ID: "operator/fee-cap/1/7", Kind: notify.KindFeeCapReached, Title: "Fee cap reached", Severity: event.SeverityHigh}
	lowAlert := notify.Message{ID: "operator/dead-letter/1", Kind: notify.KindDeadLetter, Title: "Dead letter", Severity: event.SeverityLow}
	for _, m := range []notify.Message{feeCap, lowAlert} {
		if err := d.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	settled(t, js)
	for name, e := range map[string]*endpoint{"a": a, "b": b} {
		n, got := e.got()
		if n != 1 || !slices.Equal(ids(got), []string{"incident/inc-1/contained"}) {
			t.Errorf("%s: %d attempts, got %v; want the incident once", name, n, ids(got))
			continue
		}
		if u := got[0].Actions[0].ExplorerURL; u != "https://etherscan.io/tx/0xabc" {
			t.Errorf("%s: explorer URL = %q", name, u)
		}
	}
	if n, got := c.got(); n != 1 || !slices.Equal(ids(got), []string{"operator/fee-cap/1/7"}) {
		t.Errorf("ops: %d attempts, got %v; want the fee cap alert only", n, ids(got))
	}
	if s := d.Stats(); s.Enqueued != 3 || s.Sent != 3 || s.Retried != 0 || s.Failed != 0 {
		t.Errorf("stats = %+v", s)
	}
}

// TestRetriedAfterServerErrors: a channel that answers 500 twice gets the
// message on the third attempt, once.
func TestRetriedAfterServerErrors(t *testing.T) {
	e := newEndpoint(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return 0
	})
	h := newHarness(t, map[string]*endpoint{"flaky": e}, nil)
	d, js := h.running()
	if err := d.Enqueue(context.Background(), contained("inc-2")); err != nil {
		t.Fatal(err)
	}
	settled(t, js)
	time.Sleep(300 * time.Millisecond) // longer than the backoff: nothing more comes
	if n, got := e.got(); n != 3 || len(got) != 1 {
		t.Errorf("%d attempts, %d delivered; want 3 and 1", n, len(got))
	}
	if s := d.Stats(); s.Retried != 2 || s.Sent != 1 || s.Failed != 0 {
		t.Errorf("stats = %+v", s)
	}
}

// TestRefusedIsNotRetriedAndAlertsOthers: a channel answering 400 gets one
// attempt; the other channels get the message and an operator alert that
// this channel is failing, which does not go to the failing channel.
func TestRefusedIsNotRetriedAndAlertsOthers(t *testing.T) {
	bad := newEndpoint(t, func(int) int { return http.StatusBadRequest })
	ok1, ok2 := newEndpoint(t, nil), newEndpoint(t, nil)
	h := newHarness(t, map[string]*endpoint{"bad": bad, "ok1": ok1, "ok2": ok2}, nil)
	d, js := h.running()
	if err := d.Enqueue(context.Background(), contained("inc-3")); err != nil {
		t.Fatal(err)
	}
	settled(t, js)
	eventually(t, 5*time.Second, func() bool { _, a := ok1.got(); _, b := ok2.got(); return len(a) == 2 && len(b) == 2 })
	settled(t, js)
	if n, got := bad.got(); n != 1 || len(got) != 0 {
		t.Errorf("bad: %d attempts, %d delivered; want 1 attempt and no alert about itself", n, len(got))
	}
	for name, e := range map[string]*endpoint{"ok1": ok1, "ok2": ok2} {
		_, got := e.got()
		slices.SortFunc(got, func(x, y notify.Message) int { return strings.Compare(string(x.Kind), string(y.Kind)) })
		if len(got) != 2 || got[0].Kind != notify.KindIncidentContained || got[1].Kind != notify.KindChannelFailing {
			t.Errorf("%s got %v", name, ids(got))
			continue
		}
		alert := got[1]
		if alert.Facts["channel"] != "bad" || alert.Facts["notification"] != "incident/inc-3/contained" || !strings.Contains(alert.Facts["error"], "HTTP 400") || alert.Severity != event.SeverityHigh {
			t.Errorf("%s: alert = %+v", name, alert)
		}
	}
	if s := d.Stats(); s.Failed != 1 || s.Retried != 0 {
		t.Errorf("stats = %+v", s)
	}
	_, js2 := h.connect()
	l, err := nflog.Open(context.Background(), js2, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e, ok, err := l.Get(context.Background(), dispatch.DeliveryID("incident/inc-3/contained", "bad"))
	if err != nil || !ok || e.Outcome != nflog.Failed || e.Attempts != 1 {
		t.Errorf("log entry = %+v, %v, %v", e, ok, err)
	}
}

// TestGivenUpAfterMaxAge: a channel that keeps failing with retryable
// errors is given up once the delivery is older than max_age, with the
// alert on the other channel.
func TestGivenUpAfterMaxAge(t *testing.T) {
	down := newEndpoint(t, func(int) int { return http.StatusServiceUnavailable })
	ok := newEndpoint(t, nil)
	h := newHarness(t, map[string]*endpoint{"down": down, "ok": ok}, nil)
	h.opts.Notify.MaxAge = time.Second
	d, js := h.running()
	if err := d.Enqueue(context.Background(), contained("inc-4")); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() bool { return d.Stats().Failed == 1 })
	settled(t, js)
	eventually(t, 5*time.Second, func() bool { _, got := ok.got(); return len(got) == 2 })
	if n, _ := down.got(); n < 3 {
		t.Errorf("down: %d attempts; want several before giving up", n)
	}
	if !strings.Contains(h.logs.String(), "still failing after") {
		t.Errorf("no give-up log line:\n%s", h.logs)
	}
}

// TestDeliversAfterRestart: a dispatcher stopped (or killed mid-attempt)
// between enqueue and delivery leaves the delivery in the stream; the one
// started next delivers it, exactly once.
func TestDeliversAfterRestart(t *testing.T) {
	t.Run("stopped before the delivery", func(t *testing.T) {
		e := newEndpoint(t, nil)
		h := newHarness(t, map[string]*endpoint{"hook": e}, nil)
		first, nc, _ := h.dispatcher() // never run: the engine stopped right after enqueueing
		if err := first.Enqueue(context.Background(), contained("inc-5")); err != nil {
			t.Fatal(err)
		}
		nc.Close()
		time.Sleep(100 * time.Millisecond)
		if n, _ := e.got(); n != 0 {
			t.Fatalf("%d attempts before any dispatcher ran", n)
		}
		_, js := h.running()
		settled(t, js)
		if n, got := e.got(); n != 1 || len(got) != 1 {
			t.Errorf("%d attempts, %d delivered; want 1 and 1", n, len(got))
		}
	})
	t.Run("killed during the attempt", func(t *testing.T) {
		e := newEndpoint(t, nil)
		e.hang = make(chan struct{}) // the first attempt never finishes
		h := newHarness(t, map[string]*endpoint{"hook": e}, nil)
		first, nc, _ := h.dispatcher()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { _ = first.Run(ctx) }()
		if err := first.Enqueue(context.Background(), contained("inc-6")); err != nil {
			t.Fatal(err)
		}
		<-e.started
		// The process dies: its connection goes first, so it can neither
		// ack nor hand the delivery back; then its attempt is abandoned.
		nc.Close()
		cancel()
		eventually(t, 5*time.Second, func() bool { e.mu.Lock(); defer e.mu.Unlock(); return e.attempts == 1 })
		e.mu.Lock()
		e.hang = nil
		e.mu.Unlock()
		_, js := h.running()
		settled(t, js)
		time.Sleep(300 * time.Millisecond)
		if n, got := e.got(); n != 2 || len(got) != 1 {
			t.Errorf("%d attempts, %d delivered; want 2 attempts (one abandoned) and 1 delivery", n, len(got))
		}
	})
}

// TestDuplicateEnqueueDeliversOnce: the same notification queued twice is
// delivered once: at once by the stream's duplicate window, later (past
// the window) by the notification log.
func TestDuplicateEnqueueDeliversOnce(t *testing.T) {
	e := newEndpoint(t, nil)
	h := newHarness(t, map[string]*endpoint{"hook": e}, nil)
	h.tweak = func(o *dispatch.Options) { o.DuplicateWindow = 300 * time.Millisecond }
	d, js := h.running()
	ctx := context.Background()
	for range 2 {
		if err := d.Enqueue(ctx, contained("inc-7")); err != nil {
			t.Fatal(err)
		}
	}
	settled(t, js)
	if s := d.Stats(); s.Enqueued != 1 || s.Sent != 1 {
		t.Fatalf("stats after two enqueues = %+v, want one stored and sent", s)
	}
	time.Sleep(400 * time.Millisecond) // past the stream's window
	if err := d.Enqueue(ctx, contained("inc-7")); err != nil {
		t.Fatal(err)
	}
	settled(t, js)
	if s := d.Stats(); s.Enqueued != 2 || s.Skipped != 1 || s.Sent != 1 {
		t.Errorf("stats = %+v, want the late duplicate stored, then skipped by the log", s)
	}
	if n, got := e.got(); n != 1 || len(got) != 1 {
		t.Errorf("%d attempts, %d delivered; want 1 and 1", n, len(got))
	}
}

// TestDownChannelDoesNotDelayEnqueue: Enqueue returns once the stream has
// the deliveries, before the attempt at a hanging channel completes (it
// cannot complete until the test lets it, after Enqueue returned), and a
// channel refusing connections is retried while the others are served.
func TestDownChannelDoesNotDelayEnqueue(t *testing.T) {
	var order []string
	hanging := newEndpoint(t, nil)
	hanging.hang, hanging.events = make(chan struct{}), &order
	ok := newEndpoint(t, nil)
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedURL := "http://" + refused.Addr().String()
	refused.Close() // nothing listens there any more
	h := newHarness(t, map[string]*endpoint{"hanging": hanging, "ok": ok}, nil)
	h.opts.Notify.Timeout = 5 * time.Second
	h.opts.Notify.Channels["refused"] = config.ChannelOptions{Type: config.ChannelWebhook, WebhookURLEnv: "REFUSED_URL", SecretEnv: "HOOK_SECRET"}
	env := h.opts.LookupEnv
	h.opts.LookupEnv = func(k string) (string, bool) {
		if k == "REFUSED_URL" {
			return refusedURL + "/hook", true
		}
		return env(k)
	}
	d, js := h.running()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := d.Enqueue(ctx, contained("inc-8")); err != nil {
		t.Fatal(err)
	}
	<-hanging.started
	// A second message while the first attempt hangs: queued all the same.
	if err := d.Enqueue(ctx, contained("inc-9")); err != nil {
		t.Fatalf("Enqueue while a channel hangs: %v", err)
	}
	hanging.mu.Lock()
	order = append(order, "enqueue returned")
	hanging.mu.Unlock()
	eventually(t, 5*time.Second, func() bool { _, got := ok.got(); return len(got) == 2 })
	eventually(t, 5*time.Second, func() bool { return d.Stats().Retried >= 2 }) // the refused channel, twice
	close(hanging.hang)
	eventually(t, 10*time.Second, func() bool { _, got := hanging.got(); return len(got) == 2 })
	hanging.mu.Lock()
	if len(order) < 2 || order[0] != "enqueue returned" || order[1] != "attempt completed" {
		t.Errorf("order = %v, want the enqueue to return before the attempt completed", order)
	}
	hanging.mu.Unlock()
	_ = js
}

// TestFailingDeliveryShowsNoSecret: a Slack channel whose URL is refused
// (with an answer echoing its path) leaves no part of the URL's path in
// the dispatcher's log, nor in the alert the other channel receives.
func TestFailingDeliveryShowsNoSecret(t *testing.T) {
	slackish := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "channel_not_found: "+r.URL.Path)
	}))
	t.Cleanup(slackish.Close)
	const path = "/services/T0SECRET01/B0SECRET02/xoxbSECRETtoken0123456789"
	ok := newEndpoint(t, nil)
	h := newHarness(t, map[string]*endpoint{"ok": ok}, nil)
	h.opts.Notify.Channels["slack"] = config.ChannelOptions{Type: config.ChannelSlack, WebhookURLEnv: "SLACK_URL"}
	env := h.opts.LookupEnv
	h.opts.LookupEnv = func(k string) (string, bool) {
		if k == "SLACK_URL" {
			return slackish.URL + path, true
		}
		return env(k)
	}
	d, js := h.running()
	if err := d.Enqueue(context.Background(), contained("inc-10")); err != nil {
		t.Fatal(err)
	}
	settled(t, js)
	eventually(t, 5*time.Second, func() bool { _, got := ok.got(); return len(got) == 2 })
	_, got := ok.got()
	alert, _ := json.Marshal(got)
	logs := h.logs.String()
	if !strings.Contains(logs, "channel_not_found") || !strings.Contains(string(alert), "channel_not_found") {
		t.Fatalf("the failure is not reported:\n%s\n%s", logs, alert)
	}
	for _, part := range []string{"T0SECRET01", "B0SECRET02", "xoxbSECRETtoken0123456789"} {
		if strings.Contains(logs, part) || strings.Contains(string(alert), part) {
			t.Errorf("%q reached the log or the alert:\n%s\n%s", part, logs, alert)
		}
	}
}

func TestEnqueueRefusesMessagesWithoutIdentity(t *testing.T) {
	h := newHarness(t, map[string]*endpoint{"hook": newEndpoint(t, nil)}, nil)
	d, _, _ := h.dispatcher()
	if err := d.Enqueue(context.Background(), notify.Message{Kind: notify.KindDeadLetter, Title: "x"}); err == nil {
		t.Error("a message without an ID was queued")
	}
	if err := d.Enqueue(context.Background(), notify.Message{ID: "x", Kind: "incident.exploded", Title: "x"}); err == nil {
		t.Error("a message of an unknown kind was queued")
	}
}
