package incident_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// queue stands in for the dispatcher at the Enqueuer boundary: it records
// what is queued, and fails while failing is set. (The dispatcher's own
// delivery, deduplication and retries are tested in notify/dispatch, and
// the whole path, with real channels, in test/incident_test.go.)
type queue struct {
	mu      sync.Mutex
	failing bool
	msgs    []notify.Message
}

func (q *queue) Enqueue(_ context.Context, m notify.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failing {
		return errors.New("queue down")
	}
	q.msgs = append(q.msgs, m)
	return nil
}

func (q *queue) set(failing bool) { q.mu.Lock(); q.failing = failing; q.mu.Unlock() }

func (q *queue) ids() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, m := range q.msgs {
		out = append(out, m.ID)
	}
	return out
}

// runAnnouncer runs an announcer over w with the real audit log until
// the returned stop is called.
func (w *world) runAnnouncer(rec *audit.Recorder, q *queue) (stop func()) {
	a := incident.NewAnnouncer(w.store, w.actions, rec, q, slog.New(slog.DiscardHandler))
	a.Sweep = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(w.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx); err != nil {
			w.t.Errorf("Run: %v", err)
		}
	}()
	return func() { cancel(); <-done }
}

func (w *world) until(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// auditTrail lists the incident records of the audit log.
func (w *world) auditTrail() []string {
	w.t.Helper()
	rd, err := audit.NewReader(w.ctx, w.js)
	if err != nil {
		w.t.Fatal(err)
	}
	recs, err := rd.List(w.ctx, audit.Filter{Kind: audit.KindIncident})
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		var d audit.IncidentData
		if err := json.Unmarshal(r.Data, &d); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d:%s>%s:%s", d.Change, d.From, d.To, d.By))
	}
	return out
}

func TestAnnouncerAuditsAndNotifiesEachChangeOnce(t *testing.T) {
	w := newWorld(t)
	l, err := audit.NewLog(w.ctx, w.js, audit.DefaultOptions(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	rec := audit.NewRecorder(w.ctx, l, slog.New(slog.DiscardHandler))
	t.Cleanup(rec.Close)
	q := &queue{}
	tr := w.tracker()

	w.record("a1")
	w.finish("a1", record.Mined)
	id := w.track(tr, outcome("ev-1", "demo", event.SeverityCritical, w.now, "a1")) // opened, then contained at once
	stop := w.runAnnouncer(rec, q)
	w.until("two changes announced", func() bool { return w.get(id).Announced == 2 })
	stop()

	// Changes made while no announcer runs are announced by the next one;
	// an acknowledgement is audited but notifies no one.
	if _, err := w.store.Ack(w.ctx, id, "alice", "", w.now); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.Transition(w.ctx, id, incident.Resolved, "alice", "fixed", w.now); err != nil {
		t.Fatal(err)
	}
	q.set(true) // the queue is down: the resolution is neither audited nor counted
	stop = w.runAnnouncer(rec, q)
	defer stop()
	w.until("the acknowledgement to be announced", func() bool { return w.get(id).Announced == 3 })
	time.Sleep(100 * time.Millisecond) // five sweeps retry the resolution, and fail
	if got, trail := w.get(id).Announced, w.auditTrail(); got != 3 || len(trail) != 3 {
		t.Fatalf("with the queue down: announced %d, audit trail %v; want 3 and the first three changes", got, trail)
	}
	q.set(false)
	w.until("every change announced", func() bool { return w.get(id).Announced == 4 })

	wantIDs := []string{
		incident.MessageID(id, 0, incident.Detected), incident.MessageID(id, 1, incident.Contained), incident.MessageID(id, 3, incident.Resolved),
	}
	if got := q.ids(); !slices.Equal(got, wantIDs) {
		t.Errorf("queued %v, want %v", got, wantIDs)
	}
	trail := w.auditTrail()
	want := []string{"0:>detected:firebreak", "1:detected>contained:firebreak", "2:contained>contained:alice", "3:contained>resolved:alice"}
	if !slices.Equal(trail, want) {
		t.Errorf("audit trail %v, want %v", trail, want)
	}
	q.mu.Lock()
	contained := q.msgs[1]
	q.mu.Unlock()
	if contained.Kind != notify.KindIncidentContained || contained.IncidentID != id || len(contained.Actions) != 1 ||
		contained.Actions[0].State != "mined" || contained.Actions[0].TxHash == "" || contained.Actor != incident.Engine {
		t.Errorf("contained message %+v", contained)
	}
}
