package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// openWithCheckpoint opens a Log keeping its checkpoint at path.
func openWithCheckpoint(t *testing.T, js jetstream.JetStream, path string, configure func(*Options)) (*Log, error) {
	t.Helper()
	opts := DefaultOptions()
	opts.Now = fixedClock()
	opts.CheckpointPath = path
	if configure != nil {
		configure(&opts)
	}
	l, err := NewLog(ctxT(t), js, opts, discard())
	if err == nil {
		t.Cleanup(func() { _ = l.Close() })
	}
	return l, err
}

// appendN appends n records about event ev and returns the last.
func appendN(t *testing.T, l *Log, ev string, n int) Record {
	t.Helper()
	var last Record
	for i := range n {
		var err error
		if last, err = l.Append(ctxT(t), Entry{Kind: KindReceived, EventID: ev, Data: map[string]int{"i": i}}); err != nil {
			t.Fatal(err)
		}
	}
	return last
}

// recreate deletes the audit stream, as anyone allowed the stream API
// can, and writes n records of another story into a new one.
func recreate(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	if err := js.DeleteStream(ctxT(t), Stream); err != nil {
		t.Fatal(err)
	}
	if n < 0 {
		return // deleted, not recreated
	}
	if _, err := EnsureStream(ctxT(t), js, 1); err != nil {
		t.Fatal(err)
	}
	appendN(t, newLog(t, js, nil), "forged", n)
}

func TestCheckpointRefusesAStreamThatLostIt(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, js jetstream.JetStream)
		found  string // "": the stream holds the checkpoint
		// overrideSeq is where the override record lands with the accept
		// option.
		overrideSeq uint64
		// lost: records are gone for good, the chain cannot verify.
		lost bool
	}{
		{"intact", func(*testing.T, jetstream.JetStream) {}, "", 0, false},
		{"grown by another writer", func(t *testing.T, js jetstream.JetStream) { appendN(t, newLog(t, js, nil), "other", 2) }, "", 0, false},
		{"deleted", func(t *testing.T, js jetstream.JetStream) { recreate(t, js, -1) }, "the stream does not exist", 1, false},
		{"deleted and recreated", func(t *testing.T, js jetstream.JetStream) { recreate(t, js, 0) }, "the stream is empty", 1, false},
		{"replaced by a shorter stream", func(t *testing.T, js jetstream.JetStream) { recreate(t, js, 3) }, "the stream ends at record 3", 4, false},
		{"replaced by as many other records", func(t *testing.T, js jetstream.JetStream) { recreate(t, js, 5) }, "its record 5 has hash", 6, false},
		{"replaced by a longer stream", func(t *testing.T, js jetstream.JetStream) { recreate(t, js, 8) }, "its record 5 has hash", 9, false},
		{"old records dropped by a limit", func(t *testing.T, js jetstream.JetStream) {
			// An administrator sets a limit with discard old: the server
			// drops the oldest records, deny delete notwithstanding.
			cfg := StreamConfig(1, 0)
			cfg.Discard, cfg.MaxMsgs = jetstream.DiscardOld, 2
			if _, err := js.UpdateStream(ctxT(t), cfg); err != nil {
				t.Fatal(err)
			}
		}, "records 1 to 3 are gone", 6, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, _ := startJetStream(t)
			ctx := ctxT(t)
			path := filepath.Join(t.TempDir(), CheckpointFile)
			l, err := openWithCheckpoint(t, js, path, nil)
			if err != nil {
				t.Fatal(err)
			}
			head := appendN(t, l, "ev", 5)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if cp, err := LoadCheckpoint(path); err != nil || cp.Seq != 5 || cp.Hash != head.Hash {
				t.Fatalf("checkpoint after Close = %+v, %v; want record 5, %s", cp, err, head.Hash)
			}
			tt.tamper(t, js)

			_, err = openWithCheckpoint(t, js, path, nil)
			if tt.found == "" {
				if err != nil {
					t.Fatalf("NewLog on a stream that holds the checkpoint: %v", err)
				}
				return
			}
			var cerr *CheckpointError
			if !errors.Is(err, ErrCheckpointMismatch) || !errors.As(err, &cerr) {
				t.Fatalf("NewLog = %v, want a *CheckpointError (ErrCheckpointMismatch)", err)
			}
			for _, want := range []string{path, "record 5", head.Hash, tt.found, "--accept-audit-reset"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not mention %q:\n%v", want, err)
				}
			}
			if _, serr := js.Stream(ctx, Stream); tt.found == "the stream does not exist" && !errors.Is(serr, jetstream.ErrStreamNotFound) {
				t.Errorf("the refused start created the stream (%v): the next start would find it empty instead of missing", serr)
			}
			// A refused start changes nothing: refused again.
			if _, err := openWithCheckpoint(t, js, path, nil); !errors.Is(err, ErrCheckpointMismatch) {
				t.Fatalf("second NewLog = %v, want ErrCheckpointMismatch again", err)
			}

			l, err = openWithCheckpoint(t, js, path, func(o *Options) { o.AcceptReset = true })
			if err != nil {
				t.Fatalf("NewLog with AcceptReset: %v", err)
			}
			next := appendN(t, l, "after", 1)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			rd, err := NewReader(ctx, js)
			if err != nil {
				t.Fatal(err)
			}
			over, err := rd.Get(ctx, tt.overrideSeq)
			if err != nil || over.Kind != KindCheckpointOverride || next.Seq != tt.overrideSeq+1 {
				t.Fatalf("record %d = %s (%v), next %d; want the override record first, then the append", tt.overrideSeq, over.Kind, err, next.Seq)
			}
			var d CheckpointOverrideData
			if err := json.Unmarshal(over.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.CheckpointFile != path || d.CheckpointSeq != 5 || d.CheckpointHash != head.Hash || !strings.Contains(d.Found, tt.found) ||
				d.StreamSeq != tt.overrideSeq-1 || d.StreamHash != over.Prev {
				t.Errorf("override record = %+v; want the old checkpoint (5, %s), what was found, and the head it follows", d, head.Hash)
			}
			if !strings.Contains(over.Summary(), "does not hold the checkpoint") {
				t.Errorf("summary %q", over.Summary())
			}
			if _, err := rd.Verify(ctx, VerifyOptions{}); (err != nil) != tt.lost {
				t.Fatalf("Verify = %v; lost records: %v", err, tt.lost)
			}
			// The checkpoint now names the new stream: the next start is
			// an ordinary one, and records no override.
			if cp, err := LoadCheckpoint(path); err != nil || cp.Seq != next.Seq || cp.Hash != next.Hash {
				t.Fatalf("checkpoint after the accepted start = %+v, %v; want record %d", cp, err, next.Seq)
			}
			l, err = openWithCheckpoint(t, js, path, func(o *Options) { o.AcceptReset = true })
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if h, err := rd.Head(ctx); err != nil || h.Seq != next.Seq {
				t.Fatalf("head after a start that needed no override = %+v, %v; want record %d, no new record", h, err, next.Seq)
			}
		})
	}
}

