// Package engine wires firebreak's stages into one pipeline:
//
//	ingest → decide (policies) → guard → record intents → ack → submit
//
// An Engine consumes detection events from JetStream, asks the Rego policies
// what to do, lets the guard resolve and check each requested action,
// records the allowed ones as intents, and hands them to the submitter,
// which signs and sends them and follows them to their receipts. A message
// is acknowledged only after its decision and intents are recorded; from
// then on the recorded intent, not redelivery, carries the action to the
// chain, and a restarted engine resumes unfinished intents. Every step is
// appended to the hash-chained audit log (engine/audit); see audit.Recorder for
// what happens when it cannot be written.
//
// cmd/firebreak is a thin layer over this package; tests and the demo run
// the whole pipeline in-process through New and Run.
package engine

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/console"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/webhook"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/engine/submit"
	"github.com/firebreak-dev/firebreak/signer"
)

// Engine is the containment pipeline. Create it with New, start it with Run.
type Engine struct {
	opts config.Options
	log  *slog.Logger
	now  func() time.Time
	// redact removes the configured secrets (URLs, keys, tokens) from
	// every log line (log goes through it) and from Run's error.
	redact *config.Redactor

	ready   chan struct{}
	natsURL string
	nc      *nats.Conn
	cons    *ingest.Consumer
	store   *record.Store
	planner *decide.Planner
	sub     *submit.Submitter
	safes   *safe.Runner
	// embedded is the embedded NATS server, when no nats.url is set.
	embedded *ingest.Embedded
	// reg holds the engine's metrics; metricsSrv serves them.
	reg        *prometheus.Registry
	metricsSrv *observe.Server
	consoleSrv *console.Server // on console.listen (observe.go)
	ingress    *webhook.Server

	afterRecord func(record.Intent) error // the engine tests' fault (pipeline.afterRecord)
}

