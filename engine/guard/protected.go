package guard

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
)

// DefaultAdminRole is OpenZeppelin AccessControl's DEFAULT_ADMIN_ROLE, the
// zero role id. Whoever holds it grants and revokes every other role, so
// revoking it from the real admin cannot be undone: no automated action
// ever revokes it.
var DefaultAdminRole = [32]byte{}

// WithProtectedRoles makes the guard refuse to revoke these roles (role
// names like "MINTER_ROLE", or 0x-prefixed 32-byte ids), on top of
// DefaultAdminRole, whatever a policy asks. Names that do not resolve are
// reported by ProtectedRoleID.
func WithProtectedRoles(roles ...string) Option {
	return func(r *rules) {
		for _, name := range roles {
			if id, err := ProtectedRoleID(name); err == nil {
				r.protectedRoles[id] = name
			}
		}
	}
}

// WithOwnAccounts makes the guard refuse to revoke a role from, or block,
// any of these accounts: the ones firebreak itself acts with (its
// signers, Safes and Safe executors). A forged alert naming the guardian
// would otherwise disarm firebreak.
func WithOwnAccounts(accounts ...common.Address) Option {
	return func(r *rules) {
		for _, a := range accounts {
			r.ownAccounts[a] = true
		}
	}
}

// ProtectedRoleID resolves a role as guard.protected_roles names it: a
// 0x-prefixed 32-byte id, DEFAULT_ADMIN_ROLE, or an AccessControl role
// name (keccak256 of the name).
func ProtectedRoleID(name string) ([32]byte, error) { return resolveRole(nil, name) }

// refuseRevoke says why a revoke of role (as the policy named it) from
// account may not run, or "" when it may.
func (r *rules) refuseRevoke(role [32]byte, name string, account common.Address) string {
	if role == DefaultAdminRole {
		return fmt.Sprintf("role %s is DEFAULT_ADMIN_ROLE: protected, never revoked by an automated action", name)
	}
	if configured, ok := r.protectedRoles[role]; ok {
		return fmt.Sprintf("role %s (%s) is protected (guard.protected_roles: %s): never revoked by an automated action", name, common.Hash(role).Hex(), configured)
	}
	return r.refuseOwn(account, "revoking a role from")
}

// refuseOwn says why an action against account may not run: it is one of
// firebreak's own.
func (r *rules) refuseOwn(account common.Address, what string) string {
	if r.ownAccounts[account] {
		return fmt.Sprintf("%s %s refused: it is an account firebreak itself acts with (a signer, Safe or executor)", what, account.Hex())
	}
	return ""
}
