// Package recovery is the step after containment that firebreak never
// takes by itself: the inverse of what it did to contain an incident
// (unpause, unfreeze, re-grant a revoked role to an account an operator
// names, unblock). A plan is built from the incident's mined action
// records, dry-run on a fork, stored as a Proposal in FIREBREAK_RECOVERY,
// and executed by the running engine only once enough of the configured
// approvers signed its hash with their own ed25519 keys. Recovery calls
// are checked against recovery_allowlist, a list of their own, never
// against the containment allowlist.
package recovery

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// Recovery action types: each the inverse of a containment action type.
const (
	TypeUnpause   = "unpause"         // of guard.ActionPause
	TypeUnfreeze  = "unfreeze_bridge" // of guard.ActionFreezeBridge
	TypeGrantRole = "grant_role"      // of guard.ActionRevokeRole, to a named account
	TypeUnblock   = "unblock_address" // of guard.ActionBlockAddress
)

// IsRecoveryType reports whether an action record's type is a recovery
// one: such a record is checked against recovery_allowlist and its
// proposal's approvals, never the containment allowlist.
func IsRecoveryType(t string) bool {
	return t == TypeUnpause || t == TypeUnfreeze || t == TypeGrantRole || t == TypeUnblock
}

// Errors of planning.
var (
	// ErrNotAllowlisted: a step's call is not on recovery_allowlist.
	ErrNotAllowlisted = errors.New("recovery: call not on recovery_allowlist")
	// ErrNothingToRecover: no mined containment action to undo.
	ErrNothingToRecover = errors.New("recovery: nothing to recover")
	// ErrGrant: a --grant names a role no action of the incident revoked,
	// or is malformed.
	ErrGrant = errors.New("recovery: grant")
)

// Grant names the account a revoked role goes back to. Nothing is
// re-granted without one: the account it was revoked from may be the
// compromised one.
type Grant struct {
	Role    string         `json:"role"`
	Account common.Address `json:"account"`
}

// ParseGrant reads ROLE=0xACCOUNT.
func ParseGrant(s string) (Grant, error) {
	role, acct, ok := strings.Cut(s, "=")
	role, acct = strings.TrimSpace(role), strings.TrimSpace(acct)
	if !ok || role == "" || !common.IsHexAddress(acct) || !strings.HasPrefix(acct, "0x") {
		return Grant{}, fmt.Errorf("%w: %q: want ROLE=0xACCOUNT", ErrGrant, s)
	}
	return Grant{Role: role, Account: common.HexToAddress(acct)}, nil
}

// Step is one recovery call.
type Step struct {
	Type string `json:"type"`
	// Undoes is the id of the containment action this step reverses.
	Undoes   string `json:"undoes"`
	Protocol string `json:"protocol"`
	Contract string `json:"contract"`
	// Role (grant_role) and Account (grant_role, unblock_address).
	Role     string         `json:"role,omitempty"`
	Account  string         `json:"account,omitempty"`
	ChainID  uint64         `json:"chain_id"`
	To       common.Address `json:"to"`
	Function string         `json:"function"`
	Data     hexutil.Bytes  `json:"data"`
	// Check is what must hold on chain once the step took effect.
	Check *simulate.Check `json:"check,omitempty"`
}

