package safe

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
)

// ErrNotExec means calldata is not a well-formed execTransaction call.
var ErrNotExec = errors.New("safe: not an execTransaction call")

var execMethod = safeabi.NewSafe().GetABI().Methods["execTransaction"]

// ExecSelector is execTransaction's 4-byte selector.
func ExecSelector() []byte { return bytes.Clone(execMethod.ID) }

// DecodeExec decodes execTransaction calldata, as ExecCalldata makes it,
// into the Safe transaction it executes (without its nonce, which is the
// Safe's at execution and not in the calldata) and the packed owner
// signatures. It is what is checked before an execTransaction is signed.
func DecodeExec(data []byte) (Tx, []byte, error) {
	if len(data) < 4 || !bytes.Equal(data[:4], execMethod.ID) {
		return Tx{}, nil, ErrNotExec
	}
	vals, err := execMethod.Inputs.Unpack(data[4:])
	if err != nil {
		return Tx{}, nil, fmt.Errorf("%w: %w", ErrNotExec, err)
	}
	if len(vals) != 10 {
		return Tx{}, nil, ErrNotExec
	}
	var (
		tx   Tx
		sigs []byte
		ok   = true
	)
	num := func(v any) hexutil.Big {
		b, isBig := v.(*big.Int)
		ok = ok && isBig && b != nil
		if !isBig || b == nil {
			return hexutil.Big{}
		}
		return hexutil.Big(*b)
	}
	addr := func(v any) common.Address {
		a, isAddr := v.(common.Address)
		ok = ok && isAddr
		return a
	}
	tx.To = addr(vals[0])
	tx.Value = num(vals[1])
	d, isBytes := vals[2].([]byte)
	op, isOp := vals[3].(uint8)
	ok = ok && isBytes && isOp
	tx.Data, tx.Operation = bytes.Clone(d), op
	tx.SafeTxGas, tx.BaseGas, tx.GasPrice = num(vals[4]), num(vals[5]), num(vals[6])
	tx.GasToken, tx.RefundReceiver = addr(vals[7]), addr(vals[8])
	sigs, isSigs := vals[9].([]byte)
	if !ok || !isSigs {
		return Tx{}, nil, ErrNotExec
	}
	return tx, bytes.Clone(sigs), nil
}

// Plain reports whether tx is a plain call as firebreak makes them: CALL,
// no value, no gas refund (zero safeTxGas, baseGas and gasPrice, no gas
// token or refund receiver), so nothing can be paid from the Safe. The
// error says what is not.
func (t Tx) Plain() error {
	switch {
	case t.Operation != OperationCall:
		return fmt.Errorf("operation %d is not CALL (0)", t.Operation)
	case t.Value.ToInt().Sign() != 0:
		return fmt.Errorf("it sends value %s wei", t.Value.ToInt())
	case t.SafeTxGas.ToInt().Sign() != 0 || t.BaseGas.ToInt().Sign() != 0 || t.GasPrice.ToInt().Sign() != 0:
		return errors.New("it asks for a gas refund (safeTxGas, baseGas or gasPrice set)")
	case t.GasToken != (common.Address{}) || t.RefundReceiver != (common.Address{}):
		return errors.New("it names a gas token or refund receiver")
	}
	return nil
}
