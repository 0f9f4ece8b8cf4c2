package observe

import (
	"context"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// IngestObserver counts what the consumer reports (dead letters and
// duplicates) and passes it on to next (the audit recorder), so that the
// root keeps one ingest.ConsumerOptions.Observer.
func (m *Metrics) IngestObserver(next ingest.Observer) ingest.Observer {
	return &ingestObserver{m: m, next: next}
}

type ingestObserver struct {
	m    *Metrics
	next ingest.Observer
}

func (o *ingestObserver) Rejected(ctx context.Context, subject string, streamSeq uint64, data []byte, reason string) {
	o.m.DeadLetter(strings.TrimPrefix(subject, ingest.SubjectPrefix), reason)
	if o.next != nil {
		o.next.Rejected(ctx, subject, streamSeq, data, reason)
	}
}

func (o *ingestObserver) Duplicate(ctx context.Context, ev event.Event) {
	o.m.ObserveEvent(ev.Source, OutcomeDuplicate)
	if o.next != nil {
		o.next.Duplicate(ctx, ev)
	}
}

// OnChange records each action change (ActionChanged) and then calls next
// (the audit recorder's ActionChanged): the submitter's Options.OnChange.
func (m *Metrics) OnChange(next func(context.Context, record.Record)) func(context.Context, record.Record) {
	return func(ctx context.Context, rec record.Record) {
		m.ActionChanged(rec)
		if next != nil {
			next(ctx, rec)
		}
	}
}

// WatchKillSwitch reads the kill switch every interval until ctx ends and
// sets firebreak_kill_switch_engaged. A read that fails keeps the last
// value (the guard refuses to act meanwhile, and says so).
func (m *Metrics) WatchKillSwitch(ctx context.Context, r guard.HaltReader, every time.Duration) {
	m.poll(ctx, every, func(ctx context.Context) {
		if _, halted, err := r.Halted(ctx); err == nil {
			m.SetKillSwitch(halted)
		}
	})
}

// WatchAuditUsage reads the audit stream's usage every interval until ctx
// ends and sets firebreak_audit_stream_usage_ratio.
func (m *Metrics) WatchAuditUsage(ctx context.Context, l *audit.Log, every time.Duration) {
	m.poll(ctx, every, func(ctx context.Context) {
		if u, err := l.Usage(ctx); err == nil {
			m.SetAuditUsage(u.Fraction())
		}
	})
}

func (m *Metrics) poll(ctx context.Context, every time.Duration, read func(context.Context)) {
	if m == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, max(every, time.Second))
		read(rctx)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
