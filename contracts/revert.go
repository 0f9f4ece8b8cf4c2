package contracts

import (
	"errors"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// RevertData returns the revert data an RPC error carries (eth_call and
// eth_estimateGas report it in the JSON-RPC error's data field), for the bindings'
// UnpackError to decode into the contract's custom error. ok is false if err
// carries none.
func RevertData(err error) (data []byte, ok bool) {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return nil, false
	}
	s, isString := de.ErrorData().(string)
	if !isString {
		return nil, false
	}
	data, decErr := hexutil.Decode(s)
	if decErr != nil {
		return nil, false
	}
	return data, true
}
