// Package nflog is the notification log of the incident step, after
// Alertmanager's nflog: a JetStream KV bucket, FIREBREAK_NOTIFY_LOG, with
// one entry per delivery (a notification to one channel) once it was sent
// or given up. The dispatcher reads it before every attempt, so a
// delivery that comes round again (a redelivery after a crash, a
// notification queued twice after the stream's duplicate window, another
// replica) is not sent twice. Entries expire after the retention.
package nflog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the KV bucket of the log.
const Bucket = "FIREBREAK_NOTIFY_LOG"

// Outcomes of a delivery.
const (
	// Sent: the channel accepted it.
	Sent = "sent"
	// Failed: given up (refused by the channel, or retried past max_age).
	Failed = "failed"
)

// Entry is what the log holds for one delivery.
type Entry struct {
	Outcome      string    `json:"outcome"`
	Channel      string    `json:"channel"`
	Notification string    `json:"notification"`
	Kind         string    `json:"kind,omitempty"`
	Attempts     uint64    `json:"attempts"`
	At           time.Time `json:"at"`
	// Error is why a failed delivery was given up.
	Error string `json:"error,omitempty"`
}

// Log is the notification log. It is safe for concurrent use.
type Log struct{ kv jetstream.KeyValue }

// Open creates (or binds to) the bucket, keeping entries for retention.
func Open(ctx context.Context, js jetstream.JetStream, replicas int, retention time.Duration) (*Log, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "firebreak's notification log: one entry per delivery (notification × channel) sent or given up",
		TTL:         retention,
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("nflog: creating bucket %s: %w", Bucket, err)
	}
	return &Log{kv: kv}, nil
}

// Get returns the entry of a delivery id, and whether there is one.
func (l *Log) Get(ctx context.Context, id string) (Entry, bool, error) {
	e, err := l.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("nflog: reading delivery %s: %w", id, err)
	}
	var ent Entry
	if err := json.Unmarshal(e.Value(), &ent); err != nil {
		return Entry{}, false, fmt.Errorf("nflog: decoding delivery %s: %w", id, err)
	}
	return ent, true, nil
}

// Record stores the entry of a delivery id. A sent entry is never
// replaced by a failed one (another replica's late failure).
func (l *Log) Record(ctx context.Context, id string, e Entry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if e.Outcome == Sent {
		_, err = l.kv.Put(ctx, id, data)
	} else if _, err = l.kv.Create(ctx, id, data); errors.Is(err, jetstream.ErrKeyExists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("nflog: recording delivery %s: %w", id, err)
	}
	return nil
}
