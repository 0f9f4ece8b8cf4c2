// Package decide is the decision step of the event's path: the Planner
// evaluates an event against the Rego policies (package policies, loaded
// and hot-reloaded here) and runs every requested action through the guard
// (engine/guard: registry resolution, allowlist, guardrails, kill switch,
// on-chain preconditions), giving an Outcome. It has no side effects: the
// engine records and sends what the Outcome allows, and dry-runs and
// 'firebreak policy eval' use the same Planner.
//
// A decision that requires approval is planned by the approval rule: its
// Safe actions become proposals for the Safe's owners, anything else is
// refused, since a single key has no owners to approve with.
//
// decide is the only package of the engine that imports policies.
package decide
