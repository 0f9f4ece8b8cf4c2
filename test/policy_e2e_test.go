package test

import (
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/notify/webhook"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/policies"
)

// compromised is the event the shipped revoke_role policy acts on.
func compromised(id, role string, account common.Address) event.Event {
	return event.Event{
		ID: id, Source: "forta", ChainID: chainID, Severity: event.SeverityHigh, Confidence: 0.95,
		AlertType: "compromised-key", Protocol: "demo", Timestamp: time.Now().UTC(),
		Metadata: map[string]any{"role": role, "account": account.Hex(), "contract": "vault"},
	}
}

// makeGuardianAdmin lets the guardian revoke roles on the vault, as an
// operator who wants firebreak to revoke would configure it.
func (s *stack) makeGuardianAdmin() {
	s.t.Helper()
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(chainID))
	auth.Context = s.ctx
	v := contracts.NewProtectedVault()
	tx, err := bind.Transact(v.Instance(s.client, s.demo.Vault), auth, v.PackGrantRole([32]byte{}, s.guardian.Address()))
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := bind.WaitMined(s.ctx, s.client, tx.Hash()); err != nil {
		s.t.Fatal(err)
	}
}

// grantRole grants role on the vault to who, from the vault's admin.
func (s *stack) grantRole(role string, who common.Address) {
	s.t.Helper()
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(chainID))
	auth.Context = s.ctx
	v := contracts.NewProtectedVault()
	tx, err := bind.Transact(v.Instance(s.client, s.demo.Vault), auth, v.PackGrantRole(crypto.Keccak256Hash([]byte(role)), who))
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := bind.WaitMined(s.ctx, s.client, tx.Hash()); err != nil {
		s.t.Fatal(err)
	}
}

func (s *stack) hasRole(role string, who common.Address) bool {
	s.t.Helper()
	v := contracts.NewProtectedVault()
	ok, err := bind.Call(v.Instance(s.client, s.demo.Vault), nil, v.PackHasRole(crypto.Keccak256Hash([]byte(role)), who), v.UnpackHasRole)
	if err != nil {
		s.t.Fatal(err)
	}
	return ok
}

func TestBurstOverRateLimitSendsNothingMore(t *testing.T) {
	s := newStack(t, func(o *config.Options) {
		o.Guardrails = config.GuardrailOptions{RateLimit: 1, RateWindow: time.Hour}
		p := o.Protocols["demo"]
		vault := p.Contracts["vault"]
		vault.AccessControl = true
		p.Contracts["vault"] = vault
		p.Roles["pauser"] = "PAUSER_ROLE"
		o.Allowlist[0].Functions = append(o.Allowlist[0].Functions, "revokeRole(bytes32,address)")
	})
	s.makeGuardianAdmin()
	operator := s.operator.Address()

	first := compromised("revoke-1", "operator", operator)
	s.publish(first)
	out := s.outcome(first.ID)
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed {
		t.Fatalf("first revoke: %+v", out.Actions)
	}
	if rec := s.action(out.Actions[0].ActionID); rec.State != record.Mined || rec.Status != 1 {
		t.Fatalf("first revoke not mined: %+v", rec)
	}
	if s.hasRole("OPERATOR_ROLE", operator) {
		t.Fatal("the operator still holds OPERATOR_ROLE")
	}

	// The second revoke in the same hour, of a role its holder really has,
	// is over the limit of one revoke_role per hour on demo. (Not the
	// guardian's own PAUSER_ROLE: the guard never revokes a role from an
	// account firebreak acts with, before any rate limit.)
	pauser := common.HexToAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906")
	s.grantRole("PAUSER_ROLE", pauser)
	second := compromised("revoke-2", "pauser", pauser)
	s.publish(second)
	out = s.outcome(second.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("second: actions %+v", out.Actions)
	}
	a := out.Actions[0]
	if a.Outcome != guard.Refused || !strings.Contains(a.Reason, "rate limit") || a.ActionID != "" {
		t.Fatalf("second revoke = %+v, want refused by the rate limit", a)
	}
	s.drained()
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Fatalf("the guardian sent %d transactions, want 1", n)
	}
	if !s.hasRole("PAUSER_ROLE", pauser) {
		t.Fatal("the rate-limited revoke happened")
	}
}

