package firebreak.approval_test

import data.firebreak

registry := {"demo": {
	"chain_id": 1,
	"min_confidence": 0.9,
	"approval_min_confidence": 0.5,
	"contracts": {"vault": {"address": "0x0000000000000000000000000000000000000001", "pausable": true}},
}}

exploit(confidence) := {
	"id": "ev-a", "source": "forta", "chain_id": 1, "severity": "critical",
	"confidence": confidence, "alert_type": "exploit", "protocol": "demo",
}

test_medium_confidence_requires_approval if {
	d := firebreak.decision with input as exploit(0.7) with data.protocols as registry
	count(d.actions) == 1
	d.require_approval == true
	some r in d.reasons
	contains(r, "a person must approve")
}

test_high_confidence_acts_without_approval if {
	d := firebreak.decision with input as exploit(0.9) with data.protocols as registry
	count(d.actions) == 1
	d.require_approval == false
}

test_protocol_approval_threshold_applies if {
	d := firebreak.decision with input as exploit(0.49) with data.protocols as registry
	d.actions == []
	d.require_approval == false
}

test_default_approval_threshold_is_point_six if {
	reg := {"demo": object.remove(registry.demo, {"approval_min_confidence"})}
	firebreak.decision.require_approval with input as exploit(0.6) with data.protocols as reg
	firebreak.decision.actions == [] with input as exploit(0.59) with data.protocols as reg
}

test_medium_confidence_without_actions_needs_no_approval if {
	ev := object.union(exploit(0.7), {"severity": "low"})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
	d.require_approval == false
}
