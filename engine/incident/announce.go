package incident

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// Auditor appends the record of an incident change (audit.Recorder).
type Auditor interface {
	IncidentChanged(ctx context.Context, d audit.IncidentData) error
}

// Enqueuer queues a notification for its channels (dispatch.Dispatcher).
type Enqueuer interface {
	Enqueue(ctx context.Context, msg notify.Message) error
}

// Announcer audits and notifies every change of every incident, whoever
// wrote it (the engine's tracker, an operator's firebreak incident, a
// recovery): it watches the bucket and, for each change past the
// incident's Announced count, appends the audit record, queues the
// notification, and then counts the change announced. A change is
// announced at least once: a crash between the record and the count
// announces it again, and the notification's id — the incident, the
// change's index and its state — makes the dispatcher deliver it once.
type Announcer struct {
	store   *Store
	actions ActionReader
	audit   Auditor
	notify  Enqueuer
	log     *slog.Logger
	// Sweep is how often changes whose announcement failed are tried
	// again (default 5s).
	Sweep time.Duration
}

// NewAnnouncer returns an Announcer; run it with Run.
func NewAnnouncer(store *Store, actions ActionReader, a Auditor, n Enqueuer, log *slog.Logger) *Announcer {
	return &Announcer{store: store, actions: actions, audit: a, notify: n, log: log, Sweep: 5 * time.Second}
}

// Run announces until ctx ends: every incident in the bucket first, then
// each change as it is written.
func (a *Announcer) Run(ctx context.Context) error {
	w, err := a.store.kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("incident: watching %s: %w", Bucket, err)
	}
	defer func() { _ = w.Stop() }()
	tick := time.NewTicker(a.Sweep)
	defer tick.Stop()
	failed := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			for id := range failed {
				if err := a.announce(ctx, id); err == nil || errors.Is(err, ErrNotFound) {
					delete(failed, id)
				}
			}
		case e, ok := <-w.Updates():
			if !ok {
				return fmt.Errorf("incident: the watch of %s stopped", Bucket)
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut || isIndexKey(e.Key()) {
				continue
			}
			var in Incident
			if err := json.Unmarshal(e.Value(), &in); err != nil || in.Announced >= len(in.History) {
				continue
			}
			if err := a.announce(ctx, e.Key()); err != nil && ctx.Err() == nil {
				a.log.Warn("could not announce an incident change; trying again", "incident", e.Key(), "err", err)
				failed[e.Key()] = true
			}
		}
	}
}

// announce audits and notifies the changes of incident id not yet
// announced, in order.
func (a *Announcer) announce(ctx context.Context, id string) error {
	in, _, err := a.store.Get(ctx, id)
	if err != nil {
		return err
	}
	for i := in.Announced; i < len(in.History); i++ {
		c := in.History[i]
		d := audit.IncidentData{Incident: in.ID, Protocol: in.Protocol, Change: i, From: string(c.From), To: string(c.To),
			By: c.By, Note: c.Note, Event: c.Event, Actions: c.Actions}
		// Queued first: queueing again is harmless (the dispatcher
		// delivers a notification id once), auditing again is a
		// duplicate record, so a failing queue must not repeat the audit.
		if msg, ok := a.Message(ctx, in, i); ok {
			if err := a.notify.Enqueue(ctx, msg); err != nil {
				return fmt.Errorf("incident: queueing the notification of change %d of %s: %w", i, id, err)
			}
		}
		if err := a.audit.IncidentChanged(ctx, d); err != nil {
			return fmt.Errorf("incident: auditing change %d of %s: %w", i, id, err)
		}
		if err := a.markAnnounced(ctx, id, i+1); err != nil {
			return err
		}
	}
	return nil
}

// markAnnounced raises the incident's Announced count to n.
func (a *Announcer) markAnnounced(ctx context.Context, id string, n int) error {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		in, rev, err := a.store.Get(ctx, id)
		if err != nil {
			return err
		}
		if in.Announced >= n {
			return nil
		}
		in.Announced = n
		if _, err := a.store.Update(ctx, in, rev); err == nil {
			return nil
		} else if !IsConflict(err) {
			return err
		}
	}
	return fmt.Errorf("incident: counting change %d of %s announced: %d conflicting writes in a row", n-1, id, maxAttempts)
}

// kinds are the message kinds of the states an incident enters.
var kinds = map[State]notify.Kind{
	Detected:   notify.KindIncidentOpened,
	Contained:  notify.KindIncidentContained,
	Recovering: notify.KindIncidentRecovering,
	Resolved:   notify.KindIncidentResolved,
	Dismissed:  notify.KindIncidentDismissed,
}

// MessageID is the notification id of change i of incident id, which
// entered state to: the same change always has the same id.
func MessageID(id string, i int, to State) string { return fmt.Sprintf("incident/%s/%d/%s", id, i, to) }

// Message is the notification of change i of in; false for a change
// that notifies no one (an acknowledgement).
func (a *Announcer) Message(ctx context.Context, in Incident, i int) (notify.Message, bool) {
	c := in.History[i]
	kind, ok := kinds[c.To]
	if !ok || c.IsAck() {
		return notify.Message{}, false
	}
	m := notify.Message{
		ID: MessageID(in.ID, i, c.To), Kind: kind, Title: in.Title, Severity: event.Severity(in.Severity), Protocol: in.Protocol,
		IncidentID: in.ID, EventIDs: in.Events, Rule: in.Rule, PolicyRevision: in.PolicyRevision, Reasons: in.Reasons,
		Actor: c.By, Note: c.Note, OpenedAt: in.OpenedAt, At: c.At,
	}
	if c.Event != "" && i == 0 {
		m.EventIDs = []string{c.Event}
	}
	for _, id := range c.Actions {
		act := notify.Action{ID: id, State: "unknown"}
		if rec, _, err := a.actions.Get(ctx, id); err == nil {
			act = notify.Action{ID: id, Type: rec.Type, ChainID: rec.ChainID, To: rec.To.Hex(), Function: rec.Function, State: string(rec.State), Reason: rec.Error}
			if rec.TxHash != nil {
				act.TxHash = rec.TxHash.Hex()
			}
		}
		m.Actions = append(m.Actions, act)
	}
	return m, true
}