func TestEventDuringHaltSendsNothing(t *testing.T) {
	s := newStack(t, nil)
	ks, err := guard.OpenKillSwitch(s.ctx, s.js, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.Halt(s.ctx, guard.Halt{Reason: "incident drill", By: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ev := criticalExploit("during-halt")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("actions = %+v, want the one pause, refused", out.Actions)
	}
	if a := out.Actions[0]; a.Outcome != guard.Refused || !strings.Contains(a.Reason, `firebreak is halted: "incident drill"`) || a.ActionID != "" {
		t.Fatalf("verdict = %+v, want refused because firebreak is halted", a)
	}
	s.drained()
	if s.paused() || s.sent(s.guardian.Address()) != 0 {
		t.Fatal("an action ran during the halt")
	}

	if err := ks.Resume(s.ctx); err != nil {
		t.Fatal(err)
	}
	after := criticalExploit("after-resume")
	s.publish(after)
	out = s.outcome(after.ID)
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed {
		t.Fatalf("after resume: %+v", out.Actions)
	}
	s.action(out.Actions[0].ActionID)
	if !s.paused() {
		t.Fatal("not paused after resume")
	}
}

func TestPolicyReloadOnTheRunningEngine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	decision, err := os.ReadFile("../policies/decision.rego")
	if err != nil {
		t.Fatal(err)
	}
	write("decision.rego", string(decision))
	write("drill.rego", "package firebreak\n\nreasons contains \"drill seen, no action\" if input.alert_type == \"drill\"\n")
	reload := make(chan struct{})
	s := newStack(t, func(o *config.Options) {
		o.PolicyDir = dir
		o.PolicyReload = 0 // reload only when asked: the test says when
		o.ReloadPolicies = reload
	})
	drill := func(id string) decide.Outcome {
		ev := criticalExploit(id)
		ev.AlertType = "drill"
		s.publish(ev)
		return s.outcome(id)
	}
	out := drill("drill-1")
	rev1 := out.Decision.Revision
	if len(out.Actions) != 0 || len(rev1) != 64 {
		t.Fatalf("v1: %+v", out)
	}

	// A syntax error: refused, the old policy stays in force, and says so.
	write("drill.rego", "package firebreak\n\nactions contains {\n")
	reload <- struct{}{}
	for s.engine.PolicyStatus().Failures == 0 {
		s.sleep(10 * time.Millisecond)
	}
	if st := s.engine.PolicyStatus(); !strings.Contains(st.LastError, "drill.rego:") || st.Revision != rev1 {
		t.Fatalf("status after a broken reload = %+v", st)
	}
	// ... and records it where 'firebreak policy status' reads it.
	kv, err := s.js.KeyValue(s.ctx, guard.ControlBucket)
	if err != nil {
		t.Fatal(err)
	}
	for {
		e, err := kv.Get(s.ctx, decide.PolicyStatusKey)
		if err != nil {
			t.Fatal(err)
		}
		var st policies.ReloadStatus
		if err := json.Unmarshal(e.Value(), &st); err != nil {
			t.Fatal(err)
		}
		if st.Failures == 1 && strings.Contains(st.LastError, "drill.rego:") && st.Revision == rev1 {
			break
		}
		s.sleep(10 * time.Millisecond)
	}
	out = drill("drill-2")
	if out.Decision == nil || out.Decision.Revision != rev1 || len(out.Actions) != 0 {
		t.Fatalf("after a broken reload the decision is %+v, want the old policy's", out.Decision)
	}

	// A valid change: in force for the next event, with its new revision.
	write("drill.rego", `package firebreak

actions contains {"type": "pause", "protocol": input.protocol, "contract": "vault", "rule": "drill_pause"} if input.alert_type == "drill"
`)
	reload <- struct{}{}
	for s.engine.PolicyStatus().Revision == rev1 {
		s.sleep(10 * time.Millisecond)
	}
	out = drill("drill-3")
	if out.Decision.Revision == rev1 || out.Decision.Revision != s.engine.PolicyStatus().Revision {
		t.Fatalf("revision %s, want the new %s", out.Decision.Revision, s.engine.PolicyStatus().Revision)
	}
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed || out.Decision.Rules[0] != "drill_pause" {
		t.Fatalf("after a valid reload: %+v", out.Actions)
	}
	if rec := s.action(out.Actions[0].ActionID); rec.State != record.Mined || !s.paused() {
		t.Fatalf("the new policy's pause did not land: %+v", rec)
	}
}

func TestPhishingDrainerNotifiesOnNATS(t *testing.T) {
	// The demo protocol has no blocklist contract: the shipped drainer
	// policy can only notify, which is a message, not a transaction.
	s := newStack(t, nil)
	nc, err := s.engine.DialNATS(t.Name() + "-notify")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	sub, err := nc.SubscribeSync(notify.SubjectPrefix + "demo")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	drainer := common.HexToAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906")
	ev := criticalExploit("drainer-1")
	ev.AlertType, ev.Addresses = "phishing-drainer", []common.Address{drainer}
	s.publish(ev)

	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].Request.Type != "notify" || out.Actions[0].Outcome != guard.Allowed || out.Actions[0].ActionID != "" {
		t.Fatalf("actions = %+v, want one allowed notify and no intent", out.Actions)
	}
	msg, err := sub.NextMsg(30 * time.Second)
	if err != nil {
		t.Fatalf("no notification: %v", err)
	}
	var note notify.Notification
	if err := json.Unmarshal(msg.Data, &note); err != nil {
		t.Fatal(err)
	}
	if note.EventID != ev.ID || !strings.Contains(note.Message, drainer.Hex()) || note.Revision != out.Decision.Revision || msg.Header.Get("Nats-Msg-Id") == "" {
		t.Fatalf("notification = %+v (headers %v)", note, msg.Header)
	}
	s.drained()
	if n := s.sent(s.guardian.Address()); n != 0 {
		t.Errorf("the guardian sent %d transactions for a notification, want 0", n)
	}
}