// New validates opts and returns an Engine. Nothing is started and no
// connection is made until Run.
func New(opts config.Options, log *slog.Logger) (*Engine, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := opts.ValidateIngress(); err != nil {
		return nil, err
	}
	redact := opts.Redactor()
	e := &Engine{opts: opts, log: slog.New(redact.Handler(log.Handler())), redact: redact, now: opts.Now, ready: make(chan struct{}), reg: prometheus.NewRegistry()}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// Ready is closed once Run has connected everything and consumes events.
func (e *Engine) Ready() <-chan struct{} { return e.ready }

// NATSURL is the URL of the NATS server in use (the embedded one unless a
// URL was configured). Valid after Ready.
func (e *Engine) NATSURL() string { return e.natsURL }

// Run starts the pipeline and blocks until ctx is cancelled or a component
// fails to start. Everything it started is stopped before it returns. The
// error holds no configured secret.
func (e *Engine) Run(ctx context.Context) error { return e.redact.Error(e.run(ctx)) }

func (e *Engine) run(ctx context.Context) error {
	var signers map[string]signer.Signer
	closeSigners := func() {}
	var shadowExec *simulate.Shadow
	var err error
	if e.opts.Shadow {
		// No keys in shadow mode: actions are simulated, never signed.
		if shadowExec, err = simulate.NewShadow(e.opts, senders(e.opts), e.log); err != nil {
			return err
		}
	} else if signers, closeSigners, err = buildSigners(ctx, e.opts, e.log); err != nil {
		return err
	}
	defer closeSigners()

	conns, err := dialChains(ctx, e.opts.Chains, e.log)
	if err != nil {
		return err
	}
	defer conns.close()
	callers, chains, safeChains := conns.callers, conns.submit, conns.safes
	planner, err := decide.NewPlanner(ctx, e.opts, callers, e.log)
	if err != nil {
		return err
	}
	ev := planner.Evaluator()
	e.log.Info("policies loaded", "source", planner.PolicyStatus().Source, "files", ev.Files(), "revision", ev.Revision()[:12])
	e.planner = planner
	planner.ProtectAccounts(signerAccounts(signers)...)

	nc, url, shutdown, err := e.connectNATS()
	if err != nil {
		return err
	}
	defer shutdown()
	defer nc.Close()
	js, err := openJetStream(ctx, nc, e.log)
	if err != nil {
		return err
	}
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{Replicas: e.opts.NATS.Replicas, MaxAge: 30 * 24 * time.Hour}); err != nil {
		return err
	}
	auditRec, err := e.openAudit(ctx, js)
	if err != nil {
		return err
	}
	defer auditRec.Close() // after the submitters stop, before NATS closes
	recs, err := e.openRecords(ctx, js, auditRec)
	if err != nil {
		return err
	}
	store, approvals := recs.store, recs.approvals
	rcv, err := e.openRecovery(ctx, js, recs)
	if err != nil {
		return err
	}
	if err := planner.UseKillSwitch(ctx, js, e.opts.NATS.Replicas); err != nil {
		return err
	}
	// The operator may put keys in these two buckets; a roll-up put would
	// purge them whole, so roll-ups are refused (opening turns them on).
	if err := ingest.DenyRollups(ctx, js); err != nil {
		return err
	}
	var safes *safe.Runner
	if !e.opts.Shadow {
		// Shadow mode holds no owner keys and sends no Safe transaction.
		if safes, err = safe.NewRunner(e.opts, decide.OfflineGuard(e.opts).Resolve, signers, safeChains, store, approvals, e.log, e.now); err != nil {
			return err
		}
	}
	m := observe.NewMetrics(e.reg)
	alerts := &operatorAlerts{log: e.log, now: e.now} // sends once started below
	if e.ingress, err = e.listenIngress(js, auditRec); err != nil {
		return err
	} else if e.ingress != nil {
		defer e.ingress.Close()
	}
	copts, err := e.consumerOptions(m, auditRec, recs.sealer) // consumer.go
	if err != nil {
		return err
	}
	cons, err := ingest.NewConsumer(ctx, js, copts, e.log)
	if err != nil {
		return err
	}
	submitOpts := submit.DefaultOptions()
	submitOpts.Now = e.now
	submitOpts.OnChange = recs.onChange(alerts.watchFeeCap(m.OnChange(auditRec.ActionChanged)))
	submitOpts.Authorizer = recoveryGate{recs.authorizer(e.opts), rcv}
	var adopt func(record.Record, uint64) // set once the pipeline exists, before Start
	if e.opts.NATS.URL != "" {
		// An external NATS may serve several engines: senders are leased.
		if submitOpts.Leases, err = e.openLeases(ctx, js); err != nil {
			return err
		}
		defer submitOpts.Leases.Close() // after the actions stop, before NATS closes
		submitOpts.Adopt = func(rec record.Record, rev uint64) { adopt(rec, rev) }
	}
	sub := submit.New(store, chains, signers, submitOpts, e.log)
	p := &pipeline{Planner: planner, log: e.log, now: e.now, metrics: m, store: store, notifier: notify.NewPublisher(nc), safes: safes, audit: auditRec, shadow: shadowExec, afterRecord: e.afterRecord}
	if p.inflight, err = record.NewInflight(ctx, js, e.opts.NATS.Replicas); err != nil {
		return err
	}

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// Stop, then let the lease goroutines end (they start actions in wg),
	// then wait for everything in wg and the submitter's own goroutines
	// (head followers, nonce owners, reorg watch); leases are released after.
	defer func() { stop(); submitOpts.Leases.Stop(); wg.Wait(); sub.Wait() }()
	if p.dispatch, p.incidents, err = e.startNotifications(runCtx, &wg, js, store, auditRec); err != nil {
		return err
	}
	alerts.ctx, alerts.wg, alerts.disp = runCtx, &wg, p.dispatch
	auditRec.SetOnLost(func() { m.AuditRecordLost(); alerts.auditLost() })
	if !e.opts.Shadow {
		// In shadow mode no submitter runs at all: nothing may reach a chain.
		sub.Start(runCtx)
	}
	e.sub = sub
	if err := e.startRecovery(runCtx, &wg, js, rcv, sub, auditRec, callers); err != nil {
		return err
	}
	p.spawn = func(rec record.Record, rev uint64) {
		wg.Go(func() { _, _ = sub.Execute(runCtx, rec, rev) })
	}
	if !e.opts.Shadow {
		p.prepare = func(in record.Intent) { sub.Prepare(runCtx, in) }
	}
	adopt = func(rec record.Record, rev uint64) {
		if !p.safes.Resume(runCtx, rec, rev) {
			p.spawn(rec, rev)
		}
	}
	if safes != nil {
		safes.Execute = func(rec record.Record, rev uint64) { _, _ = sub.Execute(runCtx, rec, rev) }
		safes.Go = wg.Go
		safes.Audit = auditRec
		safes.Leases = safeLeases(submitOpts.Leases) // Safe nonces leased as senders' are
		if err := recs.guardSafes(ctx, js, e.opts.NATS.Replicas, safes); err != nil {
			return err
		}
	}
	if e.opts.Shadow {
		e.log.Warn("shadow mode: actions are simulated on a fork, nothing is sent; unfinished actions of earlier runs are left for a normal run")
	} else if err := p.resume(runCtx); err != nil {
		return err
	}
	planner.WatchPolicies(runCtx, &wg, e.opts.PolicyReload, e.opts.ReloadPolicies)
	serveReplay(runCtx, &wg, nc, js, recs.sealer, auditRec, e.log)
	obs := observed{nc: nc, js: js, durable: copts.Durable, conns: conns, signers: signers, planner: planner, sub: sub, auditRec: auditRec, alerts: alerts}
	if err := e.startObserving(runCtx, &wg, m, obs); err != nil {
		return err
	}
	if err := e.startWatcher(runCtx, &wg, js, conns); err != nil {
		return err
	}

	e.nc, e.cons, e.store, e.safes, e.natsURL = nc, cons, store, safes, url
	if safes != nil {
		wg.Go(func() { safes.Run(runCtx) })
	}
	if e.ingress != nil {
		// Detectors' webhooks are stored as soon as they arrive; the consumer below
		// takes them up in stream order.
		wg.Go(func() { _ = e.ingress.Serve(runCtx) })
	}
	close(e.ready)
	e.log.Info("firebreak engine running", "nats", config.RedactURL(url), "stream", ingest.Stream, "chains", len(chains), "protocols", len(e.opts.Protocols))
	err = cons.Run(runCtx, p.handle)
	stop()
	return err
}
