package test

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// The detector's key and one it does not hold: fixed, for the test only.
var (
	fortaKey  = ed25519.NewKeyFromSeed([]byte("the forta detector's seed.......")[:32])
	forgerKey = ed25519.NewKeyFromSeed([]byte("a key the forger made up........")[:32])
)

// withSources configures forta as a signing source and own-bot as a
// source whose NATS identity is its authentication.
func withSources(o *config.Options) {
	o.Sources = map[string]config.SourceOptions{
		"forta":   {Verify: config.VerifyEd25519, PublicKeys: []string{hex.EncodeToString(fortaKey.Public().(ed25519.PublicKey))}},
		"own-bot": {Verify: config.VerifyNone},
	}
}

// publishRaw publishes ev's encoding on subject, signed with key when set,
// under its own message id (so JetStream's deduplication hides nothing).
func (s *stack) publishRaw(subject string, ev event.Event, key ed25519.PrivateKey, msgID string) {
	s.t.Helper()
	data, err := ev.Encode()
	if err != nil {
		s.t.Fatal(err)
	}
	msg := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	if key != nil {
		msg.Header.Set(ingest.HeaderSignature, ingest.SignatureHeader(key, data))
	}
	if _, err := s.js.PublishMsg(s.ctx, msg, jetstream.WithMsgID(msgID)); err != nil {
		s.t.Fatal(err)
	}
}

// Unsigned, wrongly signed, stale, future-dated and misplaced events each
// produce no transaction, a dead letter with a specific code and reason,
// and an audit record; a replayed signed event is a duplicate, audited and
// not acted on again; the signed event itself pauses the vault.
func TestForgedEventsActOnNothing(t *testing.T) {
	s := newStack(t, withSources)
	now := time.Now().UTC()
	at := func(id, source string, when time.Time) event.Event {
		ev := criticalExploit(id)
		ev.Source, ev.Timestamp = source, when
		return ev
	}
	forged := []struct {
		subject string
		ev      event.Event
		key     ed25519.PrivateKey
		code    string
	}{
		{"detections.forta", at("unsigned", "forta", now), nil, ingest.CodeUnsigned},
		{"detections.forta", at("wrongly-signed", "forta", now), forgerKey, ingest.CodeBadSignature},
		{"detections.forta", at("stale", "forta", now.Add(-time.Hour)), fortaKey, ingest.CodeStale},
		{"detections.forta", at("future-dated", "forta", now.Add(time.Hour)), fortaKey, ingest.CodeFuture},
		{"detections.own-bot", at("elsewhere", "forta", now), nil, ingest.CodeSourceMismatch},
		{"detections.tenderly", at("unknown-source", "tenderly", now), nil, ingest.CodeUnknownSource},
	}
	for _, f := range forged {
		s.publishRaw(f.subject, f.ev, f.key, f.ev.ID)
	}
	dead, err := s.js.OrderedConsumer(s.ctx, ingest.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{ingest.DeadSubject}})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forged {
		msg, err := dead.Next(jetstream.FetchMaxWait(30 * time.Second))
		if err != nil {
			t.Fatalf("no dead letter for %s: %v", f.ev.ID, err)
		}
		code, reason := msg.Headers().Get(ingest.HeaderDeadCode), msg.Headers().Get(ingest.HeaderReason)
		if code != f.code || !strings.HasPrefix(reason, f.code+": ") {
			t.Errorf("%s: dead letter %s %q, want code %s", f.ev.ID, code, reason, f.code)
		}
		recs := s.story(rd, f.ev.ID, audit.KindRejected)
		var d audit.RejectedData
		if err := json.Unmarshal(recs[0].Data, &d); err != nil || d.Reason != reason || d.Subject != f.subject {
			t.Errorf("%s: audit record %s %+v (%v), want the dead letter's reason", f.ev.ID, recs[0].Kind, d, err)
		}
		if kinds(recs) != "rejected" {
			t.Errorf("%s: audit records %s, want only the rejection", f.ev.ID, kinds(recs))
		}
	}
	s.drained()
	if s.paused() || s.sent(s.guardian.Address()) != 0 {
		t.Fatal("a forged event was acted on")
	}

	// The detector's own signed event acts; the same bytes again are a
	// duplicate (the event id is inside the signed bytes: a fresh id needs
	// a fresh signature).
	good := at("signed-1", "forta", now)
	s.publishRaw("detections.forta", good, fortaKey, "signed-1")
	out := s.outcome(good.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("actions %+v, want the pause", out.Actions)
	}
	if rec := s.action(out.Actions[0].ActionID); rec.State != record.Mined || !s.paused() {
		t.Fatalf("the signed event did not pause: %+v", rec)
	}
	s.publishRaw("detections.forta", good, fortaKey, "signed-1-replayed")
	s.story(rd, good.ID, audit.KindDuplicate)
	s.drained()
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Fatalf("the guardian sent %d transactions, want 1", n)
	}
}

// verify: none: the NATS identity is the authentication, the event's
// source must still be the subject's, and it must be fresh.
func TestUnsignedSourceActsWhenItsSubjectMatches(t *testing.T) {
	s := newStack(t, withSources)
	ev := criticalExploit("own-bot-1")
	ev.Source = "own-bot"
	s.publish(ev) // ingest.Publish: detections.own-bot, unsigned
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("actions %+v", out.Actions)
	}
	if rec := s.action(out.Actions[0].ActionID); rec.State != record.Mined {
		t.Fatalf("action %+v, want mined", rec)
	}
}
