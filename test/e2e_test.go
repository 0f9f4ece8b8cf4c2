package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// A critical event pauses the vault whichever way the engine follows the
// chain: heads polled over http rpc, pushed over a ws endpoint, or polled
// because the ws endpoint is down (the engine starts anyway).
func TestCriticalEventPausesVault(t *testing.T) {
	for _, tc := range []struct {
		name string
		ws   func(rpc string) string
	}{
		{"http rpc", func(string) string { return "" }},
		{"http rpc and ws heads", func(rpc string) string { return "ws" + strings.TrimPrefix(rpc, "http") }},
		{"ws endpoint down", func(string) string { return "ws://127.0.0.1:1" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, func(o *config.Options) { o.Chains[0].WS = tc.ws(o.Chains[0].RPC) })
			if s.paused() {
				t.Fatal("the vault is paused before any event")
			}
			ev := criticalExploit("critical-1")
			s.publish(ev)

			out := s.outcome(ev.ID)
			if out.Decision == nil || len(out.Decision.Rules) != 1 || out.Decision.Rules[0] != "exploit_pause" {
				t.Fatalf("decision = %+v, want the exploit_pause rule to fire", out.Decision)
			}
			if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed || out.Actions[0].ActionID == "" {
				t.Fatalf("actions = %+v, want one allowed pause", out.Actions)
			}
			rec := s.action(out.Actions[0].ActionID)
			if rec.State != record.Mined || rec.Status != 1 {
				t.Fatalf("action = %+v, want mined successfully", rec)
			}
			if rec.From != s.guardian.Address() {
				t.Errorf("sent from %s, want the guardian %s", rec.From, s.guardian.Address())
			}
			if !s.paused() {
				t.Fatal("paused() is false on chain after the pause was mined")
			}
			receipt, err := s.client.TransactionReceipt(s.ctx, *rec.TxHash)
			if err != nil || receipt.BlockNumber.Uint64() != rec.Block {
				t.Fatalf("receipt of %s: %v, %v; want it in block %d", rec.TxHash, receipt, err, rec.Block)
			}
		})
	}
}

func TestLowSeverityEventChangesNothing(t *testing.T) {
	s := newStack(t, nil)
	ev := criticalExploit("low-1")
	ev.Severity = event.SeverityLow
	s.publish(ev)

	out := s.outcome(ev.ID)
	if out.Decision == nil || len(out.Decision.Actions) != 0 || len(out.Actions) != 0 {
		t.Fatalf("outcome = %+v, want a decision with no action", out)
	}
	s.drained()
	if s.paused() {
		t.Error("a low-severity event paused the vault")
	}
	if n := s.sent(s.guardian.Address()); n != 0 {
		t.Errorf("the guardian sent %d transactions, want 0", n)
	}
}

func TestMalformedEventIsDeadLetteredAndEngineKeepsRunning(t *testing.T) {
	s := newStack(t, nil)
	malformed := []byte(`{"id":"bad-1","source":"forta","chain_id":31337,"severity":"apocalyptic","confidence":0.9,` +
		`"alert_type":"exploit","protocol":"demo","timestamp":"2026-11-25T10:00:00Z"}`)
	if _, err := s.js.Publish(s.ctx, "detections.forta", malformed); err != nil {
		t.Fatal(err)
	}

	dead, err := s.js.OrderedConsumer(s.ctx, ingest.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{ingest.DeadSubject}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := dead.Next(jetstream.FetchMaxWait(30 * time.Second))
	if err != nil {
		t.Fatalf("no dead letter: %v", err)
	}
	reason := msg.Headers().Get(ingest.HeaderReason)
	if !strings.Contains(reason, `"severity"`) {
		t.Errorf("dead-letter reason = %q, want it to name the severity field", reason)
	}
	if string(msg.Data()) != string(malformed) {
		t.Errorf("dead letter body = %q, want the original message", msg.Data())
	}
	if msg.Headers().Get(ingest.HeaderOriginalSubject) != "detections.forta" {
		t.Errorf("original subject header = %q", msg.Headers().Get(ingest.HeaderOriginalSubject))
	}

	// The engine is still running: a valid event after it acts.
	ev := criticalExploit("after-bad")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("actions = %+v, want one", out.Actions)
	}
	if rec := s.action(out.Actions[0].ActionID); rec.State != record.Mined || !s.paused() {
		t.Fatalf("after a malformed event the engine did not pause: %+v", rec)
	}
}

func TestSameEventTwiceSendsOneTransaction(t *testing.T) {
	s := newStack(t, nil)
	ev := criticalExploit("twice-1")
	data, err := ev.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// Two distinct message ids, so JetStream's own deduplication does not
	// hide the second copy: the engine must recognise the event itself.
	for _, msgID := range []string{"copy-a", "copy-b"} {
		if _, err := s.js.Publish(s.ctx, "detections.forta", data, jetstream.WithMsgID(msgID)); err != nil {
			t.Fatal(err)
		}
	}
	out := s.outcome(ev.ID)
	s.action(out.Actions[0].ActionID)
	s.drained()
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Fatalf("the guardian sent %d transactions for one event published twice, want 1", n)
	}
	if !s.paused() {
		t.Error("the vault is not paused")
	}
}

func TestActionNotOnAllowlistSendsNothing(t *testing.T) {
	// A policy that asks to freeze the bridge on any critical event, while
	// the operator only allowed pause() on the vault.
	dir := t.TempDir()
	policy := `package firebreak

actions contains {"type": "freeze_bridge", "protocol": input.protocol, "contract": "bridge", "rule": "freeze_everything"} if {
	input.severity == "critical"
}
`
	if err := os.WriteFile(filepath.Join(dir, "freeze.rego"), []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../policies/decision.rego")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "decision.rego"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	s := newStack(t, func(o *config.Options) { o.PolicyDir = dir })

	ev := criticalExploit("freeze-1")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("actions = %+v, want the one freeze request", out.Actions)
	}
	a := out.Actions[0]
	if a.Outcome != guard.Refused || !strings.Contains(a.Reason, "not on the allowlist") || a.ActionID != "" {
		t.Fatalf("verdict = %+v, want refused as not on the allowlist", a)
	}
	s.drained()
	if s.frozen() {
		t.Error("the bridge was frozen")
	}
	if n := s.sent(s.guardian.Address()); n != 0 {
		t.Errorf("the guardian sent %d transactions, want 0", n)
	}
}

func TestAlreadyPausedIsRecordedNoOp(t *testing.T) {
	s := newStack(t, nil)
	first := criticalExploit("first")
	s.publish(first)
	s.action(s.outcome(first.ID).Actions[0].ActionID)

	second := criticalExploit("second")
	s.publish(second)
	out := s.outcome(second.ID)
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.NoOp || out.Actions[0].Reason != "already paused" {
		t.Fatalf("actions = %+v, want a no-op: already paused", out.Actions)
	}
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Errorf("the guardian sent %d transactions, want 1", n)
	}
}
