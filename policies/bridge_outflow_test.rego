package firebreak.bridge_outflow_test

import data.firebreak

registry := {"demo": {
	"chain_id": 1,
	"min_confidence": 0.8,
	"contracts": {
		"bridge": {
			"address": "0x0000000000000000000000000000000000000002", "bridge": true,
			"outflow_threshold": "500000000000000000000000", "outflow_window_seconds": 600,
		},
		"bridge2": {"address": "0x0000000000000000000000000000000000000004", "bridge": true},
		"vault": {"address": "0x0000000000000000000000000000000000000001", "pausable": true},
	},
}}

outflow := {
	"id": "ev-o", "source": "tenderly", "chain_id": 1, "severity": "high",
	"confidence": 0.9, "alert_type": "anomalous-outflow", "protocol": "demo",
	"metadata": {"amount": "600000000000000000000000", "window_seconds": 300},
}

freeze := {"type": "freeze_bridge", "protocol": "demo", "contract": "bridge", "rule": "bridge_outflow"}

with_meta(m) := object.union(outflow, {"metadata": m})

test_outflow_over_threshold_freezes_that_bridge if {
	d := firebreak.decision with input as outflow with data.protocols as registry
	d.actions == [freeze]
	count(d.reasons) == 1
}

test_threshold_is_inclusive_and_exact_for_uint256 if {
	at := with_meta({"amount": "500000000000000000000000", "window_seconds": 600})
	firebreak.decision.actions == [freeze] with input as at with data.protocols as registry
	below := with_meta({"amount": "499999999999999999999999", "window_seconds": 600})
	firebreak.decision.actions == [] with input as below with data.protocols as registry
}

test_numeric_amount if {
	ev := with_meta({"amount": 6e23, "window_seconds": 60})
	firebreak.decision.actions == [freeze] with input as ev with data.protocols as registry
}

test_longer_window_does_nothing if {
	ev := with_meta({"amount": "600000000000000000000000", "window_seconds": 601})
	firebreak.decision.actions == [] with input as ev with data.protocols as registry
}

test_default_window_applies if {
	reg := {"demo": {"chain_id": 1, "contracts": {"bridge": object.remove(registry.demo.contracts.bridge, {"outflow_window_seconds"})}}}
	ok := with_meta({"amount": "600000000000000000000000", "window_seconds": 3600})
	firebreak.decision.actions == [freeze] with input as ok with data.protocols as reg
	late := with_meta({"amount": "600000000000000000000000", "window_seconds": 3601})
	firebreak.decision.actions == [] with input as late with data.protocols as reg
}

test_garbage_amount_does_nothing_and_does_not_fail if {
	some bad in ["lots", "-1", "1e30", true, {"x": 1}, -5]
	ev := with_meta({"amount": bad, "window_seconds": 60})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
}

test_missing_metadata_does_nothing if {
	ev := object.remove(outflow, {"metadata"})
	firebreak.decision.actions == [] with input as ev with data.protocols as registry
}

test_named_contract_without_threshold_does_nothing if {
	ev := with_meta({"amount": "600000000000000000000000", "window_seconds": 300, "contract": "bridge2"})
	firebreak.decision.actions == [] with input as ev with data.protocols as registry
}

test_low_severity_does_nothing if {
	ev := object.union(outflow, {"severity": "medium"})
	firebreak.decision.actions == [] with input as ev with data.protocols as registry
}
