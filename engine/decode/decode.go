// Package decode turns calldata and revert data into names and values
// with the ABIs firebreak knows (the demo contracts', OpenZeppelin's
// Pausable, AccessControl and Ownable, Solidity's Error and Panic): the
// dry-run (engine/simulate) and the submitter (engine/submit) read reverts
// the same way.
package decode

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
)

// ozABI lists OpenZeppelin errors and functions a containment action meets
// on contracts firebreak did not deploy (Ownable, Pausable,
// AccessControl), beyond what the demo contracts' ABIs already carry.
const ozABI = `[
{"type":"error","name":"AccessControlUnauthorizedAccount","inputs":[{"name":"account","type":"address"},{"name":"neededRole","type":"bytes32"}]},
{"type":"error","name":"AccessControlBadConfirmation","inputs":[]},
{"type":"error","name":"EnforcedPause","inputs":[]},
{"type":"error","name":"ExpectedPause","inputs":[]},
{"type":"error","name":"OwnableUnauthorizedAccount","inputs":[{"name":"account","type":"address"}]},
{"type":"error","name":"OwnableInvalidOwner","inputs":[{"name":"owner","type":"address"}]},
{"type":"function","name":"pause","inputs":[],"outputs":[],"stateMutability":"nonpayable"},
{"type":"function","name":"unpause","inputs":[],"outputs":[],"stateMutability":"nonpayable"},
{"type":"function","name":"freeze","inputs":[],"outputs":[],"stateMutability":"nonpayable"},
{"type":"function","name":"revokeRole","inputs":[{"name":"role","type":"bytes32"},{"name":"account","type":"address"}],"outputs":[],"stateMutability":"nonpayable"},
{"type":"function","name":"grantRole","inputs":[{"name":"role","type":"bytes32"},{"name":"account","type":"address"}],"outputs":[],"stateMutability":"nonpayable"},
{"type":"function","name":"renounceRole","inputs":[{"name":"role","type":"bytes32"},{"name":"callerConfirmation","type":"address"}],"outputs":[],"stateMutability":"nonpayable"}
]`

// panicSelector is Solidity's Panic(uint256).
var panicSelector = [4]byte{0x4e, 0x48, 0x7b, 0x71}

// defaultRoles are AccessControl role names shown by name instead of hash.
var defaultRoles = []string{"PAUSER_ROLE", "OPERATOR_ROLE", "GUARDIAN_ROLE", "RELAYER_ROLE", "MINTER_ROLE", "UPGRADER_ROLE"}

