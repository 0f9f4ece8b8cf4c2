package watch

import (
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
)

// ParseEvent parses a human-readable event signature with indexed markers
// and argument names, "Swept(address indexed operator, address indexed to,
// uint256 amount)", into an ABI event. An argument without a name is called
// arg<position>. Tuples are not supported.
func ParseEvent(sig string) (abi.Event, error) {
	sig = strings.TrimSpace(sig)
	open, end := strings.IndexByte(sig, '('), strings.LastIndexByte(sig, ')')
	if open <= 0 || end != len(sig)-1 {
		return abi.Event{}, fmt.Errorf("%q is not Name(type [indexed] [name], ...)", sig)
	}
	name, body := strings.TrimSpace(sig[:open]), sig[open+1:end]
	if strings.ContainsAny(body, "()") {
		return abi.Event{}, fmt.Errorf("%q: tuple arguments are not supported", sig)
	}
	var args abi.Arguments
	if strings.TrimSpace(body) != "" {
		seen := map[string]bool{}
		for i, p := range strings.Split(body, ",") {
			f := strings.Fields(p)
			if len(f) == 0 || len(f) > 3 {
				return abi.Event{}, fmt.Errorf("%q: argument %d %q is not type [indexed] [name]", sig, i, strings.TrimSpace(p))
			}
			typ, err := abi.NewType(f[0], "", nil)
			if err != nil {
				return abi.Event{}, fmt.Errorf("%q: argument %d: %w", sig, i, err)
			}
			arg := abi.Argument{Type: typ, Name: "arg" + strconv.Itoa(i)}
			rest := f[1:]
			if len(rest) > 0 && rest[0] == "indexed" {
				arg.Indexed, rest = true, rest[1:]
			}
			switch {
			case len(rest) == 1:
				arg.Name = rest[0]
			case len(rest) > 1:
				return abi.Event{}, fmt.Errorf("%q: argument %d %q is not type [indexed] [name]", sig, i, strings.TrimSpace(p))
			}
			if seen[arg.Name] {
				return abi.Event{}, fmt.Errorf("%q: argument name %q is used twice", sig, arg.Name)
			}
			seen[arg.Name] = true
			args = append(args, arg)
		}
	}
	return abi.NewEvent(name, name, false, args), nil
}

// decodeLog returns the arguments of l as ev describes them, or ok false
// when l is another event with the same topic (another indexed layout, as
// ERC-20's and ERC-721's Transfer) or does not decode.
func decodeLog(ev abi.Event, l types.Log) (map[string]any, bool) {
	if len(l.Topics) == 0 || l.Topics[0] != ev.ID {
		return nil, false
	}
	var indexed abi.Arguments
	for _, a := range ev.Inputs {
		if a.Indexed {
			indexed = append(indexed, a)
		}
	}
	if len(l.Topics)-1 != len(indexed) {
		return nil, false
	}
	vals := map[string]any{}
	if err := abi.ParseTopicsIntoMap(vals, indexed, l.Topics[1:]); err != nil {
		return nil, false
	}
	if err := ev.Inputs.NonIndexed().UnpackIntoMap(vals, l.Data); err != nil {
		return nil, false
	}
	return vals, true
}

