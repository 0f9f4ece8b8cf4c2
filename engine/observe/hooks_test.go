package observe

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

type recordingObserver struct{ rejected, duplicates int }

func (r *recordingObserver) Rejected(context.Context, string, uint64, []byte, string) { r.rejected++ }
func (r *recordingObserver) Duplicate(context.Context, event.Event)                   { r.duplicates++ }

func TestHooksCountAndPassOn(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	next := &recordingObserver{}
	o := m.IngestObserver(next)
	o.Rejected(context.Background(), "detections.forta", 7, nil, "gave up after 10 deliveries: timeout")
	o.Duplicate(context.Background(), event.Event{Source: "forta"})
	if next.rejected != 1 || next.duplicates != 1 {
		t.Fatalf("not passed on: %+v", next)
	}
	if v := testutil.ToFloat64(m.deadLetters.WithLabelValues(ReasonMaxDeliveries)); v != 1 {
		t.Errorf("dead letters %v", v)
	}
	if v := testutil.ToFloat64(m.events.WithLabelValues("forta", OutcomeDeadLetter)); v != 1 {
		t.Errorf("dead-letter events %v", v)
	}
	if v := testutil.ToFloat64(m.events.WithLabelValues("forta", OutcomeDuplicate)); v != 1 {
		t.Errorf("duplicates %v", v)
	}

	var passed int
	m.OnChange(func(context.Context, record.Record) { passed++ })(context.Background(), record.Record{Intent: record.Intent{ID: "a", Protocol: "p"}, State: record.Pending})
	if passed != 1 || testutil.ToFloat64(m.inFlight.WithLabelValues("pending")) != 1 {
		t.Fatalf("OnChange: passed %d", passed)
	}
}

type halt struct{ on atomic.Bool }

func (h *halt) Halted(context.Context) (guard.Halt, bool, error) {
	return guard.Halt{}, h.on.Load(), nil
}

func TestWatchKillSwitch(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	h := &halt{}
	h.on.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.WatchKillSwitch(ctx, h, 10*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()
	wait := func(want float64) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); testutil.ToFloat64(m.killSwitch) != want; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("kill switch gauge never %v", want)
			}
		}
	}
	wait(1)
	h.on.Store(false)
	wait(0)
}
