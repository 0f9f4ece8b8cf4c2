package submit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// rpcError is a JSON-RPC error as the go-ethereum client returns it
// (code, message, data); the client's own type is unexported.
type rpcError struct {
	code int
	msg  string
	data any
}

func (e rpcError) Error() string  { return e.msg }
func (e rpcError) ErrorCode() int { return e.code }
func (e rpcError) ErrorData() any { return e.data }

func revertData(t *testing.T, reason string) string {
	t.Helper()
	str, _ := abi.NewType("string", "", nil)
	packed, err := abi.Arguments{{Type: str}}.Pack(reason)
	if err != nil {
		t.Fatal(err)
	}
	return hexutil.Encode(append(crypto.Keccak256([]byte("Error(string)"))[:4], packed...))
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		want      error // nil: unclassified, passed through
		retryable bool
		wantText  string // in the classified error's text
	}{
		// geth's txpool and core errors, as geth and ethclient/simulated word them.
		{"geth nonce too low", errors.New("nonce too low: next nonce 5, tx nonce 3"), ErrNonceTooLow, false, "next nonce 5"},
		{"geth nonce too high", errors.New("nonce too high"), ErrNonceTooHigh, false, ""},
		{"geth already known", errors.New("already known"), ErrAlreadyKnown, false, ""},
		{"geth replacement", errors.New("replacement transaction underpriced"), ErrReplacementUnderpriced, false, ""},
		{"geth underpriced", errors.New("transaction underpriced: tip needed 1, tip permitted 0"), ErrUnderpriced, false, ""},
		{"geth below base fee", errors.New("max fee per gas less than block base fee: address 0x1, maxFeePerGas: 1, baseFee: 7"), ErrUnderpriced, false, ""},
		{"geth insufficient funds", errors.New("insufficient funds for gas * price + value: balance 0, tx cost 1, overshot 1"), ErrInsufficientFunds, false, ""},
		{"geth intrinsic gas", errors.New("intrinsic gas too low: gas 100, minimum needed 21000"), ErrIntrinsicGas, false, ""},
		// anvil's wording.
		{"anvil nonce too low", rpcError{-32003, "nonce too low", nil}, ErrNonceTooLow, false, ""},
		{"anvil already imported", rpcError{-32003, "transaction already imported", nil}, ErrAlreadyKnown, false, ""},
		{"anvil fee cap", rpcError{-32003, "max fee per gas less than block base fee", nil}, ErrUnderpriced, false, ""},
		{"anvil insufficient funds", rpcError{-32003, "Insufficient funds for gas * price + value", nil}, ErrInsufficientFunds, false, ""},
		// Nethermind / Erigon / relays.
		{"nethermind old nonce", errors.New("OldNonce, Current nonce: 7, nonce of rejected tx: 6"), ErrNonceTooLow, false, ""},
		{"erigon replacement", errors.New("replacement fee too low"), ErrReplacementUnderpriced, false, ""},
		{"relay known", errors.New("known transaction: 0xabc"), ErrAlreadyKnown, false, ""},
		// Reverts, with the reason decoded from the error data.
		{"revert with reason", rpcError{3, "execution reverted: EnforcedPause", revertData(t, "EnforcedPause")}, ErrReverted, false, `reason "EnforcedPause"`},
		{"revert custom error, by name", rpcError{3, "execution reverted", "0xd93c0665"}, ErrReverted, false, "execution reverted: EnforcedPause(): "},
		{"revert unknown custom error", rpcError{3, "execution reverted", "0xdeadbeef"}, ErrReverted, false, "custom error 0xdeadbeef"},
		{"revert panic", rpcError{3, "execution reverted", "0x4e487b710000000000000000000000000000000000000000000000000000000000000011"}, ErrReverted, false, "Panic("},
		{"revert without data", errors.New("execution reverted"), ErrReverted, false, ""},
		// Transport.
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, ErrConnection, true, ""},
		{"connection reset", fmt.Errorf("post: %w", syscall.ECONNRESET), ErrConnection, true, ""},
		{"eof", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), ErrConnection, true, ""},
		{"client closed", rpc.ErrClientQuit, ErrConnection, true, ""},
		{"http 429", rpc.HTTPError{StatusCode: 429, Status: "429 Too Many Requests"}, ErrRateLimited, true, ""},
		{"json-rpc rate limit", rpcError{-32005, "limit exceeded", nil}, ErrRateLimited, true, ""},
		{"http 502", rpc.HTTPError{StatusCode: 502, Status: "502 Bad Gateway"}, ErrNodeFault, true, ""},
		{"http 503", rpc.HTTPError{StatusCode: 503, Status: "503 Service Unavailable"}, ErrNodeFault, true, ""},
		// Not retried, not classified.
		{"http 400", rpc.HTTPError{StatusCode: 400, Status: "400 Bad Request"}, nil, false, ""},
		{"http 401", rpc.HTTPError{StatusCode: 401, Status: "401 Unauthorized"}, nil, false, ""},
		{"unknown", errors.New("something else"), nil, false, ""},
		{"cancelled", context.Canceled, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if tt.want != nil && !errors.Is(got, tt.want) {
				t.Fatalf("Classify(%q) = %v, want %v", tt.err, got, tt.want)
			}
			// rpc.HTTPError is not comparable: compare texts.
			if tt.want == nil && got.Error() != tt.err.Error() {
				t.Fatalf("Classify(%q) = %v, want it unchanged", tt.err, got)
			}
			if !strings.Contains(got.Error(), tt.err.Error()) {
				t.Errorf("the classified error lost the original's text")
			}
			if Retryable(tt.err) != tt.retryable {
				t.Errorf("Retryable = %v, want %v", !tt.retryable, tt.retryable)
			}
			if !strings.Contains(got.Error(), tt.wantText) {
				t.Errorf("error %q does not mention %q", got, tt.wantText)
			}
			if again := Classify(got); again.Error() != got.Error() {
				t.Errorf("classifying twice changed the error: %v", again)
			}
		})
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"nonce too low", "execution reverted", "429", "", "replacement transaction underpriced"} {
		f.Add(s, "0x08c379a0")
	}
	f.Fuzz(func(t *testing.T, msg, data string) {
		err := rpcError{3, msg, data}
		got := Classify(err)
		if !errors.Is(got, err) {
			t.Fatalf("Classify lost the original error")
		}
	})
}