func TestCheckpointUnreadable(t *testing.T) {
	js, _ := startJetStream(t)
	path := filepath.Join(t.TempDir(), CheckpointFile)
	for name, content := range map[string]string{
		"not JSON":       "garbage",
		"another stream": `{"stream":"OTHER","seq":1,"hash":"` + strings.Repeat("a", 64) + `"}`,
		"bad hash":       `{"stream":"FIREBREAK_AUDIT","seq":1,"hash":"xyz"}`,
		"record 0":       `{"stream":"FIREBREAK_AUDIT","seq":0,"hash":"` + strings.Repeat("a", 64) + `"}`,
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := openWithCheckpoint(t, js, path, nil); !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: NewLog = %v, want ErrCheckpoint naming the file", name, err)
		}
	}
	l, err := openWithCheckpoint(t, js, path, func(o *Options) { o.AcceptReset = true })
	if err != nil {
		t.Fatal(err)
	}
	rd, _ := NewReader(ctxT(t), js)
	rec, err := rd.Get(ctxT(t), 1)
	if err != nil || rec.Kind != KindCheckpointOverride || !strings.Contains(string(rec.Data), "could not be read") {
		t.Fatalf("record 1 = %+v, %v; want the override of an unreadable checkpoint", rec, err)
	}
	if got := l.Checkpoint(); got.Seq != 1 || got.Hash != rec.Hash {
		t.Errorf("Checkpoint() = %+v, want record 1", got)
	}
}

