package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// A burst of events about one incident asks for the same call many times
// (pause the vault); only the first is sent. Each action claims its call
// (chain, target, calldata) in record.InflightBucket before it is
// recorded. A later action finding another claim reads the claimant's
// record and
//   - joins it (recorded Joined, not sent) while it is in flight, or
//     when it succeeded after this event's guard read the target's state
//     (that read may predate the success; a later one would have found
//     the action needless);
//   - takes the claim over when it failed, was refused or reverted, or
//     succeeded before this event was decided (the target was changed
//     back since, or the guard would not have allowed the action), so the
//     new event acts again;
//   - when the claimant's record is not there yet, waits for it a little,
//     then retries the event, until the claim is older than
//     unrecordedGrace: a claimant that never recorded its action (it
//     crashed, or its redelivery was decided otherwise) is taken over.
const (
	// unrecordedGrace is longer than the handling of one event may take,
	// so a claimant still at work is never overtaken.
	unrecordedGrace = time.Minute
	// recordWait bounds the wait for a claimant's record to appear.
	recordWait = 2 * time.Second
)

// claim is what claimCall found for one action.
type claim struct {
	key string
	// holder is this action's claim when mine.
	holder record.Holder
	// mine: the call's claim is this action's, made by this delivery
	// (fresh) or an earlier one; released again if nothing is recorded
	// after all.
	mine, fresh bool
	// joinTo is the action in flight to join instead of sending.
	joinTo string
	// recorded is this action's own record, when an earlier delivery
	// made it while another action holds the call.
	recorded *record.Record
}

// claimCall claims in's call, or finds what to join. planStart is when
// the event's guard started reading the chain.
func (p *pipeline) claimCall(ctx context.Context, in record.Intent, planStart time.Time, log *slog.Logger) (claim, error) {
	c := claim{key: record.CallKey(in.ChainID, in.To, in.Data)}
	for range 4 {
		h, ok, err := p.inflight.Claim(ctx, c.key, in.ID)
		if err != nil {
			return c, err
		}
		if ok {
			c.holder, c.mine, c.fresh = h, true, true
			return c, nil
		}
		if h.ID == in.ID {
			c.holder, c.mine = h, true // an earlier delivery's claim
			return c, nil
		}
		if rec, ok, err := p.recorded(ctx, in.ID); err != nil {
			return c, err
		} else if ok {
			c.recorded = &rec
			return c, nil
		}
		var first record.Record
		found, garbage := false, !record.ValidID(h.ID)
		if !garbage {
			if first, found, err = p.awaitRecord(ctx, h.ID); err != nil {
				return c, err
			}
		}
		if !found && !garbage && p.now().Sub(h.Since) < unrecordedGrace {
			return c, fmt.Errorf("%w: action %s claimed the same call %s ago and has not recorded it yet", ingest.ErrTransient, h.ID, p.now().Sub(h.Since).Round(time.Second))
		}
		if found && joinable(first, planStart) {
			c.joinTo = h.ID
			return c, nil
		}
		nh, ok, err := p.inflight.TakeOver(ctx, c.key, in.ID, h)
		if err != nil {
			return c, err
		}
		if ok {
			why := "it was never recorded"
			if garbage {
				why = "the entry names no action"
			} else if found {
				why = fmt.Sprintf("it is %s", first.State)
			}
			earlier := h.ID
			if garbage {
				earlier = fmt.Sprintf("%.40q", h.ID) // not an id: quoted and cut, never logged whole
			}
			log.Info("the earlier action for the same call is over: acting again", "action", in.ID, "earlier", earlier, "why", why)
			c.holder, c.mine, c.fresh = nh, true, true
			return c, nil
		}
		// Another action took over first: look again.
	}
	return c, fmt.Errorf("%w: the in-flight claim on action %s's call keeps changing", ingest.ErrTransient, in.ID)
}

// joinable reports whether an action may join first: first is in
// flight, or succeeded at or after planStart.
func joinable(first record.Record, planStart time.Time) bool {
	if !first.State.Final() {
		return true
	}
	if !(first.State == record.Mined && first.Status == 1) && first.State != record.Satisfied {
		return false // failed, refused, reverted (or itself joined)
	}
	done := first.MinedAt
	if done.IsZero() {
		done = first.SentAt
	}
	if done.IsZero() {
		done = first.CreatedAt
	}
	return !done.Before(planStart)
}

// awaitRecord reads action id's record, waiting up to recordWait for it
// to appear (its claimant records it right after claiming).
func (p *pipeline) awaitRecord(ctx context.Context, id string) (record.Record, bool, error) {
	wait, cancel := context.WithTimeout(ctx, recordWait)
	defer cancel()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		rec, ok, err := p.recorded(wait, id)
		switch {
		case ctx.Err() != nil:
			return record.Record{}, false, ctx.Err()
		case ok:
			return rec, true, nil
		case err != nil && wait.Err() == nil:
			return record.Record{}, false, err
		}
		select {
		case <-wait.Done():
			if ctx.Err() != nil {
				return record.Record{}, false, ctx.Err()
			}
			return record.Record{}, false, nil
		case <-tick.C:
		}
	}
}

// unclaim releases this action's claim: its action was not recorded.
func (p *pipeline) unclaim(ctx context.Context, c claim, log *slog.Logger) {
	if !c.mine {
		return
	}
	if err := p.inflight.Release(ctx, c.key, c.holder); err != nil {
		// Harmless: the next claimant finds no record and takes over
		// after unrecordedGrace.
		log.Warn("could not release an in-flight claim", "action", c.holder.ID, "err", err)
	}
}
