package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/record"
)

// ErrNoAction means the actions bucket has no action with the id.
var ErrNoAction = errors.New("console: no such action")

// bindActions opens the actions bucket without creating or changing it:
// what an operator's or a reader's identity may do.
func bindActions(ctx context.Context, js jetstream.JetStream) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, record.ActionsBucket)
	if err != nil {
		return nil, fmt.Errorf("console: opening the %s bucket (has an engine run on this NATS?): %w", record.ActionsBucket, err)
	}
	return kv, nil
}

// ReadActions returns every action in the actions bucket, newest first:
// one watcher streams the latest value of each key. An entry that does
// not decode is an error naming its key.
func ReadActions(ctx context.Context, js jetstream.JetStream) ([]record.Record, error) {
	kv, err := bindActions(ctx, js)
	if err != nil {
		return nil, err
	}
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("console: listing actions: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var out []record.Record
	for {
		var e jetstream.KeyValueEntry
		select {
		case e = <-w.Updates():
		case <-ctx.Done():
			return nil, fmt.Errorf("console: listing actions: %w", ctx.Err())
		}
		if e == nil {
			break
		}
		var rec record.Record
		if err := json.Unmarshal(e.Value(), &rec); err != nil {
			return nil, fmt.Errorf("console: decoding action %s: %w", e.Key(), err)
		}
		out = append(out, rec)
	}
	slices.SortStableFunc(out, func(a, b record.Record) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// ReadAction returns one action by id.
func ReadAction(ctx context.Context, js jetstream.JetStream, id string) (record.Record, error) {
	kv, err := bindActions(ctx, js)
	if err != nil {
		return record.Record{}, err
	}
	e, err := kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return record.Record{}, fmt.Errorf("%w: %q", ErrNoAction, id)
	}
	if err != nil {
		return record.Record{}, fmt.Errorf("console: reading action %s: %w", id, err)
	}
	var rec record.Record
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return record.Record{}, fmt.Errorf("console: decoding action %s: %w", id, err)
	}
	return rec, nil
}
