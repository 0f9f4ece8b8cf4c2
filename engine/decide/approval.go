package decide

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/firebreak-dev/firebreak/engine/guard"
)

// planApproval guards a decision that requires approval. Its Safe actions
// become approvals (the pipeline parks them); other actions are refused,
// since a single key has no owners to approve with. The kill switch and
// the action bound apply; rate limits and cooldowns do not take a slot for
// a proposal, so a pending approval never blocks a later decision that
// acts at once.
func (p *Planner) planApproval(ctx context.Context, out Outcome, d Decision, log *slog.Logger) (Outcome, error) {
	refuse := func(req guard.Request, reason string) {
		out.Actions = append(out.Actions, ActionOutcome{Verdict: guard.Verdict{Request: req, Outcome: guard.Refused, Reason: reason}})
	}
	if max := p.guardCfg.limits.MaxActionsPerEvent; max > 0 && len(d.Actions) > max {
		for _, req := range d.Actions {
			refuse(req, fmt.Sprintf("the decision asks for %d actions, more than max_actions_per_event (%d)", len(d.Actions), max))
		}
		return out, nil
	}
	if p.killSwitch != nil {
		h, halted, err := p.killSwitch.Halted(ctx)
		if err != nil {
			return out, fmt.Errorf("%w: %w", guard.ErrHaltState, err)
		}
		if halted {
			for _, req := range d.Actions {
				refuse(req, "firebreak is halted: "+h.String())
			}
			return out, nil
		}
	}
	for _, req := range d.Actions {
		v, err := p.guard.Check(ctx, req)
		if err != nil {
			return out, err
		}
		if v.Outcome == guard.Allowed && !p.isSafe(v.Signer) {
			log.Warn("decision requires approval: not executed", "contract", req.Contract)
			v.Outcome, v.Reason = guard.Refused, "the decision requires approval, and approvals are only available for actions sent through a Safe"
		}
		out.Actions = append(out.Actions, ActionOutcome{Verdict: v})
	}
	return out, nil
}
