package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

// harness is a real embedded nats-server with the stream and a consumer.
type harness struct {
	t    *testing.T
	ctx  context.Context
	js   jetstream.JetStream
	cons *ingest.Consumer
	obs  *observer
}

func newHarness(t *testing.T, configure func(*ingest.ConsumerOptions)) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := srv.Dial(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	obs := &observer{}
	opts := ingest.DefaultConsumerOptions()
	opts.RetryDelay, opts.MaxRetryDelay = 10*time.Millisecond, 20*time.Millisecond
	opts.Observer = obs
	if configure != nil {
		configure(&opts)
	}
	cons, err := ingest.NewConsumer(ctx, js, opts, log)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, ctx: ctx, js: js, cons: cons, obs: obs}
}

// run consumes with h until the test ends.
func (h *harness) run(handler ingest.Handler) {
	ctx, stop := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- h.cons.Run(ctx, handler) }()
	h.t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			h.t.Error(err)
		}
	})
}

// deadLetters waits for the first n dead letters.
func (h *harness) deadLetters(n int) []jetstream.Msg {
	h.t.Helper()
	c, err := h.js.OrderedConsumer(h.ctx, ingest.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{ingest.DeadSubject}})
	if err != nil {
		h.t.Fatal(err)
	}
	var out []jetstream.Msg
	for len(out) < n {
		msg, err := c.Next(jetstream.FetchMaxWait(20 * time.Second))
		if err != nil {
			h.t.Fatalf("waiting for dead letter %d: %v", len(out)+1, err)
		}
		out = append(out, msg)
	}
	return out
}

type observer struct {
	mu         sync.Mutex
	rejected   []string
	duplicates []string
}

func (o *observer) Rejected(_ context.Context, subject string, _ uint64, _ []byte, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rejected = append(o.rejected, subject+": "+reason)
}

func (o *observer) Duplicate(_ context.Context, ev event.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.duplicates = append(o.duplicates, ev.ID)
}

func (o *observer) counts() (int, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.rejected), len(o.duplicates)
}

func validEvent(id string) event.Event {
	return event.Event{ID: id, Source: "test", ChainID: 1, Severity: event.SeverityCritical, Confidence: 1,
		AlertType: "exploit", Protocol: "demo", Timestamp: time.Now().UTC().Truncate(time.Second)}
}

// calls counts handler invocations per event id.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) inc(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[id]++
	return c.n[id]
}

