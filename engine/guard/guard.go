// Package guard decides whether an action a policy asked for may run.
//
// Policies name things by registry names ("pause the vault of protocol
// demo"). The guard resolves each request through the operator's registry
// into a concrete call (chain, contract address, function, calldata), refuses
// anything that is not on the operator's allowlist of (chain, contract,
// function), and reads the on-chain precondition first so that an action
// that is already in effect (contract already paused, role already revoked,
// bridge already frozen) becomes a recorded no-op instead of a transaction.
//
// The guard sits outside the policies on purpose: no policy, however it is
// written, can make firebreak call a function the operator did not allow,
// revoke DEFAULT_ADMIN_ROLE or a configured protected role, or revoke a role
// from (or block) an account firebreak itself acts with.
package guard

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Request is an action a policy asks for, before the guard resolved it:
// field for field what the policies decide (Request), which
// engine/decide converts, so that only decide depends on the policy engine.
type Request struct {
	// Type is the kind of action: "pause", "revoke_role", "freeze_bridge",
	// "block_address" or "notify".
	Type string `json:"type"`
	// Protocol and Contract name the target in the registry.
	Protocol string `json:"protocol"`
	Contract string `json:"contract"`
	// Role and Account are set for revoke_role; Account for block_address.
	Role    string `json:"role,omitempty"`
	Account string `json:"account,omitempty"`
	// Message is the text of a notify action (which has no Contract).
	Message string `json:"message,omitempty"`
	// Rule is the name of the rule that asked for the action.
	Rule string `json:"rule,omitempty"`
}

// Action types a policy may ask for.
const (
	ActionPause        = "pause"
	ActionRevokeRole   = "revoke_role"
	ActionFreezeBridge = "freeze_bridge"
	// ActionBlockAddress blocks Account on a contract with a blocklist
	// (registry BlockFunction, like "blockAddress(address)").
	ActionBlockAddress = "block_address"
	// ActionNotify publishes a message (the engine's notifier); it calls
	// nothing on chain, so no allowlist entry or signer is involved.
	ActionNotify = "notify"
)

// Outcome is the guard's verdict on one request.
type Outcome string

// Outcomes.
const (
	// Allowed: the action is resolved and may be executed.
	Allowed Outcome = "allowed"
	// Refused: the action may not run; Reason says why.
	Refused Outcome = "refused"
	// NoOp: the action is already in effect on chain.
	NoOp Outcome = "noop"
)

// Errors returned by this package. Both mean "try the event again later";
// every refusal is a Verdict with a reason, not an error.
var (
	// ErrPrecondition means the on-chain precondition could not be read
	// (node unreachable, timeout).
	ErrPrecondition = errors.New("guard: precondition read failed")
	// ErrHaltState means the kill switch could not be read: the guard does
	// not act when it cannot tell whether firebreak is halted.
	ErrHaltState = errors.New("guard: kill switch state unreadable")
)

// Registry is the operator's description of the protocols firebreak
// protects.
type Registry struct {
	Protocols map[string]Protocol
}

// Protocol is one protected protocol.
type Protocol struct {
	ChainID uint64
	// Signer is the name of the signer that sends this protocol's actions
	// unless a contract names its own.
	Signer    string
	Contracts map[string]Contract
	// Roles maps names policies use ("operator") to AccessControl role
	// names ("OPERATOR_ROLE") or 0x-prefixed 32-byte role ids.
	Roles map[string]string
}

// Contract is one contract of a protocol.
type Contract struct {
	Address common.Address
	// Pausable contracts follow OpenZeppelin's Pausable: pause(), paused().
	Pausable bool
	// Bridge contracts can be frozen with FreezeFunction (default
	// "freeze()") and report it with FrozenFunction (default "frozen()").
	Bridge                         bool
	FreezeFunction, FrozenFunction string
	// Signer overrides the protocol's signer for this contract.
	Signer string
	// BlockFunction (like "blockAddress(address)") blocks an address;
	// BlockedFunction (like "isBlocked(address)"), when set, is the view
	// that says it is already blocked.
	BlockFunction, BlockedFunction string
}

// Allow is one allowlist entry: Function (a signature like "pause()") may
// be called on Contract on chain ChainID.
type Allow struct {
	ChainID  uint64
	Contract common.Address
	Function string
}

