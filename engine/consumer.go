package engine

import (
	"context"
	"log/slog"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// consumerOptions are the detection consumer's options from ingest.* and
// the stages it reports to: the audit log, the metrics, the engine's MAC
// (which authenticates the marker on a replayed dead letter).
func (e *Engine) consumerOptions(m *observe.Metrics, auditRec *audit.Recorder, sealer *record.Sealer) (ingest.ConsumerOptions, error) {
	in := e.opts.Ingest
	o := ingest.DefaultConsumerOptions()
	o.Replicas = e.opts.NATS.Replicas
	o.Observer = m.IngestObserver(auditRec)
	o.Verifier, o.EventsTTL = verifier(e.opts, e.now), in.EventsKeep()
	o.MaxEventAge, o.AckWait, o.HandleTimeout, o.Workers = in.EventMaxAge(), in.ConsumerAckWait(), in.ConsumerHandleTimeout(), in.ConsumerWorkers()
	o.RetryDelay, o.MaxRetryDelay = in.ConsumerRetryDelays()
	o.Now = e.now
	if sealer != nil {
		o.Sealer = sealer
	}
	var err error
	o.Vendors, err = vendorRoutes(e.opts)
	return o, err
}

// serveReplay answers operators' dead-letter replay requests
// (ingest.ReplaySubject) until ctx is done.
func serveReplay(ctx context.Context, wg *sync.WaitGroup, nc *nats.Conn, js jetstream.JetStream, sealer *record.Sealer, auditRec *audit.Recorder, log *slog.Logger) {
	r := ingest.NewReplayer(js, sealer, auditRec, log)
	wg.Go(func() {
		if err := r.Serve(ctx, nc); err != nil && ctx.Err() == nil {
			log.Error("dead-letter replay stopped", "err", err)
		}
	})
}