func (c *calls) get(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

func TestDeadLetters(t *testing.T) {
	tests := []struct {
		name       string
		data       []byte
		handlerErr error
		wantReason string
	}{
		{"not JSON", []byte("{not json"), nil, "malformed JSON"},
		{"unknown field", []byte(`{"id":"x","bogus":1}`), nil, `"bogus"`},
		{"too large", []byte(`{"id":"` + strings.Repeat("a", event.MaxSize) + `"}`), nil, "larger than"},
		{"handler refuses", nil, errors.New("no such protocol"), "no such protocol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.run(func(context.Context, event.Event) ([]byte, error) { return nil, tt.handlerErr })
			data := tt.data
			if data == nil {
				data, _ = validEvent("refused").Encode()
			}
			if _, err := h.js.Publish(h.ctx, "detections.test", data); err != nil {
				t.Fatal(err)
			}
			dead := h.deadLetters(1)[0]
			if reason := dead.Headers().Get(ingest.HeaderReason); !strings.Contains(reason, tt.wantReason) {
				t.Errorf("reason = %q, want it to contain %q", reason, tt.wantReason)
			}
			if string(dead.Data()) != string(data) {
				t.Error("the dead letter does not carry the original message")
			}
			if dead.Headers().Get(ingest.HeaderOriginalSeq) == "" {
				t.Error("no original sequence header")
			}
			// The observer is told right after the dead letter is written.
			for {
				r, _ := h.obs.counts()
				if r == 1 {
					break
				}
				if r > 1 || h.ctx.Err() != nil {
					t.Fatalf("observer saw %d rejections, want 1", r)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

func TestDuplicateEventHandledOnce(t *testing.T) {
	h := newHarness(t, nil)
	var c calls
	handled := make(chan struct{}, 4)
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		c.inc(ev.ID)
		handled <- struct{}{}
		return []byte(`{"ok":true}`), nil
	})
	data, _ := validEvent("dup-1").Encode()
	// Distinct message ids so the server's own deduplication lets both in.
	for i := range 3 {
		if _, err := h.js.Publish(h.ctx, "detections.test", data, jetstream.WithMsgID(fmt.Sprint("m", i))); err != nil {
			t.Fatal(err)
		}
	}
	<-handled
	for {
		if _, d := h.obs.counts(); d == 2 {
			break
		}
		if h.ctx.Err() != nil {
			t.Fatal("the two copies were never recognised as duplicates")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := c.get("dup-1"); n != 1 {
		t.Fatalf("handler called %d times for one event, want 1", n)
	}
	rec, err := h.cons.Record(h.ctx, "dup-1")
	if err != nil || string(rec) != `{"ok":true}` {
		t.Fatalf("record = %q, %v; want the handler's record", rec, err)
	}
}

func TestTransientFailureRetriesThenSucceeds(t *testing.T) {
	h := newHarness(t, nil)
	var c calls
	done := make(chan struct{})
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		if c.inc(ev.ID) < 3 {
			return nil, fmt.Errorf("%w: node unreachable", ingest.ErrTransient)
		}
		close(done)
		return []byte("{}"), nil
	})
	if _, err := ingest.Publish(h.ctx, h.js, validEvent("flaky")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-h.ctx.Done():
		t.Fatal("never succeeded")
	}
	// The record is written right after the handler returns.
	for {
		_, err := h.cons.Record(h.ctx, "flaky")
		if err == nil {
			break
		}
		if !errors.Is(err, jetstream.ErrKeyNotFound) || h.ctx.Err() != nil {
			t.Fatalf("no record after success: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := c.get("flaky"); n != 3 {
		t.Errorf("handler called %d times, want 3", n)
	}
}

func TestTransientFailureOnLastDeliveryIsDeadLettered(t *testing.T) {
	h := newHarness(t, func(o *ingest.ConsumerOptions) { o.MaxDeliver = 2 })
	var c calls
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		c.inc(ev.ID)
		return nil, fmt.Errorf("%w: node unreachable", ingest.ErrTransient)
	})
	if _, err := ingest.Publish(h.ctx, h.js, validEvent("hopeless")); err != nil {
		t.Fatal(err)
	}
	dead := h.deadLetters(1)[0]
	if reason := dead.Headers().Get(ingest.HeaderReason); !strings.Contains(reason, "gave up after 2 deliveries") {
		t.Errorf("reason = %q, want it to say it gave up after 2 deliveries", reason)
	}
	if n := c.get("hopeless"); n != 2 {
		t.Errorf("handler called %d times, want 2 (MaxDeliver)", n)
	}
}

func TestPublishRefusesReservedAndInvalid(t *testing.T) {
	h := newHarness(t, nil)
	ev := validEvent("x")
	ev.Source = "dead"
	if _, err := ingest.Publish(h.ctx, h.js, ev); !errors.Is(err, ingest.ErrReservedSource) {
		t.Errorf("source dead: err = %v, want ErrReservedSource", err)
	}
	ev = validEvent("x")
	ev.Confidence = 2
	if _, err := ingest.Publish(h.ctx, h.js, ev); !errors.Is(err, event.ErrInvalid) {
		t.Errorf("invalid event: err = %v, want event.ErrInvalid", err)
	}
}

func TestEventKeyIsAValidKVKey(t *testing.T) {
	for _, id := range []string{"a", "forta/0xabc:1", strings.Repeat("é", 100)} {
		k := ingest.EventKey(id)
		if len(k) != 32 || strings.Trim(k, "0123456789abcdef") != "" {
			t.Errorf("EventKey(%q) = %q, want 32 hex characters", id, k)
		}
	}
	if ingest.EventKey("a") == ingest.EventKey("b") {
		t.Error("different ids share a key")
	}
}

// The engine reaches its embedded server in process; detectors reach it
// over TCP with their own identity. An event published over TCP is
// consumed through the pipe.
func TestEmbeddedInProcessConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	inProc, err := srv.Dial("engine")
	if err != nil {
		t.Fatal(err)
	}
	defer inProc.Close()
	if got := inProc.ConnectedAddr(); got != "pipe" {
		t.Errorf("in-process connection is to %q, want a pipe (no socket)", got)
	}
	engineJS, err := jetstream.New(inProc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.EnsureStream(ctx, engineJS, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	cons, err := ingest.NewConsumer(ctx, engineJS, ingest.DefaultConsumerOptions(), log)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- cons.Run(runCtx, func(_ context.Context, ev event.Event) ([]byte, error) {
			got <- ev.ID
			return nil, nil
		})
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	seed, _, err := ingest.CreateIdentity(srv.IdentityDir(), ingest.RoleDetector, "test", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	detector, err := ingest.DialWith(srv.ClientURL(), "detector", ingest.ConnectOptions{NkeySeedFile: seed})
	if err != nil {
		t.Fatal(err)
	}
	defer detector.Close()
	detectorJS, err := jetstream.New(detector)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Publish(ctx, detectorJS, validEvent("over-tcp")); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if id != "over-tcp" {
			t.Errorf("consumed %q, want over-tcp", id)
		}
	case <-ctx.Done():
		t.Fatal("the event published over TCP never reached the in-process consumer")
	}
}

// FIREBREAK_EVENTS keeps handled events for ConsumerOptions.EventsTTL, not
// for ever.
func TestEventsBucketHasTTL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js := natstest.JetStream(t)
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	opts := ingest.DefaultConsumerOptions()
	opts.EventsTTL = 48 * time.Hour
	if _, err := ingest.NewConsumer(ctx, js, opts, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, ingest.EventsBucket)
	if err != nil {
		t.Fatal(err)
	}
	st, err := kv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.TTL() != 48*time.Hour {
		t.Fatalf("FIREBREAK_EVENTS TTL = %v, want 48h", st.TTL())
	}
}
