package engine

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/guard"
)

// registry derives, from the validated options, the guard's registry and
// allowlist and the policies' data document (data.protocols). Both views
// come from the same settings so that what a policy sees is what the guard
// enforces.
func (o Options) registry() (guard.Registry, []guard.Allow, map[string]any) {
	reg := guard.Registry{Protocols: map[string]guard.Protocol{}}
	data := map[string]any{}
	for name, p := range o.Protocols {
		gp := guard.Protocol{ChainID: p.ChainID, Signer: p.Signer, Contracts: map[string]guard.Contract{}, Roles: p.Roles}
		contracts := map[string]any{}
		for cname, c := range p.Contracts {
			addr := common.HexToAddress(c.Address)
			gp.Contracts[cname] = guard.Contract{
				Address: addr, Pausable: c.Pausable, Bridge: c.Bridge,
				FreezeFunction: c.FreezeFunction, FrozenFunction: c.FrozenFunction, Signer: c.Signer,
				BlockFunction: c.BlockFunction, BlockedFunction: c.BlockedFunction,
			}
			contracts[cname] = c.policyData(addr)
		}
		reg.Protocols[name] = gp
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
	var allow []guard.Allow
	for _, a := range o.Allowlist {
		addr, _ := o.resolveContract(a.Contract) // validated
		for _, f := range a.Functions {
			allow = append(allow, guard.Allow{ChainID: a.ChainID, Contract: addr, Function: f})
		}
	}
	return reg, allow, map[string]any{"protocols": data}
}
