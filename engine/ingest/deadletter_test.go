package ingest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

func streamJS(t *testing.T) (context.Context, jetstream.JetStream, jetstream.Stream) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	js := natstest.JetStream(t)
	s, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, js, s
}

func TestPublishDeadLetter(t *testing.T) {
	ctx, js, s := streamJS(t)
	body := []byte(`{"not":"signed"}`)
	d := ingest.DeadLetter{Subject: "detections.oz", Route: "oz", Code: "bad-signature", Reason: "bad-signature: adapt: bad signature\r\ninjected: header", Body: body}
	ack, err := ingest.PublishDeadLetter(ctx, js, d)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMsg(ctx, ack.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	want := map[string]string{
		ingest.HeaderReasonCode:      "bad-signature",
		ingest.HeaderReason:          "bad-signature: adapt: bad signature  injected: header",
		ingest.HeaderOriginalSubject: "detections.oz",
		ingest.HeaderRoute:           "oz",
		ingest.HeaderBodySHA256:      hex.EncodeToString(sum[:]),
		ingest.HeaderBodySize:        strconv.Itoa(len(body)),
		ingest.HeaderBodyTruncated:   "",
	}
	for k, v := range want {
		if got := m.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if m.Subject != ingest.DeadSubject || !bytes.Equal(m.Data, body) {
		t.Errorf("dead letter on %s with %q", m.Subject, m.Data)
	}
	again, err := ingest.PublishDeadLetter(ctx, js, d)
	if err != nil || !again.Duplicate || again.Sequence != ack.Sequence {
		t.Errorf("the same dead letter again: %+v, %v; want a duplicate of %d", again, err, ack.Sequence)
	}
	d.Code = "malformed"
	if other, err := ingest.PublishDeadLetter(ctx, js, d); err != nil || other.Duplicate {
		t.Errorf("the same body for another reason: %+v, %v; want a new dead letter", other, err)
	}

	big := bytes.Repeat([]byte("z"), ingest.MaxDeadLetterBody+100)
	ack, err = ingest.PublishDeadLetter(ctx, js, ingest.DeadLetter{Subject: "detections.oz", Code: "too-large", Reason: "too large", Body: big})
	if err != nil {
		t.Fatal(err)
	}
	m, _ = s.GetMsg(ctx, ack.Sequence)
	if len(m.Data) != ingest.MaxDeadLetterBody || m.Header.Get(ingest.HeaderBodyTruncated) != "true" || m.Header.Get(ingest.HeaderBodySize) != strconv.Itoa(len(big)) {
		t.Errorf("a body over the limit: %d bytes kept, truncated %q, size %q", len(m.Data), m.Header.Get(ingest.HeaderBodyTruncated), m.Header.Get(ingest.HeaderBodySize))
	}
}

func TestPublishEvent(t *testing.T) {
	ctx, js, s := streamJS(t)
	ev := event.Event{ID: "ev-1", Source: "oz", ChainID: 1, Severity: event.SeverityHigh, Confidence: 1, AlertType: "exploit", Protocol: "p", Timestamp: time.Now().UTC()}
	ack, err := ingest.PublishEvent(ctx, js, ev)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.GetMsg(ctx, ack.Sequence)
	if m.Subject != "detections.oz" || m.Header.Get(jetstream.MsgIDHeader) != "ev-1" {
		t.Errorf("stored on %s with id %q", m.Subject, m.Header.Get(jetstream.MsgIDHeader))
	}
	if again, _ := ingest.PublishEvent(ctx, js, ev); !again.Duplicate {
		t.Error("the same event again was stored again")
	}
	ev.Source = "dead"
	if _, err := ingest.PublishEvent(ctx, js, ev); !errors.Is(err, ingest.ErrReservedSource) {
		t.Errorf("source dead: %v", err)
	}
}

// A vendor payload published on NATS, its signature headers copied into the message
// (in any case), adapts with the route of its subject.
func TestAdaptMessage(t *testing.T) {
	secret := []byte("nats-relay-secret")
	route := &adapt.Route{Name: "oz", Adapter: adapt.OZMonitor, Secret: secret, Severity: event.SeverityHigh, ChainID: 1, Protocol: "p"}
	body := []byte(`{"title":"Large withdrawal","body":"0x5FbDB2315678afecb367f032d93F642f64180aa3 drained"}`)
	now := time.Now()
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	mac.Write([]byte(ts))
	h := nats.Header{"x-signature": {hex.EncodeToString(mac.Sum(nil))}, "x-timestamp": {ts}}

	events, err := ingest.AdaptMessage(route, now, "detections.oz", h, body)
	if err != nil || len(events) != 1 || events[0].Source != "oz" {
		t.Fatalf("AdaptMessage = %v, %v", events, err)
	}
	if _, err := ingest.AdaptMessage(route, now, "detections.other", h, body); !errors.Is(err, adapt.ErrConfig) {
		t.Errorf("another subject: %v, want ErrConfig", err)
	}
	body[3] ^= 1
	if _, err := ingest.AdaptMessage(route, now, "detections.oz", h, body); !errors.Is(err, adapt.ErrBadSignature) || adapt.Reason(err) != "bad-signature" {
		t.Errorf("changed byte: %v, want a bad signature", err)
	}
}
