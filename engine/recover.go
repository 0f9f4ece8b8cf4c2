package engine

import (
	"context"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/recovery"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// recoveryGate is the submitter's check before every signature: a
// recovery intent (unpause, unfreeze, grant, unblock) is checked against
// recovery_allowlist and its proposal's approvals, and only there; every
// other record against the containment allowlist, which never holds a
// recovery call.
type recoveryGate struct {
	containment submit.Authorizer
	recovery    *recovery.Executor
}

func (g recoveryGate) Authorize(ctx context.Context, rec record.Record) error {
	if recovery.IsRecoveryType(rec.Type) {
		return g.recovery.Authorize(ctx, rec)
	}
	if g.containment == nil {
		return nil // the benchmark without checks (Records.Unchecked)
	}
	return g.containment.Authorize(ctx, rec)
}

// openRecovery opens the proposals bucket and builds the executor's
// checks, before the submitter can ask them anything.
func (e *Engine) openRecovery(ctx context.Context, js jetstream.JetStream, recs *records) (*recovery.Executor, error) {
	store, err := recovery.NewStore(ctx, js, e.opts.NATS.Replicas)
	if err != nil {
		return nil, err
	}
	allow := decide.NewAllowlist(e.opts.RecoveryOnly())
	return &recovery.Executor{
		Store: store, Actions: recs.store, Sealer: recs.sealer, Recovery: e.opts.Recovery,
		Allow: allow.Check, Log: e.log.With("stage", "recovery"), Now: e.now,
	}, nil
}

// startRecovery gives the executor the submitter, the incidents, the
// audit log and the chains, and watches the proposals. Nothing runs in
// shadow mode, where nothing may reach a chain.
func (e *Engine) startRecovery(ctx context.Context, wg *sync.WaitGroup, js jetstream.JetStream, x *recovery.Executor, sub *submit.Submitter, rec *audit.Recorder, callers map[uint64]guard.Caller) error {
	if e.opts.Shadow {
		return nil
	}
	incidents, err := incident.NewStore(ctx, js, e.opts.NATS.Replicas)
	if err != nil {
		return err
	}
	x.Incidents, x.Execute, x.Callers, x.Go = incidents, sub.Execute, callers, wg.Go
	x.Planned = func(ctx context.Context, in record.Intent) { _ = rec.Planned(ctx, in, false) }
	x.Audit = func(ctx context.Context, kind string, p recovery.Proposal, data any) {
		rec.Note(ctx, audit.Entry{Kind: audit.Kind(kind), EventID: p.ID, Protocol: p.Protocol, Data: data})
	}
	wg.Go(func() {
		if err := x.Run(ctx); err != nil {
			e.log.Error("recovery: proposals are not watched; approved recoveries do not execute", "err", err)
		}
	})
	return nil
}

// recoveryNow is opts' clock.
func recoveryNow(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}
