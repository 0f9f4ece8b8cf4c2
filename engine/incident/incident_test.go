package incident_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// world is a real NATS server with the incidents and actions buckets.
type world struct {
	t       *testing.T
	ctx     context.Context
	js      jetstream.JetStream
	store   *incident.Store
	actions *record.Store
	now     time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	js := natstest.JetStream(t)
	st, err := incident.NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	acts, err := record.NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, ctx: ctx, js: js, store: st, actions: acts, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (w *world) tracker() *incident.Tracker {
	return incident.NewTracker(w.store, w.actions, incident.TrackerOptions{
		Window: 30 * time.Minute, MinSeverity: event.SeverityHigh, Now: func() time.Time { return w.now },
	}, slog.New(slog.DiscardHandler))
}

// outcome is a decided event: sev, about protocol, received at, with one
// allowed pause per action id.
func outcome(id, protocol string, sev event.Severity, at time.Time, actionIDs ...string) decide.Outcome {
	out := decide.Outcome{
		Event:      event.Event{ID: id, Source: "forta", Protocol: protocol, Severity: sev, AlertType: "exploit", Title: "Vault drained", Timestamp: at},
		ReceivedAt: at,
		Decision:   &decide.Decision{Revision: "rev-1", Reasons: []string{"critical exploit"}},
	}
	for _, a := range actionIDs {
		var v guard.Verdict
		v.Outcome = guard.Allowed
		v.Request.Type, v.Request.Protocol, v.Request.Rule = guard.ActionPause, protocol, "pause_on_exploit"
		out.Actions = append(out.Actions, decide.ActionOutcome{Verdict: v, ActionID: a})
	}
	return out
}

func (w *world) track(tr *incident.Tracker, out decide.Outcome) string {
	w.t.Helper()
	id, err := tr.Track(w.ctx, out)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) get(id string) incident.Incident {
	w.t.Helper()
	in, _, err := w.store.Get(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return in
}

func TestTrackGroupsEvents(t *testing.T) {
	w := newWorld(t)
	tr := w.tracker()
	t0 := w.now

	a := w.track(tr, outcome("ev-1", "demo", event.SeverityCritical, t0, "a1"))
	if a == "" {
		t.Fatal("a critical event with a pause opened no incident")
	}
	// Within the window of the last event: the same incident, even 50
	// minutes after the first (each event moves the window on).
	if id := w.track(tr, outcome("ev-2", "demo", event.SeverityHigh, t0.Add(25*time.Minute))); id != a {
		t.Errorf("an event 25m later went to %q, want %q", id, a)
	}
	if id := w.track(tr, outcome("ev-3", "demo", event.SeverityMedium, t0.Add(50*time.Minute), "a3")); id != a {
		t.Errorf("an event 25m after the last went to %q, want %q", id, a)
	}
	// Another protocol: its own incident.
	other := w.track(tr, outcome("ev-4", "lending", event.SeverityCritical, t0))
	if other == "" || other == a {
		t.Errorf("another protocol's event went to %q (demo's is %q)", other, a)
	}
	// Nothing asked for and below min_severity: no incident.
	if id := w.track(tr, outcome("ev-5", "demo", event.SeverityMedium, t0.Add(51*time.Minute))); id != "" {
		t.Errorf("a medium event with no action went to incident %q", id)
	}
	// Past the window: a new incident for the protocol.
	late := w.track(tr, outcome("ev-6", "demo", event.SeverityCritical, t0.Add(90*time.Minute)))
	if late == "" || late == a {
		t.Errorf("an event 40m after the last went to %q, want a new incident", late)
	}
	// Redelivered: the same incident, the event once.
	if id := w.track(tr, outcome("ev-2", "demo", event.SeverityHigh, t0.Add(25*time.Minute))); id != a {
		t.Errorf("a redelivered event went to %q, want %q", id, a)
	}

	in := w.get(a)
	if want := []string{"ev-1", "ev-2", "ev-3"}; !slices.Equal(in.Events, want) {
		t.Errorf("events = %v, want %v", in.Events, want)
	}
	if want := []string{"a1", "a3"}; !slices.Equal(in.Actions, want) {
		t.Errorf("actions = %v, want %v", in.Actions, want)
	}
	if in.State != incident.Detected || in.Severity != "critical" || len(in.History) != 1 || in.History[0].Event != "ev-1" {
		t.Errorf("incident = %+v", in)
	}
	if !in.LastEventAt.Equal(t0.Add(50 * time.Minute)) {
		t.Errorf("last event at %s", in.LastEventAt)
	}
	all, err := w.store.List(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("List: %d incidents, want 3 (the index keys are not incidents)", len(all))
	}
	if id, err := w.store.ByEvent(w.ctx, "ev-3"); err != nil || id != a {
		t.Errorf("ByEvent(ev-3) = %q, %v", id, err)
	}
}

func TestTrackByDetectorRef(t *testing.T) {
	w := newWorld(t)
	tr := w.tracker()
	withRef := func(id, ref string, at time.Time) decide.Outcome {
		out := outcome(id, "demo", event.SeverityCritical, at)
		out.Event.Metadata = map[string]any{"incident_id": ref}
		return out
	}
	a := w.track(tr, withRef("ev-1", "INC-42", w.now))
	b := w.track(tr, withRef("ev-2", "INC-42", w.now.Add(3*time.Hour))) // past the window: the ref decides
	c := w.track(tr, withRef("ev-3", "INC-43", w.now.Add(time.Minute)))
	if a != b || a != incident.ForDetectorRef("forta", "INC-42") {
		t.Errorf("one detector incident went to %q and %q", a, b)
	}
	if c == a {
		t.Errorf("another detector incident went to %q too", c)
	}
	if in := w.get(a); in.DetectorRef != "INC-42" || len(in.Events) != 2 {
		t.Errorf("incident = %+v", in)
	}
	// A closed detector incident takes no more events: the event goes by protocol.
	if _, err := w.store.Transition(w.ctx, a, incident.Resolved, "alice", "fixed", w.now); err != nil {
		t.Fatal(err)
	}
	if d := w.track(tr, withRef("ev-4", "INC-42", w.now.Add(4*time.Hour))); d == a || d == "" {
		t.Errorf("an event of a resolved detector incident went to %q", d)
	}
}

// TestTrackConcurrently groups events of one protocol from many workers
// of two engines (two connections) at once: one incident holds them all.
func TestTrackConcurrently(t *testing.T) {
	srv := natstest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var trackers []*incident.Tracker
	var st *incident.Store
	for range 2 {
		nc, err := nats.Connect(srv.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		if st, err = incident.NewStore(ctx, js, 1); err != nil {
			t.Fatal(err)
		}
		acts, err := record.NewStore(ctx, js, 1)
		if err != nil {
			t.Fatal(err)
		}
		trackers = append(trackers, incident.NewTracker(st, acts, incident.TrackerOptions{Window: time.Hour}, slog.New(slog.DiscardHandler)))
	}
	const n = 16
	at := time.Now().UTC()
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Each event twice, from both engines: a redelivery racing the first.
			for j := range 2 {
				id, err := trackers[(i+j)%2].Track(ctx, outcome(fmt.Sprintf("ev-%d", i), "demo", event.SeverityCritical, at, fmt.Sprintf("act-%d", i)))
				if err != nil {
					t.Error(err)
				}
				if j == 0 {
					ids[i] = id
				} else if id != ids[i] {
					t.Errorf("event %d went to %q, then %q", i, ids[i], id)
				}
			}
		})
	}
	wg.Wait()
	all, err := st.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("%d incidents, want 1: %+v", len(all), all)
	}
	if len(all[0].Events) != n || len(all[0].Actions) != n {
		t.Errorf("the incident holds %d events and %d actions, want %d each: %v", len(all[0].Events), len(all[0].Actions), n, all[0].Events)
	}
	for i, id := range ids {
		if id != all[0].ID {
			t.Errorf("event %d went to %q, not %q", i, id, all[0].ID)
		}
	}
}

