package record

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Mined returns the records in state Mined that keep accepts: how a restarted submitter finds the actions it still watches
// for a reorg. Like Unfinished, the bucket's latest values stream in on
// one watcher.
func (s *Store) Mined(ctx context.Context, keep func(Record) bool) ([]Record, error) {
	w, err := s.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("submit: listing actions: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var recs []Record
	for {
		var e jetstream.KeyValueEntry
		select {
		case e = <-w.Updates():
		case <-ctx.Done():
			return nil, fmt.Errorf("submit: listing actions: %w", ctx.Err())
		}
		if e == nil {
			return recs, nil // every key's latest value is in
		}
		rec, err := s.Load(ctx, e)
		if err == nil && rec.State == Mined && keep(rec) {
			recs = append(recs, rec)
		}
	}
}
