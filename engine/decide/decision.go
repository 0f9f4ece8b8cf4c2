package decide

import (
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/policies"
)

// Decision is what the policies decided for one event, with each requested
// action as the guard takes it. Its JSON form is the policies' own.
type Decision struct {
	Actions         []guard.Request `json:"actions"`
	RequireApproval bool            `json:"require_approval"`
	Reasons         []string        `json:"reasons"`
	// Rules are the rules that fired, sorted.
	Rules []string `json:"rules"`
	// Revision identifies the policy sources that made the decision.
	Revision string `json:"revision"`
}

func decisionOf(d policies.Decision) Decision {
	actions := make([]guard.Request, len(d.Actions))
	for i, a := range d.Actions {
		actions[i] = guard.Request(a)
	}
	return Decision{Actions: actions, RequireApproval: d.RequireApproval, Reasons: d.Reasons, Rules: d.Rules, Revision: d.Revision}
}

// PolicyStatus is the policies in force and the last reload error.
type PolicyStatus = policies.ReloadStatus
