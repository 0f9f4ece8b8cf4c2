package firebreak.phishing_drainer_test

import data.firebreak

registry := {"wallet": {
	"chain_id": 10,
	"contracts": {
		"router": {"address": "0x0000000000000000000000000000000000000005", "blocklist": true},
		"vault": {"address": "0x0000000000000000000000000000000000000001", "pausable": true},
	},
}}

drainer := "0x90F79bf6EB2c4f870365E785982E1f101E93b906"

alert := {
	"id": "ev-d", "source": "oz-monitor", "chain_id": 10, "severity": "critical",
	"confidence": 0.97, "alert_type": "phishing-drainer", "protocol": "wallet",
	"addresses": [drainer],
}

block := {"type": "block_address", "protocol": "wallet", "contract": "router", "account": drainer, "rule": "phishing_drainer"}

notify := {
	"type": "notify", "protocol": "wallet", "rule": "phishing_drainer",
	"message": sprintf("Phishing drainer %s is active against wallet users: revoke any approval you gave it, and do not sign requests from it.", [drainer]),
}

test_blocks_the_drainer_where_supported_and_notifies if {
	d := firebreak.decision with input as alert with data.protocols as registry
	{a | some a in d.actions} == {block, notify}
	count(d.reasons) == 1
}

test_metadata_drainer_wins_over_addresses if {
	other := "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
	ev := object.union(alert, {"addresses": [drainer, other], "metadata": {"drainer": other}})
	d := firebreak.decision with input as ev with data.protocols as registry
	some a in d.actions
	a.type == "block_address"
	a.account == other
}

test_ambiguous_drainer_blocks_nothing if {
	ev := object.union(alert, {"addresses": [drainer, "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"]})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
	some r in d.reasons
	contains(r, "names no single drainer")
}

test_no_blocklist_contract_only_notifies if {
	reg := {"wallet": {"chain_id": 10, "contracts": {"vault": registry.wallet.contracts.vault}}}
	firebreak.decision.actions == [notify] with input as alert with data.protocols as reg
}

test_does_not_pause if {
	d := firebreak.decision with input as alert with data.protocols as registry
	every a in d.actions { a.type in {"block_address", "notify"} }
}

test_the_named_attacker_is_blocked if {
	victim := "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
	ev := object.union(alert, {"addresses": [drainer, victim], "address_roles": {"attacker": [drainer], "victim": [victim]}})
	d := firebreak.decision with input as ev with data.protocols as registry
	{a | some a in d.actions} == {block, notify}
}

test_the_named_attacker_wins_over_metadata_and_addresses if {
	other := "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
	ev := object.union(alert, {"addresses": [other, drainer], "address_roles": {"attacker": [drainer]}, "metadata": {"drainer": other}})
	d := firebreak.decision with input as ev with data.protocols as registry
	some a in d.actions
	a.type == "block_address"
	a.account == drainer
}

test_several_attackers_block_nothing if {
	other := "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
	ev := object.union(alert, {"addresses": [drainer, other], "address_roles": {"attacker": [drainer, other]}, "metadata": {"drainer": drainer}})
	d := firebreak.decision with input as ev with data.protocols as registry
	d.actions == []
	some r in d.reasons
	contains(r, "names no single drainer")
}
