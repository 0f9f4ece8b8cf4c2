package observe

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// placeholderAccount stands for the account of a revoke_role or
// block_address action, which only an event names.
var placeholderAccount = common.HexToAddress("0x000000000000000000000000000000000000dEaD")

// action is one (contract, action type) the shipped policies can ask for.
type action struct {
	pname, cname string
	p            config.ProtocolOptions
	c            config.ContractOptions
	typ          string
	// role is the registry role name a revoke_role is checked with.
	role string
}

// actionsOf lists what the shipped policies can ask of a protocol's
// contracts: pause (pausable), freeze_bridge (bridge), revoke_role
// (access_control: every registry role) and block_address (block_function).
func actionsOf(pname string, p config.ProtocolOptions) []action {
	var out []action
	for _, cname := range sortedKeys(p.Contracts) {
		c := p.Contracts[cname]
		a := action{pname: pname, cname: cname, p: p, c: c}
		if c.Pausable {
			a.typ = guard.ActionPause
			out = append(out, a)
		}
		if c.Bridge {
			a.typ = guard.ActionFreezeBridge
			out = append(out, a)
		}
		if c.AccessControl {
			a.typ = guard.ActionRevokeRole
			roles := sortedKeys(p.Roles)
			if len(roles) == 0 {
				roles = []string{"DEFAULT_ADMIN_ROLE"}
			}
			for _, role := range roles {
				a.role = role
				out = append(out, a)
			}
			a.role = ""
		}
		if c.BlockFunction != "" {
			a.typ = guard.ActionBlockAddress
			out = append(out, a)
		}
	}
	return out
}

func (a action) request() guard.Request {
	req := guard.Request{Type: a.typ, Protocol: a.pname, Contract: a.cname}
	switch a.typ {
	case guard.ActionRevokeRole:
		req.Role, req.Account = a.role, placeholderAccount.Hex()
	case guard.ActionBlockAddress:
		req.Account = placeholderAccount.Hex()
	}
	return req
}

func (a action) finding(check string) Finding {
	f := Finding{Protocol: a.pname, Contract: a.cname, Action: a.typ, ChainID: a.p.ChainID, Check: check}
	if a.role != "" {
		f.Action += " " + a.role
	}
	return f
}

// checkProtocol checks every action the policies can ask of one protocol.
func (r *run) checkProtocol(ctx context.Context, pname string) {
	p := r.c.cfg.Protocols[pname]
	safes := map[string]bool{}
	for _, a := range actionsOf(pname, p) {
		r.checkAction(ctx, a)
		sname := a.c.Signer
		if sname == "" {
			sname = p.Signer
		}
		if r.c.cfg.IsSafe(sname) && !safes[sname] {
			safes[sname] = true
			r.checkSafe(ctx, pname, p, sname)
		}
	}
	for _, name := range r.protocolSigners(p) {
		for _, f := range r.signers[name].findings {
			f.Protocol, f.ChainID = pname, p.ChainID
			r.add(f)
		}
	}
}

// protocolSigners are the key signers a protocol's actions need.
func (r *run) protocolSigners(p config.ProtocolOptions) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if _, ok := r.signers[n]; ok && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	names := []string{p.Signer}
	for _, cname := range sortedKeys(p.Contracts) {
		names = append(names, p.Contracts[cname].Signer)
	}
	for _, n := range names {
		if so, ok := r.c.cfg.Signers[n]; ok && so.Kind == "safe" {
			for _, o := range so.Owners {
				add(o)
			}
			add(so.Executor)
			continue
		}
		add(n)
	}
	return out
}

