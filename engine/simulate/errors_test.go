package simulate

import (
	"errors"
	"fmt"
	"testing"
)

// jsonRPCError has the shape of go-ethereum's rpc client errors: a code,
// a message and optional data.
type jsonRPCError struct {
	code int
	msg  string
	data any
}

func (e jsonRPCError) Error() string  { return e.msg }
func (e jsonRPCError) ErrorCode() int { return e.code }
func (e jsonRPCError) ErrorData() any { return e.data }

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		want     rpcFault
		wantData string
	}{
		{"revert with data", jsonRPCError{3, "execution reverted", "0xd93c0665"}, faultRevert, "\xd9\x3c\x06\x65"},
		{"wrapped revert with data", fmt.Errorf("estimating: %w", jsonRPCError{3, "execution reverted", "0xd93c0665"}), faultRevert, "\xd9\x3c\x06\x65"},
		{"revert code, no data", jsonRPCError{3, "execution reverted", nil}, faultRevert, ""},
		{"anvil revert text", errors.New("execution reverted: custom error 0xd93c0665"), faultRevert, ""},
		{"method not found code", jsonRPCError{-32601, "the method eth_simulateV1 does not exist/is not available", nil}, faultUnsupported, ""},
		{"method not found text", errors.New("Method not found"), faultUnsupported, ""},
		{"connection refused", errors.New(`Post "http://127.0.0.1:1": dial tcp 127.0.0.1:1: connect: connection refused`), faultOther, ""},
		{"server error", jsonRPCError{-32000, "header not found", nil}, faultOther, ""},
		{"data not hex", jsonRPCError{-32000, "boom", "not hex"}, faultOther, ""},
		{"nil", nil, faultOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, data := classify(tt.err)
			if got != tt.want || string(data) != tt.wantData {
				t.Errorf("classify = %v %x, want %v %x", got, data, tt.want, tt.wantData)
			}
		})
	}
}
