package decide

import (
	"context"
	"log/slog"
	"time"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/policies"
)

// Outcome is what the engine recorded for one event: the decision and the
// fate of each requested action. It is stored in the processed-events
// bucket under the event id.
type Outcome struct {
	Event      event.Event `json:"event"`
	ReceivedAt time.Time   `json:"received_at"`
	// Decision is nil when the policies failed; DecisionError says why.
	Decision      *Decision       `json:"decision,omitempty"`
	DecisionError string          `json:"decision_error,omitempty"`
	Actions       []ActionOutcome `json:"actions"`
	// DryRuns are the simulations of the allowed actions, one per chain,
	// in dry-runs and shadow mode; nothing was sent. DryRunError says why
	// there is none when there should be.
	DryRuns     []simulate.Result `json:"dry_runs,omitempty"`
	DryRunError string            `json:"dry_run_error,omitempty"`
}

// ActionOutcome is the guard's verdict on one requested action and, when
// allowed, the id of the recorded intent.
type ActionOutcome struct {
	guard.Verdict
	ActionID string `json:"action_id,omitempty"`
	// JoinedTo is set when the action was not sent because the same call
	// was already in flight for another event: the action it joined.
	JoinedTo string `json:"joined_to,omitempty"`
	// Approval is set when the action waits for Safe owner signatures
	// (firebreak approvals); it executes under ActionID once approved.
	Approval string `json:"approval,omitempty"`
}

// Verdicts are the guard's verdicts on the outcome's actions, in order.
func (o Outcome) Verdicts() []guard.Verdict {
	vs := make([]guard.Verdict, len(o.Actions))
	for i, a := range o.Actions {
		vs[i] = a.Verdict
	}
	return vs
}

// Planner decides and guards events without recording or sending
// anything: the engine's first half, shared by the engine, dry-runs and
// policy evaluation.
type Planner struct {
	log      *slog.Logger
	now      func() time.Time
	policies *policies.Reloader
	guard    *guard.Guard
	guardCfg guardConfig
	// killSwitch is set in a running engine (it lives in NATS).
	killSwitch *guard.KillSwitch
	// isSafe tells the signers that are Safes: only they take approvals.
	isSafe  func(signer string) bool
	hasSafe bool
}

// NewPlanner loads the policies named by opts and builds the guard over
// opts' registry and allowlist, reading on-chain preconditions through
// callers (one per chain id).
func NewPlanner(ctx context.Context, opts config.Options, callers map[uint64]guard.Caller, log *slog.Logger) (*Planner, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	reg, allow := guardRegistry(opts)
	data := opts.PolicyData()
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	pol, err := loadPolicies(ctx, opts, data, log, now)
	if err != nil {
		return nil, err
	}
	gc := guardConfig{reg: reg, allow: allow, callers: callers, limits: guardLimits(opts), now: now,
		protected: opts.Guard.ProtectedRoles, own: ownAccounts(opts)}
	return &Planner{log: log, now: now, policies: pol, guard: gc.build(nil), guardCfg: gc, isSafe: opts.IsSafe, hasSafe: opts.HasSafe()}, nil
}

// Evaluator is the compiled policy set the planner decides with now.
func (p *Planner) Evaluator() *policies.Evaluator { return p.policies.Current() }

// Plan decides what to do about ev and runs every requested action through
// the guard. The error is non-nil only for failures worth retrying (a
// precondition that could not be read); policy failures are part of the
// Outcome.
func (p *Planner) Plan(ctx context.Context, ev event.Event) (Outcome, error) {
	log := p.log.With("event", ev.ID, "protocol", ev.Protocol)
	out := Outcome{Event: ev, ReceivedAt: p.now(), Actions: []ActionOutcome{}}

	pd, err := p.policies.Decide(ctx, ev.Input())
	if err != nil {
		// No action, and loudly: a policy that cannot decide is a fault.
		out.DecisionError = err.Error()
		log.Error("policy evaluation failed: no action taken", "err", err)
		return out, nil
	}
	d := decisionOf(pd)
	out.Decision = &d
	refuseAll := func(reason string) (Outcome, error) {
		for _, req := range d.Actions {
			out.Actions = append(out.Actions, ActionOutcome{Verdict: guard.Verdict{Request: req, Outcome: guard.Refused, Reason: reason}})
		}
		return out, nil
	}
	switch {
	case len(d.Actions) == 0:
		log.Info("no action", "severity", ev.Severity, "alert_type", ev.AlertType)
		return out, nil
	case d.RequireApproval && !p.hasSafe:
		log.Warn("decision requires approval: not executed", "actions", len(d.Actions))
		return refuseAll("the decision requires approval, and approvals are only available for actions sent through a Safe")
	case d.RequireApproval:
		return p.planApproval(ctx, out, d, log)
	}
	// The guardrails (max actions, kill switch, rate limits, cooldowns),
	// then the allowlist and the chain, for every action.
	verdicts, err := p.guard.CheckDecision(ctx, ev.ID, d.Actions)
	if err != nil {
		return out, err
	}
	for _, v := range verdicts {
		out.Actions = append(out.Actions, ActionOutcome{Verdict: v})
	}
	return out, nil
}