// Caller reads contract state; *ethclient.Client and the simulated client
// both satisfy it.
type Caller interface {
	CallContract(ctx context.Context, call ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

// Verdict is the guard's answer for one request. For Allowed verdicts the
// call is fully resolved.
type Verdict struct {
	Request  Request        `json:"request"`
	Outcome  Outcome        `json:"outcome"`
	Reason   string         `json:"reason,omitempty"`
	ChainID  uint64         `json:"chain_id,omitempty"`
	To       common.Address `json:"to,omitzero"`
	Function string         `json:"function,omitempty"`
	Data     []byte         `json:"data,omitempty"`
	Signer   string         `json:"signer,omitempty"`
}

type allowKey struct {
	chain    uint64
	contract common.Address
	function string
}

// Guard checks action requests. It is safe for concurrent use.
type Guard struct {
	registry Registry
	allow    map[allowKey]bool
	callers  map[uint64]Caller
	rules    rules
}

// New returns a Guard over registry and allowlist, reading preconditions
// through callers (one per chain id). Options add the decision-wide
// guardrails (WithLimits, WithHaltReader, WithClock) and the protected
// roles and accounts (WithProtectedRoles, WithOwnAccounts);
// DEFAULT_ADMIN_ROLE is protected without any.
func New(registry Registry, allowlist []Allow, callers map[uint64]Caller, opts ...Option) *Guard {
	allow := make(map[allowKey]bool, len(allowlist))
	for _, a := range allowlist {
		allow[allowKey{a.ChainID, a.Contract, normalizeSignature(a.Function)}] = true
	}
	g := &Guard{registry: registry, allow: allow, callers: callers}
	g.rules.now = time.Now
	g.rules.protectedRoles, g.rules.ownAccounts = map[[32]byte]string{}, map[common.Address]bool{}
	for _, o := range opts {
		o(&g.rules)
	}
	g.rules.limiter = newLimiter(g.rules.limits)
	return g
}

// Check resolves req, checks the allowlist and reads the precondition. The
// error is non-nil only when the precondition could not be read
// (ErrPrecondition); every other problem is a Refused verdict with a reason.
func (g *Guard) Check(ctx context.Context, req Request) (Verdict, error) {
	v, check := g.resolve(req)
	if v.Outcome == Refused {
		return v, nil
	}
	if req.Type == ActionNotify {
		v.Outcome = Allowed
		return v, nil
	}
	caller, ok := g.callers[v.ChainID]
	if !ok {
		v.Outcome, v.Reason = Refused, fmt.Sprintf("no RPC endpoint configured for chain %d", v.ChainID)
		return v, nil
	}
	done, reason, err := check(ctx, caller, v.To)
	if err != nil {
		if isRevert(err) {
			v.Outcome, v.Reason = Refused, fmt.Sprintf("precondition read on %s reverted: %v", v.To.Hex(), err)
			return v, nil
		}
		return v, fmt.Errorf("%w: %s.%s on chain %d: %w", ErrPrecondition, req.Protocol, req.Contract, v.ChainID, err)
	}
	if done {
		v.Outcome, v.Reason = NoOp, reason
		return v, nil
	}
	v.Outcome = Allowed
	return v, nil
}

// Resolve resolves req and checks it against the allowlist, without
// reading the chain: an Allowed verdict here may still be a no-op. It is
// what 'firebreak policy eval' shows offline.
func (g *Guard) Resolve(req Request) Verdict {
	v, _ := g.resolve(req)
	if v.Outcome == "" {
		v.Outcome = Allowed
	}
	return v
}

// resolve returns a Refused verdict, or a resolved one with an empty
// Outcome and the precondition to read.
func (g *Guard) resolve(req Request) (Verdict, precondition) {
	v := Verdict{Request: req}
	refuse := func(format string, args ...any) (Verdict, precondition) {
		v.Outcome, v.Reason = Refused, fmt.Sprintf(format, args...)
		return v, nil
	}
	p, ok := g.registry.Protocols[req.Protocol]
	if !ok {
		return refuse("protocol %q is not in the registry", req.Protocol)
	}
	if req.Type == ActionNotify {
		if strings.TrimSpace(req.Message) == "" {
			return refuse("notify needs a message")
		}
		v.ChainID = p.ChainID
		return v, nil
	}
	c, ok := p.Contracts[req.Contract]
	if !ok {
		return refuse("protocol %q has no contract %q in the registry", req.Protocol, req.Contract)
	}
	v.ChainID, v.To = p.ChainID, c.Address
	v.Signer = c.Signer
	if v.Signer == "" {
		v.Signer = p.Signer
	}

	var check precondition
	switch req.Type {
	case ActionPause:
		if !c.Pausable {
			return refuse("%s.%s is not marked pausable in the registry", req.Protocol, req.Contract)
		}
		v.Function, v.Data = "pause()", Selector("pause()")
		check = boolView(Selector("paused()"), true, "already paused")
	case ActionFreezeBridge:
		if !c.Bridge {
			return refuse("%s.%s is not marked as a bridge in the registry", req.Protocol, req.Contract)
		}
		freeze, frozen := orDefault(c.FreezeFunction, "freeze()"), orDefault(c.FrozenFunction, "frozen()")
		v.Function, v.Data = normalizeSignature(freeze), Selector(freeze)
		check = boolView(Selector(frozen), true, "already frozen")
	case ActionRevokeRole:
		role, err := resolveRole(p.Roles, req.Role)
		if err != nil {
			return refuse("%v", err)
		}
		if !common.IsHexAddress(req.Account) {
			return refuse("revoke_role needs the account as a 0x address, got %q", req.Account)
		}
		account := common.HexToAddress(req.Account)
		// Whatever the policy and the allowlist say: a revoke that
		// cannot be undone by the protocol's own admin, or that disarms
		// firebreak, never runs.
		if reason := g.rules.refuseRevoke(role, req.Role, account); reason != "" {
			return refuse("%s", reason)
		}
		v.Function = "revokeRole(bytes32,address)"
		v.Data = packRoleCall(v.Function, role, account)
		check = boolView(packRoleCall("hasRole(bytes32,address)", role, account), false, fmt.Sprintf("%s does not hold role %s", account.Hex(), req.Role))
	case ActionBlockAddress:
		if c.BlockFunction == "" {
			return refuse("%s.%s has no block_function in the registry", req.Protocol, req.Contract)
		}
		if !common.IsHexAddress(req.Account) {
			return refuse("block_address needs the account as a 0x address, got %q", req.Account)
		}
		account := common.HexToAddress(req.Account)
		if reason := g.rules.refuseOwn(account, "blocking"); reason != "" {
			return refuse("%s", reason)
		}
		v.Function = normalizeSignature(c.BlockFunction)
		v.Data = packAddressCall(v.Function, account)
		check = noPrecondition
		if c.BlockedFunction != "" {
			check = boolView(packAddressCall(c.BlockedFunction, account), true, fmt.Sprintf("%s is already blocked", account.Hex()))
		}
	default:
		return refuse("unknown action type %q (known: pause, revoke_role, freeze_bridge, block_address, notify)", req.Type)
	}
	if v.Signer == "" {
		return refuse("no signer configured for %s.%s", req.Protocol, req.Contract)
	}
	if !g.allow[allowKey{v.ChainID, v.To, v.Function}] {
		return refuse("%s on %s.%s (%s, chain %d) is not on the allowlist", v.Function, req.Protocol, req.Contract, v.To.Hex(), v.ChainID)
	}
	return v, check
}

// precondition reports whether the action is already in effect.
type precondition func(ctx context.Context, c Caller, to common.Address) (done bool, reason string, err error)

// boolView calls a view returning bool; the action is already done when it
// returns doneWhen.
func boolView(calldata []byte, doneWhen bool, reason string) precondition {
	return func(ctx context.Context, c Caller, to common.Address) (bool, string, error) {
		out, err := c.CallContract(ctx, ethereum.CallMsg{To: &to, Data: calldata}, nil)
		if err != nil {
			return false, "", err
		}
		if len(out) != 32 {
			return false, "", fmt.Errorf("execution reverted: view returned %d bytes, want a 32-byte bool (is %s the right contract?)", len(out), to.Hex())
		}
		got := new(big.Int).SetBytes(out).Sign() != 0
		return got == doneWhen, reason, nil
	}
}

func resolveRole(roles map[string]string, name string) ([32]byte, error) {
	if name == "" {
		return [32]byte{}, errors.New("revoke_role needs a role")
	}
	if mapped, ok := roles[name]; ok {
		name = mapped
	}
	switch {
	case name == "DEFAULT_ADMIN_ROLE":
		return [32]byte{}, nil
	case strings.HasPrefix(name, "0x"):
		b := common.FromHex(name)
		if len(b) != 32 {
			return [32]byte{}, fmt.Errorf("role id %q is not 32 bytes", name)
		}
		return [32]byte(b), nil
	default:
		// OpenZeppelin's convention: bytes32 ROLE = keccak256("ROLE").
		return crypto.Keccak256Hash([]byte(name)), nil
	}
}

func noPrecondition(context.Context, Caller, common.Address) (bool, string, error) {
	return false, "", nil
}

func packAddressCall(signature string, account common.Address) []byte {
	return append(Selector(signature), common.LeftPadBytes(account.Bytes(), 32)...)
}

func packRoleCall(signature string, role [32]byte, account common.Address) []byte {
	data := make([]byte, 0, 4+64)
	data = append(data, Selector(signature)...)
	data = append(data, role[:]...)
	return append(data, common.LeftPadBytes(account.Bytes(), 32)...)
}

// Selector is the 4-byte function selector of signature, spaces removed.
func Selector(signature string) []byte {
	return crypto.Keccak256([]byte(normalizeSignature(signature)))[:4]
}

func normalizeSignature(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// isRevert tells a call the contract rejected (permanent) from a node that
// did not answer (transient).
func isRevert(err error) bool {
	var de interface{ ErrorData() any }
	if errors.As(err, &de) {
		return true
	}
	return strings.Contains(err.Error(), "execution reverted")
}
