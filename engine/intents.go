package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// recordAction records the allowed action a, whose intent is in, and
// returns it when it is for the pipeline to start (Safe transactions
// start at once, holding their lane). Before anything is recorded it
// claims the call in flight: an action whose call is in flight already
// for another event is recorded as joined to it and not sent. An error
// means a retry of the event; what was recorded stays recorded.
func (p *pipeline) recordAction(ctx context.Context, a *decide.ActionOutcome, in record.Intent, out decide.Outcome, planStart time.Time, log *slog.Logger) (*started, error) {
	a.ActionID = in.ID
	isSafe := p.safes.IsSafe(a.Signer)
	requireApproval := out.Decision != nil && out.Decision.RequireApproval
	inner := in
	var c claim
	// A Safe action that waits for people is not in flight: it neither
	// joins nor is joined (the owners see each approval).
	if p.inflight != nil && !(isSafe && requireApproval) {
		var err error
		if c, err = p.claimCall(ctx, in, planStart, log); err != nil {
			return nil, err
		}
		switch {
		case c.recorded != nil:
			return nil, p.alreadyRecorded(ctx, a, *c.recorded, inner, isSafe, log)
		case c.joinTo != "":
			return nil, p.join(ctx, a, in, c.joinTo, isSafe, log)
		}
	}
	release := func() {}
	if isSafe {
		if !c.fresh {
			// An earlier delivery may have recorded it: nothing to build
			// or sign then.
			if rec, ok, err := p.recorded(ctx, in.ID); err != nil {
				return nil, err
			} else if ok {
				return nil, p.alreadyRecorded(ctx, a, rec, inner, isSafe, log)
			}
		}
		sp, err := p.throughSafe(ctx, a, in, requireApproval, log)
		if err != nil {
			p.unclaim(ctx, c, log)
			return nil, err
		}
		if sp.Intent == nil {
			if !sp.Done {
				p.unclaim(ctx, c, log) // parked for approval or refused: not in flight
			}
			return nil, nil
		}
		in, release = *sp.Intent, sp.Release
	}
	rec, rev, created, err := p.store.Create(ctx, in, p.now())
	if err != nil {
		// Perhaps recorded all the same: the claim stays, and the
		// redelivery finds it its own.
		release()
		return nil, err
	}
	if !created {
		release()
		stored, ok, err := p.recorded(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("engine: action %s is recorded and then not found", in.ID)
		}
		return nil, p.alreadyRecorded(ctx, a, stored, inner, isSafe, log)
	}
	p.metrics.ActionPlanned(in.ID, in.Protocol, out.ReceivedAt)
	// Recorded, so started all the same on a failure below; the
	// redelivery audits it as planned.
	retryErr := p.audit.Planned(ctx, in, false)
	if retryErr == nil && p.afterRecord != nil {
		retryErr = p.afterRecord(in)
	}
	if isSafe {
		// Started at once: it holds its Safe's lane until final, and a
		// later action of this event on the same Safe waits for it.
		log.Info("action approved by the guard", "action", rec.ID, "function", rec.Function, "to", rec.To.Hex(), "rule", rec.Rule)
		p.safes.Spawn(rec, rev, release)
		return nil, retryErr
	}
	return &started{rec, rev}, retryErr
}

// join records in as joined to the action first, in flight for the same
// call: final at once, never sent.
func (p *pipeline) join(ctx context.Context, a *decide.ActionOutcome, in record.Intent, first string, isSafe bool, log *slog.Logger) error {
	rec, _, created, err := p.store.CreateJoined(ctx, in, first, p.now())
	if err != nil {
		return err
	}
	if !created {
		stored, ok, err := p.recorded(ctx, in.ID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("engine: action %s is recorded and then not found", in.ID)
		}
		return p.alreadyRecorded(ctx, a, stored, in, isSafe, log)
	}
	a.JoinedTo, a.Reason = first, record.JoinedReason(first)
	log.Info("action joined the same call already in flight: not sent", "action", in.ID, "joined_to", first, "function", in.Function, "to", in.To.Hex())
	err = p.audit.Joined(ctx, rec.Intent, first, false)
	if err == nil && p.afterRecord != nil {
		err = p.afterRecord(in)
	}
	return err
}

// alreadyRecorded handles an action whose id an earlier delivery of the
// event (or another replica) recorded: the same action, left to its
// submitter, or a different one under the same id, which is refused and
// audited, never skipped in silence. want is the action as decided now
// (for a Safe, the inner call).
func (p *pipeline) alreadyRecorded(ctx context.Context, a *decide.ActionOutcome, stored record.Record, want record.Intent, isSafe bool, log *slog.Logger) error {
	diffs := record.Differences(stored.Intent, want)
	if isSafe && strings.HasPrefix(stored.Function, record.SafeFunctionPrefix) {
		diffs = record.SafeDifferences(stored.Intent, want)
	}
	if len(diffs) > 0 {
		detail := strings.Join(diffs, "; ")
		log.Error("an action id is recorded with other content: the recorded action stands, this one is not executed",
			"action", want.ID, "differences", detail)
		if err := p.audit.IntentMismatch(ctx, stored.Intent, want, diffs); err != nil {
			return err
		}
		a.Outcome, a.ActionID = guard.Refused, ""
		a.Reason = fmt.Sprintf("intent mismatch: action %s is recorded with other content (%s)", want.ID, detail)
		return nil
	}
	if stored.State == record.Joined {
		a.JoinedTo, a.Reason = stored.JoinedTo, record.JoinedReason(stored.JoinedTo)
		log.Info("action already recorded by an earlier delivery, joined", "action", want.ID, "joined_to", stored.JoinedTo)
		return p.audit.Joined(ctx, stored.Intent, stored.JoinedTo, true)
	}
	log.Info("action already recorded by an earlier delivery", "action", want.ID)
	return p.audit.Planned(ctx, stored.Intent, true)
}

// recorded reads action id's record: false when there is none. A stored
// record that fails validation (quarantined) is returned as an empty
// Refused record, which no decided action matches.
func (p *pipeline) recorded(ctx context.Context, id string) (record.Record, bool, error) {
	rec, _, err := p.store.Get(ctx, id)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return record.Record{}, false, nil
	case errors.Is(err, record.ErrInvalid):
		return record.Record{Intent: record.Intent{ID: id}, State: record.Refused, Error: err.Error()}, true, nil
	case err != nil:
		return record.Record{}, false, err
	}
	return rec, true, nil
}
