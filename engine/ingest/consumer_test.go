package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// A transient failure is retried for as long as the event is younger than
// MaxEventAge, far past what a delivery count would have allowed, and then
// dead-lettered as stale.
func TestTransientFailureRetriedUntilStale(t *testing.T) {
	h := newHarness(t, func(o *ingest.ConsumerOptions) { o.MaxEventAge = 1500 * time.Millisecond })
	var c calls
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		c.inc(ev.ID)
		return nil, fmt.Errorf("%w: node unreachable", ingest.ErrTransient)
	})
	if _, err := ingest.Publish(h.ctx, h.js, validEvent("outage")); err != nil {
		t.Fatal(err)
	}
	dead := h.deadLetters(1)[0]
	if code := dead.Headers().Get(ingest.HeaderDeadCode); code != ingest.CodeStale {
		t.Errorf("dead letter code = %q, want %q", code, ingest.CodeStale)
	}
	if reason := dead.Headers().Get(ingest.HeaderReason); !strings.Contains(reason, "max_event_age") || !strings.Contains(reason, "node unreachable") {
		t.Errorf("reason = %q, want it to name max_event_age and the last failure", reason)
	}
	if n := c.get("outage"); n <= 10 {
		t.Errorf("handler called %d times; the old budget of 10 deliveries must not cut retries short", n)
	}
}

// An event older than MaxEventAge that fails transiently is dead-lettered
// at once: it is past its budget already.
func TestTransientFailureOfAnOldEventIsStale(t *testing.T) {
	h := newHarness(t, func(o *ingest.ConsumerOptions) { o.MaxEventAge = time.Minute })
	var c calls
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		c.inc(ev.ID)
		return nil, fmt.Errorf("%w: node unreachable", ingest.ErrTransient)
	})
	ev := validEvent("old")
	ev.Timestamp = time.Now().Add(-2 * time.Minute)
	if _, err := ingest.Publish(h.ctx, h.js, ev); err != nil {
		t.Fatal(err)
	}
	dead := h.deadLetters(1)[0]
	if code := dead.Headers().Get(ingest.HeaderDeadCode); code != ingest.CodeStale {
		t.Errorf("dead letter code = %q, want %q", code, ingest.CodeStale)
	}
	if n := c.get("old"); n != 1 {
		t.Errorf("handler called %d times, want 1", n)
	}
}

// While a handler runs past the ack wait, InProgress keeps the server from
// redelivering the message: it is handled once and never seen again as a
// duplicate.
func TestLongHandlingIsKeptInProgress(t *testing.T) {
	h := newHarness(t, func(o *ingest.ConsumerOptions) {
		o.AckWait, o.HandleTimeout = time.Second, 10*time.Second
	})
	var c calls
	done := make(chan struct{})
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		if c.inc(ev.ID) == 1 && ev.ID == "slow" {
			time.Sleep(3500 * time.Millisecond) // three and a half ack waits
			close(done)
		}
		return []byte("{}"), nil
	})
	if _, err := ingest.Publish(h.ctx, h.js, validEvent("slow")); err != nil {
		t.Fatal(err)
	}
	<-done
	// A redelivery would have been queued behind the slow call in the same
	// lane; a second event after it shows the lane is drained.
	after := validEvent("after")
	if _, err := ingest.Publish(h.ctx, h.js, after); err != nil {
		t.Fatal(err)
	}
	for c.get("after") == 0 {
		if h.ctx.Err() != nil {
			t.Fatal("the second event was never handled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := c.get("slow"); n != 1 {
		t.Errorf("handler called %d times, want 1", n)
	}
	if _, d := h.obs.counts(); d != 0 {
		t.Errorf("%d duplicates seen: the server redelivered a message being handled", d)
	}
}

// One protocol's events are handled in arrival order while the lanes run
// concurrently.
func TestOrderedPerProtocol(t *testing.T) {
	h := newHarness(t, func(o *ingest.ConsumerOptions) { o.Workers = 8 })
	protocols := []string{"alpha", "beta", "gamma", "delta"}
	const perProtocol = 25
	var (
		mu            sync.Mutex
		got           = map[string][]int{}
		running, peak int
		total         int
		allHandled    = make(chan struct{})
	)
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		var n int
		fmt.Sscanf(ev.ID[strings.LastIndexByte(ev.ID, '-')+1:], "%d", &n)
		mu.Lock()
		running--
		got[ev.Protocol] = append(got[ev.Protocol], n)
		total++
		if total == len(protocols)*perProtocol {
			close(allHandled)
		}
		mu.Unlock()
		return []byte("{}"), nil
	})
	for i := range perProtocol {
		for _, p := range protocols {
			ev := validEvent(fmt.Sprintf("%s-%d", p, i))
			ev.Protocol = p
			if _, err := ingest.Publish(h.ctx, h.js, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	select {
	case <-allHandled:
	case <-h.ctx.Done():
		t.Fatal("not every event was handled")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range protocols {
		for i, n := range got[p] {
			if n != i {
				t.Fatalf("protocol %s handled in order %v, want 0..%d", p, got[p], perProtocol-1)
			}
		}
	}
	if peak < 2 {
		t.Errorf("at most %d event handled at once with 8 workers and 4 protocols", peak)
	}
}

// A protocol whose handling hangs does not hold up another protocol's
// events: they are all handled while it is still stuck.
func TestHungProtocolDoesNotBlockOthers(t *testing.T) {
	h := newHarness(t, func(o *ingest.ConsumerOptions) { o.Workers = 8 })
	release := make(chan struct{})
	var c calls
	h.run(func(ctx context.Context, ev event.Event) ([]byte, error) {
		c.inc(ev.ID)
		if ev.Protocol == "hung" {
			select {
			case <-release:
			case <-ctx.Done():
				return nil, fmt.Errorf("%w: %w", ingest.ErrTransient, ctx.Err())
			}
		}
		return []byte("{}"), nil
	})
	hung := validEvent("hung-0")
	hung.Protocol = "hung"
	if _, err := ingest.Publish(h.ctx, h.js, hung); err != nil {
		t.Fatal(err)
	}
	for c.get("hung-0") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	// Two protocols in lanes other than the hung one's (a lane is a hash
	// of the protocol; these two differ from "hung" for 8 lanes).
	for i := range 5 {
		for _, p := range []string{"alpha", "delta"} {
			ev := validEvent(fmt.Sprintf("%s-%d", p, i))
			ev.Protocol = p
			if _, err := ingest.Publish(h.ctx, h.js, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, id := range []string{"alpha-4", "delta-4"} {
		for c.get(id) == 0 {
			if h.ctx.Err() != nil {
				t.Fatalf("%s was not handled while the hung protocol was stuck", id)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if _, err := h.cons.Record(h.ctx, "hung-0"); err == nil {
		t.Fatal("the hung event is recorded: it was not hung")
	}
	close(release)
}