// Arg is one decoded argument.
type Arg struct {
	Name  string `json:"name,omitempty"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Call is calldata decoded against the known ABIs.
type Call struct {
	// Function is the signature, like "revokeRole(bytes32,address)", or
	// the 4-byte selector in hex when no known ABI has it.
	Function string `json:"function"`
	Args     []Arg  `json:"args,omitempty"`
	// Known is false when the selector is not in the table or the
	// arguments did not decode; Function is then the selector.
	Known bool `json:"known"`
}

// String renders the call as name(arg=value, ...).
func (c Call) String() string {
	if !c.Known {
		return c.Function + " (unknown function)"
	}
	return renderCall(c.Function, c.Args)
}

// Revert is a decoded revert reason.
type Revert struct {
	// Name is the custom error's name ("AccessControlUnauthorizedAccount"),
	// "Error" for require messages, "Panic" for Solidity panics, empty when
	// the data matched nothing known.
	Name      string `json:"name,omitempty"`
	Signature string `json:"signature,omitempty"`
	Args      []Arg  `json:"args,omitempty"`
	// Message is the reason string of Error(string) and Panic(uint256), or
	// the node's text when it returned no data.
	Message string        `json:"message,omitempty"`
	Data    hexutil.Bytes `json:"data,omitempty"`
}

// String renders the reason for a person.
func (r Revert) String() string {
	switch {
	case r.Name == "Error" || r.Name == "Panic":
		return fmt.Sprintf("%s(%q)", r.Name, r.Message)
	case r.Name != "":
		return renderCall(r.Signature, r.Args)
	case len(r.Data) > 0:
		return fmt.Sprintf("unknown error 0x%x", []byte(r.Data))
	case r.Message != "":
		return r.Message
	}
	return "reverted without a reason"
}

// Decoder turns calldata and revert data into names and values with a
// table of known ABIs: the demo contracts', OpenZeppelin's Pausable,
// AccessControl and Ownable, and Solidity's Error and Panic. It is safe for
// concurrent use.
type Decoder struct {
	methods map[[4]byte]abi.Method
	errors  map[[4]byte]abi.Error
	roles   map[[32]byte]string
}

var knownABIs = sync.OnceValue(func() []abi.ABI {
	var out []abi.ABI
	for _, src := range []string{contracts.ProtectedVaultMetaData.ABI, contracts.TokenBridgeMetaData.ABI, ozABI} {
		a, err := abi.JSON(strings.NewReader(src))
		if err != nil {
			// The sources are constants compiled into the binary.
			panic(fmt.Sprintf("decode: a built-in ABI does not parse: %v", err))
		}
		out = append(out, a)
	}
	return out
})

// NewDecoder returns a Decoder that also shows the given AccessControl
// role names (hashed with keccak256, OpenZeppelin's convention) by name.
func NewDecoder(roleNames ...string) *Decoder {
	d := &Decoder{methods: map[[4]byte]abi.Method{}, errors: map[[4]byte]abi.Error{}, roles: map[[32]byte]string{{}: "DEFAULT_ADMIN_ROLE"}}
	for _, a := range knownABIs() {
		for _, m := range a.Methods {
			d.methods[[4]byte(m.ID)] = m
		}
		for _, e := range a.Errors {
			d.errors[[4]byte(e.ID[:4])] = e
		}
	}
	for _, name := range append(append([]string{}, defaultRoles...), roleNames...) {
		if name == "" || strings.HasPrefix(name, "0x") {
			continue
		}
		d.roles[crypto.Keccak256Hash([]byte(name))] = name
	}
	return d
}

// DecodeCall decodes calldata. It never fails: what it cannot decode it
// reports as unknown, with the selector.
func (d *Decoder) DecodeCall(data []byte) Call {
	if len(data) < 4 {
		return Call{Function: "0x" + hex.EncodeToString(data)}
	}
	sel := [4]byte(data[:4])
	m, ok := d.methods[sel]
	if !ok {
		return Call{Function: "0x" + hex.EncodeToString(sel[:])}
	}
	vals, err := m.Inputs.Unpack(data[4:])
	if err != nil {
		return Call{Function: "0x" + hex.EncodeToString(sel[:])}
	}
	return Call{Function: m.Sig, Args: d.args(m.Inputs, vals), Known: true}
}

// DecodeRevert decodes the data a reverted call returned. It never fails:
// unknown data is kept raw.
func (d *Decoder) DecodeRevert(data []byte) Revert {
	r := Revert{Data: append(hexutil.Bytes(nil), data...)}
	if len(data) < 4 {
		return r
	}
	if msg, err := abi.UnpackRevert(data); err == nil {
		r.Name, r.Message = "Error", msg
		if [4]byte(data[:4]) == panicSelector {
			r.Name = "Panic"
		}
		return r
	}
	e, ok := d.errors[[4]byte(data[:4])]
	if !ok {
		return r
	}
	vals, err := e.Inputs.Unpack(data[4:])
	if err != nil {
		return r
	}
	r.Name, r.Signature, r.Args = e.Name, e.Sig, d.args(e.Inputs, vals)
	return r
}

func (d *Decoder) args(inputs abi.Arguments, vals []any) []Arg {
	out := make([]Arg, 0, len(inputs))
	for i, in := range inputs {
		if i >= len(vals) {
			break
		}
		out = append(out, Arg{Name: in.Name, Type: in.Type.String(), Value: d.format(vals[i])})
	}
	return out
}

func (d *Decoder) format(v any) string {
	switch x := v.(type) {
	case common.Address:
		return x.Hex()
	case [32]byte:
		if name, ok := d.roles[x]; ok {
			return name
		}
		return hexutil.Encode(x[:])
	case *big.Int:
		return x.String()
	case []byte:
		return hexutil.Encode(x)
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprint(x)
	}
}

// renderCall turns "f(bytes32,address)" and its args into f(a=1, b=2).
func renderCall(sig string, args []Arg) string {
	name, _, _ := strings.Cut(sig, "(")
	parts := make([]string, len(args))
	for i, a := range args {
		if a.Name != "" {
			parts[i] = a.Name + "=" + a.Value
		} else {
			parts[i] = a.Value
		}
	}
	return name + "(" + strings.Join(parts, ", ") + ")"
}
