package record

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Unavailable reports whether err says the store (NATS JetStream) could
// not answer now, rather than that it refused the request: a timeout, no
// responders, a lost connection (or one reconnecting whose buffer is
// full), "no response from stream" while a stream
// has no leader, or 503 "JetStream system temporarily unavailable" while
// one is elected. Such a failure says nothing about the action, and what
// was written may or may not have landed: the caller waits and reads the
// store again, it never fails the action for it.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var apiErr *jetstream.APIError
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrNoStreamResponse) || errors.Is(err, jetstream.ErrNoHeartbeat) ||
		errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrConnectionReconnecting) ||
		errors.Is(err, nats.ErrDisconnected) || errors.Is(err, nats.ErrReconnectBufExceeded) ||
		errors.Is(err, jetstream.ErrJetStreamNotEnabled) ||
		errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) ||
		(errors.As(err, &apiErr) && apiErr.Code == 503)
}

// Conflict reports whether err is a compare-and-set conflict of a KV
// write: a Create of a key that exists, or an Update or a Delete at a
// revision that is no longer the key's. On a replicated (R3) bucket, a
// write that races another one in flight is refused with code 10164,
// which nats.go reports as jetstream.ErrKeyRevisionMismatch and never as
// jetstream.ErrKeyExists (that one matches code 10071 only). A check for
// ErrKeyExists alone passes every test on one node and misses exactly the
// conflicts two engines make on a cluster.
func Conflict(err error) bool {
	return errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)
}
