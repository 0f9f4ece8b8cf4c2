package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
)

// throughSafe sends an allowed action through its Safe: it returns the
// execTransaction intent to record (holding the Safe's lane), or no intent
// when the action waits for approval, was handled by an earlier delivery,
// or was refused (a, then, says why).
func (p *pipeline) throughSafe(ctx context.Context, a *decide.ActionOutcome, in record.Intent, requireApproval bool, log *slog.Logger) (safe.Prepared, error) {
	sp, err := p.safes.Prepare(ctx, in, requireApproval, log)
	switch {
	case err != nil && safe.IsRefusal(err):
		log.Error("Safe action refused before sending", "action", in.ID, "err", err)
		a.Outcome, a.Reason, a.ActionID = guard.Refused, "Safe: "+err.Error(), ""
		return safe.Prepared{}, nil
	case err != nil:
		return sp, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
	case sp.Approval != "":
		a.Approval = sp.Approval
	case sp.Done:
		log.Info("action already recorded by an earlier delivery", "action", a.ActionID)
	case sp.FromPresigned:
		log.Info("sending the pre-signed Safe transaction", "action", in.ID, "safe", in.Signer)
	}
	return sp, nil
}

// Presigned lists the Safe transactions the engine keeps signed ahead
// (contracts marked presign), with the nonce they are signed for and the
// result of their last simulation. Valid after Ready.
func (e *Engine) Presigned() []safe.Presigned { return e.safes.PresignedNow() }
