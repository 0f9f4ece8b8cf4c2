package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// restartable is a real nats-server with JetStream on a fixed folder and
// port, which a test stops (the audit stream is away) and starts again.
type restartable struct {
	t    testing.TB
	dir  string
	port int
	srv  *server.Server
}

func startRestartable(t testing.TB) *restartable {
	r := &restartable{t: t, dir: t.TempDir(), port: -1}
	r.start()
	r.port = r.srv.Addr().(*net.TCPAddr).Port
	return r
}

func (r *restartable) url() string { return "nats://127.0.0.1:" + strconv.Itoa(r.port) }

func (r *restartable) start() {
	r.t.Helper()
	srv, err := server.NewServer(&server.Options{
		ServerName: "spilltest", Host: "127.0.0.1", Port: r.port, JetStream: true,
		StoreDir: r.dir, NoSigs: true, NoLog: true,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		r.t.Fatal("the NATS server did not start")
	}
	r.srv = srv
	r.t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
}

func (r *restartable) stop() {
	r.srv.Shutdown()
	r.srv.WaitForShutdown()
}

// waitDrained waits until every reported record is in the stream.
func waitDrained(t *testing.T, ctx context.Context, rec *Recorder) {
	t.Helper()
	for rec.QueueLen() > 0 {
		select {
		case <-ctx.Done():
			t.Fatalf("records still waiting for the stream: %d (%d spilled)", rec.QueueLen(), rec.Spilled())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// duplicates reads the duplicate records in stream order and checks the
// whole chain.
func duplicates(t *testing.T, ctx context.Context, js jetstream.JetStream, key ed25519.PrivateKey) []string {
	t.Helper()
	rd, err := NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Verify(ctx, VerifyOptions{PublicKey: key.Public().(ed25519.PublicKey)}); err != nil {
		t.Fatalf("audit verify: %v", err)
	}
	recs, err := rd.List(ctx, Filter{Kind: KindDuplicate})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.EventID)
	}
	return ids
}

func evID(i int) string { return fmt.Sprintf("ev-%05d", i) }

// With the stream away, reporting more records than the queue holds never
// waits: the surplus, and everything after the first record the stream did
// not take, goes to the spill file. Once the server is back, every record
// reaches the stream in the order reported, none twice, and the chain
// verifies.
func TestSpillFullQueueNeverBlocksAndReplaysInOrder(t *testing.T) {
	ns := startRestartable(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	nc, err := ingest.Dial(ns.url(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	key := testKey()
	l := newLog(t, js, func(o *Options) { o.Key, o.RetryDelay = key, 10*time.Millisecond })
	rec := NewRecorder(ctx, l, discard())
	rec.spillAfter, rec.queueCap = 200*time.Millisecond, 64
	var lost atomic.Int64
	rec.SetOnLost(func() { lost.Add(1) })
	dir := filepath.Join(t.TempDir(), SpillDir)
	if err := rec.OpenSpill(dir); err != nil {
		t.Fatal(err)
	}
	report := func(i int) { rec.Duplicate(ctx, event.Event{ID: evID(i), Protocol: "demo"}) }
	report(0)
	waitDrained(t, ctx, rec)

	ns.stop()
	t0 := time.Now()
	const n = 64 + 200
	done := make(chan struct{})
	go func() {
		for i := 1; i <= n; i++ {
			report(i)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("reporting records blocked while the stream was away (%d waiting)", rec.QueueLen())
	}
	if rec.Spilled() == 0 || rec.QueueLen() != n || lost.Load() != 0 {
		t.Fatalf("with the stream away: %d spilled, %d waiting, %d lost; want some spilled, all %d waiting, none lost", rec.Spilled(), rec.QueueLen(), lost.Load(), n)
	}
	if info, err := os.Stat(filepath.Join(dir, SpillFile)); err != nil || info.Size() == 0 {
		t.Fatalf("the spill file: %v, %v; want it on disk", info, err)
	}

	t.Logf("reported in %v", time.Since(t0))
	t0 = time.Now()
	ns.start()
	waitDrained(t, ctx, rec)
	t.Logf("replayed in %v", time.Since(t0))
	rec.Close()
	ids := duplicates(t, ctx, js, key)
	if len(ids) != n+1 {
		t.Fatalf("the stream holds %d duplicate records, want %d", len(ids), n+1)
	}
	for i, id := range ids {
		if id != evID(i) {
			t.Fatalf("record %d is about %s, want %s: out of order", i, id, evID(i))
		}
	}
	if lost.Load() != 0 {
		t.Fatalf("%d records reported lost", lost.Load())
	}
	if info, err := os.Stat(filepath.Join(dir, SpillFile)); err != nil || info.Size() != 0 {
		t.Fatalf("the spill file after the replay: %v, %v; want it emptied", info, err)
	}
}

// A run that stopped (crashed) with records in the spill loses none: the
// next start replays them, in order, before what it reports itself. A
// last line cut short by the crash is cut off, a damaged line is skipped
// and reported lost, and the chain verifies.
func TestSpillReplayedAtStart(t *testing.T) {
	js, _ := startJetStream(t)
	ctx := ctxT(t)
	key := testKey()
	l := newLog(t, js, func(o *Options) { o.Key = key })
	dir := filepath.Join(t.TempDir(), SpillDir)

	// What the crashed run left: four records spilled, one of them
	// damaged on disk, and a line it was writing when it died.
	s, _, err := openSpill(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		p, err := l.prepare(Entry{Kind: KindDuplicate, EventID: evID(i), Protocol: "demo", Data: NewDuplicateData(event.Event{ID: evID(i)})})
		if err != nil {
			t.Fatal(err)
		}
		line, err := encodeSpillLine(p, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			line = bytes.Replace(line, []byte(evID(i)), []byte("ev-tampr"), 1)
		}
		if err := s.write(line); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.f.WriteString(`{"sha256":"00","record":{"kind":"dupl`); err != nil {
		t.Fatal(err)
	}
	_ = s.f.Close()

	rec := NewRecorder(ctx, l, discard())
	var lost atomic.Int64
	rec.SetOnLost(func() { lost.Add(1) })
	if err := rec.OpenSpill(dir); err != nil {
		t.Fatal(err)
	}
	rec.Duplicate(ctx, event.Event{ID: evID(4), Protocol: "demo"})
	waitDrained(t, ctx, rec)
	rec.Close()
	got := fmt.Sprint(duplicates(t, ctx, js, key))
	if want := fmt.Sprint([]string{evID(0), evID(1), evID(3), evID(4)}); got != want || lost.Load() != 1 {
		t.Fatalf("stream holds %s with %d lost; want %s, the damaged line reported lost", got, lost.Load(), want)
	}
}

// A spill line is read back only when its checksum and content hold.
func TestDecodeSpillLine(t *testing.T) {
	p := pending{e: Entry{Kind: KindMined, EventID: "ev-1", ActionID: "ev-1-0"}, data: []byte(`{"n":1}`), msgID: "audit-1"}
	line, err := encodeSpillLine(p, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	got, err := decodeSpillLine(line)
	if err != nil || got.msgID != p.msgID || got.e != p.e || string(got.data) != string(p.data) || got.subject != Subject("ev-1", KindMined) {
		t.Fatalf("decodeSpillLine = %+v, %v; want %+v", got, err, p)
	}
	for name, bad := range map[string][]byte{
		"payload changed": bytes.Replace(line, []byte(`"n":1`), []byte(`"n":2`), 1),
		"not json":        []byte("not json"),
		"empty":           nil,
		"cut short":       line[:len(line)/2],
		"bad kind":        mustLine(t, pending{e: Entry{Kind: "Bad Kind"}, data: []byte(`{}`), msgID: "x"}),
		"no message id":   mustLine(t, pending{e: Entry{Kind: KindMined}, data: []byte(`{}`)}),
	} {
		if _, err := decodeSpillLine(bad); err == nil {
			t.Errorf("%s: decoded, want an error", name)
		}
	}
}

func mustLine(t *testing.T, p pending) []byte {
	t.Helper()
	line, err := encodeSpillLine(p, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(line, []byte{'\n'})
}

func FuzzDecodeSpillLine(f *testing.F) {
	p := pending{e: Entry{Kind: KindMined, EventID: "ev-1"}, data: []byte(`{"n":1}`), msgID: "audit-1"}
	line, _ := encodeSpillLine(p, time.Unix(0, 0))
	f.Add(bytes.TrimSuffix(line, []byte{'\n'}))
	f.Add([]byte(`{"sha256":"","record":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeSpillLine(data)
		if err == nil && (!got.e.Kind.Valid() || got.msgID == "") {
			t.Fatalf("decoded an invalid record: %+v", got)
		}
	})
}

// A spill whose cursor file is damaged still opens, from its start: a
// start is never refused over it.
func TestSpillDamagedCursorReplaysFromTheStart(t *testing.T) {
	dir := t.TempDir()
	s, _, err := openSpill(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		line, err := encodeSpillLine(pending{e: Entry{Kind: KindMined, EventID: evID(i)}, data: []byte(`{}`), msgID: evID(i)}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SpillCursor), []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _, err = openSpill(dir)
	if err != nil {
		t.Fatalf("openSpill with a damaged cursor: %v", err)
	}
	defer s.close()
	if s.badCursor == nil || s.cursor != 0 || s.waiting != 3 {
		t.Fatalf("cursor %d, %d waiting, bad cursor %v; want 0, 3, the reason", s.cursor, s.waiting, s.badCursor)
	}
	p, _, err := s.next()
	if err != nil || p.msgID != evID(0) {
		t.Fatalf("first record: %+v, %v; want %s", p, err, evID(0))
	}
}

// Without a spill file (no data folder) a full queue still never blocks
// the caller: the surplus is reported lost, loudly, instead.
func TestRecorderWithoutSpillNeverBlocks(t *testing.T) {
	ns := startRestartable(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nc, err := ingest.Dial(ns.url(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(ctx, newLog(t, js, nil), discard())
	rec.spillAfter, rec.queueCap = 100*time.Millisecond, 4
	defer rec.cancel() // no Close: it would wait out its grace for the stream
	var lost atomic.Int64
	rec.SetOnLost(func() { lost.Add(1) })
	ns.stop()
	done := make(chan struct{})
	go func() {
		for i := range 50 {
			rec.Duplicate(ctx, event.Event{ID: evID(i)})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("reporting blocked on a full queue")
	}
	if n := lost.Load(); n < 50-4-1 {
		t.Fatalf("%d records reported lost, want at least the %d beyond the queue", n, 50-4-1)
	}
}
