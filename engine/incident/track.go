package incident

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// Engine is who the engine's own changes are by.
const Engine = "firebreak"

// MetadataRef is the metadata key of a native event holding the
// detector's own incident id: events that carry the same one (from the
// same source) are one incident.
const MetadataRef = "incident_id"

// maxRefLen bounds a detector incident id.
const maxRefLen = 256

// ActionReader reads action records: the actions bucket (record.Store).
type ActionReader interface {
	Get(ctx context.Context, id string) (record.Record, uint64, error)
}

// TrackerOptions configure a Tracker.
type TrackerOptions struct {
	// Window: an event joins the open incident of its protocol whose last
	// event arrived at most this long before it.
	Window time.Duration
	// MinSeverity opens (or joins) an incident when the policies asked
	// for no action.
	MinSeverity event.Severity
	Now         func() time.Time
}

// Tracker puts events into incidents and moves an incident to Contained
// once every allowed action of its events is final. Every write is a
// compare-and-set on the incident's revision, retried on a conflict, so
// any number of workers and engines may track at once.
type Tracker struct {
	store   *Store
	actions ActionReader
	opts    TrackerOptions
	log     *slog.Logger
}

// NewTracker returns a Tracker over store, reading action states from
// actions.
func NewTracker(store *Store, actions ActionReader, opts TrackerOptions, log *slog.Logger) *Tracker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if !opts.MinSeverity.Valid() {
		opts.MinSeverity = event.SeverityHigh
	}
	return &Tracker{store: store, actions: actions, opts: opts, log: log}
}

// Store is the tracker's store.
func (t *Tracker) Store() *Store { return t.store }

// Concerns reports whether an outcome belongs in an incident: its
// decision asked for any action (allowed or not: a refused pause is still
// something people must hear about), or its event is at least
// MinSeverity.
func (t *Tracker) Concerns(out decide.Outcome) bool {
	return len(out.Actions) > 0 || out.Event.Severity.AtLeast(t.opts.MinSeverity)
}

// DetectorRef is the incident id the detector sent with ev, if any: the
// string metadata.incident_id (at most 256 characters).
func DetectorRef(ev event.Event) string {
	ref, _ := ev.Metadata[MetadataRef].(string)
	ref = strings.TrimSpace(ref)
	if len(ref) > maxRefLen {
		return ""
	}
	return ref
}

// MaxEvents bounds the event ids an incident lists (a long attack can
// send thousands); later events are counted in MoreEvents.
const MaxEvents = 1000

// maxAttempts bounds the compare-and-set retries of one grouping.
const maxAttempts = 32

// errRetry: a compare-and-set lost; read again and retry.
var errRetry = errors.New("incident: conflict, retry")

// Track puts the event of out into its incident and returns the
// incident's id, or "" when the event concerns none (Concerns). The
// outcome's actions must carry their ids (ActionID). Tracking the same
// event again changes nothing.
func (t *Tracker) Track(ctx context.Context, out decide.Outcome) (string, error) {
	if !t.Concerns(out) {
		return "", nil
	}
	ev := out.Event
	id, _, found, err := t.store.index(ctx, eventKey(ev.ID))
	if err != nil {
		return "", err
	}
	if !found {
		for attempt := 0; ; attempt++ {
			if attempt == maxAttempts {
				return "", fmt.Errorf("incident: grouping event %s: %d conflicting writes in a row", ev.ID, attempt)
			}
			id, err = t.join(ctx, out)
			if errors.Is(err, errRetry) {
				continue
			}
			if err != nil {
				return "", err
			}
			break
		}
		if err := t.store.setIndex(ctx, eventKey(ev.ID), id, 0); err != nil && !IsConflict(err) {
			return "", err
		}
	}
	// The actions may have become final before the incident held them.
	return id, t.CheckContained(ctx, id)
}

// join adds the event to the incident it belongs to, opening one when
// none is open, and returns that incident's id.
func (t *Tracker) join(ctx context.Context, out decide.Outcome) (string, error) {
	ev := out.Event
	if ref := DetectorRef(ev); ref != "" {
		id := ForDetectorRef(ev.Source, ref)
		in, rev, err := t.store.Get(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			return id, t.open(ctx, id, ref, out)
		case err != nil:
			return "", err
		case !in.State.Final():
			return id, t.add(ctx, in, rev, out)
		}
		// The detector's incident is closed: this event is grouped by
		// its protocol instead.
	}
	key := openKey(ev.Protocol)
	cur, irev, found, err := t.store.index(ctx, key)
	if err != nil {
		return "", err
	}
	if found {
		in, rev, err := t.store.Get(ctx, cur)
		switch {
		case errors.Is(err, ErrNotFound):
			// Claimed by a worker that has not created it yet (or died
			// first): create it; the claimer's create then finds it and
			// joins it.
			return cur, t.open(ctx, cur, "", out)
		case err != nil:
			return "", err
		case !in.State.Final() && out.ReceivedAt.Sub(in.LastEventAt) <= t.opts.Window:
			return cur, t.add(ctx, in, rev, out)
		}
	}
	// No open incident in the window: this event opens one, and the
	// protocol's index names it. Claimed first, so two workers cannot
	// both open one.
	id := OpenedBy(ev.ID)
	if err := t.store.setIndex(ctx, key, id, irev); err != nil {
		if IsConflict(err) {
			return "", errRetry
		}
		return "", err
	}
	return id, t.open(ctx, id, "", out)
}

