package record_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// On a three-node cluster, updates racing at one revision are refused as
// jetstream.ErrKeyRevisionMismatch, and often not as jetstream.ErrKeyExists
// (code 10164): the chaos suite's nats-cluster scenario saw an incident's
// compare-and-set conflict taken for a failure. Conflict must see every
// kind on both kinds of bucket.
func TestConflictOnSingleAndReplicatedBuckets(t *testing.T) {
	for _, tc := range []struct {
		name     string
		replicas int
		js       func(t testing.TB) jetstream.JetStream
	}{
		{"one node", 1, natstest.JetStream},
		{"three-node cluster, R3", 3, func(t testing.TB) jetstream.JetStream { return natstest.Connect(t, natstest.Cluster(t, 3)[0]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			kv, err := tc.js(t).CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "CONFLICTS", Replicas: tc.replicas})
			if err != nil {
				t.Fatal(err)
			}
			// A new R3 stream answers once its leader is elected.
			rev, err := kv.Create(ctx, "k", []byte("1"))
			for record.Unavailable(err) && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
				rev, err = kv.Create(ctx, "k", []byte("1"))
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := kv.Create(ctx, "k", []byte("2")); !record.Conflict(err) {
				t.Errorf("second Create: %v, want a conflict", err)
			}
			if _, err := kv.Update(ctx, "k", []byte("2"), rev); err != nil {
				t.Fatal(err)
			}
			_, err = kv.Update(ctx, "k", []byte("3"), rev)
			if !record.Conflict(err) {
				t.Errorf("Update at a stale revision: %v, want a conflict", err)
			}
			// Writers racing at one revision, as two engines do: one
			// wins, every other write is a conflict (on a cluster, some
			// are refused as 10164 while the winner is in flight).
			cur, err := kv.Get(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 16)
			for i := range cap(errs) {
				go func() {
					_, err := kv.Update(ctx, "k", []byte{byte('a' + i)}, cur.Revision())
					errs <- err
				}()
			}
			won, notExists := 0, 0
			for range cap(errs) {
				switch err := <-errs; {
				case err == nil:
					won++
				case !record.Conflict(err):
					t.Errorf("racing Update: %v, want a conflict", err)
				case !errors.Is(err, jetstream.ErrKeyExists):
					notExists++
				}
			}
			if won != 1 {
				t.Errorf("%d racing updates won, want 1", won)
			}
			t.Logf("%d of %d conflicts were not ErrKeyExists", notExists, cap(errs)-1)
			rev = cur.Revision()
			if err := kv.Delete(ctx, "k", jetstream.LastRevision(rev)); !record.Conflict(err) {
				t.Errorf("Delete at a stale revision: %v, want a conflict", err)
			}
			if record.Conflict(nil) || record.Conflict(context.DeadlineExceeded) {
				t.Error("Conflict is true of no error or of a timeout")
			}
		})
	}
}

func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.DeadlineExceeded, true},
		{jetstream.ErrNoStreamResponse, true},
		{fmt.Errorf("submit: updating action a: %w", nats.ErrReconnectBufExceeded), true},
		{&jetstream.APIError{Code: 503, Description: "JetStream system temporarily unavailable"}, true},
		{jetstream.ErrKeyRevisionMismatch, false},
		{jetstream.ErrKeyNotFound, false},
		{errors.New("permissions violation"), false},
	} {
		if got := record.Unavailable(tc.err); got != tc.want {
			t.Errorf("Unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
