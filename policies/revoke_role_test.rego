package firebreak.revoke_role_test

import data.firebreak

registry := {"demo": {
	"chain_id": 1,
	"min_confidence": 0.8,
	"roles": {"operator": "OPERATOR_ROLE"},
	"contracts": {
		"vault": {"address": "0x0000000000000000000000000000000000000001", "pausable": true, "access_control": true},
		"bridge": {"address": "0x0000000000000000000000000000000000000002", "bridge": true, "access_control": true},
		"oracle": {"address": "0x0000000000000000000000000000000000000003"},
	},
}}

attacker := "0x70997970C51812DC3A010c7D01b50E20D6dC79c8"

compromised := {
	"id": "ev-r", "source": "forta", "chain_id": 1, "severity": "high",
	"confidence": 0.95, "alert_type": "compromised-key", "protocol": "demo",
	"metadata": {"role": "operator", "account": attacker},
}

revoke(contract) := {
	"type": "revoke_role", "protocol": "demo", "contract": contract,
	"role": "operator", "account": attacker, "rule": "revoke_role",
}

test_revokes_from_that_account_on_every_access_control_contract if {
	d := firebreak.decision with input as compromised with data.protocols as registry
	{a | some a in d.actions} == {revoke("vault"), revoke("bridge")}
	d.require_approval == false
	count(d.reasons) == 1
}

test_named_contract_only if {
	ev := object.union(compromised, {"metadata": {"role": "operator", "account": attacker, "contract": "vault"}})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == [revoke("vault")]
}

test_contract_without_access_control_is_ignored if {
	ev := object.union(compromised, {"metadata": {"role": "operator", "account": attacker, "contract": "oracle"}})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
}

test_unauthorized_access_with_single_address if {
	ev := object.union(
		object.remove(compromised, {"metadata"}),
		{"alert_type": "unauthorized-access", "addresses": [attacker], "metadata": {"role": "operator"}},
	)
	d := firebreak.decision with input as ev with data.protocols as registry
	count(d.actions) == 2
	every a in d.actions { a.account == attacker }
}

test_two_addresses_and_no_account_revokes_nothing if {
	ev := object.union(
		object.remove(compromised, {"metadata"}),
		{"addresses": [attacker, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"], "metadata": {"role": "operator"}},
	)
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
	some r in d.reasons
	contains(r, "names no single account")
}

test_unknown_role_revokes_nothing if {
	ev := object.union(compromised, {"metadata": {"role": "minter", "account": attacker}})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
	some r in d.reasons
	contains(r, "names no role")
}

# DEFAULT_ADMIN_ROLE is never revoked: whoever holds it is the protocol's
# admin, and a forged compromised-key alert must not take the protocol
# from them. The decision says why nothing was revoked.
test_admin_role_is_never_revoked if {
	ev := object.union(compromised, {"metadata": {"role": "DEFAULT_ADMIN_ROLE", "account": attacker, "contract": "vault"}})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
	some r in d.reasons
	contains(r, "DEFAULT_ADMIN_ROLE, a protected role")
}

test_admin_role_through_a_registry_name_is_never_revoked if {
	reg := json.patch(registry, [
		{"op": "add", "path": "/demo/roles/admin", "value": "DEFAULT_ADMIN_ROLE"},
		{"op": "add", "path": "/demo/roles/root", "value": "0x0000000000000000000000000000000000000000000000000000000000000000"},
	])
	every role in ["admin", "root"] {
		d := firebreak.decision with input as object.union(compromised, {"metadata": {"role": role, "account": attacker}}) with data.protocols as reg
		d.actions == []
		some r in d.reasons
		contains(r, "a protected role")
	}
}

test_configured_protected_role_is_never_revoked if {
	reg := json.patch(registry, [{"op": "add", "path": "/demo/roles/minter", "value": "MINTER_ROLE"}])
	ev := object.union(compromised, {"metadata": {"role": "minter", "account": attacker}})
	d := firebreak.decision with input as ev with data.protocols as reg with data.protected_roles as ["MINTER_ROLE"]
	d.actions == []
	some r in d.reasons
	contains(r, "minter, a protected role")

	# The same role, not configured as protected, is revoked.
	d2 := firebreak.decision with input as ev with data.protocols as reg
	count(d2.actions) == 2
}

test_bad_account_type_revokes_nothing if {
	ev := object.union(compromised, {"metadata": {"role": "operator", "account": 42}})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
}

test_medium_severity_does_nothing if {
	ev := object.union(compromised, {"severity": "medium"})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
	d.reasons == []
}
