package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/notify/dispatch"
	"github.com/firebreak-dev/firebreak/engine/notify/receiver"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// startNotifications builds the configured channels and the durable
// dispatcher that delivers to them, run by wg until ctx ends, and the
// incidents whose changes it announces (incidents.go). With no channel
// configured every Enqueue is a no-op.
func (e *Engine) startNotifications(ctx context.Context, wg *sync.WaitGroup, js jetstream.JetStream, actions *record.Store, rec *audit.Recorder) (*dispatch.Dispatcher, *incident.Tracker, error) {
	disp, err := e.startDispatcher(ctx, wg, js)
	if err != nil {
		return nil, nil, err
	}
	tr, err := e.startIncidents(ctx, wg, js, actions, rec, disp)
	return disp, tr, err
}

// startDispatcher starts the notification dispatcher.
func (e *Engine) startDispatcher(ctx context.Context, wg *sync.WaitGroup, js jetstream.JetStream) (*dispatch.Dispatcher, error) {
	chans, err := receiver.Build(e.opts, e.log, nil)
	if err != nil {
		return nil, err
	}
	disp, err := dispatch.New(ctx, js, dispatch.Options{
		Notify: e.opts.Notify, Channels: chans, Explorers: dispatch.Explorers(e.opts.Chains),
		Replicas: e.opts.NATS.Replicas, Now: e.now,
	}, e.log)
	if err != nil {
		return nil, err
	}
	wg.Go(func() {
		if err := disp.Run(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("notification dispatcher stopped: nothing reaches people's channels", "err", err)
		}
	})
	return disp, nil
}

// operatorAlerts enqueues alerts for the people who run firebreak. Enqueue
// waits at most notify.enqueue_timeout, so alerts raised on a hot path go
// out from their own goroutine, owned by wg.
type operatorAlerts struct {
	// ctx, wg and disp are set once the dispatcher runs; until then
	// nothing is sent.
	ctx  context.Context
	wg   *sync.WaitGroup
	disp *dispatch.Dispatcher
	log  *slog.Logger
	now  func() time.Time
}

func (a *operatorAlerts) send(msg notify.Message) {
	if a.disp == nil || a.ctx.Err() != nil {
		return // not started, or stopping: the log line is the alert
	}
	msg.At = a.now().UTC()
	a.wg.Go(func() {
		if err := a.disp.Enqueue(a.ctx, msg); err != nil && a.ctx.Err() == nil {
			a.log.Error("could not queue an operator alert", "kind", msg.Kind, "id", msg.ID, "err", err)
		}
	})
}

// auditLost alerts that an audit record could not be written.
func (a *operatorAlerts) auditLost() {
	a.send(notify.Message{ID: fmt.Sprintf("operator/audit-lost/%d", a.now().UnixNano()), Kind: notify.KindAuditRecordLost,
		Title: "An audit record could not be written", Detail: "See the engine's log (AUDIT RECORD LOST) for the record's content."})
}

// watchFeeCap passes every action change on to next and alerts when the
// fee cap keeps a transaction from being re-priced (the record's warning
// appears or changes).
func (a *operatorAlerts) watchFeeCap(next func(context.Context, record.Record)) func(context.Context, record.Record) {
	var mu sync.Mutex
	prev := map[string]string{}
	return func(ctx context.Context, rec record.Record) {
		next(ctx, rec)
		mu.Lock()
		was := prev[rec.ID]
		if rec.State.Final() {
			delete(prev, rec.ID)
		} else {
			prev[rec.ID] = rec.Warning
		}
		mu.Unlock()
		if rec.Warning == "" || rec.Warning == was {
			return
		}
		a.send(notify.Message{ID: "operator/fee-cap/" + rec.ID + fmt.Sprintf("/%d", rec.Bumps), Kind: notify.KindFeeCapReached, Protocol: rec.Protocol,
			Title: "A containment transaction is held back by max_fee_per_gas", Detail: rec.Warning,
			Facts: map[string]string{"action": rec.ID, "chain": fmt.Sprint(rec.ChainID)}})
	}
}

// readinessChanged alerts when the set of readiness failures changes.
func (a *operatorAlerts) readinessChanged(_, cur observe.Report) {
	fails := cur.Failures()
	title := "Readiness restored: every pauser can pause"
	if len(fails) > 0 {
		title = fmt.Sprintf("READINESS FAILED: %d check(s) fail", len(fails))
	}
	facts := map[string]string{}
	for i, f := range fails {
		if i == 8 {
			break
		}
		facts[fmt.Sprintf("%s %s %s", f.Protocol, f.Contract, f.Check)] = f.Fix
	}
	a.send(notify.Message{ID: fmt.Sprintf("operator/readiness/%d", a.now().UnixNano()), Kind: notify.KindReadinessChanged, Title: title, Facts: facts})
}
