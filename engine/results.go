package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// Outcome returns what the engine recorded for an event id, or an error
// wrapping jetstream.ErrKeyNotFound while the event has not been handled.
func (e *Engine) Outcome(ctx context.Context, eventID string) (decide.Outcome, error) {
	var o decide.Outcome
	data, err := e.cons.Record(ctx, eventID)
	if err != nil {
		return o, fmt.Errorf("engine: outcome of event %q: %w", eventID, err)
	}
	if err := json.Unmarshal(data, &o); err != nil {
		return o, fmt.Errorf("engine: decoding the outcome of event %q: %w", eventID, err)
	}
	return o, nil
}

// SubmitStats are the submitter's counters (sends, bumps, bumps blocked by
// a fee cap, reorgs, ...). Valid after Ready.
func (e *Engine) SubmitStats() submit.Stats { return e.sub.Stats() }

// Action returns the recorded state of an action.
func (e *Engine) Action(ctx context.Context, actionID string) (record.Record, error) {
	rec, _, err := e.store.Get(ctx, actionID)
	return rec, err
}

// IsNotHandled reports whether err means the event has not been handled yet.
func IsNotHandled(err error) bool { return errors.Is(err, jetstream.ErrKeyNotFound) }
