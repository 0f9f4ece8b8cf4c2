package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/notify/dispatch"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// pipeline is the per-event path of a running engine.
type pipeline struct {
	*decide.Planner
	log     *slog.Logger
	now     func() time.Time
	metrics *observe.Metrics
	store   *record.Store
	audit   *audit.Recorder
	spawn   func(record.Record, uint64)
	// prepare, when set, starts the submitter's read-only work on an
	// intent (its gas estimate) while the intent is audited and recorded.
	prepare  func(record.Intent)
	notifier notify.Publisher
	// dispatch delivers the notify action to the configured channels.
	dispatch *dispatch.Dispatcher
	safes    *safe.Runner
	// shadow, when set, replaces recording and sending (Options.Shadow).
	shadow *simulate.Shadow
	// inflight indexes the actions in flight by call, so a burst of
	// events for one target sends one transaction (inflight.go).
	inflight *record.Inflight
	// afterRecord, set by the engine's tests only, is a fault injected
	// after an intent is recorded and before the event is acknowledged.
	afterRecord func(record.Intent) error
	// incidents groups handled events into incidents (incidents.go).
	incidents *incident.Tracker
}

// started is a recorded intent to hand to its submitter.
type started struct {
	rec record.Record
	rev uint64
}

// handle is the ingest.Handler: plan, record intents, start them.
func (p *pipeline) handle(ctx context.Context, ev event.Event) ([]byte, error) {
	log := p.log.With("event", ev.ID, "protocol", ev.Protocol)
	// Every action is guarded before any is recorded, so a transient
	// failure retries the whole event with nothing half-recorded.
	planStart := p.now()
	out, err := p.Plan(ctx, ev)
	p.metrics.ObserveDecision(ev.Protocol, p.now().Sub(planStart))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
	}
	key := ingest.EventKey(ev.ID)
	if p.prepare != nil {
		for _, a := range out.Actions {
			if a.Outcome == guard.Allowed && a.Request.Type != guard.ActionNotify && !p.safes.IsSafe(a.Signer) {
				p.prepare(intentOf(ev, key, a))
			}
		}
	}
	// Audited before anything is recorded or acknowledged: an event whose
	// decision is not in the audit log is retried, not acted on.
	if err := p.audit.Decided(ctx, out); err != nil {
		return nil, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
	}
	if p.shadow != nil {
		out.DryRuns, out.DryRunError = p.shadow.Run(ctx, ev, out.Verdicts())
		if err := p.audit.DryRun(ctx, out); err != nil {
			return nil, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
		}
		p.metrics.ObserveOutcome(out)
		return json.Marshal(out)
	}

	var toStart []started
	// retryErr fails the event for a retry. Once it is set no further
	// intent is recorded, but those already recorded are still started: a
	// redelivery finds them recorded and leaves them to their submitter.
	var retryErr error
	retry := func(err error) { retryErr = fmt.Errorf("%w: %w", ingest.ErrTransient, err) }
	for i := range out.Actions {
		if retryErr != nil {
			break
		}
		a := &out.Actions[i]
		if a.Outcome != guard.Allowed {
			log.Info("action not executed", "type", a.Request.Type, "contract", a.Request.Contract, "outcome", a.Outcome, "reason", a.Reason)
			continue
		}
		if a.Request.Type == guard.ActionNotify {
			// A message, not a transaction: published now, no intent.
			if err := p.notifier.Publish(ev, out, i); err != nil {
				retry(err)
			} else if err := p.dispatch.Enqueue(ctx, notify.ActionMessage(ev, out, i)); err != nil {
				retry(err)
			}
			continue
		}
		s, err := p.recordAction(ctx, a, intentOf(ev, key, *a), out, planStart, log)
		if s != nil {
			toStart = append(toStart, *s)
		}
		if err != nil {
			if errors.Is(err, ingest.ErrTransient) {
				retryErr = err
			} else {
				retry(err)
			}
		}
	}
	// The intents are durable now: start them before the event record and
	// the ack, which only need to follow, not precede, the send.
	for _, s := range toStart {
		log.Info("action approved by the guard", "action", s.rec.ID, "function", s.rec.Function, "to", s.rec.To.Hex(), "rule", s.rec.Rule)
		p.spawn(s.rec, s.rev)
	}
	if retryErr != nil {
		return nil, retryErr
	}
	return p.withIncident(ctx, out)
}

// intentOf is the intent of action a of ev, whose key is key. Its id is
// content-addressed (record.IntentID): the same call of the same event has
// the same id on every delivery, whatever else the decision asks for.
func intentOf(ev event.Event, key string, a decide.ActionOutcome) record.Intent {
	return record.Intent{
		ID: record.IntentID(key, a.ChainID, a.To, a.Data), EventID: ev.ID, Protocol: a.Request.Protocol, Type: a.Request.Type, Rule: a.Request.Rule,
		ChainID: a.ChainID, To: a.To, Function: a.Function, Data: a.Data, Signer: a.Signer,
	}
}

// resume restarts the actions a previous run left unfinished.
func (p *pipeline) resume(ctx context.Context) error {
	recs, revs, err := p.store.Unfinished(ctx)
	if err != nil {
		return err
	}
	for i, rec := range recs {
		p.log.Info("resuming unfinished action", "action", rec.ID, "state", rec.State)
		if p.safes.Resume(ctx, rec, revs[i]) {
			continue
		}
		p.spawn(rec, revs[i])
	}
	return nil
}

// throughSafe sends an allowed action through its Safe: it returns the
// execTransaction intent to record (holding the Safe's lane), or no intent
// when the action waits for approval, was handled by an earlier delivery,
// or was refused (a, then, says why).
func (p *pipeline) throughSafe(ctx context.Context, a *decide.ActionOutcome, in record.Intent, requireApproval bool, log *slog.Logger) (safe.Prepared, error) {
	sp, err := p.safes.Prepare(ctx, in, requireApproval, log)
	switch {
	case err != nil && safe.IsRefusal(err):
		log.Error("Safe action refused before sending", "action", in.ID, "err", err)
		a.Outcome, a.Reason, a.ActionID = guard.Refused, "Safe: "+err.Error(), ""
		return safe.Prepared{}, nil
	case err != nil:
		return sp, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
	case sp.Approval != "":
		a.Approval = sp.Approval
	case sp.Done:
		log.Info("action already recorded by an earlier delivery", "action", a.ActionID)
	case sp.FromPresigned:
		log.Info("sending the pre-signed Safe transaction", "action", in.ID, "safe", in.Signer)
	}
	return sp, nil
}

// Presigned lists the Safe transactions the engine keeps signed ahead
// (contracts marked presign), with the nonce they are signed for and the
// result of their last simulation. Valid after Ready.
func (e *Engine) Presigned() []safe.Presigned { return e.safes.PresignedNow() }
