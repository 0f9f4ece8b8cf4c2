package observe

import (
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/firebreak-dev/firebreak/engine/record"
)

// What the hooks add to one event's path: an event counted, its decision
// timed, and its action through pending, signed, sent, included, mined.
func BenchmarkEventHooks(b *testing.B) {
	m := NewMetrics(prometheus.NewRegistry())
	t0 := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		id := strconv.Itoa(i)
		m.ObserveDecision("demo", 200*time.Microsecond)
		m.ObserveEvent("forta", OutcomeActed)
		m.ActionPlanned(id, "demo", t0)
		rec := record.Record{Intent: record.Intent{ID: id, Protocol: "demo", ChainID: 1}, CreatedAt: t0}
		for _, s := range []record.State{record.Pending, record.Signed, record.Sent, record.Included, record.Mined} {
			rec.State = s
			if s == record.Sent {
				rec.SentAt = t0.Add(time.Millisecond)
			}
			if s == record.Mined {
				rec.MinedAt = t0.Add(time.Second)
			}
			m.ActionChanged(rec)
		}
	}
}
