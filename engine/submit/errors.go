package submit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/engine/decode"
)

// Errors of this package. Node errors are turned into these by Classify,
// the one place that reads a node's error text; everything else matches
// them with errors.Is.
var (
	// ErrUnknownChain means no node is configured for the action's chain.
	ErrUnknownChain = errors.New("submit: no node configured for chain")
	// ErrUnknownSigner means the action names a signer that is not configured.
	ErrUnknownSigner = errors.New("submit: unknown signer")
	// ErrNotStarted means Execute was called before Start.
	ErrNotStarted = errors.New("submit: submitter not started")
	// ErrRunning means an Execute of the same action is running already.
	ErrRunning = errors.New("submit: the action is being executed already")
	// ErrRefused means the stored record failed the check before signing
	// (Options.Authorizer, the record's validation, its sender): it is
	// now in state refused and nothing was signed for it.
	ErrRefused = errors.New("submit: refused before signing")
	// ErrCapReached means the next valid replacement would exceed the
	// chain's max_fee_per_gas: the best transaction stays in flight and the
	// operator is told.
	ErrCapReached = errors.New("submit: fee cap reached, no valid replacement below it")
	// ErrNoEndpoint means no endpoint could take the transaction.
	ErrNoEndpoint = errors.New("submit: no endpoint accepted the transaction")

	// ErrNonceTooLow: the node has a transaction of this sender with this
	// nonce mined already.
	ErrNonceTooLow = errors.New("submit: nonce too low")
	// ErrNonceTooHigh: the node refuses a nonce gap.
	ErrNonceTooHigh = errors.New("submit: nonce too high")
	// ErrAlreadyKnown: the node has this very transaction; a success for a
	// broadcast.
	ErrAlreadyKnown = errors.New("submit: transaction already known")
	// ErrReplacementUnderpriced: a replacement did not raise fee cap and tip
	// enough over the transaction it replaces.
	ErrReplacementUnderpriced = errors.New("submit: replacement transaction underpriced")
	// ErrUnderpriced: the fees are below the node's minimum or the base fee.
	ErrUnderpriced = errors.New("submit: transaction underpriced")
	// ErrInsufficientFunds: the sender cannot pay gas × fee cap + value.
	ErrInsufficientFunds = errors.New("submit: insufficient funds")
	// ErrIntrinsicGas: the gas limit is below the transaction's intrinsic gas.
	ErrIntrinsicGas = errors.New("submit: intrinsic gas too low")
	// ErrReverted: the call reverts (at estimation or on chain); the error
	// carries the decoded reason when the node returned one.
	ErrReverted = errors.New("submit: execution reverted")
	// ErrConnection: the node could not be reached or the connection broke.
	ErrConnection = errors.New("submit: connection to the node failed")
	// ErrRateLimited: the node answered HTTP 429 or a rate-limit error.
	ErrRateLimited = errors.New("submit: rate limited by the node")
	// ErrNodeFault: the node answered HTTP 5xx.
	ErrNodeFault = errors.New("submit: node server error")
)

