package safe

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// BindApprovalStore opens the approvals bucket the engine created, without
// creating or changing it: what an operator's identity may do (put
// approvals with their signatures, never configure the bucket).
func BindApprovalStore(ctx context.Context, js jetstream.JetStream) (*ApprovalStore, error) {
	kv, err := js.KeyValue(ctx, ApprovalsBucket)
	if err != nil {
		return nil, fmt.Errorf("approval: opening bucket %s (has an engine run on this NATS?): %w", ApprovalsBucket, err)
	}
	return &ApprovalStore{kv: kv}, nil
}
