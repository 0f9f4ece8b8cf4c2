package engine

import (
	"context"

	"github.com/firebreak-dev/firebreak/engine/decide"
)

// PolicyStatus reports the policies in force and the last reload error.
// Valid after Ready.
func (e *Engine) PolicyStatus() decide.PolicyStatus { return e.planner.PolicyStatus() }

// ReloadPolicies reloads the policies now; on error the old ones stay in
// force. Valid after Ready.
func (e *Engine) ReloadPolicies(ctx context.Context) (bool, error) {
	return e.planner.ReloadPolicies(ctx)
}