// open creates incident id with the event of out as its first.
func (t *Tracker) open(ctx context.Context, id, ref string, out decide.Outcome) error {
	ev := out.Event
	actions, approvals := actionsOf(out)
	at := out.ReceivedAt.UTC()
	in := Incident{
		ID: id, Protocol: ev.Protocol, DetectorRef: ref, Severity: string(ev.Severity), Title: titleOf(ev), State: Detected,
		OpenedAt: at, LastEventAt: at, Events: []string{ev.ID}, Actions: actions, Approvals: approvals,
		History: []Change{{To: Detected, By: Engine, At: at, Event: ev.ID, Actions: actions,
			Note: fmt.Sprintf("opened by a %s %s alert from %s", ev.Severity, ev.AlertType, ev.Source)}},
	}
	if d := out.Decision; d != nil {
		in.PolicyRevision, in.Reasons = d.Revision, d.Reasons
	}
	for _, a := range out.Actions {
		if a.Request.Rule != "" {
			in.Rule = a.Request.Rule
			break
		}
	}
	if _, err := t.store.Create(ctx, in); err != nil {
		if IsConflict(err) {
			if cur, _, gerr := t.store.Get(ctx, id); gerr == nil && cur.HasEvent(ev.ID) {
				return nil // opened by an earlier delivery of this event
			}
			return errRetry // created meanwhile: join it
		}
		return err
	}
	t.log.Info("incident opened", "incident", id, "protocol", ev.Protocol, "event", ev.ID, "severity", ev.Severity)
	return nil
}

// add adds the event of out to in (read at rev), once.
func (t *Tracker) add(ctx context.Context, in Incident, rev uint64, out decide.Outcome) error {
	ev := out.Event
	if in.HasEvent(ev.ID) {
		return nil
	}
	actions, approvals := actionsOf(out)
	if len(in.Events) < MaxEvents {
		in.Events = append(in.Events, ev.ID)
	} else {
		in.MoreEvents++ // the event index still knows it
	}
	in.Actions = appendNew(in.Actions, actions...)
	in.Approvals = appendNew(in.Approvals, approvals...)
	if ev.Severity.Rank() > event.Severity(in.Severity).Rank() {
		in.Severity = string(ev.Severity)
	}
	if at := out.ReceivedAt.UTC(); at.After(in.LastEventAt) {
		in.LastEventAt = at
	}
	if _, err := t.store.Update(ctx, in, rev); err != nil {
		if IsConflict(err) {
			return errRetry
		}
		return err
	}
	return nil
}

// actionsOf lists the ids of the allowed on-chain actions of out and of
// the approvals they wait for.
func actionsOf(out decide.Outcome) (actions, approvals []string) {
	for _, a := range out.Actions {
		if a.Outcome != guard.Allowed || a.Request.Type == guard.ActionNotify || a.ActionID == "" {
			continue
		}
		actions = append(actions, a.ActionID)
		if a.Approval != "" {
			approvals = append(approvals, a.Approval)
		}
	}
	return actions, approvals
}

func appendNew(list []string, ids ...string) []string {
	for _, id := range ids {
		if !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	return list
}

func titleOf(ev event.Event) string {
	if ev.Title != "" {
		return ev.Title
	}
	return fmt.Sprintf("%s on %s", ev.AlertType, ev.Protocol)
}

// CheckContained moves incident id from Detected to Contained when it
// has actions and every one of them is final. Anything else leaves it as
// it is.
func (t *Tracker) CheckContained(ctx context.Context, id string) error {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		in, rev, err := t.store.Get(ctx, id)
		if err != nil {
			return err
		}
		if in.State != Detected || len(in.Actions) == 0 {
			return nil
		}
		states := map[record.State]int{}
		for _, a := range in.Actions {
			rec, _, err := t.actions.Get(ctx, a)
			if err != nil || !rec.State.Final() {
				// Not recorded yet (waiting for an approval) or not
				// final: not contained. A record that cannot be read is
				// checked again at its next change.
				return nil
			}
			states[rec.State]++
		}
		var parts []string
		for _, s := range []record.State{record.Mined, record.Satisfied, record.Joined, record.Failed, record.Refused} {
			if n := states[s]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, s))
			}
		}
		in.State = Contained
		in.History = append(in.History, Change{From: Detected, To: Contained, By: Engine, At: t.opts.Now().UTC(),
			Actions: slices.Clone(in.Actions), Note: "every action is final: " + strings.Join(parts, ", ")})
		if _, err := t.store.Update(ctx, in, rev); err != nil {
			if IsConflict(err) {
				continue
			}
			return err
		}
		t.log.Info("incident contained", "incident", id, "actions", len(in.Actions))
		return nil
	}
	return fmt.Errorf("incident: containing %s: %d conflicting writes in a row", id, maxAttempts)
}

// WatchActions follows the action records w delivers (the actions
// bucket's updates, record.Store.WatchUpdates) until it stops, and checks
// the incident of each action that became final.
func (t *Tracker) WatchActions(ctx context.Context, w jetstream.KeyWatcher) {
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var rec struct {
				EventID string       `json:"event_id"`
				State   record.State `json:"state"`
			}
			if json.Unmarshal(e.Value(), &rec) != nil || !rec.State.Final() || rec.EventID == "" {
				continue
			}
			id, err := t.store.ByEvent(ctx, rec.EventID)
			if err != nil {
				// Not grouped yet: Track checks once it has.
				continue
			}
			if err := t.CheckContained(ctx, id); err != nil && ctx.Err() == nil {
				t.log.Warn("could not check whether an incident is contained", "incident", id, "action", e.Key(), "err", err)
			}
		}
	}
}

// Reconcile checks every detected incident once: the actions that became
// final while no engine ran.
func (t *Tracker) Reconcile(ctx context.Context) error {
	all, err := t.store.List(ctx)
	if err != nil {
		return err
	}
	for _, in := range all {
		if in.State == Detected {
			if err := t.CheckContained(ctx, in.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
