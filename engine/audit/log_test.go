package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/ingest"
)

func newLog(t *testing.T, js jetstream.JetStream, configure func(*Options)) *Log {
	t.Helper()
	opts := DefaultOptions()
	opts.Now = fixedClock()
	if configure != nil {
		configure(&opts)
	}
	l, err := NewLog(ctxT(t), js, opts, discard())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestAppendReadVerifyExport(t *testing.T) {
	js, _ := startJetStream(t)
	ctx := ctxT(t)
	key := testKey()
	l := newLog(t, js, func(o *Options) { o.Key = key })
	entries := []Entry{
		{Kind: KindReceived, EventID: "ev-a", Protocol: "demo", Data: map[string]any{"n": 1}},
		{Kind: KindReceived, EventID: "ev-b", Protocol: "other", Data: map[string]any{"n": 2}},
		{Kind: KindDecision, EventID: "ev-a", Protocol: "demo", Data: map[string]any{"n": 3}},
		{Kind: KindRejected, Data: map[string]any{"reason": "bad"}},
		{Kind: KindMined, EventID: "ev-a", Protocol: "demo", ActionID: "x-0", Data: map[string]any{"n": 5}},
	}
	for i, e := range entries {
		rec, err := l.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Seq != uint64(i+1) || rec.Sig == "" {
			t.Fatalf("record %d = %+v, want seq %d, signed", i, rec, i+1)
		}
	}
	rd, err := NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	story, err := rd.Event(ctx, "ev-a")
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(story); got != "1 3 5" {
		t.Errorf("story of ev-a = records %s, want 1 3 5", got)
	}
	for _, tt := range []struct {
		name string
		f    Filter
		want string
	}{
		{"all", Filter{}, "1 2 3 4 5"},
		{"kind", Filter{Kind: KindReceived}, "1 2"},
		{"protocol", Filter{Protocol: "other"}, "2"},
		{"event and kind", Filter{EventID: "ev-a", Kind: KindMined}, "5"},
		{"limit", Filter{Limit: 2}, "1 2"},
		{"since", Filter{Since: story[1].Time}, "3 4 5"},
		{"nothing", Filter{EventID: "nobody"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := rd.List(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(recs); got != tt.want {
				t.Errorf("List(%+v) = %s, want %s", tt.f, got, tt.want)
			}
		})
	}
	if _, err := rd.Event(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Event(nobody) = %v, want ErrNotFound", err)
	}
	if _, err := rd.Get(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(99) = %v, want ErrNotFound", err)
	}

	pub := key.Public().(ed25519.PublicKey)
	rep, err := rd.Verify(ctx, VerifyOptions{PublicKey: pub})
	if err != nil || rep.Records != 5 || rep.Signed != 5 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	var buf bytes.Buffer
	if n, err := rd.Export(ctx, &buf); err != nil || n != 5 {
		t.Fatalf("Export = %d, %v", n, err)
	}
	frep, err := VerifyFile(&buf, VerifyOptions{PublicKey: pub})
	if err != nil || frep != rep {
		t.Fatalf("VerifyFile = %+v, %v; want %+v", frep, err, rep)
	}

	// A restarted writer continues the chain.
	l2 := newLog(t, js, func(o *Options) { o.Key = key })
	if rec, err := l2.Append(ctx, Entry{Kind: KindConfirmed, EventID: "ev-a"}); err != nil || rec.Seq != 6 {
		t.Fatalf("append after restart = %+v, %v", rec, err)
	}
	if _, err := rd.Verify(ctx, VerifyOptions{PublicKey: pub}); err != nil {
		t.Fatal(err)
	}
}

func seqs(recs []Record) string {
	var s []string
	for _, r := range recs {
		s = append(s, fmt.Sprint(r.Seq))
	}
	return strings.Join(s, " ")
}

// Several goroutines share a Log, and a second Log (another engine
// replica, on its own connection) appends to the same stream: the chain
// must stay one chain.
func TestConcurrentWritersDoNotForkTheChain(t *testing.T) {
	js, url := startJetStream(t)
	ctx := ctxT(t)
	logs := []*Log{newLog(t, js, nil), newLog(t, connect(t, url), nil)}
	const perWriter = 25
	var wg sync.WaitGroup
	errs := make(chan error, 8*perWriter)
	for w := range 8 {
		l := logs[w%2]
		wg.Go(func() {
			for i := range perWriter {
				if _, err := l.Append(ctx, Entry{Kind: KindSent, EventID: fmt.Sprintf("ev-%d", w), Data: map[string]int{"i": i}}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rd, err := NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rd.Verify(ctx, VerifyOptions{})
	if err != nil || rep.Records != 8*perWriter {
		t.Fatalf("Verify = %+v, %v; want %d records in one chain", rep, err, 8*perWriter)
	}
	for w := range 8 {
		recs, err := rd.Event(ctx, fmt.Sprintf("ev-%d", w))
		if err != nil || len(recs) != perWriter {
			t.Fatalf("event ev-%d: %d records, %v", w, len(recs), err)
		}
	}
}

func TestServerRefusesDeleteAndPurge(t *testing.T) {
	js, _ := startJetStream(t)
	ctx := ctxT(t)
	l := newLog(t, js, nil)
	for range 3 {
		if _, err := l.Append(ctx, Entry{Kind: KindReceived, EventID: "ev"}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := js.Stream(ctx, Stream)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMsg(ctx, 2); err == nil {
		t.Error("the server deleted an audit record")
	}
	if err := s.SecureDeleteMsg(ctx, 2); err == nil {
		t.Error("the server erased an audit record")
	}
	if err := s.Purge(ctx); err == nil {
		t.Error("the server purged the audit stream")
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject(Subject("ev", KindReceived))); err == nil {
		t.Error("the server purged an event's audit records")
	}
	// Turning the protection off is refused too, or at least not silent.
	_, err = js.UpdateStream(ctx, jetstream.StreamConfig{Name: Stream, Subjects: []string{SubjectPrefix + ">"}, Storage: jetstream.FileStorage})
	info, ierr := s.Info(ctx)
	if ierr != nil {
		t.Fatal(ierr)
	}
	if err == nil && (!info.Config.DenyDelete || !info.Config.DenyPurge) {
		t.Log("note: this server lets an administrator lift deny_delete/deny_purge; exports and their last hash are the defence")
	}
	if info.State.Msgs != 3 {
		t.Errorf("%d records left, want 3", info.State.Msgs)
	}
	rd, _ := NewReader(ctx, js)
	if _, err := rd.Verify(ctx, VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestSecretsNeverEnterARecord(t *testing.T) {
	js, _ := startJetStream(t)
	ctx := ctxT(t)
	secret := "tok_0123456789abcdef"
	l := newLog(t, js, func(o *Options) { o.Secrets = []string{secret, "short"} })
	rec, err := l.Append(ctx, Entry{Kind: KindFailed, EventID: "ev", Data: map[string]any{
		"error":            `Post "https://rpc.example/v3/` + secret + `": dial tcp: refused`,
		"nested":           []any{map[string]any{secret: "as a key"}},
		"short is not one": "short",
	}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := js.Stream(ctx, Stream)
	msg, err := s.GetMsg(ctx, rec.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(msg.Data, []byte(secret)) {
		t.Fatalf("the secret is in the stored record: %s", msg.Data)
	}
	if !bytes.Contains(msg.Data, []byte(Redacted)) || !bytes.Contains(msg.Data, []byte(`"short"`)) {
		t.Errorf("want the secret redacted and short strings kept: %s", msg.Data)
	}
	if _, err := ParseRecord(msg.Data); err != nil {
		t.Errorf("redacted record does not verify: %v", err)
	}
}

func TestAppendRejectsBadKind(t *testing.T) {
	js, _ := startJetStream(t)
	l := newLog(t, js, nil)
	for _, k := range []Kind{"", "Has.Dot", "UPPER", Kind(strings.Repeat("a", 33))} {
		if _, err := l.Append(ctxT(t), Entry{Kind: k}); !errors.Is(err, ErrAppend) {
			t.Errorf("Append(kind %q) = %v, want ErrAppend", k, err)
		}
	}
}

func TestAppendAllChainsInOrder(t *testing.T) {
	js, _ := startJetStream(t)
	ctx := ctxT(t)
	l := newLog(t, js, func(o *Options) { o.Key = testKey() })
	first, err := l.Append(ctx, Entry{Kind: KindReceived, EventID: "ev-a", Data: map[string]int{"n": 0}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := l.AppendAll(ctx,
		Entry{Kind: KindReceived, EventID: "ev-b", Data: map[string]int{"n": 1}},
		Entry{Kind: KindDecision, EventID: "ev-b", Data: map[string]int{"n": 2}},
		Entry{Kind: KindGuard, EventID: "ev-b", Data: map[string]int{"n": 3}},
	)
	if err != nil {
		t.Fatal(err)
	}
	prev := first.Hash
	for i, r := range recs {
		if r.Seq != uint64(i+2) || r.Prev != prev || r.Sig == "" {
			t.Fatalf("record %d = seq %d prev %.8s signed %v; want seq %d after %.8s, signed", i, r.Seq, r.Prev, r.Sig != "", i+2, prev)
		}
		prev = r.Hash
	}
	if next, err := l.Append(ctx, Entry{Kind: KindPlanned, EventID: "ev-b"}); err != nil || next.Seq != 5 || next.Prev != prev {
		t.Fatalf("Append after AppendAll = seq %d prev %.8s, %v; want seq 5 after %.8s", next.Seq, next.Prev, err, prev)
	}
	rd, err := NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := rd.Verify(ctx, VerifyOptions{PublicKey: l.PublicKey()}); err != nil || rep.Records != 5 {
		t.Fatalf("Verify = %+v, %v; want 5 records", rep, err)
	}
	story, err := rd.Event(ctx, "ev-b")
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(story); got != "2 3 4 5" {
		t.Errorf("story of ev-b = records %s, want 2 3 4 5", got)
	}
}

// Another replica appended after this Log last saw the tail: the batch is
// refused as a whole by the server and appended one by one after it,
// each record once.
func TestAppendAllFollowsAnotherWriter(t *testing.T) {
	js, url := startJetStream(t)
	ctx := ctxT(t)
	mine, other := newLog(t, js, nil), newLog(t, connect(t, url), nil)
	if _, err := mine.Append(ctx, Entry{Kind: KindReceived, EventID: "ev-a"}); err != nil {
		t.Fatal(err)
	}
	theirs, err := other.Append(ctx, Entry{Kind: KindReceived, EventID: "ev-x"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := mine.AppendAll(ctx,
		Entry{Kind: KindDecision, EventID: "ev-a", Data: map[string]int{"n": 1}},
		Entry{Kind: KindGuard, EventID: "ev-a", Data: map[string]int{"n": 2}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Seq != theirs.Seq+1 || recs[0].Prev != theirs.Hash || recs[1].Prev != recs[0].Hash {
		t.Fatalf("AppendAll = %s; want records %d and %d after the other writer's", seqs(recs), theirs.Seq+1, theirs.Seq+2)
	}
	verifyCount(t, js, 4)
}

// Batches and single appends from two replicas at once stay one chain,
// and each batch keeps its order.
func TestAppendAllConcurrentWriters(t *testing.T) {
	js, url := startJetStream(t)
	ctx := ctxT(t)
	logs := []*Log{newLog(t, js, nil), newLog(t, connect(t, url), nil)}
	const batches = 15
	var wg sync.WaitGroup
	errs := make(chan error, 4*batches)
	for w := range 4 {
		l := logs[w%2]
		wg.Go(func() {
			ev := fmt.Sprintf("ev-%d", w)
			for b := range batches {
				var err error
				if w == 3 {
					_, err = l.Append(ctx, Entry{Kind: KindSent, EventID: ev, Data: map[string]int{"i": b}})
				} else {
					_, err = l.AppendAll(ctx,
						Entry{Kind: KindReceived, EventID: ev, Data: map[string]int{"i": 3 * b}},
						Entry{Kind: KindDecision, EventID: ev, Data: map[string]int{"i": 3*b + 1}},
						Entry{Kind: KindGuard, EventID: ev, Data: map[string]int{"i": 3*b + 2}})
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rd, err := NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := rd.Verify(ctx, VerifyOptions{}); err != nil || rep.Records != 3*3*batches+batches {
		t.Fatalf("Verify = %+v, %v; want %d records in one chain", rep, err, 3*3*batches+batches)
	}
	for w := range 3 {
		recs, err := rd.Event(ctx, fmt.Sprintf("ev-%d", w))
		if err != nil || len(recs) != 3*batches {
			t.Fatalf("event ev-%d: %d records, %v", w, len(recs), err)
		}
		for i, r := range recs {
			var d struct{ I int }
			if err := json.Unmarshal(r.Data, &d); err != nil || d.I != i {
				t.Fatalf("event ev-%d: record %d holds i=%d (%v): a batch lost its order", w, i, d.I, err)
			}
		}
	}
}

func TestAppendAllRejectsBadKindBeforeAppending(t *testing.T) {
	js, _ := startJetStream(t)
	ctx := ctxT(t)
	l := newLog(t, js, nil)
	recs, err := l.AppendAll(ctx, Entry{Kind: KindReceived, EventID: "ev-a"}, Entry{Kind: "Bad.Kind", EventID: "ev-a"})
	if !errors.Is(err, ErrAppend) || len(recs) != 0 {
		t.Fatalf("AppendAll with a bad kind = %d records, %v; want none, ErrAppend", len(recs), err)
	}
	verifyCount(t, js, 0)
}

// verifyCount checks the whole chain and that it holds n records.
func verifyCount(t *testing.T, js jetstream.JetStream, n uint64) {
	t.Helper()
	rd, err := NewReader(ctxT(t), js)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := rd.Verify(ctxT(t), VerifyOptions{}); err != nil || rep.Records != n {
		t.Fatalf("Verify = %+v, %v; want %d records in one chain, none twice", rep, err, n)
	}
}

// The server goes away in the middle of an AppendAll and comes back: the
// batch's publishes wait in the client's reconnect buffer and may land
// after the one-by-one retries start. Every record is stored once, in
// order, in one chain.
func TestAppendAllAcrossAServerRestart(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	start := func() *ingest.Embedded {
		srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: dir, Host: "127.0.0.1", Port: port, Insecure: true}, discard())
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start()
	js := connect(t, srv.ClientURL())
	ctx := ctxT(t)
	log := newLog(t, js, func(o *Options) { o.RetryDelay = 20 * time.Millisecond })
	if _, err := log.Append(ctx, Entry{Kind: KindReceived, EventID: "ev-0"}); err != nil {
		t.Fatal(err)
	}
	srv.Shutdown()
	done := make(chan error, 1)
	go func() {
		_, err := log.AppendAll(ctx,
			Entry{Kind: KindReceived, EventID: "ev-1", Data: map[string]int{"i": 0}},
			Entry{Kind: KindDecision, EventID: "ev-1", Data: map[string]int{"i": 1}},
			Entry{Kind: KindGuard, EventID: "ev-1", Data: map[string]int{"i": 2}})
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	srv = start()
	defer srv.Shutdown()
	if err := <-done; err != nil {
		t.Fatalf("AppendAll across a restart: %v", err)
	}
	verifyCount(t, js, 4)
	rd, err := NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := rd.Event(ctx, "ev-1")
	if err != nil || len(recs) != 3 {
		t.Fatalf("event ev-1: %d records, %v; want 3", len(recs), err)
	}
	for i, r := range recs {
		var d struct{ I int }
		if err := json.Unmarshal(r.Data, &d); err != nil || d.I != i {
			t.Fatalf("record %d of ev-1 holds i=%d (%v): out of order", i, d.I, err)
		}
	}
}

func TestReaderHeadAndExpectHead(t *testing.T) {
	js, _ := startJetStream(t)
	ctx := ctxT(t)
	l := newLog(t, js, nil)
	rd, err := NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := rd.Head(ctx); err != nil || h.Seq != 0 || h.Hash != genesis {
		t.Fatalf("head of an empty log = %+v, %v; want 0 and the genesis hash", h, err)
	}
	var last Record
	for i := range 3 {
		if last, err = l.Append(ctx, Entry{Kind: KindReceived, EventID: fmt.Sprint("ev-", i)}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := rd.Head(ctx)
	if err != nil || h.Seq != 3 || h.Hash != last.Hash || !h.Time.Equal(last.Time) || h.Stream != Stream {
		t.Fatalf("Head = %+v, %v; want record 3 hash %s", h, err, last.Hash)
	}
	if rep, err := rd.Verify(ctx, VerifyOptions{ExpectHead: h.Hash, ExpectSeq: h.Seq}); err != nil || rep.HeadSeq != 3 {
		t.Fatalf("Verify with the head = %+v, %v", rep, err)
	}
	_, err = rd.Verify(ctx, VerifyOptions{ExpectHead: strings.Repeat("ab", 32), ExpectSeq: 3})
	var broken *BrokenError
	if !errors.As(err, &broken) || broken.Seq != 3 {
		t.Fatalf("Verify with another head = %v, want broken at record 3", err)
	}
}
