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
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/notify"
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

	ready   chan struct{}
	natsURL string
	nc      *nats.Conn
	cons    *ingest.Consumer
	store   *record.Store
	planner *decide.Planner
	sub     *submit.Submitter
	safes   *safe.Runner
}

// New validates opts and returns an Engine. Nothing is started and no
// connection is made until Run.
func New(opts config.Options, log *slog.Logger) (*Engine, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{opts: opts, log: log, now: opts.Now, ready: make(chan struct{})}
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
// fails to start. Everything it started is stopped before it returns.
func (e *Engine) Run(ctx context.Context) error {
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

	callers := map[uint64]guard.Caller{}
	chains := map[uint64]submit.ChainConfig{}
	safeChains := map[uint64]safe.Chain{}
	for _, c := range e.opts.Chains {
		client, err := ethclient.DialContext(ctx, c.RPC)
		if err != nil {
			return fmt.Errorf("engine: connecting to chain %d at %s: %w", c.ID, c.RPC, err)
		}
		defer client.Close()
		cfg, closeEndpoints, err := submitChain(ctx, c, client)
		if err != nil {
			return err
		}
		if c.WS != "" {
			// Without it the head is polled over rpc: a block is seen a
			// little later, never missed, so a ws endpoint that is down
			// does not keep the engine from starting.
			if ws, err := ethclient.DialContext(ctx, c.WS); err != nil {
				// The error repeats the URL, which may hold an API key.
				e.log.Warn("cannot connect to the chain's ws endpoint: polling the head over rpc instead", "chain", c.ID)
			} else {
				defer ws.Close()
				cfg.Heads = ws
			}
		}
		defer closeEndpoints()
		callers[c.ID], chains[c.ID], safeChains[c.ID] = client, cfg, client
	}
	planner, err := decide.NewPlanner(ctx, e.opts, callers, e.log)
	if err != nil {
		return err
	}
	ev := planner.Evaluator()
	e.log.Info("policies loaded", "source", planner.PolicyStatus().Source, "files", ev.Files(), "revision", ev.Revision()[:12])
	e.planner = planner

	url := e.opts.NATS.URL
	var nc *nats.Conn
	if url == "" {
		srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: e.opts.DataDir, Host: e.opts.NATS.Host, Port: e.opts.NATS.Port}, e.log)
		if err != nil {
			return err
		}
		defer srv.Shutdown()
		url = srv.ClientURL()
		nc, err = srv.Dial("firebreak-engine")
		if err != nil {
			return err
		}
	} else if nc, err = ingest.Dial(url, "firebreak-engine"); err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("engine: JetStream: %w", err)
	}
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{Replicas: e.opts.NATS.Replicas, MaxAge: 30 * 24 * time.Hour}); err != nil {
		return err
	}
	store, err := record.NewStore(ctx, js, e.opts.NATS.Replicas)
	if err != nil {
		return err
	}
	if err := planner.UseKillSwitch(ctx, js, e.opts.NATS.Replicas); err != nil {
		return err
	}
	approvals, err := safe.NewApprovalStore(ctx, js, e.opts.NATS.Replicas)
	if err != nil {
		return err
	}
	var safes *safe.Runner
	if !e.opts.Shadow {
		// Shadow mode holds no owner keys and sends no Safe transaction.
		if safes, err = safe.NewRunner(e.opts, decide.OfflineGuard(e.opts).Resolve, signers, safeChains, store, approvals, e.log, e.now); err != nil {
			return err
		}
	}
	auditRec, err := e.openAudit(ctx, js)
	if err != nil {
		return err
	}
	defer auditRec.Close() // after the submitters stop, before NATS closes
	copts := ingest.DefaultConsumerOptions()
	copts.Replicas = e.opts.NATS.Replicas
	copts.Observer = auditRec
	cons, err := ingest.NewConsumer(ctx, js, copts, e.log)
	if err != nil {
		return err
	}
	submitOpts := submit.DefaultOptions()
	submitOpts.Now = e.now
	submitOpts.OnChange = auditRec.ActionChanged
	var adopt func(record.Record, uint64) // set once the pipeline exists, before Start
	if e.opts.NATS.URL != "" {
		// An external NATS may serve several engines: senders are leased.
		if submitOpts.Leases, err = e.openLeases(ctx, js); err != nil {
			return err
		}
		submitOpts.Adopt = func(rec record.Record, rev uint64) { adopt(rec, rev) }
	}
	sub := submit.New(store, chains, signers, submitOpts, e.log)
	p := &pipeline{Planner: planner, log: e.log, now: e.now, store: store, notifier: notify.NewPublisher(nc), safes: safes, audit: auditRec, shadow: shadowExec}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	if !e.opts.Shadow {
		// In shadow mode no submitter runs at all: nothing may reach a chain.
		sub.Start(runCtx)
	}
	e.sub = sub
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
	}
	if e.opts.Shadow {
		e.log.Warn("shadow mode: actions are simulated on a fork, nothing is sent; unfinished actions of earlier runs are left for a normal run")
	} else if err := p.resume(runCtx); err != nil {
		return err
	}
	planner.WatchPolicies(runCtx, &wg, e.opts.PolicyReload, e.opts.ReloadPolicies)

	e.nc, e.cons, e.store, e.safes, e.natsURL = nc, cons, store, safes, url
	if safes != nil {
		wg.Go(func() { safes.Run(runCtx) })
	}
	close(e.ready)
	e.log.Info("firebreak engine running", "nats", url, "stream", ingest.Stream, "chains", len(chains), "protocols", len(e.opts.Protocols))
	err = cons.Run(runCtx, p.handle)
	stop()
	return err
}

