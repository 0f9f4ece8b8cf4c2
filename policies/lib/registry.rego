# METADATA
# title: Registry look-ups shared by the response policies
# description: >-
#   Never acts on its own. It answers the questions every response policy
#   asks about the event's protocol in the operator's registry
#   (data.protocols, built from the configuration): is the event about a
#   registered protocol on the chain it is registered on, how sure must a
#   detector be, and which contracts can be paused, frozen, revoked on or
#   can block an address. Policies import it as data.firebreak.lib.registry.
package firebreak.lib.registry

# Severities in increasing order, so policies can say "high or worse".
severity_rank := {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

# Confidence at or above which a policy acts without a human (per protocol:
# min_confidence).
default_min_confidence := 0.9

# Confidence at or above which, but below min_confidence, a policy asks for
# approval instead of acting (per protocol: approval_min_confidence).
default_approval_min_confidence := 0.6

# protocol is the registry entry of the event's protocol, undefined when the
# protocol is not registered.
protocol := data.protocols[input.protocol]

# registered holds when the event names a registered protocol on the chain
# the registry has it on: an alert about the same name on another chain is
# about someone else's deployment.
registered if protocol.chain_id == input.chain_id

min_confidence := object.get(protocol, "min_confidence", default_min_confidence)

approval_min_confidence := object.get(protocol, "approval_min_confidence", default_approval_min_confidence)

# confident: act without a human.
confident if {
	registered
	input.confidence >= min_confidence
}

# medium_confidence: sure enough to propose an action, not to take it alone.
medium_confidence if {
	registered
	input.confidence >= approval_min_confidence
	input.confidence < min_confidence
}

# actionable: confident, or sure enough to ask a human. Response policies
# propose actions when actionable; approval.rego makes the decision wait for
# approval when the event is only of medium confidence.
actionable if confident

actionable if medium_confidence

severity_at_least(s) if severity_rank[input.severity] >= severity_rank[s]

pausable_contracts contains name if {
	some name, c in protocol.contracts
	c.pausable == true
}

bridge_contracts contains name if {
	some name, c in protocol.contracts
	c.bridge == true
}

access_control_contracts contains name if {
	some name, c in protocol.contracts
	c.access_control == true
}

blocklist_contracts contains name if {
	some name, c in protocol.contracts
	c.blocklist == true
}

# role_known holds for the names policies may revoke: the registry's role
# names, unless protected.
role_known(role) if {
	protocol.roles[role]
	not protected_role(role)
}

# protected_role holds for a role no automated action may revoke:
# DEFAULT_ADMIN_ROLE (whoever holds it grants and revokes every other role,
# so revoking it from the real admin cannot be undone) and the roles in
# guard.protected_roles (data.protected_roles), by the name the event uses
# or the registry role it maps to, as a name or a 32-byte id. The guard
# refuses these revokes whatever a policy asks; the shipped policies never
# ask.
protected_role(role) if role_id(role) in protected_ids

protected_role(role) if role_id(protocol.roles[role]) in protected_ids

protected_ids := {role_id(r) | some r in configured_protected_roles} | {
	"DEFAULT_ADMIN_ROLE",
	"0x0000000000000000000000000000000000000000000000000000000000000000",
}

default configured_protected_roles := []

configured_protected_roles := data.protected_roles if is_array(data.protected_roles)

# role_id: hex ids compare in lower case, names as they are.
role_id(r) := lower(r) if {
	is_string(r)
	startswith(r, "0x")
}

role_id(r) := r if {
	is_string(r)
	not startswith(r, "0x")
}

# is_address holds for a 0x-prefixed 20-byte hex string, and is simply false
# for anything else a detector may have sent (builtin errors are fatal
# here, so the type is checked first).
is_address(s) if {
	is_string(s)
	regex.match(`^0x[0-9a-fA-F]{40}$`, s)
}

# amount converts a detector's amount, a JSON number or a decimal string
# (uint256 values do not fit a float), and is undefined for anything else.
amount(x) := x if {
	is_number(x)
	x >= 0
}

amount(x) := to_number(x) if {
	is_string(x)
	regex.match(`^[0-9]{1,78}$`, x)
}
