package decide

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// Errors of the last check before signing (Allowlist). Each is a refusal:
// the stored call is not one the operator allowed, whatever the stores say.
var (
	// ErrNotAllowlisted means the call's (chain, target, selector) is not
	// on the allowlist in force.
	ErrNotAllowlisted = errors.New("decide: call not on the allowlist")
	// ErrNotPlain means a Safe transaction is not a plain CALL without
	// value or gas refund (a DELEGATECALL, value, a refund receiver).
	ErrNotPlain = errors.New("decide: Safe transaction is not a plain call")
	// ErrUnknownSafe means an execTransaction targets an address that is
	// not a configured Safe signer, or is sent by another signer than
	// that Safe's executor.
	ErrUnknownSafe = errors.New("decide: not a configured Safe signer")
)

// Allowlist is the operator's allowlist as the last check before anything
// is signed: the stored call is checked again, by its 4-byte selector,
// against the (chain, contract, function) entries of the configuration in
// force, and a Safe's execTransaction is decoded and its inner call
// checked. It also reads calls back for people (Describe). It reads no
// chain and is safe for concurrent use.
type Allowlist struct {
	calls map[callKey]string // by (chain, contract, selector): the signature
	names map[addrKey]string // "protocol.contract"
	safes map[addrKey]safeSigner
	roles map[common.Hash]string
}

type callKey struct {
	chain uint64
	to    common.Address
	sel   [4]byte
}

type addrKey struct {
	chain uint64
	addr  common.Address
}

type safeSigner struct{ name, executor string }

var execSelector = [4]byte(safesigner.ExecSelector())

// NewAllowlist builds the check from validated options.
func NewAllowlist(o config.Options) *Allowlist {
	a := &Allowlist{calls: map[callKey]string{}, names: map[addrKey]string{}, safes: map[addrKey]safeSigner{}, roles: map[common.Hash]string{{}: "DEFAULT_ADMIN_ROLE"}}
	for _, c := range o.AllowedCalls() {
		sig := strings.ReplaceAll(strings.TrimSpace(c.Function), " ", "")
		a.calls[callKey{c.ChainID, c.Contract, [4]byte(guard.Selector(sig))}] = sig
	}
	for pname, p := range o.Protocols {
		for cname, c := range p.Contracts {
			a.names[addrKey{p.ChainID, common.HexToAddress(c.Address)}] = pname + "." + cname
		}
		for _, role := range p.Roles {
			if id, err := hexutil.Decode(role); err == nil && len(id) == 32 {
				a.roles[common.BytesToHash(id)] = role
			} else {
				a.roles[crypto.Keccak256Hash([]byte(role))] = role
			}
		}
	}
	for name, s := range o.Signers {
		if s.Kind == "safe" {
			k := addrKey{s.ChainID, common.HexToAddress(s.Address)}
			a.safes[k] = safeSigner{name, s.Executor}
			a.names[k] = "Safe " + name
		}
	}
	return a
}

// Check is the check of one stored call: data sent to to on chain chainID
// by the signer named signer. An execTransaction on a configured Safe,
// sent by its executor, passes when its Safe transaction does
// (CheckSafeTx); any other call when it is allowlisted (CheckCall).
func (a *Allowlist) Check(chainID uint64, to common.Address, data []byte, signer string) error {
	if len(data) >= 4 && [4]byte(data[:4]) == execSelector {
		if s, ok := a.safes[addrKey{chainID, to}]; ok {
			if signer != s.executor {
				return fmt.Errorf("%w: execTransaction on Safe %s sent by %q, its executor is %q", ErrUnknownSafe, s.name, signer, s.executor)
			}
			tx, _, err := safesigner.DecodeExec(data)
			if err != nil {
				return fmt.Errorf("%w: Safe %s: %w", ErrNotAllowlisted, s.name, err)
			}
			return a.CheckSafeTx(chainID, to, tx)
		}
	}
	_, err := a.CheckCall(chainID, to, data)
	return err
}

// CheckCall reports the allowlisted signature whose selector data starts
// with, for target to on chain chainID, or ErrNotAllowlisted.
func (a *Allowlist) CheckCall(chainID uint64, to common.Address, data []byte) (string, error) {
	if len(data) < 4 {
		return "", fmt.Errorf("%w: %d bytes of calldata to %s on chain %d, no function selector", ErrNotAllowlisted, len(data), a.Name(chainID, to), chainID)
	}
	sig, ok := a.calls[callKey{chainID, to, [4]byte(data[:4])}]
	if !ok {
		return "", fmt.Errorf("%w: selector %#x on %s (chain %d)", ErrNotAllowlisted, data[:4], a.Name(chainID, to), chainID)
	}
	return sig, nil
}