func (w *world) record(id string) {
	w.t.Helper()
	in := record.Intent{ID: id, EventID: "ev-1", Protocol: "demo", Type: guard.ActionPause, ChainID: 31337,
		To: common.HexToAddress("0x1"), Function: "pause()", Data: []byte{0x84, 0x56, 0xcb, 0x59}, Signer: "guardian"}
	if _, _, _, err := w.actions.Create(w.ctx, in, w.now); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) finish(id string, s record.State) {
	w.t.Helper()
	rec, rev, err := w.actions.Get(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	rec.State = s
	if s == record.Mined {
		h := common.HexToHash("0xabc")
		rec.TxHash, rec.Status = &h, 1
	}
	if _, err := w.actions.Update(w.ctx, rec, rev); err != nil {
		w.t.Fatal(err)
	}
}

func TestContainedWhenEveryActionIsFinal(t *testing.T) {
	w := newWorld(t)
	tr := w.tracker()
	watch, err := w.actions.WatchUpdates(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	go tr.WatchActions(w.ctx, watch)

	w.record("a1")
	w.record("a2")
	id := w.track(tr, outcome("ev-1", "demo", event.SeverityCritical, w.now, "a1", "a2"))
	w.finish("a1", record.Mined)
	if err := tr.CheckContained(w.ctx, id); err != nil {
		t.Fatal(err)
	}
	if in := w.get(id); in.State != incident.Detected {
		t.Fatalf("contained with one of two actions final: %+v", in)
	}
	w.finish("a2", record.Failed)
	deadline := time.Now().Add(10 * time.Second)
	for w.get(id).State != incident.Contained {
		if time.Now().After(deadline) {
			t.Fatal("the watch did not contain the incident")
		}
		time.Sleep(10 * time.Millisecond)
	}
	in := w.get(id)
	if len(in.History) != 2 {
		t.Fatalf("history = %+v", in.History)
	}
	c := in.History[1]
	if c.From != incident.Detected || c.To != incident.Contained || c.By != incident.Engine || c.Note != "every action is final: 1 mined, 1 failed" || !slices.Equal(c.Actions, []string{"a1", "a2"}) {
		t.Errorf("change = %+v", c)
	}
}

// TestContainedOnTrackWhenAlreadyFinal: the pause was mined before the
// event was grouped (the watch found no incident): Track contains it.
func TestContainedOnTrackWhenAlreadyFinal(t *testing.T) {
	w := newWorld(t)
	w.record("a1")
	w.finish("a1", record.Mined)
	id := w.track(w.tracker(), outcome("ev-1", "demo", event.SeverityCritical, w.now, "a1"))
	in := w.get(id)
	if in.State != incident.Contained || len(in.History) != 2 || in.History[0].To != incident.Detected {
		t.Errorf("incident = %+v", in)
	}
}

func TestTransitions(t *testing.T) {
	w := newWorld(t)
	tr := w.tracker()
	open := func(ev string) string {
		return w.track(tr, outcome(ev, ev, event.SeverityCritical, w.now)) // one protocol each
	}
	tests := []struct {
		name    string
		to      incident.State
		by      string
		note    string
		wantErr bool
	}{
		{"ack", "", "alice", "", false},
		{"resolve", incident.Resolved, "alice", "unpaused after the fix", false},
		{"dismiss", incident.Dismissed, "bob", "a false positive: a test transaction", false},
		{"resolve without a note", incident.Resolved, "alice", "  ", true},
		{"no operator", incident.Dismissed, "", "why", true},
		{"contained by hand", incident.Contained, "alice", "", false},
		{"a note too long", incident.Resolved, "alice", string(make([]byte, incident.MaxNoteLen+1)), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := open(fmt.Sprintf("p%d", i))
			in, err := w.store.Transition(w.ctx, id, tt.to, tt.by, tt.note, w.now.Add(time.Minute))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			stored := w.get(id)
			if tt.wantErr {
				if len(stored.History) != 1 {
					t.Errorf("a refused change was recorded: %+v", stored.History)
				}
				return
			}
			last := stored.History[len(stored.History)-1]
			want := tt.to
			if want == "" {
				want = incident.Detected
				if stored.AckedBy != tt.by || !last.IsAck() || last.Note != "acknowledged" {
					t.Errorf("ack: %+v", stored)
				}
			}
			if stored.State != want || in.State != want || last.To != want || last.From != incident.Detected || last.By != tt.by {
				t.Errorf("stored %+v, want state %s", stored, want)
			}
			if want.Final() {
				if _, err := w.store.Transition(w.ctx, id, incident.Dismissed, "carol", "again", w.now); err == nil {
					t.Error("a closed incident took another change")
				}
			}
		})
	}
}
