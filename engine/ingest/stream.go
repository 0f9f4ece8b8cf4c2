package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// Names of the JetStream resources this package owns.
const (
	Stream         = "DETECTIONS"
	SubjectPrefix  = "detections."
	DeadSubject    = "detections.dead"
	EventsBucket   = "FIREBREAK_EVENTS"
	DefaultDurable = "firebreak"
)

// Headers set on dead letters.
const (
	HeaderReason          = "Firebreak-Dead-Reason"
	HeaderOriginalSubject = "Firebreak-Original-Subject"
	HeaderOriginalSeq     = "Firebreak-Original-Sequence"
)

// Errors of this package.
var (
	// ErrTransient marks a handler error worth retrying (an RPC node or
	// NATS briefly unreachable). Any other handler error dead-letters the
	// message.
	ErrTransient = errors.New("ingest: transient failure")
	// ErrReservedSource means an event's source would publish onto the
	// dead-letter subject.
	ErrReservedSource = errors.New(`ingest: source "dead" is reserved for dead letters`)
)

// StreamOptions size the detection stream and the processed-events bucket.
type StreamOptions struct {
	Replicas int
	// MaxAge is how long detections are kept in the stream.
	MaxAge time.Duration
}

// EnsureStream creates or updates the DETECTIONS stream.
func EnsureStream(ctx context.Context, js jetstream.JetStream, opts StreamOptions) (jetstream.Stream, error) {
	replicas := max(opts.Replicas, 1)
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        Stream,
		Description: "Detection events for firebreak (detections.<source>) and dead letters (detections.dead)",
		Subjects:    []string{SubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
		MaxAge:      opts.MaxAge,
		Duplicates:  2 * time.Minute,
		// Room for the event plus the headers of a dead letter.
		MaxMsgSize: event.MaxSize + 4096,
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: creating stream %s: %w", Stream, err)
	}
	return s, nil
}

// Publish sends ev to detections.<source>, with the event id as the
// JetStream message id so a detector retrying a publish within two minutes
// is deduplicated by the server too.
func Publish(ctx context.Context, js jetstream.JetStream, ev event.Event) (*jetstream.PubAck, error) {
	return PublishSigned(ctx, js, ev, nil)
}

// EventKey is the key under which an event id is recorded in KV buckets:
// ids are free text, KV keys are not.
func EventKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:16])
}
