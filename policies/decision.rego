# Assembles the decision the engine reads, data.firebreak.decision, from the
# partial rules that every response policy in this folder contributes to:
#
#   actions contains {"type": ..., "protocol": ..., "contract": ..., "rule": ...}
#   reasons contains "a sentence a person can read"
#   approval_required contains "why"   (any entry makes the decision wait for approval)
#
# The sets are read through data.firebreak so that a policy set that never
# contributes to one of them still compiles (the reference is then undefined
# and the comprehension empty).
#
# A policy never resolves addresses or signs anything: it names registry
# entries, and the engine's guard decides whether the action may run.
package firebreak

decision := {
	"actions": [a | some a in data.firebreak.actions],
	"require_approval": require_approval,
	"reasons": [r | some r in data.firebreak.reasons],
}

default require_approval := false

require_approval if count(data.firebreak.approval_required) > 0