// Skipped is a containment action the plan does not reverse, and why.
type Skipped struct {
	Action string `json:"action"`
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

// Plan builds the inverse of the mined containment actions, last done
// first undone. A revoked role is re-granted only to the account a grant
// names for it; every grant must match a revoked role.
func Plan(o config.Options, actions []record.Record, grants []Grant) ([]Step, []Skipped, error) {
	var steps []Step
	var skipped []Skipped
	used := make([]bool, len(grants))
	seen := map[string]bool{}
	for _, rec := range slices.Backward(actions) {
		skip := func(format string, args ...any) {
			skipped = append(skipped, Skipped{Action: rec.ID, Type: rec.Type, Reason: fmt.Sprintf(format, args...)})
		}
		if rec.State != record.Mined || rec.Status != 1 {
			skip("not undone: the action is %s%s, so it changed nothing on chain", rec.State, map[bool]string{true: " and reverted"}[rec.State == record.Mined])
			continue
		}
		pname, cname, c, ok := contractOf(o, rec)
		if !ok {
			skip("not undone: %s on chain %d is not a contract of protocol %q in the registry", rec.To.Hex(), rec.ChainID, rec.Protocol)
			continue
		}
		st := Step{Undoes: rec.ID, Protocol: pname, Contract: cname, ChainID: rec.ChainID, To: rec.To}
		switch rec.Type {
		case guard.ActionPause:
			st.Type, st.Function = TypeUnpause, "unpause()"
			st.Data = guard.Selector(st.Function)
			st.Check = &simulate.Check{Description: "paused() == false", To: rec.To, Data: guard.Selector("paused()"), Want: false}
		case guard.ActionFreezeBridge:
			st.Type, st.Function = TypeUnfreeze, inverse(orDefault(c.FreezeFunction, "freeze()"))
			st.Data = guard.Selector(st.Function)
			frozen := orDefault(c.FrozenFunction, "frozen()")
			st.Check = &simulate.Check{Description: frozen + " == false", To: rec.To, Data: guard.Selector(frozen), Want: false}
		case guard.ActionRevokeRole:
			if len(rec.Data) != 4+64 {
				skip("not undone: the revoke's calldata is %d bytes, not revokeRole(bytes32,address)", len(rec.Data))
				continue
			}
			role := [32]byte(rec.Data[4:36])
			from := common.BytesToAddress(rec.Data[36:68])
			i := slices.IndexFunc(grants, func(g Grant) bool { return roleID(o.Protocols[pname].Roles, g.Role) == role })
			if i < 0 {
				skip("not re-granted: role %s was revoked from %s; name the account it goes back to with --grant ROLE=0xACCOUNT (never re-granted to a possibly compromised account by default)", roleName(o.Protocols[pname].Roles, role), from.Hex())
				continue
			}
			used[i] = true
			g := grants[i]
			st.Type, st.Role, st.Account, st.Function = TypeGrantRole, g.Role, g.Account.Hex(), "grantRole(bytes32,address)"
			st.Data = roleCall(st.Function, role, g.Account)
			st.Check = &simulate.Check{Description: fmt.Sprintf("hasRole(%s, %s) == true", g.Role, g.Account.Hex()), To: rec.To, Data: roleCall("hasRole(bytes32,address)", role, g.Account), Want: true}
		case guard.ActionBlockAddress:
			if c.BlockFunction == "" || len(rec.Data) != 4+32 {
				skip("not undone: no block_function in the registry to derive the unblock from")
				continue
			}
			acct := common.BytesToAddress(rec.Data[4:])
			st.Type, st.Account, st.Function = TypeUnblock, acct.Hex(), inverse(c.BlockFunction)
			st.Data = append(guard.Selector(st.Function), rec.Data[4:]...)
			if c.BlockedFunction != "" {
				blocked := strings.ReplaceAll(c.BlockedFunction, " ", "")
				st.Check = &simulate.Check{Description: fmt.Sprintf("%s of %s == false", blocked, acct.Hex()), To: rec.To, Data: append(guard.Selector(blocked), rec.Data[4:]...), Want: false}
			}
		default:
			skip("not undone: no inverse of a %q action", rec.Type)
			continue
		}
		key := fmt.Sprintf("%d/%s/%x", st.ChainID, st.To.Hex(), []byte(st.Data))
		if seen[key] {
			skip("not repeated: the same %s is already in the plan", st.Function)
			continue
		}
		seen[key] = true
		steps = append(steps, st)
	}
	for i, g := range grants {
		if !used[i] {
			return nil, nil, fmt.Errorf("%w: %s=%s: no action of the incident revoked role %s", ErrGrant, g.Role, g.Account.Hex(), g.Role)
		}
	}
	if len(steps) == 0 {
		return nil, skipped, fmt.Errorf("%w: no mined containment action to reverse (%d skipped)", ErrNothingToRecover, len(skipped))
	}
	return steps, skipped, nil
}

// CheckAllowed refuses every step whose call is not on o's
// recovery_allowlist, naming each.
func CheckAllowed(o config.Options, steps []Step) error {
	allowed := map[string]bool{}
	for _, c := range o.RecoveryAllowedCalls() {
		allowed[fmt.Sprintf("%d/%s/%s", c.ChainID, c.Contract.Hex(), normalize(c.Function))] = true
	}
	var refused []string
	for _, st := range steps {
		if !allowed[fmt.Sprintf("%d/%s/%s", st.ChainID, st.To.Hex(), normalize(st.Function))] {
			refused = append(refused, fmt.Sprintf("%s on %s.%s (%s, chain %d)", st.Function, st.Protocol, st.Contract, st.To.Hex(), st.ChainID))
		}
	}
	if len(refused) > 0 {
		return fmt.Errorf("%w: %s; add it to recovery_allowlist to allow it", ErrNotAllowlisted, strings.Join(refused, "; "))
	}
	return nil
}

// contractOf finds the registry names of a record's target.
func contractOf(o config.Options, rec record.Record) (string, string, config.ContractOptions, bool) {
	p, ok := o.Protocols[rec.Protocol]
	if !ok || p.ChainID != rec.ChainID {
		return "", "", config.ContractOptions{}, false
	}
	for name, c := range p.Contracts {
		if common.HexToAddress(c.Address) == rec.To {
			return rec.Protocol, name, c, true
		}
	}
	return "", "", config.ContractOptions{}, false
}

// inverse is the undoing function's signature by the convention the
// demo contracts and OpenZeppelin follow: pause/unpause, freeze/unfreeze,
// blockAddress/unblockAddress.
func inverse(sig string) string {
	sig = normalize(sig)
	return "un" + sig
}

// roleID is the bytes32 of a role as named on the command line: a name of
// the registry's roles map, an AccessControl role name, DEFAULT_ADMIN_ROLE
// or a 0x id.
func roleID(roles map[string]string, name string) [32]byte {
	if mapped, ok := roles[name]; ok {
		name = mapped
	}
	switch {
	case name == "DEFAULT_ADMIN_ROLE":
		return [32]byte{}
	case strings.HasPrefix(name, "0x"):
		b := common.FromHex(name)
		if len(b) != 32 {
			return [32]byte{1} // matches no revoked role
		}
		return [32]byte(b)
	default:
		return crypto.Keccak256Hash([]byte(name))
	}
}

// roleName is how a person reads a role id.
func roleName(roles map[string]string, id [32]byte) string {
	if id == ([32]byte{}) {
		return "DEFAULT_ADMIN_ROLE"
	}
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		if roleID(roles, name) == id {
			return name
		}
	}
	return common.Hash(id).Hex()
}

func roleCall(sig string, role [32]byte, account common.Address) []byte {
	data := append([]byte{}, guard.Selector(sig)...)
	data = append(data, role[:]...)
	return append(data, common.LeftPadBytes(account.Bytes(), 32)...)
}

func normalize(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
