# Revoke the role of a compromised account: see the METADATA on the rule below for when it acts.
package firebreak

import data.firebreak.lib.registry

# METADATA
# title: Revoke the role of a compromised account
# description: >-
#   Acts when a detector reports, at high or critical severity, that the
#   holder of a role is compromised or was caught in unauthorized access
#   (alert_type "compromised-key", "compromised-account" or
#   "unauthorized-access"). The event names the role in metadata.role (a
#   name from the protocol's registry roles) and the account in
#   metadata.account, or as its only address. It never revokes a protected
#   role: DEFAULT_ADMIN_ROLE, and the roles in guard.protected_roles. It revokes that
#   role from that account only, on every contract the registry marks
#   access_control, or only on metadata.contract when the event names one.
#   An event that does not name exactly one account revokes nothing and
#   says why.
# custom:
#   rule: revoke_role
revoke_alert if {
	input.alert_type in {"compromised-key", "compromised-account", "unauthorized-access"}
	registry.severity_at_least("high")
	registry.actionable
}

# revoke_account is the one account the event accuses.
revoke_account := input.metadata.account if {
	registry.is_address(input.metadata.account)
} else := input.addresses[0] if {
	not input.metadata.account
	count(input.addresses) == 1
}

revoke_role := input.metadata.role if registry.role_known(input.metadata.role)

revoke_contracts contains name if {
	not input.metadata.contract
	some name in registry.access_control_contracts
}

revoke_contracts contains input.metadata.contract if {
	input.metadata.contract in registry.access_control_contracts
}

actions contains {
	"type": "revoke_role",
	"protocol": input.protocol,
	"contract": name,
	"role": revoke_role,
	"account": revoke_account,
	"rule": "revoke_role",
} if {
	# First, so that OPA's rule index skips this rule for other alerts.
	input.alert_type in {"compromised-key", "compromised-account", "unauthorized-access"}
	revoke_alert
	some name in revoke_contracts
}

reasons contains msg if {
	input.alert_type in {"compromised-key", "compromised-account", "unauthorized-access"}
	revoke_alert
	revoke_role
	revoke_account
	count(revoke_contracts) > 0
	msg := sprintf(
		"%s alert %q from %s: revoking role %s from %s on %s contract(s) %v",
		[input.alert_type, input.id, input.source, revoke_role, revoke_account, input.protocol, sort(revoke_contracts)],
	)
}

reasons contains msg if {
	input.alert_type in {"compromised-key", "compromised-account", "unauthorized-access"}
	revoke_alert
	not revoke_account
	msg := sprintf(
		"%s alert %q names no single account (metadata.account, or exactly one address): nothing revoked",
		[input.alert_type, input.id],
	)
}

reasons contains msg if {
	input.alert_type in {"compromised-key", "compromised-account", "unauthorized-access"}
	revoke_alert
	registry.protected_role(input.metadata.role)
	msg := sprintf(
		"%s alert %q asks to revoke %s, a protected role (DEFAULT_ADMIN_ROLE and guard.protected_roles are never revoked automatically): nothing revoked",
		[input.alert_type, input.id, input.metadata.role],
	)
}

reasons contains msg if {
	input.alert_type in {"compromised-key", "compromised-account", "unauthorized-access"}
	revoke_alert
	not revoke_role
	not registry.protected_role(input.metadata.role)
	msg := sprintf(
		"%s alert %q names no role of %s in metadata.role (known: %v): nothing revoked",
		[input.alert_type, input.id, input.protocol, sort(object.keys(object.get(registry.protocol, "roles", {})))],
	)
}
