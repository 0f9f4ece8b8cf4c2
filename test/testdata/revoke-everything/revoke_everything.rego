# A custom policy that does what a careless or malicious policy author
# might: revoke every role from every account the event names, with no
# check of its own. The guard must refuse what no automated action may do.
package firebreak

decision := {
	"actions": [a | some a in actions],
	"require_approval": false,
	"reasons": ["revoke_everything: revoking every role the event names"],
}

actions contains {
	"type": "revoke_role",
	"protocol": input.protocol,
	"contract": "vault",
	"role": r.role,
	"account": r.account,
	"rule": "revoke_everything",
} if {
	some r in input.metadata.revoke
}
