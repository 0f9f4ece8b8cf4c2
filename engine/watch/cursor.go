package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go/jetstream"
)

// CursorBucket is the KV bucket holding each watcher's cursor.
const CursorBucket = "FIREBREAK_WATCH"

// Cursor is the last block a watcher processed on a chain: every event of
// it and of the blocks before it was acknowledged by JetStream.
type Cursor struct {
	Block uint64      `json:"block"`
	Hash  common.Hash `json:"hash"`
	At    time.Time   `json:"at"`
}

// cursors reads and writes cursors in the bucket.
type cursors struct {
	kv     jetstream.KeyValue
	source string
}

// openCursors binds to the bucket, creating it if it does not exist.
func openCursors(ctx context.Context, js jetstream.JetStream, replicas int, source string) (*cursors, error) {
	kv, err := js.KeyValue(ctx, CursorBucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:      CursorBucket,
			Description: "firebreak watch: the last block each watcher processed, per source and chain",
			Storage:     jetstream.FileStorage,
			Replicas:    max(replicas, 1),
			History:     1,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = js.KeyValue(ctx, CursorBucket)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("watch: opening the %s bucket: %w", CursorBucket, err)
	}
	return &cursors{kv: kv, source: source}, nil
}

// CursorKey is the key of a source's cursor on a chain.
func CursorKey(source string, chainID uint64) string {
	return fmt.Sprintf("%s.%d", strings.Trim(source, "."), chainID)
}

// get returns the cursor, ok false when there is none yet.
func (c *cursors) get(ctx context.Context, chainID uint64) (Cursor, bool, error) {
	var cur Cursor
	e, err := c.kv.Get(ctx, CursorKey(c.source, chainID))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return cur, false, nil
	}
	if err != nil {
		return cur, false, fmt.Errorf("watch: reading the cursor of chain %d: %w", chainID, err)
	}
	if err := json.Unmarshal(e.Value(), &cur); err != nil {
		return cur, false, fmt.Errorf("watch: the cursor of chain %d does not decode (%w): delete key %s of %s to start at the head", chainID, err, CursorKey(c.source, chainID), CursorBucket)
	}
	return cur, true, nil
}

func (c *cursors) put(ctx context.Context, chainID uint64, cur Cursor) error {
	data, _ := json.Marshal(cur)
	if _, err := c.kv.Put(ctx, CursorKey(c.source, chainID), data); err != nil {
		return fmt.Errorf("watch: writing the cursor of chain %d (block %d): %w", chainID, cur.Block, err)
	}
	return nil
}
