package engine

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// intentStack is a real anvil with the demo protocol, and an engine (real
// embedded NATS, real OPA on the policies in dir) built here, in the
// package, so a test can inject a fault after an intent is recorded.
type intentStack struct {
	t      *testing.T
	ctx    context.Context
	client *ethclient.Client
	demo   contracts.Demo
	from   *local.Signer
	eng    *Engine
	js     jetstream.JetStream
	dir    string
	reload chan struct{}
}

// drillPolicy acts on the drill alert type only: the shipped library
// never does, so the actions are the test's.
const drillPause = `package firebreak

actions contains {"type": "pause", "protocol": input.protocol, "contract": "vault", "rule": "drill_pause"} if input.alert_type == "drill"
`

const drillFreeze = `package firebreak

actions contains {"type": "freeze_bridge", "protocol": input.protocol, "contract": "bridge", "rule": "drill_freeze"} if input.alert_type == "drill"
`

func newIntentStack(t *testing.T, afterRecord func(record.Intent) error) *intentStack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	anvil, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: contracts.DevChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(anvil.Stop)
	s := &intentStack{t: t, ctx: ctx, dir: t.TempDir(), reload: make(chan struct{})}
	if s.client, err = ethclient.DialContext(ctx, anvil.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.client.Close)
	if s.from, err = local.FromHex(contracts.DevGuardianKey); err != nil {
		t.Fatal(err)
	}
	operator, err := local.FromHex(contracts.DevOperatorKey)
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := crypto.HexToECDSA(contracts.DevAdminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(contracts.DevChainID))
	if s.demo, err = contracts.DeployDemo(ctx, s.client, auth, s.from.Address(), operator.Address(), big.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}
	s.writePolicy(drillPause)
	decision, err := os.ReadFile("../policies/decision.rego")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "decision.rego"), decision, 0o600); err != nil {
		t.Fatal(err)
	}

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.NATS.Port = -1
	opts.PolicyDir, opts.PolicyReload, opts.ReloadPolicies = s.dir, 0, s.reload
	opts.Chains = []config.ChainOptions{{ID: contracts.DevChainID, Name: "anvil", RPC: anvil.URL()}}
	opts.SignerInstances = map[string]signer.Signer{"guardian": s.from}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: contracts.DevChainID, MinConfidence: &minConf, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{
			"vault":  {Address: s.demo.Vault.Hex(), Pausable: true},
			"bridge": {Address: s.demo.Bridge.Hex(), Bridge: true},
		},
	}}
	opts.Allowlist = []config.AllowOptions{
		{ChainID: contracts.DevChainID, Contract: "demo.vault", Functions: []string{"pause()"}},
		{ChainID: contracts.DevChainID, Contract: "demo.bridge", Functions: []string{"freeze()"}},
	}
	if s.eng, err = New(opts, slog.New(slog.NewTextHandler(testLog{t}, nil))); err != nil {
		t.Fatal(err)
	}
	s.eng.afterRecord = afterRecord
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.eng.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("engine.Run: %v", err)
		}
	})
	select {
	case <-s.eng.Ready():
	case err := <-done:
		t.Fatalf("engine stopped during start: %v", err)
	}
	nc, err := s.eng.DialNATS(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	if s.js, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *intentStack) writePolicy(src string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, "drill.rego"), []byte(src), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// reloadTo puts src in force and waits until it is.
func (s *intentStack) reloadTo(src string) {
	s.t.Helper()
	rev := s.eng.PolicyStatus().Revision
	s.writePolicy(src)
	s.reload <- struct{}{}
	for s.eng.PolicyStatus().Revision == rev {
		s.wait()
	}
}

func (s *intentStack) wait() {
	select {
	case <-s.ctx.Done():
		s.t.Fatal("timed out waiting for the engine")
	case <-time.After(10 * time.Millisecond):
	}
}

func drill(id string) event.Event {
	return event.Event{
		ID: id, Source: "forta", ChainID: contracts.DevChainID, Severity: event.SeverityCritical, Confidence: 0.95,
		AlertType: "drill", Protocol: "demo", Timestamp: time.Now().UTC(),
	}
}

func (s *intentStack) publish(ev event.Event) {
	s.t.Helper()
	if _, err := ingest.Publish(s.ctx, s.js, ev); err != nil {
		s.t.Fatal(err)
	}
}

