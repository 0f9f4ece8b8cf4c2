package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

func TestFeedKeepsTheLatest(t *testing.T) {
	f := NewFeed(3, nil)
	put := func(key string, rev uint64) { f.Put("b", key, rev, []byte(fmt.Sprintf("%d", rev))) }
	put("a", 1)
	put("b", 2)
	put("c", 3)
	put("a", 4) // a newer value of a kept key
	put("d", 5) // evicts b, the oldest write
	put("e", 1) // older than everything kept (a watcher started again)
	put("c", 2) // older than the kept value of c
	got, bad := decoded[int](f, "b")
	if bad != 0 || len(got) != 3 {
		t.Fatalf("kept %v (%d bad)", got, bad)
	}
	sum := 0
	for _, v := range got {
		sum += v
	}
	if sum != 4+3+5 {
		t.Errorf("kept %v, want the values of revisions 3, 4 and 5", got)
	}
	f.Put("b", "x", 9, []byte("not json"))
	if _, bad := decoded[int](f, "b"); bad != 1 {
		t.Errorf("undecodable entries: %d", bad)
	}
	f.Delete("b", "x")
	if _, bad := decoded[int](f, "b"); bad != 0 {
		t.Errorf("after delete: %d bad", bad)
	}
}

// The feed follows a real bucket: values written before and after it
// starts, and deletions.
func TestFeedWatchesABucket(t *testing.T) {
	js := natstest.JetStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: record.ActionsBucket})
	if err != nil {
		t.Fatal(err)
	}
	putRec := func(id string, state record.State) {
		data, _ := json.Marshal(record.Record{Intent: record.Intent{ID: id}, State: state, CreatedAt: time.Now()})
		if _, err := kv.Put(ctx, id, data); err != nil {
			t.Fatal(err)
		}
	}
	putRec("before", record.Pending)
	f := NewFeed(10, nil)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { f.Watch(wctx, js, record.ActionsBucket); close(done) }()
	defer func() { stop(); <-done }()

	waitFor := func(what string, ok func([]record.Record) bool) {
		t.Helper()
		for {
			recs, _ := decoded[record.Record](f, record.ActionsBucket)
			if f.Loaded(record.ActionsBucket) && ok(recs) {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("the feed never showed %s: %+v", what, recs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("the value written before it started", func(r []record.Record) bool { return len(r) == 1 && r[0].ID == "before" })
	putRec("before", record.Mined)
	putRec("after", record.Sent)
	waitFor("the updates", func(r []record.Record) bool {
		states := map[string]record.State{}
		for _, x := range r {
			states[x.ID] = x.State
		}
		return len(r) == 2 && states["before"] == record.Mined && states["after"] == record.Sent
	})
	if err := kv.Delete(ctx, "after"); err != nil {
		t.Fatal(err)
	}
	waitFor("the deletion", func(r []record.Record) bool { return len(r) == 1 })

	// What 'firebreak actions' reads: the whole bucket, and one action.
	recs, err := ReadActions(ctx, js)
	if err != nil || len(recs) != 1 || recs[0].ID != "before" || recs[0].State != record.Mined {
		t.Fatalf("ReadActions = %+v, %v", recs, err)
	}
	if rec, err := ReadAction(ctx, js, "before"); err != nil || rec.State != record.Mined {
		t.Fatalf("ReadAction = %+v, %v", rec, err)
	}
	for _, id := range []string{"missing", "not a key!"} {
		if _, err := ReadAction(ctx, js, id); !errors.Is(err, ErrNoAction) {
			t.Errorf("ReadAction(%q) = %v, want ErrNoAction", id, err)
		}
	}
}

func TestReadActionsEmptyAndMissingBucket(t *testing.T) {
	js := natstest.JetStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := ReadActions(ctx, js); err == nil || !errors.Is(err, jetstream.ErrBucketNotFound) {
		t.Errorf("no bucket: %v", err)
	}
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: record.ActionsBucket}); err != nil {
		t.Fatal(err)
	}
	if recs, err := ReadActions(ctx, js); err != nil || len(recs) != 0 {
		t.Errorf("empty bucket: %v, %v", recs, err)
	}
}

// A Server on a real listener over a real NATS: what is written to the
// buckets shows in /api/state, and Run returns once its context ends,
// with the port closed.
func TestServerRunsAndStops(t *testing.T) {
	js := natstest.JetStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var actions jetstream.KeyValue
	for _, b := range watched {
		kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if b == record.ActionsBucket {
			actions = kv
		}
	}
	opts := config.DefaultOptions()
	opts.Console = config.ConsoleOptions{Listen: "127.0.0.1:0"}
	s, err := New(Options{Config: opts, JS: js, KillSwitch: &memSwitch{}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	data, _ := json.Marshal(record.Record{Intent: record.Intent{ID: "live-0"}, State: record.Sent})
	if _, err := actions.Put(ctx, "live-0", data); err != nil {
		t.Fatal(err)
	}
	url := "http://" + s.Addr() + "/api/state"
	for {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		var st State
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err == nil && !st.Loading && len(st.Actions) == 1 && st.Actions[0].ID == "live-0" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the action never showed: %+v %v", st, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Run did not return")
	}
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Fatal("the console still answers after Run returned")
	}
}
