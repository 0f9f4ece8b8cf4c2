package decide

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
)

// guardRegistry derives, from the validated options, the guard's registry
// and allowlist: the same settings the policies see as data.protocols.
func guardRegistry(o config.Options) (guard.Registry, []guard.Allow) {
	reg := guard.Registry{Protocols: map[string]guard.Protocol{}}
	for name, p := range o.Protocols {
		gp := guard.Protocol{ChainID: p.ChainID, Signer: p.Signer, Contracts: map[string]guard.Contract{}, Roles: p.Roles}
		for cname, c := range p.Contracts {
			gp.Contracts[cname] = guard.Contract{
				Address: common.HexToAddress(c.Address), Pausable: c.Pausable, Bridge: c.Bridge,
				FreezeFunction: c.FreezeFunction, FrozenFunction: c.FrozenFunction, Signer: c.Signer,
				BlockFunction: c.BlockFunction, BlockedFunction: c.BlockedFunction,
			}
		}
		reg.Protocols[name] = gp
	}
	var allow []guard.Allow
	for _, a := range o.AllowedCalls() {
		allow = append(allow, guard.Allow{ChainID: a.ChainID, Contract: a.Contract, Function: a.Function})
	}
	return reg, allow
}

func guardLimits(o config.Options) guard.Limits {
	return guard.Limits{
		MaxActionsPerEvent: o.MaxActionsPerEvent,
		RateLimit:          o.Guardrails.RateLimit, RateWindow: o.Guardrails.RateWindow,
		Cooldown: o.Guardrails.Cooldown,
	}
}

// OfflineGuard is a guard over opts' registry, allowlist, protected roles
// and configured own accounts that reads no chain: for Resolve, in
// 'firebreak policy eval'.
func OfflineGuard(o config.Options) *guard.Guard {
	reg, allow := guardRegistry(o)
	return guard.New(reg, allow, nil, guard.WithProtectedRoles(o.Guard.ProtectedRoles...), guard.WithOwnAccounts(ownAccounts(o)...))
}

// ownAccounts are the accounts the configuration says firebreak acts
// with: every signer's configured address (a Safe's is the Safe; its
// owners and executor are signers too) and the signers an embedding
// program built. Keys whose address only their key knows are added by the
// engine once built (Planner.ProtectAccounts).
func ownAccounts(o config.Options) []common.Address {
	var out []common.Address
	for _, s := range o.Signers {
		if common.IsHexAddress(s.Address) {
			out = append(out, common.HexToAddress(s.Address))
		}
	}
	for _, s := range o.SignerInstances {
		out = append(out, s.Address())
	}
	return out
}