func (r *run) checkAction(ctx context.Context, a action) {
	v := r.c.guard.Resolve(a.request())
	if v.Outcome == guard.Refused {
		f := a.finding(CheckRegistry)
		if v.Function != "" && v.Signer != "" && !r.c.allowed[allowKey{v.ChainID, v.To, v.Function}] {
			f.Check = CheckAllowlist
			f.Status, f.Detail = StatusFail, fmt.Sprintf("%s on %s.%s (%s, chain %d) is not on the allowlist: the guard refuses it", v.Function, a.pname, a.cname, v.To.Hex(), v.ChainID)
			f.Fix = fmt.Sprintf("Add {chain_id: %d, contract: %s.%s, functions: [%q]} to allowlist.", v.ChainID, a.pname, a.cname, v.Function)
			r.add(f)
		} else {
			f.Status, f.Detail, f.Fix = StatusFail, "the guard refuses it: "+v.Reason, fmt.Sprintf("Fix protocols.%s.contracts.%s in the registry.", a.pname, a.cname)
			r.add(f)
			return
		}
	} else {
		f := a.finding(CheckAllowlist)
		f.Status, f.Detail = StatusOK, fmt.Sprintf("%s on %s is allowed", v.Function, v.To.Hex())
		r.add(f)
	}
	ch := r.c.chains[v.ChainID]
	if err := r.heads[v.ChainID]; err != nil || ch == nil {
		f := a.finding(CheckCode)
		f.Status, f.Detail = StatusFail, fmt.Sprintf("not checked: chain %d does not answer (see its head finding)", v.ChainID)
		f.Fix = fmt.Sprintf("Restore the node of chain %d.", v.ChainID)
		r.add(f)
		return
	}
	sname := v.Signer
	st := r.signers[sname]
	from, payerName := common.Address{}, sname
	if so := r.c.cfg.Signers[sname]; so.Kind == "safe" {
		from, payerName = common.HexToAddress(so.Address), so.Executor
	} else if st != nil && st.known {
		from = st.addr
	}
	if from == (common.Address{}) {
		f := a.finding(CheckCall)
		f.Signer, f.Status = sname, StatusFail
		f.Detail = fmt.Sprintf("not checked: the address of signer %q is unknown (it could not be built)", sname)
		f.Fix = fmt.Sprintf("Fix signers.%s (see its signer finding), or set signers.%s.address.", sname, sname)
		r.add(f)
		return
	}

	// An eth_call to an address without code succeeds: code first.
	var code []byte
	if err := r.call(ctx, func(ctx context.Context) (err error) { code, err = ch.CodeAt(ctx, v.To, nil); return err }); err != nil {
		r.add(r.rpcFailure(a, CheckCode, "eth_getCode", err))
		return
	}
	f := a.finding(CheckCode)
	if len(code) == 0 {
		f.Status, f.Detail = StatusFail, fmt.Sprintf("no contract code at %s on chain %d: every call to it \"succeeds\" and does nothing", v.To.Hex(), v.ChainID)
		f.Fix = fmt.Sprintf("Check protocols.%s.contracts.%s.address and protocols.%s.chain_id.", a.pname, a.cname, a.pname)
		r.add(f)
		return
	}
	f.Status, f.Detail = StatusOK, fmt.Sprintf("%d bytes of code at %s", len(code), v.To.Hex())
	r.add(f)

	inEffect := false
	if view := stateView(a); view != nil {
		out, err := r.ethCall(ctx, ch, ethereum.CallMsg{To: &v.To, Data: guard.Selector(*view)})
		f := a.finding(CheckState)
		switch {
		case err != nil:
			f.Status, f.Detail = StatusWarn, fmt.Sprintf("%s could not be read: %s", *view, r.callCause(err))
			f.Fix = fmt.Sprintf("Check that %s.%s implements %s.", a.pname, a.cname, *view)
		case len(out) == 32 && new(big.Int).SetBytes(out).Sign() != 0:
			inEffect = true
			f.Status, f.Detail = StatusWarn, fmt.Sprintf("already %s: %s is true", pastTense(a.typ), *view)
			f.Fix = "Nothing to do if it is meant to be; a containment action on it would be a recorded no-op until it is undone."
		default:
			f.Status, f.Detail = StatusOK, fmt.Sprintf("not %s (%s is false)", pastTense(a.typ), *view)
		}
		r.add(f)
	}

	msg := ethereum.CallMsg{From: from, To: &v.To, Data: v.Data}
	callOK := false
	if !inEffect {
		callOK = r.checkCall(ctx, a, ch, msg, sname, v.Function)
	}
	if a.c.AccessControl {
		r.checkRole(ctx, a, ch, v.To, from, sname)
	}

	// The gas of the containment transaction, for the payer's balance.
	var gas uint64
	if callOK {
		_ = r.call(ctx, func(ctx context.Context) (err error) { gas, err = ch.EstimateGas(ctx, msg); return err })
	}
	if gas == 0 {
		gas = fallbackGas
	}
	if r.c.cfg.IsSafe(sname) {
		gas += safeExecOverhead
	}
	r.needGas(a.pname, v.ChainID, payerName, gas)
}

