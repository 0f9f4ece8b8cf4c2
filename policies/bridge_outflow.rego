# Freeze a bridge on anomalous outflow: see the METADATA on the rule below for when it acts.
package firebreak

import data.firebreak.lib.registry

default_outflow_window_seconds := 3600

# METADATA
# title: Freeze a bridge on anomalous outflow
# description: >-
#   Acts when a detector reports anomalous outflow from a bridge
#   (alert_type "anomalous-outflow" or "bridge-outflow") at high or critical
#   severity: metadata.amount (wei, a number or a decimal string) left the
#   bridge within metadata.window_seconds. It freezes each bridge contract
#   (or only metadata.contract when named) whose registry outflow_threshold
#   the amount reaches, when the window is no longer than the contract's
#   outflow_window_seconds (3600 when unset). A bridge without an
#   outflow_threshold in the registry is never frozen by this policy.
# custom:
#   rule: bridge_outflow
outflow_alert if {
	input.alert_type in {"anomalous-outflow", "bridge-outflow"}
	registry.severity_at_least("high")
	registry.actionable
}

outflow_amount := registry.amount(input.metadata.amount)

outflow_window := registry.amount(input.metadata.window_seconds)

outflow_candidates contains name if {
	not input.metadata.contract
	some name in registry.bridge_contracts
}

outflow_candidates contains input.metadata.contract if {
	input.metadata.contract in registry.bridge_contracts
}

# outflow_over maps each bridge to freeze to its threshold.
outflow_over[name] := threshold if {
	outflow_alert
	some name in outflow_candidates
	c := registry.protocol.contracts[name]
	threshold := registry.amount(c.outflow_threshold)
	outflow_amount >= threshold
	outflow_window > 0
	outflow_window <= object.get(c, "outflow_window_seconds", default_outflow_window_seconds)
}

actions contains {
	"type": "freeze_bridge",
	"protocol": input.protocol,
	"contract": name,
	"rule": "bridge_outflow",
} if {
	# First, so that OPA's rule index skips this rule for other alerts.
	input.alert_type in {"anomalous-outflow", "bridge-outflow"}
	some name, _ in outflow_over
}

reasons contains msg if {
	input.alert_type in {"anomalous-outflow", "bridge-outflow"}
	some name, threshold in outflow_over
	msg := sprintf(
		"%s alert %q: %v wei left %s.%s within %vs, at or over its threshold of %v wei: freezing it",
		[input.alert_type, input.id, outflow_amount, input.protocol, name, outflow_window, threshold],
	)
}
