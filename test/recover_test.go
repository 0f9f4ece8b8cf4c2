package test

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/recovery"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// recoverStack is a stack whose vault was paused by a critical event, an
// incident holding that pause, a recovery signer holding the vault's admin
// role (which unpause needs, and the guardian does not hold), and three
// approvers of whom two must sign.
type recoverStack struct {
	*stack
	// opts are the CLI's: the engine's configuration, connecting to its
	// NATS from outside.
	opts      config.Options
	keys      map[string]ed25519.PrivateKey
	recoverer *local.Signer
	incident  string
	pauseID   string
}

func newRecoverStack(t *testing.T, allow []string) *recoverStack {
	return newRecoverStackContaining(t, allow, false)
}

// newRecoverStackContaining is newRecoverStack; with revoke, the incident
// is a revocation of the operator's OPERATOR_ROLE instead of a pause.
func newRecoverStackContaining(t *testing.T, allow []string, revoke bool) *recoverStack {
	return newRecoverStackWith(t, allow, revoke, nil)
}

// newRecoverStackWith is newRecoverStackContaining with configure applied
// to the engine's options last.
func newRecoverStackWith(t *testing.T, allow []string, revoke bool, configure func(*config.Options)) *recoverStack {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	recoverer := mustSigner(t, hex.EncodeToString(crypto.FromECDSA(k)))
	keys := map[string]ed25519.PrivateKey{}
	var approvers []config.RecoveryApprover
	for _, name := range []string{"alice", "bob", "carol"} {
		pub, priv, _ := ed25519.GenerateKey(nil)
		keys[name] = priv
		approvers = append(approvers, config.RecoveryApprover{Name: name, PublicKey: hex.EncodeToString(pub)})
	}
	var opts config.Options
	s := newStack(t, func(o *config.Options) {
		if revoke {
			revocable(nil)(o)
		}
		o.SignerInstances["recovery"] = signer.Signer(recoverer)
		o.Recovery = config.RecoveryOptions{Signer: "recovery", Threshold: 2, Approvers: approvers}
		o.RecoveryAllowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: allow}}
		o.Simulate.Method = string(simulate.MethodAnvil)
		if configure != nil {
			configure(o)
		}
		opts = *o
	})
	// The recovery signer is the vault's second admin, funded.
	if err := s.client.Client().CallContext(s.ctx, nil, "anvil_setBalance", recoverer.Address(), "0x56BC75E2D63100000"); err != nil {
		t.Fatal(err)
	}
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(chainID))
	auth.Context = s.ctx
	v := contracts.NewProtectedVault()
	tx, err := bind.Transact(v.Instance(s.client, s.demo.Vault), auth, v.PackGrantRole([32]byte{}, recoverer.Address()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bind.WaitMined(s.ctx, s.client, tx.Hash()); err != nil {
		t.Fatal(err)
	}

	ev := criticalExploit("recover-critical-1")
	if revoke {
		s.makeGuardianAdmin()
		ev = compromised("recover-revoke-1", "operator", s.operator.Address())
	}
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
		t.Fatalf("actions = %+v, want one containment action", out.Actions)
	}
	pause := s.action(out.Actions[0].ActionID)
	if pause.State != record.Mined || pause.Status != 1 || s.paused() == revoke {
		t.Fatalf("containment = %+v, paused %v: want it mined", pause, s.paused())
	}
	// The incident as grouping (another change) would have opened it.
	incidents, err := incident.NewStore(s.ctx, s.js, 1)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	in := incident.Incident{ID: "inc-recover-1", Protocol: "demo", Severity: "critical", Title: "exploit on demo", State: incident.Contained,
		OpenedAt: now, LastEventAt: now, Events: []string{ev.ID}, Actions: []string{pause.ID},
		History: []incident.Change{{To: incident.Detected, By: "firebreak", At: now}, {From: incident.Detected, To: incident.Contained, By: "firebreak", At: now}}}
	if _, err := incidents.Create(s.ctx, in); err != nil {
		t.Fatal(err)
	}
	// The CLI connects from outside. As the engine: the operator identity
	// is not yet allowed to write FIREBREAK_RECOVERY (see docs/recovery.md).
	if opts.NATS.URL == "" {
		opts.NATS.URL, opts.NATS.NkeySeedFile = s.engine.NATSURL(), s.engine.NATSSeedFile()
	}
	return &recoverStack{stack: s, opts: opts, keys: keys, recoverer: recoverer, incident: in.ID, pauseID: pause.ID}
}

