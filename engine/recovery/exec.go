package recovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// Audit kinds of recovery (audit.Kind values).
const (
	KindProposed = "recovery_proposed"
	KindApproval = "recovery_approval"
	KindApproved = "recovery_approved"
	KindExecuted = "recovery_executed"
	KindFailed   = "recovery_failed"
)

// By is who the engine's own incident changes are by.
const By = "firebreak"

// Executor is the running engine's side of recovery: it watches the
// proposals, audits each proposal and approval once, and executes a
// proposal once Threshold distinct configured approvers signed it,
// through the submitter, as recorded intents. It is also the check before
// every signature of a recovery intent (Authorize).
type Executor struct {
	Store     *Store
	Incidents *incident.Store
	Actions   *record.Store
	Sealer    *record.Sealer
	// Recovery is the configuration's recovery section.
	Recovery config.RecoveryOptions
	// Allow checks a call against recovery_allowlist (the containment
	// path's check, over the other list).
	Allow func(chainID uint64, to common.Address, data []byte, signer string) error
	// Execute takes a recorded intent to a final state (the submitter's).
	Execute func(ctx context.Context, rec record.Record, rev uint64) (record.Record, error)
	// Planned audits a recorded intent.
	Planned func(ctx context.Context, in record.Intent)
	// Audit appends a recovery record to the audit log.
	Audit func(ctx context.Context, kind string, p Proposal, data any)
	// Callers read the post-conditions on each chain.
	Callers map[uint64]guard.Caller
	Log     *slog.Logger
	Now     func() time.Time
	// Go runs a goroutine the engine waits for at shutdown.
	Go func(func())
	// Poll is how often a step run elsewhere (a resumed intent) is read
	// until final; zero means 200ms.
	Poll time.Duration

	mu      sync.Mutex
	running map[string]bool
}

// Authorize is the check before any signature of a recovery intent,
// whatever the stores say: the engine's MAC on the record, its call on
// recovery_allowlist, and a proposal, carrying the engine's MAC, that
// holds this very step and is signed by Threshold distinct configured
// approvers.
func (x *Executor) Authorize(ctx context.Context, rec record.Record) error {
	if err := x.Sealer.Verify(rec.Intent); err != nil {
		return err
	}
	if err := x.Allow(rec.ChainID, rec.To, rec.Data, rec.Signer); err != nil {
		return fmt.Errorf("recovery action %s: recovery_allowlist: %w", rec.ID, err)
	}
	// The one read of the check, bounded: an unanswered one is
	// record.Unavailable, and the submitter waits rather than refuses.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	p, _, err := x.Store.Get(ctx, rec.EventID)
	if err != nil {
		return fmt.Errorf("recovery action %s: its proposal: %w", rec.ID, err)
	}
	if err := x.approved(p); err != nil {
		return fmt.Errorf("recovery action %s: %w", rec.ID, err)
	}
	for i, st := range p.Steps {
		in := Intent(p, i)
		if in.ID == rec.ID && st.ChainID == rec.ChainID && st.To == rec.To && slices.Equal(st.Data, rec.Data) && in.Signer == rec.Signer {
			return nil
		}
	}
	return fmt.Errorf("recovery action %s: not a step of proposal %s", rec.ID, p.ID)
}

// approved checks p's MAC and hash, its signer, and its approvals.
func (x *Executor) approved(p Proposal) error {
	if err := Verify(p, x.Sealer); err != nil {
		return err
	}
	if p.Signer != x.Recovery.Signer {
		return fmt.Errorf("proposal %s is for signer %q, recovery.signer is %q", p.ID, p.Signer, x.Recovery.Signer)
	}
	valid, _ := Tally(p, x.Recovery.Approvers)
	if len(valid) < x.Recovery.Threshold || x.Recovery.Threshold < 1 {
		return fmt.Errorf("proposal %s has %d valid approvals of the %d recovery.threshold asks for", p.ID, len(valid), x.Recovery.Threshold)
	}
	return nil
}

// Run watches the proposals until ctx ends.
func (x *Executor) Run(ctx context.Context) error {
	w, err := x.Store.Watch(ctx)
	if err != nil {
		return fmt.Errorf("recovery: watching %s: %w", Bucket, err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return nil
			}
			if e == nil {
				continue // every stored proposal is in
			}
			p, err := Decode(e.Key(), e.Value())
			if err != nil {
				x.Log.Error("recovery proposal does not decode: ignored", "key", e.Key(), "err", err)
				continue
			}
			x.handle(ctx, p, e.Revision())
		}
	}
}

