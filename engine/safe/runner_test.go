package safe

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/firebreak-dev/firebreak/signer"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// A refusal is recorded on the action and never retried; anything else
// retries the event.
func TestSafeRefusal(t *testing.T) {
	tests := []struct {
		err     error
		refusal bool
	}{
		{safesigner.ErrBadSignature, true},
		{fmt.Errorf("safe: owner %q: %w", "a", safesigner.ErrNotOwner), true},
		{safesigner.ErrDuplicateOwner, true},
		{safesigner.ErrHashMismatch, true},
		{safesigner.ErrBelowThreshold, true},
		{fmt.Errorf("x: %w", signer.ErrWrongSignature), true},
		{signer.ErrNoKey, true},
		{signer.ErrBadKey, true},
		{fmt.Errorf("%w: dial tcp: connection refused", safesigner.ErrRead), false},
		{fmt.Errorf("vault: %w", signer.ErrUnavailable), false},
		{context.DeadlineExceeded, false},
		{errors.New("nats: timeout"), false},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			if got := IsRefusal(tt.err); got != tt.refusal {
				t.Fatalf("IsRefusal(%v) = %v, want %v", tt.err, got, tt.refusal)
			}
		})
	}
}