func (s *intentStack) outcome(id string) decide.Outcome {
	s.t.Helper()
	for {
		out, err := s.eng.Outcome(s.ctx, id)
		if err == nil {
			return out
		}
		if !IsNotHandled(err) {
			s.t.Fatal(err)
		}
		s.wait()
	}
}

func (s *intentStack) final(id string) record.Record {
	s.t.Helper()
	for {
		rec, err := s.eng.Action(s.ctx, id)
		if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			s.t.Fatal(err)
		}
		if err == nil && rec.State.Final() {
			return rec
		}
		s.wait()
	}
}

// actions lists every recorded action of event id.
func (s *intentStack) actions(id string) []record.Record {
	s.t.Helper()
	kv, err := s.js.KeyValue(s.ctx, record.ActionsBucket)
	if err != nil {
		s.t.Fatal(err)
	}
	keys, err := kv.ListKeys(s.ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	var recs []record.Record
	for k := range keys.Keys() {
		if !strings.HasPrefix(k, ingest.EventKey(id)+"-") {
			continue
		}
		rec, err := s.eng.Action(s.ctx, k)
		if err != nil {
			s.t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// auditKinds lists the kinds of event id's audit records, in order.
func (s *intentStack) auditKinds(id string) []audit.Kind {
	s.t.Helper()
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		s.t.Fatal(err)
	}
	recs, err := rd.Event(s.ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	var kinds []audit.Kind
	for _, r := range recs {
		kinds = append(kinds, r.Kind)
	}
	return kinds
}

func (s *intentStack) paused() bool {
	v := contracts.NewProtectedVault()
	p, err := bind.Call(v.Instance(s.client, s.demo.Vault), nil, v.PackPaused(), v.UnpackPaused)
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *intentStack) frozen() bool {
	b := contracts.NewTokenBridge()
	f, err := bind.Call(b.Instance(s.client, s.demo.Bridge), nil, b.PackFrozen(), b.UnpackFrozen)
	if err != nil {
		s.t.Fatal(err)
	}
	return f
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// The first delivery records the pause and then fails transiently, before
// the ack (the fault: the engine's tests' afterRecord); while it waits for
// its redelivery the policy is reloaded and the event now asks for a
// bridge freeze instead. The redelivery records and sends the freeze under
// its own id, where an id by action index took the freeze for the
// recorded pause and skipped it; the pause is neither sent again nor lost.
func TestReloadBetweenDeliveriesRecordsTheNewAction(t *testing.T) {
	var s *intentStack
	var faults atomic.Int32
	s = newIntentStack(t, func(in record.Intent) error {
		if faults.Add(1) != 1 {
			return nil
		}
		s.reloadTo(drillFreeze)
		return errors.New("injected fault after recording " + in.ID)
	})
	ev := drill("reload-1")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if faults.Load() < 2 {
		t.Fatalf("the event was handled %d time(s) past recording, want a redelivery", faults.Load())
	}
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed || out.Actions[0].Request.Type != "freeze_bridge" {
		t.Fatalf("the redelivery's actions: %+v, want the one freeze of the new policy", out.Actions)
	}
	freeze := s.final(out.Actions[0].ActionID)
	if freeze.State != record.Mined || freeze.Status != 1 || freeze.To != s.demo.Bridge {
		t.Fatalf("the freeze: %+v, want mined on the bridge", freeze)
	}
	recs := s.actions(ev.ID)
	if len(recs) != 2 {
		t.Fatalf("event %s has %d recorded actions, want the pause and the freeze: %+v", ev.ID, len(recs), recs)
	}
	for _, r := range recs {
		if r.ID == freeze.ID {
			continue
		}
		if r.To != s.demo.Vault || s.final(r.ID).State != record.Mined {
			t.Errorf("the first delivery's action: %+v, want the vault's pause, mined", r)
		}
	}
	if n, err := s.client.NonceAt(s.ctx, s.from.Address(), nil); err != nil || n != 2 {
		t.Errorf("the guardian sent %d transactions (%v), want 2: the pause once, the freeze once", n, err)
	}
	if !s.paused() || !s.frozen() {
		t.Errorf("paused %v, frozen %v: want both", s.paused(), s.frozen())
	}
	for _, k := range s.auditKinds(ev.ID) {
		if k == audit.KindIntentMismatch {
			t.Error("a content-addressed id was found recorded with other content")
		}
	}
}

// An id recorded with other content (here: another signer, written to the
// bucket by the test as a replica with another configuration would) is
// refused, audited and logged, not skipped as already done.
func TestRecordedIntentWithOtherContentIsRefusedAndAudited(t *testing.T) {
	s := newIntentStack(t, nil)
	ev := drill("mismatch-1")
	pause := contracts.NewProtectedVault().PackPause()
	id := record.IntentID(ingest.EventKey(ev.ID), contracts.DevChainID, s.demo.Vault, pause)
	kv, err := s.js.KeyValue(s.ctx, record.ActionsBucket)
	if err != nil {
		t.Fatal(err)
	}
	other := record.Record{Intent: record.Intent{
		ID: id, EventID: ev.ID, Protocol: "demo", Type: "pause", ChainID: contracts.DevChainID,
		To: s.demo.Vault, Function: "pause()", Data: pause, Signer: "another-signer",
	}, State: record.Failed, Error: "recorded elsewhere", CreatedAt: time.Now()}
	data, err := json.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(s.ctx, id, data); err != nil {
		t.Fatal(err)
	}
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("actions %+v", out.Actions)
	}
	a := out.Actions[0]
	if a.Outcome != guard.Refused || !strings.Contains(a.Reason, "intent mismatch") || !strings.Contains(a.Reason, `signer: recorded "another-signer", now "guardian"`) || a.ActionID != "" {
		t.Fatalf("verdict %+v, want refused as an intent mismatch naming the signer", a)
	}
	kinds := s.auditKinds(ev.ID)
	var mismatch, planned bool
	for _, k := range kinds {
		mismatch = mismatch || k == audit.KindIntentMismatch
		planned = planned || k == audit.KindPlanned
	}
	if !mismatch || planned {
		t.Errorf("audit kinds %v, want an intent_mismatch and no planned", kinds)
	}
	if rec := s.final(id); rec.Signer != "another-signer" || rec.State != record.Failed {
		t.Errorf("the recorded action changed: %+v", rec)
	}
	if n, err := s.client.NonceAt(s.ctx, s.from.Address(), nil); err != nil || n != 0 {
		t.Errorf("the guardian sent %d transactions (%v), want none", n, err)
	}
}

// A claim whose action failed is taken over: the new event's pause is
// sent, not joined to the failure. So is an entry that names no action
// (not written by an engine).
func TestFailedFirstActionIsTakenOver(t *testing.T) {
	for _, garbage := range []bool{false, true} {
		t.Run(map[bool]string{false: "failed", true: "garbage"}[garbage], func(t *testing.T) { testTakeOver(t, garbage) })
	}
}

func testTakeOver(t *testing.T, garbage bool) {
	s := newIntentStack(t, nil)
	pause := contracts.NewProtectedVault().PackPause()
	oldID := record.IntentID(ingest.EventKey("earlier"), contracts.DevChainID, s.demo.Vault, pause)
	kv, err := s.js.KeyValue(s.ctx, record.ActionsBucket)
	if err != nil {
		t.Fatal(err)
	}
	failed, err := json.Marshal(record.Record{Intent: record.Intent{
		ID: oldID, EventID: "earlier", Protocol: "demo", Type: "pause", ChainID: contracts.DevChainID,
		To: s.demo.Vault, Function: "pause()", Data: pause, Signer: "guardian",
	}, State: record.Failed, Error: "signer unavailable", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(s.ctx, oldID, failed); err != nil {
		t.Fatal(err)
	}
	inflight, err := s.js.KeyValue(s.ctx, record.InflightBucket)
	if err != nil {
		t.Fatal(err)
	}
	call := record.CallKey(contracts.DevChainID, s.demo.Vault, pause)
	holder := oldID
	if garbage {
		holder = "not an action id >"
	}
	if _, err := inflight.Create(s.ctx, call, []byte(holder)); err != nil {
		t.Fatal(err)
	}

	ev := drill("after-failure")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed || out.Actions[0].JoinedTo != "" {
		t.Fatalf("actions %+v, want one pause, not joined", out.Actions)
	}
	if rec := s.final(out.Actions[0].ActionID); rec.State != record.Mined || rec.Status != 1 || !s.paused() {
		t.Fatalf("the new pause: %+v (paused %v)", rec, s.paused())
	}
	e, err := inflight.Get(s.ctx, call)
	if err != nil || string(e.Value()) != out.Actions[0].ActionID {
		t.Errorf("the in-flight entry is %v (%v), want the new action %s", e, err, out.Actions[0].ActionID)
	}
}