// CheckSafeTx checks a Safe transaction for the Safe at safe on chainID:
// the Safe is a configured Safe signer, the transaction a plain CALL with
// no value and no refund, and its inner call allowlisted.
func (a *Allowlist) CheckSafeTx(chainID uint64, safe common.Address, tx safesigner.Tx) error {
	s, ok := a.safes[addrKey{chainID, safe}]
	if !ok {
		return fmt.Errorf("%w: %s on chain %d", ErrUnknownSafe, safe.Hex(), chainID)
	}
	if err := a.CheckTx(chainID, tx); err != nil {
		return fmt.Errorf("Safe %s: %w", s.name, err)
	}
	return nil
}

// CheckTx checks a Safe transaction on chainID whatever the Safe: a plain
// CALL with no value and no refund, and its inner call allowlisted.
func (a *Allowlist) CheckTx(chainID uint64, tx safesigner.Tx) error {
	if err := tx.Plain(); err != nil {
		return fmt.Errorf("%w: %w", ErrNotPlain, err)
	}
	_, err := a.CheckCall(chainID, tx.To, tx.Data)
	return err
}

// Name is the registry name of address on chainID ("protocol.contract",
// "Safe name"), or the address.
func (a *Allowlist) Name(chainID uint64, addr common.Address) string {
	if n, ok := a.names[addrKey{chainID, addr}]; ok {
		return n
	}
	return addr.Hex()
}

// Call is a call read back for people: its target by registry name, and
// its function and arguments decoded by the ABI of the allowlisted
// signature whose selector it carries.
type Call struct {
	Target string         `json:"target"`
	To     common.Address `json:"to"`
	// Function is the allowlisted signature, or "selector 0x…" when no
	// allowlist entry of the target has it.
	Function string `json:"function"`
	// Args are the decoded arguments, each "type: value" (addresses with
	// their registry name, role ids with their role name).
	Args []string `json:"args,omitempty"`
	// Allowed: the call is on the allowlist in force.
	Allowed bool `json:"allowed"`
}

// Describe decodes data sent to to on chainID.
func (a *Allowlist) Describe(chainID uint64, to common.Address, data []byte) Call {
	c := Call{Target: a.Name(chainID, to), To: to}
	sig, err := a.CheckCall(chainID, to, data)
	if err != nil {
		c.Function = fmt.Sprintf("selector %#x", data[:min(len(data), 4)])
		if len(data) == 0 {
			c.Function = "no calldata"
		}
		return c
	}
	c.Function, c.Allowed = sig, true
	args, ok := argumentsOf(sig)
	if !ok {
		if len(data) > 4 {
			c.Args = []string{"raw: " + hexutil.Encode(data[4:])}
		}
		return c
	}
	vals, err := args.Unpack(data[4:])
	if err != nil {
		c.Args = []string{"undecodable: " + hexutil.Encode(data[4:])}
		return c
	}
	for i, v := range vals {
		c.Args = append(c.Args, args[i].Type.String()+": "+a.format(chainID, v))
	}
	return c
}

func (a *Allowlist) format(chainID uint64, v any) string {
	switch x := v.(type) {
	case common.Address:
		if n := a.Name(chainID, x); n != x.Hex() {
			return x.Hex() + " (" + n + ")"
		}
		return x.Hex()
	case [32]byte:
		h := common.Hash(x)
		if n, ok := a.roles[h]; ok {
			return h.Hex() + " (" + n + ")"
		}
		return h.Hex()
	case []byte:
		return hexutil.Encode(x)
	case *big.Int:
		return x.String()
	}
	return fmt.Sprint(v)
}

// argumentsOf parses the parameter list of a signature like
// "revokeRole(bytes32,address)"; false for tuples and anything the ABI
// package does not take.
func argumentsOf(sig string) (abi.Arguments, bool) {
	open := strings.IndexByte(sig, '(')
	if open < 0 || !strings.HasSuffix(sig, ")") {
		return nil, false
	}
	inner := sig[open+1 : len(sig)-1]
	if inner == "" {
		return abi.Arguments{}, true
	}
	if strings.ContainsAny(inner, "()") {
		return nil, false
	}
	var args abi.Arguments
	for _, t := range strings.Split(inner, ",") {
		typ, err := abi.NewType(t, "", nil)
		if err != nil {
			return nil, false
		}
		args = append(args, abi.Argument{Type: typ})
	}
	return args, true
}
