package ingest

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// OperatorBuckets are the buckets an operator writes: the kill switch key
// of FIREBREAK_CONTROL, the approvals, the recovery proposals. (The
// incidents bucket too, but it is opened later: engine/incidents.go turns
// its roll-ups off itself.)
var OperatorBuckets = []string{ControlBucket, ApprovalsBucket, RecoveryBucket}

// DenyRollups turns roll-ups off on the streams of buckets (default:
// OperatorBuckets). A KV bucket allows them (nats.go makes every bucket so,
// for KeyValue.Purge), and a roll-up is only a header on a put: whoever may
// put one key could publish it with "Nats-Rollup: all" and wipe every other
// key of the bucket and all history, which no subject permission can stop.
// Without roll-ups a put is a put, and Delete still works; KeyValue.Purge
// does not (firebreak never calls it).
//
// The packages that own the buckets open them with CreateOrUpdateKeyValue,
// which turns roll-ups back on: the engine calls DenyRollups after opening
// them, at every start.
func DenyRollups(ctx context.Context, js jetstream.JetStream, buckets ...string) error {
	if len(buckets) == 0 {
		buckets = OperatorBuckets
	}
	for _, b := range buckets {
		s, err := js.Stream(ctx, kvStream(b))
		if err != nil {
			return fmt.Errorf("ingest: opening bucket %s: %w", b, err)
		}
		cfg := s.CachedInfo().Config
		if !cfg.AllowRollup {
			continue
		}
		cfg.AllowRollup = false
		if _, err := js.UpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("ingest: turning roll-ups off on bucket %s: %w", b, err)
		}
	}
	return nil
}
