package ingest_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

var (
	detectorKey = ed25519.NewKeyFromSeed([]byte("forta detector key, 32 bytes....")[:32])
	otherKey    = ed25519.NewKeyFromSeed([]byte("someone else's key, 32 bytes....")[:32])
	verifyNow   = time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)
)

func testVerifier() *ingest.Verifier {
	return ingest.NewVerifier(ingest.VerifyOptions{
		Sources: map[string]ingest.Source{
			"forta":   {Keys: []ed25519.PublicKey{otherKey.Public().(ed25519.PublicKey), detectorKey.Public().(ed25519.PublicKey)}},
			"own-bot": {},
		},
		MaxAge: 15 * time.Minute, MaxSkew: time.Minute, Now: func() time.Time { return verifyNow },
	})
}

func eventFrom(source, id string, at time.Time) event.Event {
	ev := validEvent(id)
	ev.Source, ev.Timestamp = source, at
	return ev
}

func signed(key ed25519.PrivateKey, data []byte) nats.Header {
	h := nats.Header{}
	h.Set(ingest.HeaderSignature, ingest.SignatureHeader(key, data))
	h.Set(ingest.HeaderKeyID, ingest.KeyID(key.Public().(ed25519.PublicKey)))
	return h
}

func TestVerifier(t *testing.T) {
	v := testVerifier()
	good := eventFrom("forta", "ev-1", verifyNow.Add(-time.Minute))
	data, _ := good.Encode()
	tampered := append([]byte{}, data...)
	tampered[len(tampered)-3] ^= 1
	noKeyID := signed(detectorKey, data)
	noKeyID.Del(ingest.HeaderKeyID)
	wrongKeyID := signed(detectorKey, data)
	wrongKeyID.Set(ingest.HeaderKeyID, "0011223344556677")
	shortSig := nats.Header{}
	shortSig.Set(ingest.HeaderSignature, "ed25519="+base64.StdEncoding.EncodeToString([]byte("short")))
	noPrefix := nats.Header{}
	noPrefix.Set(ingest.HeaderSignature, base64.StdEncoding.EncodeToString(ed25519.Sign(detectorKey, data)))

	tests := []struct {
		name    string
		subject string
		header  nats.Header
		data    []byte
		ev      event.Event // checked by Event when Message passes
		want    string      // the rejection's code, "" for accepted
	}{
		{"signed by the detector", "detections.forta", signed(detectorKey, data), data, good, ""},
		{"without a key id every key is tried", "detections.forta", noKeyID, data, good, ""},
		{"verify none needs no signature", "detections.own-bot", nil, nil, eventFrom("own-bot", "ev-2", verifyNow), ""},
		{"unsigned", "detections.forta", nil, data, good, ingest.CodeUnsigned},
		{"signed by another key", "detections.forta", signed(ed25519.NewKeyFromSeed(make([]byte, 32)), data), data, good, ingest.CodeBadSignature},
		{"signature over other bytes", "detections.forta", signed(detectorKey, data), tampered, good, ingest.CodeBadSignature},
		{"key id of no configured key", "detections.forta", wrongKeyID, data, good, ingest.CodeBadSignature},
		{"key id of the wrong configured key", "detections.forta", func() nats.Header {
			h := signed(detectorKey, data)
			h.Set(ingest.HeaderKeyID, ingest.KeyID(otherKey.Public().(ed25519.PublicKey)))
			return h
		}(), data, good, ingest.CodeBadSignature},
		{"short signature", "detections.forta", shortSig, data, good, ingest.CodeBadSignature},
		{"no ed25519= prefix", "detections.forta", noPrefix, data, good, ingest.CodeBadSignature},
		{"unknown source", "detections.tenderly", nil, nil, eventFrom("tenderly", "ev-3", verifyNow), ingest.CodeUnknownSource},
		{"subject deeper than one token", "detections.x.forta", signed(detectorKey, data), data, good, ingest.CodeUnknownSource},
		{"source differs from the subject", "detections.own-bot", nil, nil, eventFrom("forta", "ev-4", verifyNow), ingest.CodeSourceMismatch},
		{"stale", "detections.own-bot", nil, nil, eventFrom("own-bot", "ev-5", verifyNow.Add(-16*time.Minute)), ingest.CodeStale},
		{"just fresh enough", "detections.own-bot", nil, nil, eventFrom("own-bot", "ev-6", verifyNow.Add(-15*time.Minute)), ""},
		{"future", "detections.own-bot", nil, nil, eventFrom("own-bot", "ev-7", verifyNow.Add(61*time.Second)), ingest.CodeFuture},
		{"a little ahead is clock skew", "detections.own-bot", nil, nil, eventFrom("own-bot", "ev-8", verifyNow.Add(59*time.Second)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.header == nil {
				tt.header = nats.Header{}
			}
			err := v.Message(tt.subject, tt.header, tt.data)
			if err == nil {
				err = v.Event(tt.subject, tt.ev)
			}
			var r *ingest.Rejection
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "":
			case !errors.As(err, &r) || r.Code != tt.want:
				t.Fatalf("err = %v, want a %s rejection", err, tt.want)
			case !strings.HasPrefix(err.Error(), tt.want+": "):
				t.Errorf("reason %q does not start with its code", err)
			}
		})
	}
}

