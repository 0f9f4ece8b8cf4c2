package ingest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// hmacSealer is the engine's MAC in miniature (engine/record's Sealer is
// the real one; this package does not import it).
type hmacSealer []byte

func (k hmacSealer) Sum(domain string, fields ...[]byte) string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(domain))
	for _, f := range fields {
		m.Write([]byte(strconv.Itoa(len(f)) + ":"))
		m.Write(f)
	}
	return hex.EncodeToString(m.Sum(nil))
}

func (k hmacSealer) Check(domain, mac string, fields ...[]byte) error {
	if !hmac.Equal([]byte(mac), []byte(k.Sum(domain, fields...))) {
		return errors.New("bad MAC")
	}
	return nil
}

// A dead-lettered valid event, replayed, is handled once: replaying it
// twice acts once. The source is verified and the engine's clock has moved
// past max_event_age: freshness is measured when the original arrived.
func TestReplayActsOnce(t *testing.T) {
	sealer := hmacSealer("test key")
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	h := newHarness(t, func(o *ingest.ConsumerOptions) {
		o.Sealer, o.Now = sealer, now
		o.Verifier = ingest.NewVerifier(ingest.VerifyOptions{
			Sources: map[string]ingest.Source{"test": {}}, MaxAge: time.Minute, MaxSkew: time.Minute, Now: now,
		})
	})
	var c calls
	handled := make(chan string, 4)
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		if c.inc(ev.ID) == 1 {
			return nil, errors.New("no such protocol (yet)") // permanent: dead-lettered
		}
		handled <- ev.ID
		return []byte(`{"replayed":true}`), nil
	})
	if _, err := ingest.Publish(h.ctx, h.js, validEvent("replay-me")); err != nil {
		t.Fatal(err)
	}
	meta, err := h.deadLetters(1)[0].Metadata()
	if err != nil {
		t.Fatal(err)
	}
	deadSeq := meta.Sequence.Stream
	clock.Add(int64(time.Hour)) // the event is an hour old for the engine now

	nc := h.js.Conn()
	replayer := ingest.NewReplayer(h.js, sealer, nil, slog.New(slog.DiscardHandler))
	rctx, stop := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- replayer.Serve(rctx, nc) }()
	t.Cleanup(func() { stop(); <-done })
	request := func() ingest.ReplayReply {
		t.Helper()
		data, _ := json.Marshal(ingest.ReplayRequest{Seqs: []uint64{deadSeq}})
		var msg *nats.Msg
		var err error
		for range 50 { // the subscription may not be in place yet
			if msg, err = nc.Request(ingest.ReplaySubject, data, 5*time.Second); !errors.Is(err, nats.ErrNoResponders) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		var reply ingest.ReplayReply
		if err := json.Unmarshal(msg.Data, &reply); err != nil {
			t.Fatal(err)
		}
		return reply
	}
	first := request()
	if len(first.Replayed) != 1 || len(first.Errors) != 0 || first.Replayed[0].Subject != "detections.test" {
		t.Fatalf("reply = %+v, want one dead letter replayed to detections.test", first)
	}
	select {
	case <-handled:
	case <-time.After(20 * time.Second):
		t.Fatalf("the replayed event was never handled (dead letters: %v)", h.obs.rejected)
	}
	second := request()
	if len(second.Replayed) != 1 || !second.Replayed[0].Duplicate {
		t.Fatalf("second reply = %+v, want the same dead letter reported a duplicate", second)
	}
	// Past the stream's duplicate window a replay is stored again; the
	// event dedupe then recognises it. Published by hand, as the engine
	// would, with a fresh message id.
	orig, err := h.js.Stream(h.ctx, ingest.Stream)
	if err != nil {
		t.Fatal(err)
	}
	rm, err := orig.GetMsg(h.ctx, first.Replayed[0].Seq)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.js.PublishMsg(h.ctx, &nats.Msg{Subject: rm.Subject, Header: rm.Header, Data: rm.Data}, jetstream.WithMsgID("replay-again")); err != nil {
		t.Fatal(err)
	}
	for {
		if _, d := h.obs.counts(); d == 1 {
			break
		}
		if h.ctx.Err() != nil {
			t.Fatal("the replay outside the duplicate window was not recognised as a duplicate")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := c.get("replay-me"); n != 2 {
		t.Fatalf("handler called %d times, want 2 (refused, then the replay)", n)
	}
}

// A replay marker the engine did not make is refused, not trusted.
func TestForgedReplayMarkerIsRefused(t *testing.T) {
	h := newHarness(t, func(o *ingest.ConsumerOptions) { o.Sealer = hmacSealer("engine key") })
	var c calls
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) { c.inc(ev.ID); return []byte("{}"), nil })
	data, _ := validEvent("forged").Encode()
	msg := &nats.Msg{Subject: "detections.test", Data: data, Header: nats.Header{}}
	msg.Header.Set(ingest.HeaderReplayOf, "1")
	msg.Header.Set(ingest.HeaderReplayArrived, time.Now().Format(time.RFC3339Nano))
	msg.Header.Set(ingest.HeaderReplayMAC, hmacSealer("another key").Sum("firebreak/replay/v1", []byte("1")))
	if _, err := h.js.PublishMsg(h.ctx, msg); err != nil {
		t.Fatal(err)
	}
	dead := h.deadLetters(1)[0]
	if code := dead.Headers().Get(ingest.HeaderDeadCode); code != ingest.CodeBadReplay {
		t.Fatalf("code = %q, want %q", code, ingest.CodeBadReplay)
	}
	if c.get("forged") != 0 {
		t.Fatal("the forged replay was handled")
	}
}