// handle audits what is new in p and starts it once approved. The audit
// records come before the marks that say they were written: a conflict
// or a crash between the two writes one twice, never loses one.
func (x *Executor) handle(ctx context.Context, p Proposal, rev uint64) {
	changed := false
	if !p.AuditedProposal {
		x.Audit(ctx, KindProposed, p, map[string]any{
			"incident": p.Incident, "proposal": p.ID, "hash": p.Hash, "signer": p.Signer, "steps": p.Steps,
			"skipped": p.Skipped, "dry_run_ok": p.DryRun != nil && p.DryRun.OK, "threshold": p.Threshold, "proposed_by": p.ProposedBy,
		})
		p.AuditedProposal, changed = true, true
	}
	valid, refused := Tally(p, x.Recovery.Approvers)
	for i := p.AuditedApprovals; i < len(p.Approvals); i++ {
		ap := p.Approvals[i]
		verdict := map[string]any{"incident": p.Incident, "proposal": p.ID, "approver": ap.Approver, "counted": false}
		if reason := refusal(refused, i); reason != "" {
			verdict["reason"] = reason
		} else {
			verdict["counted"] = true
		}
		x.Audit(ctx, KindApproval, p, verdict)
		if verdict["counted"] == false {
			x.Log.Warn("recovery approval does not count", "proposal", p.ID, "approver", ap.Approver, "reason", verdict["reason"])
		}
		changed = true
	}
	p.AuditedApprovals = len(p.Approvals)
	start := false
	if p.State == Proposed && len(valid) >= x.Recovery.Threshold && x.Recovery.Threshold > 0 {
		if err := x.check(p); err != nil {
			p.State, p.Reason = Failed, "refused before execution: "+err.Error()
			x.Log.Error("recovery proposal refused", "proposal", p.ID, "err", err)
			x.Audit(ctx, KindFailed, p, map[string]any{"incident": p.Incident, "proposal": p.ID, "reason": p.Reason})
		} else {
			p.State = Executing
			for i := range p.Steps {
				p.Actions = append(p.Actions, IntentID(p.ID, i))
			}
			start = true
			x.Log.Info("recovery approved: executing", "proposal", p.ID, "incident", p.Incident, "approvers", valid)
			// What the execution rests on, whatever the marks above say
			// (the bucket's writers could set them): the steps, their hash
			// and who approved them.
			x.Audit(ctx, KindApproved, p, map[string]any{"incident": p.Incident, "proposal": p.ID, "hash": p.Hash,
				"steps": p.Steps, "approvers": valid, "not_counted": refused, "actions": p.Actions})
		}
		changed = true
	}
	if changed {
		if _, err := x.Store.Update(ctx, p, rev); err != nil {
			// A newer value is on its way on the watch: handled then.
			x.Log.Info("recovery proposal changed meanwhile", "proposal", p.ID, "err", err)
			return
		}
	}
	if start || p.State == Executing {
		x.Go(func() { x.execute(ctx, p) })
	}
}

// refusal is why approval i does not count, if it does not.
func refusal(refused []string, i int) string {
	prefix := fmt.Sprintf("approval %d: ", i)
	for _, r := range refused {
		if len(r) > len(prefix) && r[:len(prefix)] == prefix {
			return r[len(prefix):]
		}
	}
	return ""
}

// check is what an approved proposal must pass before its first intent
// is recorded: the engine's MAC, its signer, and every step on
// recovery_allowlist.
func (x *Executor) check(p Proposal) error {
	if err := x.approved(p); err != nil {
		return err
	}
	for i, st := range p.Steps {
		if !IsRecoveryType(st.Type) {
			return fmt.Errorf("step %d: %q is not a recovery action", i, st.Type)
		}
		if err := x.Allow(st.ChainID, st.To, st.Data, p.Signer); err != nil {
			return fmt.Errorf("step %d (%s on %s.%s): recovery_allowlist: %w", i, st.Function, st.Protocol, st.Contract, err)
		}
	}
	return nil
}

// execute records and sends p's steps in order, each to a final state,
// then reads every post-condition on chain.
func (x *Executor) execute(ctx context.Context, p Proposal) {
	x.mu.Lock()
	if x.running == nil {
		x.running = map[string]bool{}
	}
	if x.running[p.ID] {
		x.mu.Unlock()
		return
	}
	x.running[p.ID] = true
	x.mu.Unlock()
	defer func() { x.mu.Lock(); delete(x.running, p.ID); x.mu.Unlock() }()
	// The watch may deliver an older value after this proposal finished
	// (here or on another replica): only the stored state counts.
	cur, _, err := x.Store.Get(ctx, p.ID)
	if err != nil || cur.State != Executing {
		return
	}
	// A proposal written as executing by someone else than this engine
	// has passed no check: check it now, before anything is recorded.
	if err := x.check(cur); err != nil {
		x.finish(ctx, p.ID, Failed, "refused before execution: "+err.Error())
		return
	}
	p = cur

	for i := range p.Steps {
		rec, err := x.run(ctx, Intent(p, i))
		if ctx.Err() != nil {
			return // resumed by the next engine
		}
		if err != nil {
			x.finish(ctx, p.ID, Failed, fmt.Sprintf("step %d (%s): %v", i, p.Steps[i].Function, err))
			return
		}
		if rec.State != record.Mined || rec.Status != 1 {
			reason := string(rec.State)
			if rec.State == record.Mined {
				reason = "mined but reverted"
			}
			if rec.Error != "" {
				reason += ": " + rec.Error
			}
			x.finish(ctx, p.ID, Failed, fmt.Sprintf("step %d (%s on %s.%s, action %s) is %s", i, p.Steps[i].Function, p.Steps[i].Protocol, p.Steps[i].Contract, rec.ID, reason))
			return
		}
	}
	for i, st := range p.Steps {
		if st.Check == nil {
			continue
		}
		if err := x.holds(ctx, st); err != nil {
			x.finish(ctx, p.ID, Failed, fmt.Sprintf("step %d mined, but its post-condition %s: %v", i, st.Check.Description, err))
			return
		}
	}
	x.finish(ctx, p.ID, Executed, "")
}

