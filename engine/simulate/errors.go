package simulate

import (
	"errors"
	"strings"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// Errors of this package, wrapped with detail.
var (
	// ErrForkUnreachable means the chain to fork (or to simulate against)
	// did not answer, or anvil could not fork it.
	ErrForkUnreachable = errors.New("simulate: the chain to fork does not answer")
	// ErrChainMismatch means the fork URL serves another chain than the
	// one the actions are for.
	ErrChainMismatch = errors.New("simulate: the fork URL serves another chain")
	// ErrDefaultAccount means a sender is one of anvil's default
	// development accounts, whose balances anvil overwrites on a fork and
	// whose keys are public: a result for it would say nothing about the
	// real chain.
	ErrDefaultAccount = errors.New("simulate: sender is one of anvil's public default accounts")
	// ErrBadMethod means an unknown simulation method was asked for.
	ErrBadMethod = errors.New("simulate: unknown method")
	// ErrRPC means a simulation step failed at the node, not in the
	// contract (a revert is a result, not an error).
	ErrRPC = errors.New("simulate: RPC call failed")
)

// rpcFault is what an RPC error means to a simulation.
type rpcFault int

const (
	// faultOther: the node failed; the simulation cannot go on.
	faultOther rpcFault = iota
	// faultRevert: the contract reverted; data holds what it returned.
	faultRevert
	// faultUnsupported: the node does not offer the method.
	faultUnsupported
)

// classify interprets an RPC error: the one place that reads node error
// codes and texts. For a revert it returns the revert data, if any.
func classify(err error) (rpcFault, []byte) {
	if err == nil {
		return faultOther, nil
	}
	var de rpc.DataError
	if errors.As(err, &de) {
		if s, ok := de.ErrorData().(string); ok {
			if data, derr := hexutil.Decode(s); derr == nil {
				return faultRevert, data
			}
		}
	}
	var re rpc.Error
	if errors.As(err, &re) {
		switch re.ErrorCode() {
		case 3: // geth and anvil: execution reverted
			return faultRevert, nil
		case -32601: // method not found
			return faultUnsupported, nil
		}
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "execution reverted"), strings.Contains(msg, "revert"):
		return faultRevert, nil
	case strings.Contains(msg, "method not found"), strings.Contains(msg, "does not exist/is not available"),
		strings.Contains(msg, "not supported"), strings.Contains(msg, "unsupported method"):
		return faultUnsupported, nil
	}
	return faultOther, nil
}