// fallbackGas prices a containment transaction whose gas could not be
// estimated (it reverts now, or is in effect already); safeExecOverhead is
// what execTransaction adds to the inner call (signature checks, the
// Safe's bookkeeping), with room.
const (
	fallbackGas      = 100_000
	safeExecOverhead = 80_000
)

func stateView(a action) *string {
	var s string
	switch a.typ {
	case guard.ActionPause:
		s = "paused()"
	case guard.ActionFreezeBridge:
		s = a.c.FrozenFunction
		if s == "" {
			s = "frozen()"
		}
	default:
		return nil
	}
	return &s
}

func pastTense(typ string) string {
	switch typ {
	case guard.ActionPause:
		return "paused"
	case guard.ActionFreezeBridge:
		return "frozen"
	}
	return "done"
}

// ethCall is eth_call on the latest block under the call timeout.
func (r *run) ethCall(ctx context.Context, ch Chain, msg ethereum.CallMsg) ([]byte, error) {
	var out []byte
	err := r.call(ctx, func(ctx context.Context) (err error) { out, err = ch.CallContract(ctx, msg, nil); return err })
	return out, err
}

// checkCall is eth_call of the exact containment calldata from the sender.
func (r *run) checkCall(ctx context.Context, a action, ch Chain, msg ethereum.CallMsg, sname, fn string) bool {
	f := a.finding(CheckCall)
	f.Signer = sname
	_, err := r.ethCall(ctx, ch, msg)
	if err == nil {
		f.Status, f.Detail = StatusOK, fmt.Sprintf("eth_call of %s from %s succeeds on the latest block", fn, msg.From.Hex())
		r.add(f)
		return true
	}
	data, reverted := revertData(err)
	if !reverted {
		r.add(r.rpcFailure(a, CheckCall, "eth_call", err))
		return false
	}
	rev := r.c.decoder.DecodeRevert(data)
	if len(data) == 0 {
		rev.Message = err.Error()
	}
	f.Status = StatusFail
	f.Detail = fmt.Sprintf("eth_call of %s from %s reverts: %s", fn, msg.From.Hex(), rev)
	f.Fix = fmt.Sprintf("Find out why %s.%s refuses %s from %s, and fix it before it is needed.", a.pname, a.cname, fn, msg.From.Hex())
	switch rev.Name {
	case "AccessControlUnauthorizedAccount":
		role := argValue(rev, "neededRole")
		f.Detail += fmt.Sprintf(": %s lost %s", msg.From.Hex(), role)
		f.Fix = fmt.Sprintf("Grant %s on %s.%s (%s) to %s again (grantRole, from the role's admin).", role, a.pname, a.cname, msg.To.Hex(), msg.From.Hex())
	case "OwnableUnauthorizedAccount":
		f.Detail += fmt.Sprintf(": %s is not the owner", msg.From.Hex())
		f.Fix = fmt.Sprintf("Make %s the owner of %s.%s, or configure the signer that is.", msg.From.Hex(), a.pname, a.cname)
	case "EnforcedPause", "BridgeFrozen":
		f.Status = StatusWarn
		f.Detail += ": already in effect"
		f.Fix = "Nothing to do if it is meant to be."
	}
	r.add(f)
	return false
}

func argValue(rev simulate.Revert, name string) string {
	for _, a := range rev.Args {
		if a.Name == name {
			return a.Value
		}
	}
	return "the role"
}

