package audit

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
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