// openLeases opens the sender leases of this engine instance.
func (e *Engine) openLeases(ctx context.Context, js jetstream.JetStream) (*submit.Leases, error) {
	name := e.opts.NATS.Instance
	if name == "" {
		name, _ = os.Hostname()
	}
	if name == "" {
		name = "firebreak"
	}
	ttl := e.opts.NATS.LeaseTTL
	if ttl == 0 {
		ttl = config.DefaultOptions().NATS.LeaseTTL
	}
	e.log.Info("sharing NATS with other engine instances: senders are leased", "instance", name, "lease_ttl", ttl)
	return submit.NewLeases(ctx, js, e.opts.NATS.Replicas, name, ttl, e.log)
}

// Outcome returns what the engine recorded for an event id, or an error
// wrapping jetstream.ErrKeyNotFound while the event has not been handled.
func (e *Engine) Outcome(ctx context.Context, eventID string) (decide.Outcome, error) {
	var o decide.Outcome
	data, err := e.cons.Record(ctx, eventID)
	if err != nil {
		return o, fmt.Errorf("engine: outcome of event %q: %w", eventID, err)
	}
	if err := json.Unmarshal(data, &o); err != nil {
		return o, fmt.Errorf("engine: decoding the outcome of event %q: %w", eventID, err)
	}
	return o, nil
}

// SubmitStats are the submitter's counters (sends, bumps, bumps blocked by
// a fee cap, reorgs, ...). Valid after Ready.
func (e *Engine) SubmitStats() submit.Stats { return e.sub.Stats() }

// Action returns the recorded state of an action.
func (e *Engine) Action(ctx context.Context, actionID string) (record.Record, error) {
	rec, _, err := e.store.Get(ctx, actionID)
	return rec, err
}

// pipeline is the per-event path of a running engine.
type pipeline struct {
	*decide.Planner
	log   *slog.Logger
	now   func() time.Time
	store *record.Store
	audit *audit.Recorder
	spawn func(record.Record, uint64)
	// prepare, when set, starts the submitter's read-only work on an
	// intent (its gas estimate) while the intent is audited and recorded.
	prepare  func(record.Intent)
	notifier notify.Publisher
	safes    *safe.Runner
	// shadow, when set, replaces recording and sending (Options.Shadow).
	shadow *simulate.Shadow
}

