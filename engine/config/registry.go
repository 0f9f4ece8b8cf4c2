package config

import (
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// AllowedCall is one entry of the operator's allowlist, resolved: the
// function Function (a signature like "pause()") may be called on Contract
// on chain ChainID.
type AllowedCall struct {
	ChainID  uint64
	Contract common.Address
	Function string
}

// AllowedCalls is the allowlist with each contract reference resolved to
// its address, one entry per function. The options must be valid.
func (o Options) AllowedCalls() []AllowedCall {
	var out []AllowedCall
	for _, a := range o.Allowlist {
		addr, _ := o.ResolveContract(a.Contract) // validated
		for _, f := range a.Functions {
			out = append(out, AllowedCall{ChainID: a.ChainID, Contract: addr, Function: f})
		}
	}
	return out
}

// PolicyData is the policies' data document: data.protocols, the registry
// as the policies see it, and data.protected_roles, the roles no action
// may revoke (ProtectedRoles). The guard enforces the same registry and
// roles (see engine/decide), so what a policy sees is what the guard
// enforces.
func (o Options) PolicyData() map[string]any {
	data := map[string]any{}
	for name, p := range o.Protocols {
		contracts := map[string]any{}
		for cname, c := range p.Contracts {
			contracts[cname] = c.policyData(common.HexToAddress(c.Address))
		}
		pd := map[string]any{"chain_id": p.ChainID, "contracts": contracts}
		if p.MinConfidence != nil {
			pd["min_confidence"] = *p.MinConfidence
		}
		if p.ApprovalMinConfidence != nil {
			pd["approval_min_confidence"] = *p.ApprovalMinConfidence
		}
		roles := map[string]any{}
		for k, v := range p.Roles {
			roles[k] = v
		}
		pd["roles"] = roles
		data[name] = pd
	}
	protected := []any{}
	for _, r := range o.ProtectedRoles() {
		protected = append(protected, r)
	}
	return map[string]any{"protocols": data, "protected_roles": protected}
}

// ProtectedRoles are the roles no automated action may revoke, as
// configured: DEFAULT_ADMIN_ROLE (also as its zero id) first, then
// guard.protected_roles, hex ids in lower case.
func (o Options) ProtectedRoles() []string {
	out := []string{DefaultAdminRole, "0x" + strings.Repeat("0", 64)}
	for _, r := range o.Guard.ProtectedRoles {
		if strings.HasPrefix(r, "0x") {
			r = strings.ToLower(r)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