// The drainer policy's notify action reaches a configured channel: a
// generic signed webhook, here a local HTTP server standing in for the
// team's endpoint and recording what it receives.
func TestPhishingDrainerNotifiesAChannel(t *testing.T) {
	secret := "webhook-secret-for-the-test"
	got := make(chan *http.Request, 4)
	bodies := make(chan []byte, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	t.Cleanup(srv.Close)
	s := newStack(t, func(o *config.Options) {
		o.Notify.Channels = map[string]config.ChannelOptions{"ops": {Type: config.ChannelWebhook, WebhookURLEnv: "OPS_URL", SecretEnv: "OPS_SECRET"}}
		o.Notify.Routes = []config.RouteOptions{{Channels: []string{"ops"}, Kinds: []string{"policy"}}} // not the incident the critical alert opens
		env := map[string]string{"OPS_URL": srv.URL + "/hook", "OPS_SECRET": secret}
		o.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	})
	drainer := common.HexToAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906")
	ev := criticalExploit("drainer-2")
	ev.AlertType, ev.Addresses = "phishing-drainer", []common.Address{drainer}
	s.publish(ev)

	var r *http.Request
	var body []byte
	select {
	case r = <-got:
		body = <-bodies
	case <-time.After(30 * time.Second):
		t.Fatal("the channel received nothing")
	}
	if err := webhook.Verify([]byte(secret), r.Header, body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("the delivery's signature does not verify: %v", err)
	}
	if !strings.Contains(string(body), ev.ID) || !strings.Contains(string(body), "policy.notify") {
		t.Fatalf("delivery %s does not name the event and the notify action", body)
	}
	select {
	case r := <-got:
		t.Fatalf("a second delivery: %s", r.Header.Get(webhook.HeaderNotification))
	case <-time.After(2 * time.Second):
	}
}