// Classify wraps err with the sentinel for what the node meant, keeping
// err's text. It is the only function in firebreak that matches node error
// text: every client (geth, anvil, Erigon, Nethermind, relays) words these
// slightly differently. Context errors and nil pass through unchanged, and
// an error that is already classified is returned as is.
func Classify(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if classified(err) {
		return err
	}
	var he rpc.HTTPError
	if errors.As(err, &he) {
		switch {
		case he.StatusCode == 429:
			return fmt.Errorf("%w: %w", ErrRateLimited, err)
		case he.StatusCode >= 500:
			return fmt.Errorf("%w: %w", ErrNodeFault, err)
		}
	}
	msg := strings.ToLower(err.Error())
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("nonce too low", "nonce has already been used", "oldnonce", "invalid nonce; got"):
		return fmt.Errorf("%w: %w", ErrNonceTooLow, err)
	case has("nonce too high", "nonce gap"):
		return fmt.Errorf("%w: %w", ErrNonceTooHigh, err)
	case has("already known", "already imported", "known transaction", "already exists", "alreadyknown"):
		return fmt.Errorf("%w: %w", ErrAlreadyKnown, err)
	case has("replacement transaction underpriced", "replacement fee too low", "replacement underpriced"):
		return fmt.Errorf("%w: %w", ErrReplacementUnderpriced, err)
	case has("transaction underpriced", "less than block base fee", "max fee per gas less than", "fee cap less than",
		"feetoolow", "gas price too low", "underpriced"):
		return fmt.Errorf("%w: %w", ErrUnderpriced, err)
	case has("insufficient funds", "insufficient balance"):
		return fmt.Errorf("%w: %w", ErrInsufficientFunds, err)
	case has("intrinsic gas too low", "gas too low"):
		return fmt.Errorf("%w: %w", ErrIntrinsicGas, err)
	case has("execution reverted", "revert"):
		if reason := revertReason(err); reason != "" {
			return fmt.Errorf("%w: %s: %w", ErrReverted, reason, err)
		}
		return fmt.Errorf("%w: %w", ErrReverted, err)
	case has("429", "too many requests", "rate limit", "limit exceeded"):
		return fmt.Errorf("%w: %w", ErrRateLimited, err)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, rpc.ErrClientQuit) ||
		has("connection refused", "connection reset", "broken pipe", "no such host", "eof", "i/o timeout", "websocket: close") {
		return fmt.Errorf("%w: %w", ErrConnection, err)
	}
	// Anything else (other 4xx, unknown JSON-RPC errors) stays as it is
	// and is not retried: repeating a request the node refused cannot help.
	return err
}

func classified(err error) bool {
	for _, s := range []error{ErrNonceTooLow, ErrNonceTooHigh, ErrAlreadyKnown, ErrReplacementUnderpriced, ErrUnderpriced,
		ErrInsufficientFunds, ErrIntrinsicGas, ErrReverted, ErrConnection, ErrRateLimited, ErrNodeFault} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// Retryable reports whether err, classified, may succeed if the very same
// request is made again later: the node was unreachable, overloaded or
// rate-limiting. Nonce, pricing and revert errors are not: repeating the
// request cannot change the answer.
func Retryable(err error) bool {
	err = Classify(err)
	return errors.Is(err, ErrConnection) || errors.Is(err, ErrRateLimited) || errors.Is(err, ErrNodeFault)
}

// revertReason decodes the revert data an RPC error carries with the
// ABIs firebreak knows (engine/decode, as the dry-run does): Error(string)
// as its reason, a custom error and Panic by name (EnforcedPause()), and an
// unknown custom error as its 4-byte selector.
func revertReason(err error) string {
	data := errorRevertData(err)
	if len(data) < 4 {
		return ""
	}
	if reason, uerr := abi.UnpackRevert(data); uerr == nil && [4]byte(data[:4]) != panicSelector {
		return fmt.Sprintf("reason %q", reason)
	}
	if r := decoder().DecodeRevert(data); r.Name != "" {
		return r.String()
	}
	return fmt.Sprintf("custom error %s", hexutil.Encode(data[:4]))
}

// errorRevertData is the revert data an RPC error carries, nil if none.
func errorRevertData(err error) []byte {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return nil
	}
	s, ok := de.ErrorData().(string)
	if !ok {
		return nil
	}
	data, derr := hexutil.Decode(s)
	if derr != nil {
		return nil
	}
	return data
}

// panicSelector is Solidity's Panic(uint256).
var panicSelector = [4]byte{0x4e, 0x48, 0x7b, 0x71}

// decoder knows the ABIs; built once, safe for concurrent use.
var decoder = sync.OnceValue(func() *decode.Decoder { return decode.NewDecoder() })