func (s *recoverStack) incidentState() incident.Incident {
	s.t.Helper()
	st, err := incident.OpenStore(s.ctx, s.js)
	if err != nil {
		s.t.Fatal(err)
	}
	in, _, err := st.Get(s.ctx, s.incident)
	if err != nil {
		s.t.Fatal(err)
	}
	return in
}

// proposal waits until the engine has audited n approvals of id (or, with
// done, until the proposal is final) and returns it.
func (s *recoverStack) proposal(id string, until func(recovery.Proposal) bool) recovery.Proposal {
	s.t.Helper()
	for {
		p, err := engine.RecoveryProposal(s.ctx, s.opts, id)
		if err != nil {
			s.t.Fatal(err)
		}
		if until(p) {
			return p
		}
		s.sleep(20 * time.Millisecond)
	}
}

func (s *recoverStack) approve(id, name string) {
	s.t.Helper()
	if _, err := engine.ApproveRecovery(s.ctx, s.opts, id, s.keys[name], slog.New(slog.DiscardHandler)); err != nil {
		s.t.Fatalf("approve by %s: %v", name, err)
	}
}

// The acceptance path: recover dry-runs the unpause on a fork and shows
// it; nothing is sent with one approval, or with a forged second one; the
// second real approval executes it, and the incident is resolved.
func TestRecoverUnpausesOnlyAfterApprovals(t *testing.T) {
	s := newRecoverStack(t, []string{"unpause()"})
	ctx := s.ctx

	p, err := engine.ProposeRecovery(ctx, s.opts, engine.RecoverOptions{Incident: s.incident, By: "alice"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1 || p.Steps[0].Type != recovery.TypeUnpause || p.Steps[0].Function != "unpause()" || p.Steps[0].Undoes != s.pauseID {
		t.Fatalf("steps = %+v, want one unpause undoing %s", p.Steps, s.pauseID)
	}
	if p.DryRun == nil || !p.DryRun.OK || p.DryRun.Method != simulate.MethodAnvil || len(p.DryRun.Actions) != 1 {
		t.Fatalf("dry-run = %+v, want the unpause ok on an anvil fork", p.DryRun)
	}
	a := p.DryRun.Actions[0]
	if a.Status != simulate.StatusOK || a.PostCondition == nil || a.PostCondition.Status != simulate.StatusPass || a.PostCondition.Description != "paused() == false" {
		t.Fatalf("fork action = %+v (post-condition %+v), want ok and paused() == false passing", a, a.PostCondition)
	}
	if a.From != s.recoverer.Address() {
		t.Errorf("dry-run from %s, want the recovery signer %s", a.From.Hex(), s.recoverer.Address().Hex())
	}
	if !s.paused() || s.sent(s.recoverer.Address()) != 0 {
		t.Fatal("the dry-run changed the live chain")
	}
	if in := s.incidentState(); in.State != incident.Recovering || !strings.Contains(in.History[len(in.History)-1].Note, p.ID) {
		t.Fatalf("incident = %+v, want recovering, noting %s", in, p.ID)
	}
	if _, err := engine.ProposeRecovery(ctx, s.opts, engine.RecoverOptions{Incident: s.incident, By: "bob"}, slog.New(slog.DiscardHandler)); !errors.Is(err, engine.ErrAlreadyProposed) {
		t.Errorf("the same recovery again: %v, want ErrAlreadyProposed", err)
	}

	// One of two approvals: the engine sees it, and sends nothing.
	s.approve(p.ID, "alice")
	if _, err := engine.ApproveRecovery(ctx, s.opts, p.ID, s.keys["alice"], slog.New(slog.DiscardHandler)); !errors.Is(err, recovery.ErrAlreadyApproved) {
		t.Errorf("alice again: %v, want ErrAlreadyApproved", err)
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	if _, err := engine.ApproveRecovery(ctx, s.opts, p.ID, stranger, slog.New(slog.DiscardHandler)); !errors.Is(err, recovery.ErrNotApprover) {
		t.Errorf("a key not in recovery.approvers: %v, want ErrNotApprover", err)
	}
	got := s.proposal(p.ID, func(p recovery.Proposal) bool { return p.AuditedApprovals == 1 })
	if got.State != recovery.Proposed || !s.paused() || s.sent(s.recoverer.Address()) != 0 {
		t.Fatalf("after one approval: state %s, paused %v, recovery txs %d; want proposed, paused, none", got.State, s.paused(), s.sent(s.recoverer.Address()))
	}

	// A forged approval: bob's name, another key, written straight into
	// the bucket. The engine audits it as not counted and sends nothing.
	store, err := recovery.OpenStore(ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	cur, rev, err := store.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur.Approvals = append(cur.Approvals, recovery.Sign(cur, "bob", stranger, time.Now()))
	if _, err := store.Update(ctx, cur, rev); err != nil {
		t.Fatal(err)
	}
	got = s.proposal(p.ID, func(p recovery.Proposal) bool { return p.AuditedApprovals == 2 })
	if got.State != recovery.Proposed || !s.paused() || s.sent(s.recoverer.Address()) != 0 {
		t.Fatalf("after a forged approval: state %s, paused %v, recovery txs %d; want proposed, paused, none", got.State, s.paused(), s.sent(s.recoverer.Address()))
	}

	// Bob's real approval: the engine executes.
	s.approve(p.ID, "bob")
	got = s.proposal(p.ID, func(p recovery.Proposal) bool { return p.State == recovery.Executed || p.State == recovery.Failed })
	if got.State != recovery.Executed {
		t.Fatalf("proposal = %s (%s), want executed", got.State, got.Reason)
	}
	if s.paused() {
		t.Fatal("the vault is still paused after the recovery executed")
	}
	if n := s.sent(s.recoverer.Address()); n != 1 {
		t.Errorf("the recovery signer sent %d transactions, want 1", n)
	}
	rec := s.action(recovery.IntentID(p.ID, 0))
	if rec.State != record.Mined || rec.Status != 1 || rec.From != s.recoverer.Address() || rec.Type != recovery.TypeUnpause {
		t.Errorf("recovery action = %+v, want the unpause mined from the recovery signer", rec)
	}
	if in := s.incidentState(); in.State != incident.Resolved {
		t.Errorf("incident = %s, want resolved", in.State)
	}

	// The audit log holds the proposal, the three approvals (the forged
	// one not counted), what the execution rests on and its end, in that
	// order.
	rd, err := audit.NewReader(ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	var counted []bool
	for {
		recs, err := rd.Event(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds, counted = kinds[:0], counted[:0]
		for _, r := range recs {
			if strings.HasPrefix(string(r.Kind), "recovery_") {
				kinds = append(kinds, string(r.Kind))
				if r.Kind == recovery.KindApproval {
					counted = append(counted, strings.Contains(string(r.Data), `"counted":true`))
				}
			}
		}
		if slices.Contains(kinds, recovery.KindExecuted) {
			break
		}
		s.sleep(20 * time.Millisecond)
	}
	want := []string{recovery.KindProposed, recovery.KindApproval, recovery.KindApproval, recovery.KindApproval, recovery.KindApproved, recovery.KindExecuted}
	if !slices.Equal(kinds, want) || !slices.Equal(counted, []bool{true, false, true}) {
		t.Errorf("audited %v (counted %v), want %v (counted [true false true])", kinds, counted, want)
	}
}

// A recovery step off recovery_allowlist is refused when planned, and
// nothing is proposed; the incident stays contained.
func TestRecoverRefusesOffRecoveryAllowlist(t *testing.T) {
	s := newRecoverStack(t, []string{"sweep(address)"})
	_, err := engine.ProposeRecovery(s.ctx, s.opts, engine.RecoverOptions{Incident: s.incident, By: "alice"}, slog.New(slog.DiscardHandler))
	if !errors.Is(err, recovery.ErrNotAllowlisted) || !strings.Contains(err.Error(), "unpause() on demo.vault") {
		t.Fatalf("err = %v, want ErrNotAllowlisted naming unpause() on demo.vault", err)
	}
	store, err := recovery.OpenStore(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	if ps, err := store.List(s.ctx); err != nil || len(ps) != 0 {
		t.Fatalf("proposals = %v, %v; want none", ps, err)
	}
	if in := s.incidentState(); in.State != incident.Contained {
		t.Errorf("incident = %s, want still contained", in.State)
	}
}

// The engine checks recovery_allowlist itself: a sealed proposal that
// holds a call off it (written into the bucket by someone holding the MAC
// key, and approved) is refused before anything is recorded or sent.
func TestRecoverEngineRefusesOffAllowlistProposal(t *testing.T) {
	s := newRecoverStack(t, []string{"unpause()"})
	key, err := record.LoadMACKeyFile(filepath.Join(s.opts.DataDir, record.MACKeyFile), false)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := record.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	v := contracts.NewProtectedVault()
	p := recovery.Proposal{ID: "recovery-forged", Incident: s.incident, Protocol: "demo", ChainID: chainID, Signer: "recovery",
		From: s.recoverer.Address(), Threshold: 2, State: recovery.Proposed, ProposedBy: "mallory", ProposedAt: time.Now().UTC(),
		Steps: []recovery.Step{{Type: recovery.TypeUnpause, Protocol: "demo", Contract: "vault", ChainID: chainID, To: s.demo.Vault,
			Function: "sweep(address)", Data: v.PackSweep(s.recoverer.Address())}}}
	p = recovery.Seal(p, sealer)
	p.Approvals = []recovery.Approval{recovery.Sign(p, "alice", s.keys["alice"], time.Now()), recovery.Sign(p, "bob", s.keys["bob"], time.Now())}
	store, err := recovery.OpenStore(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(s.ctx, p); err != nil {
		t.Fatal(err)
	}
	got := s.proposal(p.ID, func(p recovery.Proposal) bool { return p.State != recovery.Proposed })
	if got.State != recovery.Failed || !strings.Contains(got.Reason, "allowlist") {
		t.Fatalf("proposal = %s (%q), want failed, refused by the allowlist", got.State, got.Reason)
	}
	if len(got.Actions) != 0 || s.sent(s.recoverer.Address()) != 0 || !s.paused() {
		t.Errorf("actions %v, recovery txs %d, paused %v: want nothing recorded or sent", got.Actions, s.sent(s.recoverer.Address()), s.paused())
	}
}

// A revoked role goes back only to the account the operator names: without
// --grant nothing is planned; with it the grant is dry-run (hasRole true on
// the fork), approved, executed, and the role is held on chain by the named
// account, not the one it was revoked from.
func TestRecoverRegrantsToTheNamedAccount(t *testing.T) {
	s := newRecoverStackContaining(t, []string{"grantRole(bytes32,address)"}, true)
	role := crypto.Keccak256Hash([]byte("OPERATOR_ROLE"))
	if s.holds(role, s.operator.Address()) {
		t.Fatal("the operator still holds OPERATOR_ROLE after the revoke")
	}
	log := slog.New(slog.DiscardHandler)
	p, err := engine.ProposeRecovery(s.ctx, s.opts, engine.RecoverOptions{Incident: s.incident, By: "alice"}, log)
	if !errors.Is(err, recovery.ErrNothingToRecover) || len(p.Skipped) != 1 || !strings.Contains(p.Skipped[0].Reason, "--grant") {
		t.Fatalf("without --grant: %v, skipped %+v; want nothing to recover, the revoke skipped naming --grant", err, p.Skipped)
	}
	k, _ := crypto.GenerateKey()
	newOperator := crypto.PubkeyToAddress(k.PublicKey)
	p, err = engine.ProposeRecovery(s.ctx, s.opts, engine.RecoverOptions{Incident: s.incident, By: "alice",
		Grants: []recovery.Grant{{Role: "operator", Account: newOperator}}}, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1 || p.Steps[0].Type != recovery.TypeGrantRole || p.DryRun == nil || !p.DryRun.OK ||
		p.DryRun.Actions[0].PostCondition == nil || p.DryRun.Actions[0].PostCondition.Status != simulate.StatusPass {
		t.Fatalf("proposal = %+v (dry-run %+v), want one grant passing hasRole on the fork", p.Steps, p.DryRun)
	}
	if s.holds(role, newOperator) {
		t.Fatal("the dry-run granted the role on the live chain")
	}
	s.approve(p.ID, "carol")
	s.approve(p.ID, "bob")
	got := s.proposal(p.ID, func(p recovery.Proposal) bool { return p.State == recovery.Executed || p.State == recovery.Failed })
	if got.State != recovery.Executed {
		t.Fatalf("proposal = %s (%s), want executed", got.State, got.Reason)
	}
	if !s.holds(role, newOperator) || s.holds(role, s.operator.Address()) {
		t.Errorf("OPERATOR_ROLE: new account %v, revoked account %v; want only the named account", s.holds(role, newOperator), s.holds(role, s.operator.Address()))
	}
	if in := s.incidentState(); in.State != incident.Resolved {
		t.Errorf("incident = %s, want resolved", in.State)
	}
}

// A proposal written straight into the bucket as executing, with no
// approvals, is refused by the engine before anything is recorded.
func TestRecoverEngineRefusesUnapprovedExecutingProposal(t *testing.T) {
	s := newRecoverStack(t, []string{"unpause()"})
	key, err := record.LoadMACKeyFile(filepath.Join(s.opts.DataDir, record.MACKeyFile), false)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := record.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	v := contracts.NewProtectedVault()
	p := recovery.Proposal{ID: "recovery-sneaky", Incident: s.incident, Protocol: "demo", ChainID: chainID, Signer: "recovery",
		From: s.recoverer.Address(), Threshold: 2, State: recovery.Executing, ProposedBy: "mallory", ProposedAt: time.Now().UTC(),
		AuditedProposal: true, Steps: []recovery.Step{{Type: recovery.TypeUnpause, Protocol: "demo", Contract: "vault", ChainID: chainID,
			To: s.demo.Vault, Function: "unpause()", Data: v.PackUnpause()}}}
	p = recovery.Seal(p, sealer)
	p.Actions = []string{recovery.IntentID(p.ID, 0)}
	store, err := recovery.OpenStore(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(s.ctx, p); err != nil {
		t.Fatal(err)
	}
	got := s.proposal(p.ID, func(p recovery.Proposal) bool { return p.State != recovery.Executing })
	if got.State != recovery.Failed || !strings.Contains(got.Reason, "0 valid approvals") {
		t.Fatalf("proposal = %s (%q), want failed for want of approvals", got.State, got.Reason)
	}
	if _, err := s.engine.Action(s.ctx, recovery.IntentID(p.ID, 0)); err == nil {
		t.Error("an intent was recorded for the unapproved proposal")
	}
	if s.sent(s.recoverer.Address()) != 0 || !s.paused() {
		t.Error("the unapproved proposal sent something")
	}
	if in := s.incidentState(); in.State != incident.Contained || !strings.Contains(in.History[len(in.History)-1].Note, "recovery-sneaky failed") {
		t.Errorf("incident = %s (last change %+v), want still contained, with the failure noted", in.State, in.History[len(in.History)-1])
	}
}

// Two engine replicas share one NATS server: both watch the proposals,
// and an approved recovery is executed once: one transaction from the
// recovery signer, one intent, one end.
func TestRecoverTwoReplicasExecuteOnce(t *testing.T) {
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	macKey := filepath.Join(t.TempDir(), "record-mac.key")
	if err := os.WriteFile(macKey, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newRecoverStackWith(t, []string{"unpause()"}, false, func(o *config.Options) {
		o.NATS.URL, o.NATS.Instance, o.NATS.LeaseTTL = srv.ClientURL(), "a", time.Second
		o.Records.MACKeyFile = macKey
	})
	optsB := s.opts
	optsB.NATS.Instance, optsB.DataDir = "b", t.TempDir()
	runEngine(t, s.ctx, optsB, slog.New(slog.DiscardHandler))

	p, err := engine.ProposeRecovery(s.ctx, s.opts, engine.RecoverOptions{Incident: s.incident, By: "alice"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.approve(p.ID, "alice")
	s.approve(p.ID, "carol")
	got := s.proposal(p.ID, func(p recovery.Proposal) bool { return p.State == recovery.Executed || p.State == recovery.Failed })
	if got.State != recovery.Executed || s.paused() {
		t.Fatalf("proposal = %s (%s), paused %v; want executed and unpaused", got.State, got.Reason, s.paused())
	}
	if n := s.sent(s.recoverer.Address()); n != 1 {
		t.Errorf("the recovery signer sent %d transactions, want 1", n)
	}
	// Each replica audits what it sees; the execution's end is written by
	// the one that finished it, once.
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	executed := 0
	for executed == 0 { // queued after the proposal's end is stored
		recs, err := rd.Event(s.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Kind == recovery.KindExecuted {
				executed++
			}
		}
		if executed == 0 {
			s.sleep(20 * time.Millisecond)
		}
	}
	if executed != 1 {
		t.Errorf("%d recovery_executed records, want 1", executed)
	}
}
