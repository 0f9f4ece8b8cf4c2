package firebreak.lib.alert_test

import data.firebreak.lib.alert

reg := {"p": {"chain_id": 5, "contracts": {
	"vault": {"address": "0x00000000000000000000000000000000000000AA", "pausable": true},
	"pool": {"address": "0x00000000000000000000000000000000000000bb", "pausable": true},
	"bridge": {"address": "0x00000000000000000000000000000000000000cc", "pausable": false},
}}}

ev(roles) := {"protocol": "p", "chain_id": 5, "address_roles": roles}

attacker_a := "0x90F79bf6EB2c4f870365E785982E1f101E93b906"

attacker_b := "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"

test_one_attacker if {
	alert.attacker == attacker_a with input as ev({"attacker": [attacker_a]}) with data.protocols as reg
	alert.attackers == {attacker_a} with input as ev({"attacker": [attacker_a]}) with data.protocols as reg
}

test_several_or_no_attackers_name_no_one if {
	not alert.attacker with input as ev({"attacker": [attacker_a, attacker_b]}) with data.protocols as reg
	not alert.attacker with input as ev({"related": [attacker_a]}) with data.protocols as reg
	not alert.attacker with input as {"protocol": "p"} with data.protocols as reg
	not alert.attacker with input as ev({"attacker": ["not an address"]}) with data.protocols as reg
}

test_victims_match_registry_addresses_in_any_case if {
	alert.victim_contracts == {"vault"} with input as ev({"victim": ["0x00000000000000000000000000000000000000aa"]}) with data.protocols as reg
	alert.victim_contracts == {"vault", "pool"} with input as ev({"victim": ["0x00000000000000000000000000000000000000AA", "0x00000000000000000000000000000000000000BB", attacker_a]}) with data.protocols as reg
	count(alert.victim_contracts) == 0 with input as ev({"victim": [attacker_a]}) with data.protocols as reg
}

test_pause_targets_the_pausable_victims if {
	alert.pause_targets == {"pool"} with input as ev({"victim": ["0x00000000000000000000000000000000000000bb"]}) with data.protocols as reg
}

test_pause_targets_all_pausable_without_a_pausable_victim if {
	alert.pause_targets == {"vault", "pool"} with input as ev({}) with data.protocols as reg
	alert.pause_targets == {"vault", "pool"} with input as ev({"victim": [attacker_a]}) with data.protocols as reg
	alert.pause_targets == {"vault", "pool"} with input as ev({"victim": ["0x00000000000000000000000000000000000000cc"]}) with data.protocols as reg
	alert.pause_targets == {"vault", "pool"} with input as {"protocol": "p", "chain_id": 5} with data.protocols as reg
}