// checkRole checks the AccessControl roles: for revoke_role, that the
// sender holds the admin role of the registry role (revokeRole's
// onlyRole(getRoleAdmin(role))); for the others, the role the registry
// names for them (roles.pauser, roles.guardian or roles.freezer,
// roles.blocker), when it does.
func (r *run) checkRole(ctx context.Context, a action, ch Chain, to, from common.Address, sname string) {
	var role [32]byte
	var roleName, why string
	switch a.typ {
	case guard.ActionRevokeRole:
		target, name, err := roleID(a.p.Roles, a.role)
		if err != nil {
			return
		}
		out, err := r.ethCall(ctx, ch, ethereum.CallMsg{To: &to, Data: packRole("getRoleAdmin(bytes32)", target)})
		if err != nil || len(out) != 32 {
			f := a.finding(CheckRole)
			f.Signer, f.Status = sname, StatusFail
			f.Detail = fmt.Sprintf("getRoleAdmin(%s) on %s does not answer as AccessControl does: %s", name, to.Hex(), r.callCause(err))
			f.Fix = fmt.Sprintf("Check protocols.%s.contracts.%s.access_control.", a.pname, a.cname)
			r.add(f)
			return
		}
		role = [32]byte(out)
		roleName = r.roleName(role)
		why = fmt.Sprintf("the admin role of %s, which revokeRole needs", name)
	default:
		name, ok := actionRole(a.p.Roles, a.typ)
		if !ok {
			return
		}
		var err error
		if role, roleName, err = roleID(a.p.Roles, name); err != nil {
			return
		}
		why = "the role the registry names for " + a.typ
	}
	out, err := r.ethCall(ctx, ch, ethereum.CallMsg{To: &to, Data: append(packRole("hasRole(bytes32,address)", role), common.LeftPadBytes(from.Bytes(), 32)...)})
	f := a.finding(CheckRole)
	f.Signer = sname
	switch {
	case err != nil:
		f.Status, f.Detail = StatusFail, fmt.Sprintf("hasRole(%s, %s) could not be read: %s", roleName, from.Hex(), r.callCause(err))
		f.Fix = fmt.Sprintf("Check protocols.%s.contracts.%s.access_control and the node.", a.pname, a.cname)
	case new(big.Int).SetBytes(out).Sign() == 0:
		f.Status, f.Detail = StatusFail, fmt.Sprintf("%s does not hold %s (%s) on %s", from.Hex(), roleName, why, to.Hex())
		f.Fix = fmt.Sprintf("Grant %s on %s.%s to %s (grantRole, from the role's admin).", roleName, a.pname, a.cname, from.Hex())
	default:
		f.Status, f.Detail = StatusOK, fmt.Sprintf("%s holds %s (%s)", from.Hex(), roleName, why)
	}
	r.add(f)
}

// actionRole is the registry role name that gates an action type, by the
// conventional names of the registry's roles map.
func actionRole(roles map[string]string, typ string) (string, bool) {
	var keys, values []string
	switch typ {
	case guard.ActionPause:
		keys, values = []string{"pauser"}, []string{"PAUSER_ROLE"}
	case guard.ActionFreezeBridge:
		keys, values = []string{"guardian", "freezer"}, []string{"GUARDIAN_ROLE", "FREEZER_ROLE"}
	case guard.ActionBlockAddress:
		keys, values = []string{"blocker"}, []string{"BLOCKER_ROLE"}
	}
	for _, k := range keys {
		if _, ok := roles[k]; ok {
			return k, true
		}
	}
	for _, k := range sortedKeys(roles) {
		for _, v := range values {
			if roles[k] == v {
				return k, true
			}
		}
	}
	return "", false
}

// roleID resolves a registry role name as the guard does.
func roleID(roles map[string]string, name string) ([32]byte, string, error) {
	if mapped, ok := roles[name]; ok {
		name = mapped
	}
	switch {
	case name == "DEFAULT_ADMIN_ROLE":
		return [32]byte{}, name, nil
	case strings.HasPrefix(name, "0x"):
		b := common.FromHex(name)
		if len(b) != 32 {
			return [32]byte{}, name, fmt.Errorf("role id %q is not 32 bytes", name)
		}
		return [32]byte(b), name, nil
	}
	return crypto.Keccak256Hash([]byte(name)), name, nil
}

func (r *run) roleName(role [32]byte) string {
	if name, ok := r.c.roleNames[role]; ok {
		return name
	}
	return common.Hash(role).Hex()
}

func packRole(sig string, role [32]byte) []byte { return append(guard.Selector(sig), role[:]...) }

// revertData tells a revert (with its data, if the node returned any) from
// a node that failed.
func revertData(err error) ([]byte, bool) {
	var de rpc.DataError
	if errors.As(err, &de) {
		if s, ok := de.ErrorData().(string); ok {
			return common.FromHex(s), true
		}
	}
	return nil, strings.Contains(strings.ToLower(err.Error()), "revert")
}

func (r *run) callCause(err error) string {
	if err == nil {
		return "an answer of the wrong size"
	}
	if data, ok := revertData(err); ok {
		return "reverts: " + r.c.decoder.DecodeRevert(data).String()
	}
	return rpcCause(err)
}

func (r *run) rpcFailure(a action, check, method string, err error) Finding {
	f := a.finding(check)
	f.Status = StatusFail
	f.Detail = fmt.Sprintf("%s failed: %s", method, rpcCause(err))
	f.Fix = fmt.Sprintf("Check the node of chain %d (chains[].rpc).", a.p.ChainID)
	return f
}
