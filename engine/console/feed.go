package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultKeep is how many of the latest entries of each bucket a Feed
// keeps: what the console shows.
const DefaultKeep = 200

// Feed keeps the latest entries of the buckets the console shows, fed by a
// watcher on each: a change shows on the next poll without anyone reading
// a bucket whole again. Each bucket keeps at most keep entries, the ones
// written last (a KV revision is the stream sequence, so it orders writes
// across keys); entries are decoded when first shown. It is safe for
// concurrent use.
type Feed struct {
	keep int
	log  *slog.Logger

	mu      sync.Mutex
	buckets map[string]*latest
}

// latest is one bucket's kept entries by key.
type latest struct {
	entries map[string]*entry
	// loaded: the watcher has delivered every key's value once.
	loaded bool
}

type entry struct {
	rev uint64
	raw []byte
	// value is raw decoded, once shown; err why it would not decode.
	value any
	err   error
}

// NewFeed returns a Feed keeping keep entries per bucket (0: DefaultKeep).
func NewFeed(keep int, log *slog.Logger) *Feed {
	if keep <= 0 {
		keep = DefaultKeep
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Feed{keep: keep, log: log, buckets: map[string]*latest{}}
}

// Watch follows bucket until ctx ends. A watcher that stops (the
// connection was lost for good) is started again after a second: it
// delivers every key's latest value again, which the feed takes as it
// comes.
func (f *Feed) Watch(ctx context.Context, js jetstream.JetStream, bucket string) {
	for ctx.Err() == nil {
		err := f.watchOnce(ctx, js, bucket)
		if ctx.Err() != nil {
			return
		}
		f.log.Warn("console: watching a bucket stopped; watching it again in a second", "bucket", bucket, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (f *Feed) watchOnce(ctx context.Context, js jetstream.JetStream, bucket string) error {
	kv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		return fmt.Errorf("console: opening bucket %s: %w", bucket, err)
	}
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("console: watching bucket %s: %w", bucket, err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("the watcher closed")
			}
			if e == nil {
				f.setLoaded(bucket)
				continue
			}
			if e.Operation() == jetstream.KeyValuePut {
				f.Put(bucket, e.Key(), e.Revision(), e.Value())
			} else {
				f.Delete(bucket, e.Key())
			}
		}
	}
}

func (f *Feed) bucket(name string) *latest {
	b := f.buckets[name]
	if b == nil {
		b = &latest{entries: map[string]*entry{}}
		f.buckets[name] = b
	}
	return b
}

func (f *Feed) setLoaded(bucket string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bucket(bucket).loaded = true
}

// Loaded reports whether every bucket named has been read once.
func (f *Feed) Loaded(buckets ...string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, name := range buckets {
		if b := f.buckets[name]; b == nil || !b.loaded {
			return false
		}
	}
	return true
}

// Put records key's value at revision rev; a revision older than the one
// kept for key, or than every entry of a full bucket, changes nothing.
func (f *Feed) Put(bucket, key string, rev uint64, value []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.bucket(bucket)
	if old, ok := b.entries[key]; ok {
		if old.rev >= rev {
			return
		}
	} else if len(b.entries) >= f.keep {
		// Full: the entry written longest ago makes room, unless this one
		// is older still (a watcher started again delivers old values).
		var oldest string
		var low uint64
		for k, e := range b.entries {
			if oldest == "" || e.rev < low {
				oldest, low = k, e.rev
			}
		}
		if rev < low {
			return
		}
		delete(b.entries, oldest)
	}
	b.entries[key] = &entry{rev: rev, raw: value}
}

// Delete forgets key.
func (f *Feed) Delete(bucket, key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.bucket(bucket).entries, key)
}

// decoded returns the kept entries of bucket decoded as T, and how many
// would not decode (each is logged once).
func decoded[T any](f *Feed, bucket string) ([]T, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.bucket(bucket)
	out := make([]T, 0, len(b.entries))
	bad := 0
	for key, e := range b.entries {
		if e.value == nil && e.err == nil {
			var v T
			if e.err = json.Unmarshal(e.raw, &v); e.err == nil {
				e.value = v
			} else {
				f.log.Warn("console: an entry does not decode; not shown", "bucket", bucket, "key", key, "err", e.err)
			}
			e.raw = nil
		}
		if e.err != nil {
			bad++
			continue
		}
		out = append(out, e.value.(T))
	}
	return out, bad
}
