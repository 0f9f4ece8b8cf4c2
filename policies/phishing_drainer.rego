# Block a phishing drainer: see the METADATA on the rule below for when it acts.
package firebreak

import data.firebreak.lib.alert
import data.firebreak.lib.registry

# METADATA
# title: Block a phishing drainer
# description: >-
#   Acts when a detector reports a wallet drainer (alert_type
#   "phishing-drainer") at high or critical severity. The drainer is the
#   attacker the alert names (address_roles.attacker, when it names exactly
#   one); for an alert that names no attacker, metadata.drainer, or the
#   event's only address. It asks every contract of
#   the protocol that supports a blocklist (registry block_function, e.g.
#   blockAddress(address)) to block the drainer, so users' approvals to it
#   stop working where the protocol can enforce that, and notifies the
#   protocol's users (published on firebreak.notify.<protocol>) to revoke
#   their approvals to it. An event that does not name exactly one drainer
#   blocks nothing and says why.
# custom:
#   rule: phishing_drainer
drainer_alert if {
	input.alert_type == "phishing-drainer"
	registry.severity_at_least("high")
	registry.actionable
}

drainer := alert.attacker if {
	alert.attacker
} else := input.metadata.drainer if {
	count(alert.attackers) == 0
	registry.is_address(input.metadata.drainer)
} else := input.addresses[0] if {
	count(alert.attackers) == 0
	not input.metadata.drainer
	count(input.addresses) == 1
}

actions contains {
	"type": "block_address",
	"protocol": input.protocol,
	"contract": name,
	"account": drainer,
	"rule": "phishing_drainer",
} if {
	# First, so that OPA's rule index skips this rule for other alerts.
	input.alert_type == "phishing-drainer"
	drainer_alert
	some name in registry.blocklist_contracts
}

actions contains {
	"type": "notify",
	"protocol": input.protocol,
	"message": sprintf(
		"Phishing drainer %s is active against %s users: revoke any approval you gave it, and do not sign requests from it.",
		[drainer, input.protocol],
	),
	"rule": "phishing_drainer",
} if {
	input.alert_type == "phishing-drainer"
	drainer_alert
	drainer
}

reasons contains msg if {
	input.alert_type == "phishing-drainer"
	drainer_alert
	drainer
	msg := sprintf(
		"phishing-drainer alert %q from %s: blocking %s on %s's blocklist contracts %v",
		[input.id, input.source, drainer, input.protocol, sort(registry.blocklist_contracts)],
	)
}

reasons contains msg if {
	input.alert_type == "phishing-drainer"
	drainer_alert
	not drainer
	msg := sprintf("phishing-drainer alert %q names no single drainer (one address_roles.attacker, metadata.drainer, or exactly one address): nothing blocked", [input.id])
}