// handle is the ingest.Handler: plan, record intents, start them.
func (p *pipeline) handle(ctx context.Context, ev event.Event) ([]byte, error) {
	log := p.log.With("event", ev.ID, "protocol", ev.Protocol)
	// Every action is guarded before any is recorded, so a transient
	// failure retries the whole event with nothing half-recorded.
	out, err := p.Plan(ctx, ev)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
	}
	key := ingest.EventKey(ev.ID)
	if p.prepare != nil {
		for i, a := range out.Actions {
			if a.Outcome == guard.Allowed && a.Request.Type != guard.ActionNotify && !p.safes.IsSafe(a.Signer) {
				p.prepare(intentOf(ev, key, i, a))
			}
		}
	}
	// Audited before anything is recorded or acknowledged: an event whose
	// decision is not in the audit log is retried, not acted on.
	if err := p.audit.Decided(ctx, out); err != nil {
		return nil, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
	}
	if p.shadow != nil {
		out.DryRuns, out.DryRunError = p.shadow.Run(ctx, ev, out.Verdicts())
		if err := p.audit.DryRun(ctx, out); err != nil {
			return nil, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
		}
		return json.Marshal(out)
	}

	type started struct {
		rec record.Record
		rev uint64
	}
	var toStart []started
	// retryErr fails the event for a retry. Once it is set no further
	// intent is recorded, but those already recorded are still started: a
	// redelivery finds them recorded and leaves them to their submitter.
	var retryErr error
	retry := func(err error) { retryErr = fmt.Errorf("%w: %w", ingest.ErrTransient, err) }
	for i := range out.Actions {
		if retryErr != nil {
			break
		}
		a := &out.Actions[i]
		if a.Outcome != guard.Allowed {
			log.Info("action not executed", "type", a.Request.Type, "contract", a.Request.Contract, "outcome", a.Outcome, "reason", a.Reason)
			continue
		}
		if a.Request.Type == guard.ActionNotify {
			// A message, not a transaction: published now, no intent.
			if err := p.notifier.Publish(ev, out, i); err != nil {
				retry(err)
			}
			continue
		}
		in := intentOf(ev, key, i, *a)
		a.ActionID = in.ID
		release := func() {}
		if p.safes.IsSafe(a.Signer) {
			sp, err := p.throughSafe(ctx, a, in, out.Decision.RequireApproval, log)
			if err != nil {
				retryErr = err
				break
			}
			if sp.Intent == nil {
				continue
			}
			in, release = *sp.Intent, sp.Release
		}
		rec, rev, created, err := p.store.Create(ctx, in, p.now())
		if err != nil {
			release()
			retry(err)
			break
		}
		if err := p.audit.Planned(ctx, in, !created); err != nil {
			// Recorded, so started all the same below; the redelivery
			// audits it as planned.
			retry(err)
		}
		if !created {
			// Recorded by an earlier delivery of this event (or another
			// replica), whose submitter carries it on.
			log.Info("action already recorded by an earlier delivery", "action", a.ActionID)
			release()
			continue
		}
		if p.safes.IsSafe(a.Signer) {
			// Started at once: it holds its Safe's lane until final, and a
			// later action of this event on the same Safe waits for it.
			log.Info("action approved by the guard", "action", rec.ID, "function", rec.Function, "to", rec.To.Hex(), "rule", rec.Rule)
			p.safes.Spawn(rec, rev, release)
			continue
		}
		toStart = append(toStart, started{rec, rev})
	}
	// The intents are durable now: start them before the event record and
	// the ack, which only need to follow, not precede, the send.
	for _, s := range toStart {
		log.Info("action approved by the guard", "action", s.rec.ID, "function", s.rec.Function, "to", s.rec.To.Hex(), "rule", s.rec.Rule)
		p.spawn(s.rec, s.rev)
	}
	if retryErr != nil {
		return nil, retryErr
	}
	return json.Marshal(out)
}

// intentOf is the intent of the i-th action of ev, whose key is key.
func intentOf(ev event.Event, key string, i int, a decide.ActionOutcome) record.Intent {
	return record.Intent{
		ID: fmt.Sprintf("%s-%d", key, i), EventID: ev.ID, Protocol: a.Request.Protocol, Type: a.Request.Type, Rule: a.Request.Rule,
		ChainID: a.ChainID, To: a.To, Function: a.Function, Data: a.Data, Signer: a.Signer,
	}
}

// resume restarts the actions a previous run left unfinished.
func (p *pipeline) resume(ctx context.Context) error {
	recs, revs, err := p.store.Unfinished(ctx)
	if err != nil {
		return err
	}
	for i, rec := range recs {
		p.log.Info("resuming unfinished action", "action", rec.ID, "state", rec.State)
		if p.safes.Resume(ctx, rec, revs[i]) {
			continue
		}
		p.spawn(rec, revs[i])
	}
	return nil
}

// IsNotHandled reports whether err means the event has not been handled yet.
func IsNotHandled(err error) bool { return errors.Is(err, jetstream.ErrKeyNotFound) }
