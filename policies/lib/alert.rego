# METADATA
# title: What an alert says about its addresses
# description: >-
#   Never acts on its own. It reads the roles a detector gave the addresses of
#   an alert (input.address_roles: attacker, victim, contract, related; the
#   webhook adapters fill them from Forta's attacker and victim metadata and
#   labels, OpenZeppelin Monitor's monitored contracts, and so on) and matches
#   them against the event protocol's registry contracts. Policies import it
#   as data.firebreak.lib.alert.
package firebreak.lib.alert

import data.firebreak.lib.registry

# attackers are the addresses the alert names as attackers.
attackers contains a if {
	some a in input.address_roles.attacker
	registry.is_address(a)
}

# attacker is the alert's one attacker; undefined when it names none or several.
attacker := a if {
	count(attackers) == 1
	some a in attackers
}

# victim_contracts are the names of the protocol's registry contracts the alert
# names as victims (addresses compared without regard to case).
victim_contracts contains name if {
	some name, c in registry.protocol.contracts
	some v in input.address_roles.victim
	registry.is_address(v)
	lower(v) == lower(c.address)
}

# pausable_victims are the victim contracts that can be paused.
pausable_victims := victim_contracts & registry.pausable_contracts

# pause_targets are what an exploit alert should pause: the pausable contracts it
# names as victims when it names any, else every pausable contract of the
# protocol (an alert naming no pausable victim is no reason to pause less than
# one naming nothing).
pause_targets := pausable_victims if {
	count(pausable_victims) > 0
} else := registry.pausable_contracts