// formatArg writes a decoded argument the way events carry it: addresses
// in EIP-55 form, integers in decimal, bytes in 0x hex.
func formatArg(v any) string {
	switch v := v.(type) {
	case common.Address:
		return v.Hex()
	case common.Hash:
		return v.Hex()
	case *big.Int:
		return v.String()
	case [32]byte:
		return hexutil.Encode(v[:])
	case []byte:
		return hexutil.Encode(v)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	if b, ok := toBig(v); ok {
		return b.String()
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Array && rv.Type().Elem().Kind() == reflect.Uint8 {
		b := make([]byte, rv.Len())
		reflect.Copy(reflect.ValueOf(b), rv)
		return hexutil.Encode(b)
	}
	return fmt.Sprint(v)
}

// toBig converts the integer types abi unpacks into.
func toBig(v any) (*big.Int, bool) {
	switch v := v.(type) {
	case *big.Int:
		return v, true
	case uint8:
		return new(big.Int).SetUint64(uint64(v)), true
	case uint16:
		return new(big.Int).SetUint64(uint64(v)), true
	case uint32:
		return new(big.Int).SetUint64(uint64(v)), true
	case uint64:
		return new(big.Int).SetUint64(v), true
	case int8:
		return big.NewInt(int64(v)), true
	case int16:
		return big.NewInt(int64(v)), true
	case int32:
		return big.NewInt(int64(v)), true
	case int64:
		return big.NewInt(v), true
	}
	return nil, false
}

// condition is a compiled WatchCondition.
type condition struct {
	arg string
	op  string
	// test reports whether the argument's value meets the condition.
	test func(v any) bool
}

// compileCondition checks c against the event's argument types and returns
// the test; known is what in_registry looks addresses up in, resolve turns
// protocol.contract references into addresses.
func compileCondition(ev abi.Event, c config.WatchCondition, known map[common.Address]bool, resolve func(string) (common.Address, error)) (condition, error) {
	var arg *abi.Argument
	for i := range ev.Inputs {
		if ev.Inputs[i].Name == c.Arg {
			arg = &ev.Inputs[i]
		}
	}
	if arg == nil {
		return condition{}, fmt.Errorf("arg: %s has no argument %q (arguments: %s)", ev.Name, c.Arg, argNames(ev))
	}
	out := condition{arg: c.Arg, op: c.Op}
	t := arg.Type
	switch c.Op {
	case "in_registry", "not_in_registry":
		if t.T != abi.AddressTy {
			return out, fmt.Errorf("op: %s needs an address argument, %s is %s", c.Op, c.Arg, t)
		}
		want := c.Op == "in_registry"
		out.test = func(v any) bool { a, ok := v.(common.Address); return ok && known[a] == want }
		return out, nil
	case "gt", "gte", "lt", "lte":
		if t.T != abi.UintTy && t.T != abi.IntTy {
			return out, fmt.Errorf("op: %s needs an integer argument, %s is %s", c.Op, c.Arg, t)
		}
	}
	switch t.T {
	case abi.AddressTy:
		want, err := parseAddressValue(c.Value, resolve)
		if err != nil {
			return out, err
		}
		out.test = eqTest(c.Op, func(v any) bool { a, ok := v.(common.Address); return ok && a == want })
	case abi.UintTy, abi.IntTy:
		want, ok := new(big.Int).SetString(c.Value, 10)
		if !ok {
			return out, fmt.Errorf("value: %q is not a decimal integer", c.Value)
		}
		out.test = func(v any) bool {
			b, ok := toBig(v)
			if !ok {
				return false
			}
			cmp := b.Cmp(want)
			switch c.Op {
			case "eq":
				return cmp == 0
			case "ne":
				return cmp != 0
			case "gt":
				return cmp > 0
			case "gte":
				return cmp >= 0
			case "lt":
				return cmp < 0
			default: // lte
				return cmp <= 0
			}
		}
	case abi.FixedBytesTy:
		want, err := parseBytesValue(c.Value, t.Size)
		if err != nil {
			return out, err
		}
		out.test = eqTest(c.Op, func(v any) bool { return strings.EqualFold(formatArg(v), hexutil.Encode(want)) })
	case abi.BoolTy:
		want, err := strconv.ParseBool(c.Value)
		if err != nil {
			return out, fmt.Errorf("value: %q is not true or false", c.Value)
		}
		out.test = eqTest(c.Op, func(v any) bool { b, ok := v.(bool); return ok && b == want })
	default:
		out.test = eqTest(c.Op, func(v any) bool { return strings.EqualFold(formatArg(v), c.Value) })
	}
	return out, nil
}

func eqTest(op string, eq func(any) bool) func(any) bool {
	if op == "ne" {
		return func(v any) bool { return !eq(v) }
	}
	return eq
}

func parseAddressValue(s string, resolve func(string) (common.Address, error)) (common.Address, error) {
	if strings.HasPrefix(s, "0x") {
		if !common.IsHexAddress(s) {
			return common.Address{}, fmt.Errorf("value: %q is not a 0x address", s)
		}
		return common.HexToAddress(s), nil
	}
	a, err := resolve(s)
	if err != nil {
		return common.Address{}, fmt.Errorf("value: %w", err)
	}
	return a, nil
}

// parseBytesValue reads a fixed-size bytes value: 0x hex, or for bytes32 a
// role name (OpenZeppelin's keccak256("NAME"); DEFAULT_ADMIN_ROLE is zero).
func parseBytesValue(s string, size int) ([]byte, error) {
	if strings.HasPrefix(s, "0x") {
		b, err := hexutil.Decode(s)
		if err != nil || len(b) != size {
			return nil, fmt.Errorf("value: %q is not %d bytes of 0x hex", s, size)
		}
		return b, nil
	}
	if size != 32 {
		return nil, fmt.Errorf("value: %q is not 0x hex", s)
	}
	if s == "DEFAULT_ADMIN_ROLE" {
		return make([]byte, 32), nil
	}
	return crypto.Keccak256([]byte(s)), nil
}

func argNames(ev abi.Event) string {
	names := make([]string, len(ev.Inputs))
	for i, a := range ev.Inputs {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}