func TestParseDetectorKey(t *testing.T) {
	seed, pub, err := ingest.GenerateDetectorKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ingest.ParseDetectorKey(seed + "\n")
	if err != nil || !key.Public().(ed25519.PublicKey).Equal(pub) {
		t.Fatalf("ParseDetectorKey(GenerateDetectorKey()) = %v, %v", key, err)
	}
	for _, bad := range []string{"", "zz", "abcd", seed + seed} {
		if _, err := ingest.ParseDetectorKey(bad); !errors.Is(err, ingest.ErrDetectorKey) || (bad != "" && strings.Contains(err.Error(), bad)) {
			t.Errorf("ParseDetectorKey(%q) = %v", bad, err)
		}
	}
}

// Every kind of forged, stale or misplaced message reaches the dead-letter
// subject with its code and reason, and the observer (the audit log); the
// handler never sees one. A replay of a signed message is a duplicate.
func TestConsumerRefusesUnverifiedEvents(t *testing.T) {
	now := time.Now()
	h := newHarness(t, func(o *ingest.ConsumerOptions) {
		o.Verifier = ingest.NewVerifier(ingest.VerifyOptions{
			Sources: map[string]ingest.Source{"forta": {Keys: []ed25519.PublicKey{detectorKey.Public().(ed25519.PublicKey)}}, "own-bot": {}},
			MaxAge:  15 * time.Minute, MaxSkew: time.Minute, Now: func() time.Time { return now },
		})
	})
	var c calls
	h.run(func(_ context.Context, ev event.Event) ([]byte, error) {
		c.inc(ev.ID)
		return []byte("{}"), nil
	})
	publish := func(subject string, ev event.Event, key ed25519.PrivateKey, msgID string) {
		t.Helper()
		data, _ := ev.Encode()
		msg := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
		if key != nil {
			msg.Header = signed(key, data)
		}
		if _, err := h.js.PublishMsg(h.ctx, msg, jetstream.WithMsgID(msgID)); err != nil {
			t.Fatal(err)
		}
	}
	refused := []struct {
		subject string
		ev      event.Event
		key     ed25519.PrivateKey
		code    string
	}{
		{"detections.forta", eventFrom("forta", "unsigned", now), nil, ingest.CodeUnsigned},
		{"detections.forta", eventFrom("forta", "forged", now), otherKey, ingest.CodeBadSignature},
		{"detections.forta", eventFrom("forta", "stale", now.Add(-time.Hour)), detectorKey, ingest.CodeStale},
		{"detections.forta", eventFrom("forta", "future", now.Add(time.Hour)), detectorKey, ingest.CodeFuture},
		{"detections.own-bot", eventFrom("forta", "elsewhere", now), nil, ingest.CodeSourceMismatch},
		{"detections.tenderly", eventFrom("tenderly", "unknown", now), nil, ingest.CodeUnknownSource},
	}
	for _, r := range refused {
		publish(r.subject, r.ev, r.key, r.ev.ID)
	}
	good := eventFrom("forta", "good", now)
	publish("detections.forta", good, detectorKey, "good")
	// The same signed bytes again, past JetStream's own deduplication.
	publish("detections.forta", good, detectorKey, "replay")

	dead := h.deadLetters(len(refused))
	for i, r := range refused {
		d := dead[i]
		if code := d.Headers().Get(ingest.HeaderDeadCode); code != r.code {
			t.Errorf("%s: dead-letter code %q, want %q", r.ev.ID, code, r.code)
		}
		if reason := d.Headers().Get(ingest.HeaderReason); !strings.HasPrefix(reason, r.code+": ") {
			t.Errorf("%s: reason %q does not start with %q", r.ev.ID, reason, r.code)
		}
		if d.Headers().Get(ingest.HeaderOriginalSubject) != r.subject {
			t.Errorf("%s: original subject %q", r.ev.ID, d.Headers().Get(ingest.HeaderOriginalSubject))
		}
		if r.key != nil && d.Headers().Get(ingest.HeaderSignature) == "" {
			t.Errorf("%s: the dead letter lost the signature", r.ev.ID)
		}
	}
	for {
		rej, dup := h.obs.counts()
		if rej == len(refused) && dup == 1 {
			break
		}
		if rej > len(refused) || dup > 1 || h.ctx.Err() != nil {
			t.Fatalf("observer saw %d rejections and %d duplicates, want %d and 1", rej, dup, len(refused))
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.obs.mu.Lock()
	for i, r := range h.obs.rejected {
		if !strings.HasPrefix(r, refused[i].subject+": "+refused[i].code+": ") {
			t.Errorf("observer rejection %q, want %s: %s: ...", r, refused[i].subject, refused[i].code)
		}
	}
	h.obs.mu.Unlock()
	for _, r := range refused {
		if n := c.get(r.ev.ID); n != 0 {
			t.Errorf("the handler saw %s %d times", r.ev.ID, n)
		}
	}
	if n := c.get("good"); n != 1 {
		t.Errorf("the handler saw the signed event %d times, want once (the replay is a duplicate)", n)
	}
}
