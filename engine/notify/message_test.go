package notify

import (
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

// TestKindsMatchConfig: the kinds routes may name (config.NotifyKinds)
// are this package's Kinds, in order.
func TestKindsMatchConfig(t *testing.T) {
	var ks []string
	for _, k := range Kinds {
		ks = append(ks, string(k))
	}
	if !slices.Equal(ks, config.NotifyKinds) {
		t.Errorf("Kinds = %v\nconfig.NotifyKinds = %v", ks, config.NotifyKinds)
	}
	var sev []string
	for _, s := range []event.Severity{event.SeverityInfo, event.SeverityLow, event.SeverityMedium, event.SeverityHigh, event.SeverityCritical} {
		sev = append(sev, string(s))
	}
	if !slices.Equal(sev, config.Severities) {
		t.Errorf("config.Severities = %v, want %v", config.Severities, sev)
	}
	for k, want := range map[Kind]string{KindIncidentContained: "Incident contained", KindFeeCapReached: "Fee cap reached", KindPolicyNotify: "Policy notification"} {
		if k.Label() != want {
			t.Errorf("%s.Label() = %q, want %q", k, k.Label(), want)
		}
	}
}

func TestExplorerURL(t *testing.T) {
	for _, tt := range []struct{ base, hash, want string }{
		{"https://etherscan.io", "0xab", "https://etherscan.io/tx/0xab"},
		{"https://etherscan.io/", "0xab", "https://etherscan.io/tx/0xab"},
		{"https://explorer.example/transaction/{tx}?net=1", "0xab", "https://explorer.example/transaction/0xab?net=1"},
		{"", "0xab", ""},
		{"https://etherscan.io", "", ""},
	} {
		if got := ExplorerURL(tt.base, tt.hash); got != tt.want {
			t.Errorf("ExplorerURL(%q, %q) = %q, want %q", tt.base, tt.hash, got, tt.want)
		}
	}
}

func outcome() (event.Event, decide.Outcome) {
	ev := event.Event{ID: "ev-42", Source: "forta", ChainID: 1, Title: "Exploit on the vault", Severity: event.SeverityCritical, Confidence: 0.97, AlertType: "exploit", Protocol: "demo", Timestamp: time.Unix(1772366390, 0).UTC()}
	out := decide.Outcome{
		Event: ev, ReceivedAt: time.Unix(1772366400, 0).UTC(),
		Decision: &decide.Decision{Reasons: []string{"critical exploit"}, Revision: "rev1"},
		Actions: []decide.ActionOutcome{
			{Verdict: guard.Verdict{Request: guard.Request{Type: guard.ActionPause, Protocol: "demo", Contract: "vault", Rule: "pause_rule"}, Outcome: guard.Allowed, ChainID: 1, Function: "pause()"}, ActionID: "a-0"},
			{Verdict: guard.Verdict{Request: guard.Request{Type: guard.ActionNotify, Protocol: "demo", Message: "Paging security", Rule: "notify_rule"}, Outcome: guard.Allowed}},
		},
	}
	return ev, out
}

func TestActionMessage(t *testing.T) {
	ev, out := outcome()
	m := ActionMessage(ev, out, 1)
	if m.Kind != KindPolicyNotify || m.Title != "Paging security" || m.Detail != "Exploit on the vault" || m.Rule != "notify_rule" ||
		m.Severity != event.SeverityCritical || !slices.Equal(m.Reasons, []string{"critical exploit"}) || m.PolicyRevision != "rev1" || !m.At.Equal(out.ReceivedAt) {
		t.Errorf("message = %+v", m)
	}
	if len(m.Actions) != 1 || m.Actions[0].Type != "pause" || m.Actions[0].Contract != "demo.vault" || m.Actions[0].State != "allowed" || m.Actions[0].ID != "a-0" {
		t.Errorf("actions = %+v", m.Actions)
	}
	if again := ActionMessage(ev, out, 1); again.ID != m.ID {
		t.Error("the same action has two notification ids")
	}
}

// TestPublisherStillPublishes: the notify action still goes out on core
// NATS, with the message id ActionMessage's id is built from.
func TestPublisherStillPublishes(t *testing.T) {
	srv := natstest.Server(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	sub, err := nc.SubscribeSync(SubjectPrefix + "demo")
	if err != nil {
		t.Fatal(err)
	}
	ev, out := outcome()
	if err := NewPublisher(nc).Publish(ev, out, 1); err != nil {
		t.Fatal(err)
	}
	msg, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if id := msg.Header.Get(nats.MsgIdHdr); "policy.notify/"+id != ActionMessage(ev, out, 1).ID {
		t.Errorf("Nats-Msg-Id %q does not match the notification id %q", id, ActionMessage(ev, out, 1).ID)
	}
}