// run records in (once) and takes it to a final state.
func (x *Executor) run(ctx context.Context, in record.Intent) (record.Record, error) {
	rec, rev, created, err := x.Actions.Create(ctx, in, x.Now())
	if err != nil {
		return rec, err
	}
	if created {
		x.Planned(ctx, rec.Intent)
	} else if rec, rev, err = x.Actions.Get(ctx, in.ID); err != nil {
		return rec, err
	}
	poll := x.Poll
	if poll == 0 {
		poll = 200 * time.Millisecond
	}
	for !rec.State.Final() {
		if _, err := x.Execute(ctx, rec, rev); err != nil && ctx.Err() == nil {
			// Run elsewhere (a resumed intent) or refused: the record says.
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
		}
		if ctx.Err() != nil {
			return rec, ctx.Err()
		}
		if rec, rev, err = x.Actions.Get(ctx, in.ID); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// holds reads st's post-condition on chain.
func (x *Executor) holds(ctx context.Context, st Step) error {
	c, ok := x.Callers[st.ChainID]
	if !ok {
		return fmt.Errorf("no reader for chain %d", st.ChainID)
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	to := st.Check.To
	out, err := c.CallContract(rctx, ethereum.CallMsg{To: &to, Data: st.Check.Data}, nil)
	if err != nil {
		return fmt.Errorf("could not be read: %w", err)
	}
	if len(out) != 32 {
		return fmt.Errorf("the view returned %d bytes, not a bool", len(out))
	}
	if got := new(big.Int).SetBytes(out).Sign() != 0; got != st.Check.Want {
		return fmt.Errorf("does not hold (got %v)", got)
	}
	return nil
}

// finish writes the proposal's final state, audits it, and moves the
// incident: resolved once executed, still recovering (with the reason)
// otherwise.
func (x *Executor) finish(ctx context.Context, id string, state State, reason string) {
	var p Proposal
	for attempt := 0; ; attempt++ {
		cur, rev, err := x.Store.Get(ctx, id)
		if err != nil {
			x.Log.Error("recovery: reading the proposal to finish it", "proposal", id, "err", err)
			return
		}
		if cur.State != Executing && cur.State != Proposed {
			return // finished already, by another replica or an earlier run
		}
		cur.State, cur.Reason = state, reason
		if _, err = x.Store.Update(ctx, cur, rev); err == nil {
			p = cur
			break
		}
		if !errors.Is(err, ErrConflict) || attempt >= 8 {
			x.Log.Error("recovery: writing the proposal's end", "proposal", id, "state", state, "err", err)
			return
		}
	}
	to, note := incident.Resolved, fmt.Sprintf("recovery %s executed: every step mined and its post-condition holds on chain", id)
	kind := KindExecuted
	if state != Executed {
		to, note, kind = incident.Recovering, fmt.Sprintf("recovery %s failed: %s", id, reason), KindFailed
		x.Log.Error("recovery failed; the incident stays recovering", "proposal", id, "incident", p.Incident, "reason", reason)
	} else {
		x.Log.Info("recovery executed; incident resolved", "proposal", id, "incident", p.Incident)
	}
	target := to
	if state != Executed {
		target = "" // a note only: the incident stays where it is (recovering, for a proposal the CLI made)
	}
	err := MoveIncident(ctx, x.Incidents, p.Incident, target, By, note, x.Now())
	data := map[string]any{"incident": p.Incident, "proposal": p.ID, "actions": p.Actions}
	if state == Executed {
		data["incident_state"] = to
	}
	if reason != "" {
		data["reason"] = reason
	}
	if err != nil {
		data["incident_error"] = err.Error()
		x.Log.Error("recovery: moving the incident", "incident", p.Incident, "err", err)
	}
	x.Audit(ctx, kind, p, data)
}

// MoveIncident sets incident id's state to to (empty: leaves it), with a
// change by by and note in its history, compare-and-set, retried on a
// concurrent change.
func MoveIncident(ctx context.Context, st *incident.Store, id string, to incident.State, by, note string, now time.Time) error {
	for attempt := 0; ; attempt++ {
		in, rev, err := st.Get(ctx, id)
		if err != nil {
			return err
		}
		next := to
		if next == "" {
			next = in.State
		}
		if in.State.Final() && in.State != next {
			return fmt.Errorf("recovery: incident %s is %s already", id, in.State)
		}
		in.History = append(in.History, incident.Change{From: in.State, To: next, By: by, At: now.UTC(), Note: note})
		in.State = next
		if _, err = st.Update(ctx, in, rev); err == nil {
			return nil
		}
		if attempt >= 8 {
			return err
		}
	}
}
