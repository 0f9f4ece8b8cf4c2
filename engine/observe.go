package engine

import (
	"context"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/console"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/submit"
	"github.com/firebreak-dev/firebreak/signer"
)

// Registry is the engine's Prometheus registry (served on metrics.listen).
func (e *Engine) Registry() *prometheus.Registry { return e.reg }

// MetricsAddr is the address the metrics server listens on, "" when none
// is served. Valid after Ready.
func (e *Engine) MetricsAddr() string {
	if e.metricsSrv == nil {
		return ""
	}
	return e.metricsSrv.Addr()
}

// observed is what the metrics, health probes and readiness checks read.
type observed struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	durable  string
	conns    *chainConns
	signers  map[string]signer.Signer
	planner  *decide.Planner
	sub      *submit.Submitter
	auditRec *audit.Recorder
	alerts   *operatorAlerts
}

// startObserving feeds the metrics from what o reads, starts the health
// probes and, with metrics.listen set, the metrics server, and in a
// normal run (not shadow) the continuous readiness check. wg owns every
// goroutine; a metrics port that cannot be bound fails the start.
func (e *Engine) startObserving(ctx context.Context, wg *sync.WaitGroup, m *observe.Metrics, o observed) error {
	m.SetSubmitStats(o.sub.Stats)
	m.SetPolicyStatus(o.planner.PolicyStatus)
	m.SetAuditQueue(o.auditRec.QueueLen)
	ks, err := guard.BindKillSwitch(ctx, o.js)
	if err != nil {
		return err
	}
	wg.Go(func() { m.WatchKillSwitch(ctx, ks, time.Second) })
	wg.Go(func() { o.auditRec.WatchUsage(ctx, time.Minute, func(u audit.Usage) { m.SetAuditUsage(u.Fraction()) }) })

	readiness := e.opts.Readiness.WithDefaults()
	health := observe.NewHealth(m, observe.NATSProbe(o.nc), observe.Probe{Name: "consumer", Check: func(ctx context.Context) error {
		_, err := o.js.Consumer(ctx, ingest.Stream, o.durable)
		return err
	}})
	for id, client := range o.conns.clients {
		health.Add(observe.ChainProbe(id, client, readiness.MaxHeadLag, e.now))
	}
	for name, so := range e.opts.Signers {
		if so.Kind == "vault" && so.Vault != nil {
			health.Add(observe.VaultProbe(name, so.Vault.Address, nil))
		}
	}
	wg.Go(func() { health.Run(ctx, 10*time.Second) })

	if addr, on := e.opts.Metrics.Addr(); on && e.opts.Metrics.Listen != "" {
		srv, err := observe.Listen(addr, observe.NewHandler(e.reg, health), e.log)
		if err != nil {
			return err
		}
		e.metricsSrv = srv
		wg.Go(func() { _ = srv.Run(ctx) })
	}
	if e.opts.Shadow || e.opts.Readiness.Off {
		// No signers to check: shadow mode sends nothing, and an embedder
		// turned the check off.
		return e.startConsole(ctx, wg, o, ks, nil)
	}
	chains := map[uint64]observe.Chain{}
	for id, c := range o.conns.clients {
		chains[id] = c
	}
	checker, err := observe.NewChecker(observe.CheckerOptions{Config: e.opts, Chains: chains, Signers: o.signers, Metrics: m, Log: e.log, Now: e.now})
	if err != nil {
		return err
	}
	wg.Go(func() { checker.Watch(ctx, o.alerts.readinessChanged) })
	return e.startConsole(ctx, wg, o, ks, checker.Last)
}

// startConsole serves the web console when console.listen is set; a port
// that cannot be bound, or a missing token, fails the start.
func (e *Engine) startConsole(ctx context.Context, wg *sync.WaitGroup, o observed, ks *guard.KillSwitch, readiness func() (observe.Report, bool)) error {
	if !e.opts.Console.On() {
		return nil
	}
	srv, err := console.New(console.Options{Config: e.opts, JS: o.js, KillSwitch: ks, Policy: o.planner.PolicyStatus, Readiness: readiness, Log: e.log, Now: e.now})
	if err != nil {
		return err
	}
	e.consoleSrv = srv
	wg.Go(func() {
		if err := srv.Run(ctx); err != nil {
			e.log.Error("the console stopped", "err", err)
		}
	})
	return nil
}

// ConsoleAddr is the address the web console listens on, "" when none is
// served. Valid after Ready.
func (e *Engine) ConsoleAddr() string {
	if e.consoleSrv == nil {
		return ""
	}
	return e.consoleSrv.Addr()
}