func TestMissingCheckpointFileIsAFirstStart(t *testing.T) {
	js, _ := startJetStream(t)
	appendN(t, newLog(t, js, nil), "before", 2) // a log kept before checkpoints
	path := filepath.Join(t.TempDir(), "sub", CheckpointFile)
	l, err := openWithCheckpoint(t, js, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The file exists from the start on, naming the tail found.
	cp, err := LoadCheckpoint(path)
	if err != nil || cp.Seq != 2 || cp.Stream != Stream || cp.WrittenAt.IsZero() {
		t.Fatalf("checkpoint at the first start = %+v, %v; want record 2", cp, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint file mode: %v, %v; want 0600", st, err)
	}
	if l.Checkpoint() != (Checkpoint{Stream: Stream, Seq: 2, Hash: cp.Hash, FirstSeq: 1}) {
		t.Errorf("Checkpoint() = %+v", l.Checkpoint())
	}
}

// The checkpoint names only records the server confirmed stored: after
// every kind of failed or partial append it names a record the stream
// holds, with that record's hash, and never one past the tail.
func TestCheckpointNeverAheadOfTheLog(t *testing.T) {
	tests := []struct {
		name string
		// run appends through mine (a Log with a checkpoint) and other
		// (one without, another engine replica).
		run     func(t *testing.T, mine, other *Log, closeMine func())
		wantSeq uint64
	}{
		{"nothing appended", func(*testing.T, *Log, *Log, func()) {}, 0},
		{"appends", func(t *testing.T, mine, _ *Log, _ func()) { appendN(t, mine, "ev", 3) }, 3},
		{"a bad kind is refused", func(t *testing.T, mine, _ *Log, _ func()) {
			appendN(t, mine, "ev", 1)
			if _, err := mine.Append(ctxT(t), Entry{Kind: "Bad.Kind"}); err == nil {
				t.Fatal("appended a bad kind")
			}
		}, 1},
		{"a record too large is refused", func(t *testing.T, mine, _ *Log, _ func()) {
			appendN(t, mine, "ev", 1)
			if _, err := mine.Append(ctxT(t), Entry{Kind: KindFailed, Data: map[string]string{"e": strings.Repeat("x", maxRecordSize)}}); !errors.Is(err, ErrAppend) {
				t.Fatalf("append of a record too large = %v", err)
			}
		}, 1},
		{"another writer appended after", func(t *testing.T, mine, other *Log, _ func()) {
			appendN(t, mine, "ev", 1)
			appendN(t, other, "other", 2)
		}, 1},
		{"another writer appended before", func(t *testing.T, mine, other *Log, _ func()) {
			appendN(t, mine, "ev", 1)
			appendN(t, other, "other", 2)
			appendN(t, mine, "ev", 1) // a conflict: re-read, append after
		}, 4},
		{"AppendAll", func(t *testing.T, mine, _ *Log, _ func()) {
			if _, err := mine.AppendAll(ctxT(t), Entry{Kind: KindReceived}, Entry{Kind: KindDecision}, Entry{Kind: KindGuard}); err != nil {
				t.Fatal(err)
			}
		}, 3},
		{"AppendAll after another writer", func(t *testing.T, mine, other *Log, _ func()) {
			appendN(t, mine, "ev", 1)
			appendN(t, other, "other", 1)
			if _, err := mine.AppendAll(ctxT(t), Entry{Kind: KindReceived}, Entry{Kind: KindDecision}); err != nil {
				t.Fatal(err)
			}
		}, 4},
		{"AppendAll with a bad entry appends nothing", func(t *testing.T, mine, _ *Log, _ func()) {
			appendN(t, mine, "ev", 1)
			if _, err := mine.AppendAll(ctxT(t), Entry{Kind: KindReceived}, Entry{Kind: "Bad.Kind"}); err == nil {
				t.Fatal("appended a bad kind")
			}
		}, 1},
		{"the connection is gone", func(t *testing.T, mine, _ *Log, closeMine func()) {
			appendN(t, mine, "ev", 2)
			closeMine()
			if _, err := mine.Append(ctxT(t), Entry{Kind: KindReceived}); !errors.Is(err, ErrAppend) {
				t.Fatalf("append without a connection = %v", err)
			}
			if _, err := mine.AppendAll(ctxT(t), Entry{Kind: KindReceived}, Entry{Kind: KindDecision}); !errors.Is(err, ErrAppend) {
				t.Fatalf("AppendAll without a connection = %v", err)
			}
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, url := startJetStream(t)
			nc := connect(t, url) // mine's own connection, to cut
			path := filepath.Join(t.TempDir(), CheckpointFile)
			mine, err := openWithCheckpoint(t, nc, path, func(o *Options) {
				// A real clock: RetryFor is measured by it.
				o.Now, o.RetryFor, o.RetryDelay = time.Now, 100*time.Millisecond, 10*time.Millisecond
			})
			if err != nil {
				t.Fatal(err)
			}
			other := newLog(t, js, nil)
			tt.run(t, mine, other, func() { nc.Conn().Close() })
			if err := mine.Close(); err != nil {
				t.Fatal(err)
			}
			file, err := LoadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			mem := mine.Checkpoint()
			if file.Seq != mem.Seq || file.Hash != mem.Hash {
				t.Fatalf("file %+v, memory %+v: Close wrote another head", file, mem)
			}
			if file.Seq != tt.wantSeq {
				t.Errorf("checkpoint names record %d, want %d", file.Seq, tt.wantSeq)
			}
			assertStored(t, js, file)
		})
	}
}

// assertStored fails unless the stream holds cp's record.
func assertStored(t *testing.T, js jetstream.JetStream, cp Checkpoint) {
	t.Helper()
	rd, err := NewReader(ctxT(t), js)
	if err != nil {
		t.Fatal(err)
	}
	h, err := rd.Head(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if cp.Seq > h.Seq {
		t.Fatalf("checkpoint names record %d, past the tail %d", cp.Seq, h.Seq)
	}
	if cp.Seq == 0 {
		if cp.Hash != genesis {
			t.Fatalf("checkpoint of record 0 with hash %s", cp.Hash)
		}
		return
	}
	r, err := rd.Get(ctxT(t), cp.Seq)
	if err != nil || r.Hash != cp.Hash {
		t.Fatalf("record %d = %s, %v; the checkpoint says %s", cp.Seq, r.Hash, err, cp.Hash)
	}
}

// The stream is deleted and recreated under a running Log: appends go
// on, the first record in the new stream says what was lost, and the
// checkpoint keeps the old head so that the next start refuses.
func TestStreamReplacedWhileRunning(t *testing.T) {
	for _, batch := range []bool{false, true} {
		t.Run(fmt.Sprintf("batch=%v", batch), func(t *testing.T) {
			js, _ := startJetStream(t)
			ctx := ctxT(t)
			path := filepath.Join(t.TempDir(), CheckpointFile)
			l, err := openWithCheckpoint(t, js, path, nil)
			if err != nil {
				t.Fatal(err)
			}
			head := appendN(t, l, "ev", 3)
			recreate(t, js, 0)
			entries := []Entry{{Kind: KindReceived, EventID: "ev-2"}, {Kind: KindDecision, EventID: "ev-2"}}
			if batch {
				if _, err = l.AppendAll(ctx, entries...); err != nil {
					t.Fatal(err)
				}
			} else {
				for _, e := range entries {
					if _, err := l.Append(ctx, e); err != nil {
						t.Fatal(err)
					}
				}
			}
			rd, _ := NewReader(ctx, js)
			recs, err := rd.List(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(recs); got != "stream_replaced received decision" {
				t.Fatalf("new stream holds %s; want the notice first, then the records, once each", got)
			}
			var d CheckpointOverrideData
			if err := json.Unmarshal(recs[0].Data, &d); err != nil || d.CheckpointSeq != 3 || d.CheckpointHash != head.Hash || d.Found != "the stream is empty" {
				t.Fatalf("notice = %+v, %v", d, err)
			}
			if _, err := rd.Verify(ctx, VerifyOptions{}); err != nil {
				t.Fatal(err)
			}
			if cp := l.Checkpoint(); cp.Seq != 3 || cp.Hash != head.Hash {
				t.Fatalf("Checkpoint() = %+v; want the old head kept", cp)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := openWithCheckpoint(t, js, path, nil); !errors.Is(err, ErrCheckpointMismatch) {
				t.Fatalf("next start = %v, want ErrCheckpointMismatch", err)
			}
		})
	}
}

// A stream deleted before this Log stored anything lost nothing of it:
// nothing to say (the engine's test of an audit outage does this).
func TestStreamDeletedBeforeAnyRecord(t *testing.T) {
	js, _ := startJetStream(t)
	path := filepath.Join(t.TempDir(), CheckpointFile)
	l, err := openWithCheckpoint(t, js, path, func(o *Options) {
		o.Now, o.RetryFor, o.RetryDelay = time.Now, 50*time.Millisecond, 10*time.Millisecond
	})
	if err != nil {
		t.Fatal(err)
	}
	recreate(t, js, -1)
	if _, err := l.Append(ctxT(t), Entry{Kind: KindReceived}); !errors.Is(err, ErrAppend) {
		t.Fatalf("append without a stream = %v", err)
	}
	if _, err := EnsureStream(ctxT(t), js, 1); err != nil {
		t.Fatal(err)
	}
	rec, err := l.Append(ctxT(t), Entry{Kind: KindReceived})
	if err != nil || rec.Seq != 1 {
		t.Fatalf("append = %+v, %v; want record 1, no notice", rec, err)
	}
	if cp := l.Checkpoint(); cp.Seq != 1 || cp.Hash != rec.Hash {
		t.Fatalf("Checkpoint() = %+v, want record 1", cp)
	}
}

func kinds(recs []Record) string {
	var s []string
	for _, r := range recs {
		s = append(s, string(r.Kind))
	}
	return strings.Join(s, " ")
}

func TestSaveCheckpointIsAtomicAnd0600(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, CheckpointFile)
	old := Checkpoint{Stream: Stream, Seq: 1, Hash: strings.Repeat("1", 64)}
	// An earlier file readable by others is replaced, not rewritten.
	if err := os.WriteFile(path, []byte(`{"stream":"FIREBREAK_AUDIT","seq":1,"hash":"`+old.Hash+`"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(path) // someone reading the old checkpoint
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	next := Checkpoint{Stream: Stream, Seq: 2, Hash: strings.Repeat("2", 64), WrittenAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	if err := SaveCheckpoint(path, next); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if after.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", after.Mode().Perm())
	}
	if os.SameFile(before, after) {
		t.Error("the checkpoint was rewritten in place, not replaced by a rename")
	}
	if b, _ := io.ReadAll(reader); !strings.Contains(string(b), old.Hash) {
		t.Errorf("a reader of the old file saw %q: it was changed under it", b)
	}
	if got, err := LoadCheckpoint(path); err != nil || got != next {
		t.Fatalf("LoadCheckpoint = %+v, %v; want %+v", got, err, next)
	}
	// A checkpoint that is not one is not written; the file stays.
	for _, bad := range []Checkpoint{{Stream: Stream, Seq: 3, Hash: "nothex"}, {Stream: "OTHER", Seq: 3, Hash: next.Hash}, {Stream: Stream, Seq: 0, Hash: next.Hash}} {
		if err := SaveCheckpoint(path, bad); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("SaveCheckpoint(%+v) = %v, want ErrCheckpoint", bad, err)
		}
	}
	// A write that cannot happen leaves nothing behind.
	if err := SaveCheckpoint(filepath.Join(dir, "missing", CheckpointFile), next); err == nil {
		t.Error("saved into a folder that does not exist")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != CheckpointFile {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v; want only the checkpoint, no temporary file", names)
	}
	if got, err := LoadCheckpoint(path); err != nil || got != next {
		t.Fatalf("after failed saves: %+v, %v; want %+v", got, err, next)
	}
	if _, err := LoadCheckpoint(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadCheckpoint(missing) = %v, want fs.ErrNotExist", err)
	}
}

// The writer coalesces: however many records are noted, the file is
// written at most once per interval, plus once at close, and holds the
// newest head; an older or frozen head never replaces a newer one.
func TestCheckpointerCoalesces(t *testing.T) {
	path := filepath.Join(t.TempDir(), CheckpointFile)
	var writes atomic.Int64
	now := func() time.Time { writes.Add(1); return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
	c := newCheckpointer(path, time.Hour, now, discard())
	c.reset(0, genesis, 1, 0)
	go c.run()
	hash := func(i int) string { return fmt.Sprintf("%064x", i) }
	for i := 1; i <= 1000; i++ {
		c.note(uint64(i), hash(i))
	}
	c.note(7, hash(7)) // older: ignored
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	if n := writes.Load(); n < 1 || n > 2 {
		t.Errorf("%d writes for 1000 records, want 1 or 2 (one by the writer at most, one at close)", n)
	}
	if cp, err := LoadCheckpoint(path); err != nil || cp.Seq != 1000 || cp.Hash != hash(1000) {
		t.Fatalf("checkpoint = %+v, %v; want record 1000", cp, err)
	}
	if err := c.close(); err != nil { // twice is harmless
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name  string
		steps func(c *checkpointer)
		want  uint64
	}{
		{"newer moves it", func(c *checkpointer) { c.note(5, hash(5)) }, 5},
		{"older does not", func(c *checkpointer) { c.note(5, hash(5)); c.note(4, hash(4)) }, 5},
		{"same does not", func(c *checkpointer) { c.note(5, hash(5)); c.note(5, hash(55)) }, 5},
		{"frozen does not", func(c *checkpointer) { c.note(5, hash(5)); c.freeze(); c.note(9, hash(9)) }, 5},
		{"reset does", func(c *checkpointer) { c.note(5, hash(5)); c.reset(2, hash(2), 1, 0) }, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCheckpointer(filepath.Join(t.TempDir(), CheckpointFile), time.Hour, time.Now, discard())
			c.reset(0, genesis, 1, 0)
			tt.steps(c)
			if err := c.flush(); err != nil {
				t.Fatal(err)
			}
			if cp := c.current(); cp.Seq != tt.want || cp.Hash != hash(int(tt.want)) {
				t.Errorf("head %+v, want record %d", cp, tt.want)
			}
		})
	}
}
