# Medium-confidence alerts wait for approval: see the METADATA on the rule below for when it acts.
package firebreak

import data.firebreak.lib.registry

# METADATA
# title: Medium-confidence alerts wait for approval
# description: >-
#   Acts when any response policy proposes an action for an alert whose
#   confidence is at or above the protocol's approval_min_confidence (0.6
#   when unset) but below its min_confidence (0.9 when unset). The decision
#   keeps the proposed actions but requires approval, so nothing runs until
#   a person agrees. Below approval_min_confidence the policies propose
#   nothing at all.
# custom:
#   rule: approval
approval_required contains msg if {
	count(data.firebreak.actions) > 0 # first: most events ask for nothing
	registry.medium_confidence
	msg := sprintf(
		"confidence %v is below %s's min_confidence %v (at or above approval_min_confidence %v): a person must approve",
		[input.confidence, input.protocol, registry.min_confidence, registry.approval_min_confidence],
	)
}

reasons contains msg if {
	some msg in approval_required
}
