package firebreak.lib.registry_test

import data.firebreak.lib.registry

reg := {"p": {"chain_id": 5, "min_confidence": 0.8, "roles": {"operator": "OPERATOR_ROLE"}, "contracts": {
	"a": {"pausable": true, "access_control": true},
	"b": {"bridge": true, "blocklist": true},
}}}

ev(severity, confidence) := {"protocol": "p", "chain_id": 5, "severity": severity, "confidence": confidence}

test_registered_needs_the_registered_chain if {
	registry.registered with input as ev("low", 1) with data.protocols as reg
	not registry.registered with input as object.union(ev("low", 1), {"chain_id": 6}) with data.protocols as reg
	not registry.registered with input as object.union(ev("low", 1), {"protocol": "q"}) with data.protocols as reg
}

test_confidence_bands if {
	registry.confident with input as ev("low", 0.8) with data.protocols as reg
	registry.medium_confidence with input as ev("low", 0.79) with data.protocols as reg
	registry.medium_confidence with input as ev("low", 0.6) with data.protocols as reg
	not registry.actionable with input as ev("low", 0.59) with data.protocols as reg
}

test_severity_order if {
	registry.severity_at_least("high") with input as ev("critical", 1)
	registry.severity_at_least("high") with input as ev("high", 1)
	not registry.severity_at_least("high") with input as ev("medium", 1)
	not registry.severity_at_least("high") with input as ev("bogus", 1)
}

test_contract_sets if {
	registry.pausable_contracts == {"a"} with input as ev("low", 1) with data.protocols as reg
	registry.bridge_contracts == {"b"} with input as ev("low", 1) with data.protocols as reg
	registry.access_control_contracts == {"a"} with input as ev("low", 1) with data.protocols as reg
	registry.blocklist_contracts == {"b"} with input as ev("low", 1) with data.protocols as reg
}

test_roles if {
	registry.role_known("operator") with input as ev("low", 1) with data.protocols as reg
	not registry.role_known("DEFAULT_ADMIN_ROLE") with input as ev("low", 1) with data.protocols as reg
	not registry.role_known("minter") with input as ev("low", 1) with data.protocols as reg
}

test_amounts if {
	registry.amount("115792089237316195423570985008687907853269984665640564039457584007913129639935") > 1e76
	registry.amount(5) == 5
	not registry.amount("0x10")
	not registry.amount(-1)
	not registry.amount(null)
}

test_is_address if {
	registry.is_address("0x0000000000000000000000000000000000000001")
	not registry.is_address("0x01")
	not registry.is_address(1)
}

protected_reg := {"p": {"chain_id": 5, "contracts": {}, "roles": {
	"operator": "OPERATOR_ROLE",
	"admin": "DEFAULT_ADMIN_ROLE",
	"root": "0x0000000000000000000000000000000000000000000000000000000000000000",
	"minter": "MINTER_ROLE",
	"upgrader": "0xABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB",
}}}

protected := ["MINTER_ROLE", "0xabababababababababababababababababababababababababababababababab"]

test_protected_roles if {
	# DEFAULT_ADMIN_ROLE by name, or through a registry name, as a name or
	# as the zero id; with no protected_roles in data at all.
	registry.protected_role("DEFAULT_ADMIN_ROLE") with input as ev("low", 1) with data.protocols as protected_reg
	registry.protected_role("admin") with input as ev("low", 1) with data.protocols as protected_reg
	registry.protected_role("root") with input as ev("low", 1) with data.protocols as protected_reg
	not registry.role_known("admin") with input as ev("low", 1) with data.protocols as protected_reg
	not registry.role_known("root") with input as ev("low", 1) with data.protocols as protected_reg

	# guard.protected_roles, by name or by id in any case.
	registry.protected_role("minter") with input as ev("low", 1) with data.protocols as protected_reg with data.protected_roles as protected
	registry.protected_role("MINTER_ROLE") with input as ev("low", 1) with data.protocols as protected_reg with data.protected_roles as protected
	registry.protected_role("upgrader") with input as ev("low", 1) with data.protocols as protected_reg with data.protected_roles as protected
	not registry.role_known("minter") with input as ev("low", 1) with data.protocols as protected_reg with data.protected_roles as protected

	# Not configured: a registry role like any other.
	registry.role_known("minter") with input as ev("low", 1) with data.protocols as protected_reg
	not registry.protected_role("operator") with input as ev("low", 1) with data.protocols as protected_reg with data.protected_roles as protected
	registry.role_known("operator") with input as ev("low", 1) with data.protocols as protected_reg with data.protected_roles as protected
}
