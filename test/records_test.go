package test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/signer"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// sharedNATS is a NATS server the engine reaches by URL, as replicas on a
// cluster do, so that a record written into FIREBREAK_ACTIONS while the
// engine runs is adopted by the sender's lease holder within ~100 ms, and
// a MAC key file the engine is configured with. The test holds the key,
// so it can forge records with a valid MAC: what only the allowlist
// check can stop.
type sharedNATS struct {
	url     string
	dir     string // the server's folder, its identity store inside
	seed    string // the engine's identity
	js      jetstream.JetStream
	kv      jetstream.KeyValue
	keyFile string
	sealer  *record.Sealer // the engine's key
	other   *record.Sealer // a key that is not the engine's
}

func newSharedNATS(t *testing.T) *sharedNATS {
	t.Helper()
	dir := t.TempDir()
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: dir, Host: "127.0.0.1", Port: -1}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	// The forger has the engine's own NATS identity: the only one that
	// may write FIREBREAK_ACTIONS.
	nc, err := srv.Dial(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	n := &sharedNATS{url: srv.ClientURL(), dir: dir, seed: srv.EngineSeedFile(), js: js, keyFile: filepath.Join(t.TempDir(), "record-mac.key")}
	if err := os.WriteFile(n.keyFile, []byte(strings.Repeat("3c", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key, _ := record.LoadMACKeyFile(n.keyFile, false)
	n.sealer, _ = record.NewSealer(key)
	n.other, _ = record.NewSealer([]byte(strings.Repeat("x", 32)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := record.NewStore(ctx, n.js, 1); err != nil {
		t.Fatal(err)
	}
	if n.kv, err = n.js.KeyValue(ctx, record.ActionsBucket); err != nil {
		t.Fatal(err)
	}
	return n
}

// configure points the engine at the server, with the engine's identity,
// and at the key. The engine's data folder is the server's, so that
// identities the test creates there (an approver's) are let in.
func (n *sharedNATS) configure(o *config.Options) {
	o.NATS.URL, o.NATS.NkeySeedFile, o.NATS.LeaseTTL, o.Records.MACKeyFile = n.url, n.seed, time.Second, n.keyFile
	o.DataDir = n.dir
}

// forge writes rec straight into the actions bucket, as anyone with write
// access to it could.
func (n *sharedNATS) forge(t *testing.T, rec record.Record) {
	t.Helper()
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.kv.Put(context.Background(), rec.ID, data); err != nil {
		t.Fatal(err)
	}
}

// stored waits until the stored record id is final.
func (n *sharedNATS) stored(t *testing.T, ctx context.Context, id string) record.Record {
	t.Helper()
	for {
		if e, err := n.kv.Get(ctx, id); err == nil {
			var rec record.Record
			if json.Unmarshal(e.Value(), &rec) == nil && rec.State.Final() {
				return rec
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("record %s never became final", id)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// refusedInAudit waits for the audit log's refused record of action id
// and returns its payload.
func refusedInAudit(t *testing.T, ctx context.Context, js jetstream.JetStream, id string) string {
	t.Helper()
	rd, err := audit.NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	for {
		recs, err := rd.List(ctx, audit.Filter{Kind: audit.KindRefused})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.ActionID == id {
				return string(r.Data)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no refused audit record for %s", id)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// forgedIntent is a pending record of the guardian calling data on to.
func forgedIntent(name string, to common.Address, function string, data []byte, signer string) record.Record {
	return record.Record{Intent: record.Intent{
		ID: "forged-" + name + "-0", EventID: "forged-" + name, Protocol: "demo", Type: "pause", ChainID: chainID,
		To: to, Function: function, Data: data, Signer: signer,
	}, State: record.Pending, CreatedAt: time.Now()}
}

// Records written straight into FIREBREAK_ACTIONS are never signed,
// whether they are there when the engine starts (resumed) or appear while
// it runs (adopted by the lease holder): a call off the allowlist (another
// target, another function) even with a valid MAC, an allowlisted call
// with another key's MAC or none, and an included record without its hash
// (which made every start panic). Each ends refused, the audit log says
// why, nothing reaches the chain, and the engine goes on handling events.
func TestForgedRecordsAreNeverSigned(t *testing.T) {
	n := newSharedNATS(t)
	v, b := contracts.NewProtectedVault(), contracts.NewTokenBridge()
	type forged struct {
		rec    record.Record
		reason string
	}
	// The demo's addresses are known once it is deployed: the records are
	// made then, in configure, before the engine starts.
	var cases []forged
	makeCases := func(prefix string, vault, bridge common.Address) []forged {
		seal := func(r record.Record, s *record.Sealer) record.Record { r.Intent = s.Seal(r.Intent); return r }
		// What a crash or a bad write could leave: an included record
		// with its signed transaction, nonce and attempts, but no hash.
		included := forgedIntent(prefix+"included-no-hash", vault, "pause()", v.PackPause(), "guardian")
		signedInFlight(t, &included, record.Included)
		included.TxHash = nil
		return []forged{
			{seal(forgedIntent(prefix+"other-target", bridge, "freeze()", b.PackFreeze(), "guardian"), n.sealer), "not on the allowlist"},
			{seal(forgedIntent(prefix+"other-function", vault, "pause()", v.PackUnpause(), "guardian"), n.sealer), "not on the allowlist"},
			{seal(forgedIntent(prefix+"bad-mac", vault, "pause()", v.PackPause(), "guardian"), n.other), record.ErrBadMAC.Error()},
			{forgedIntent(prefix+"no-mac", vault, "pause()", v.PackPause(), "guardian"), record.ErrNoMAC.Error()},
			{seal(included, n.sealer), "included without a tx_hash"},
		}
	}
	s := newStack(t, func(o *config.Options) {
		n.configure(o)
		vault := common.HexToAddress(o.Protocols["demo"].Contracts["vault"].Address)
		bridge := common.HexToAddress(o.Protocols["demo"].Contracts["bridge"].Address)
		for _, c := range makeCases("start-", vault, bridge) {
			n.forge(t, c.rec)
			cases = append(cases, c)
		}
		// What the live ones will be.
		cases = append(cases, makeCases("live-", vault, bridge)...)
	})
	for _, c := range cases {
		if strings.HasPrefix(c.rec.ID, "forged-live-") {
			n.forge(t, c.rec)
		}
	}
	for _, c := range cases {
		rec := n.stored(t, s.ctx, c.rec.ID)
		if rec.State != record.Refused || !strings.Contains(rec.Error, c.reason) || len(rec.Attempts) != len(c.rec.Attempts) {
			t.Errorf("%s: stored %s (%q), %d attempts; want refused because %q, nothing signed", c.rec.ID, rec.State, rec.Error, len(rec.Attempts), c.reason)
		}
		if got := refusedInAudit(t, s.ctx, s.js, c.rec.ID); !strings.Contains(got, c.reason) {
			t.Errorf("%s: the audit's refused record does not say %q: %s", c.rec.ID, c.reason, got)
		}
	}
	if sent := s.sent(s.guardian.Address()); sent != 0 || s.paused() || s.frozen() {
		t.Fatalf("the guardian sent %d transactions (paused %v, frozen %v); want none", sent, s.paused(), s.frozen())
	}
	// The engine kept consuming: a real event still pauses the vault.
	ev := criticalExploit("after-forgeries-1")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
		t.Fatalf("actions = %+v, want the pause", out.Actions)
	}
	if rec := s.action(out.Actions[0].ActionID); rec.State != record.Mined || rec.Status != 1 || !s.paused() {
		t.Fatalf("the real pause: %+v", rec)
	}
	if sent := s.sent(s.guardian.Address()); sent != 1 {
		t.Fatalf("the guardian sent %d transactions, want the one pause", sent)
	}
}

// An execTransaction record for the engine's Safe whose Safe transaction
// is a DELEGATECALL or sends value is never signed by the executor, even
// with a valid MAC and valid owner signatures (it would execute); nor is
// a plain one with another key's MAC.
func TestForgedSafeRecordsAreNeverSigned(t *testing.T) {
	n := newSharedNATS(t)
	s := newSafeStack(t, safeConfig{owners: []string{"owner0", "owner1"}, configure: n.configure})
	st, err := s.safe.State(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	pause := contracts.NewProtectedVault().PackPause()
	execOf := func(tx safesigner.Tx) []byte {
		sigs, err := s.safe.Sign(s.ctx, tx, st, s.safe.Owners()[:2]...)
		if err != nil {
			t.Fatal(err)
		}
		data, err := s.safe.ExecCalldata(tx, sigs, st)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	delegate := safesigner.NewTx(s.demo.Vault, pause, st.Nonce)
	delegate.Operation = 1
	value := safesigner.NewTx(s.demo.Vault, pause, st.Nonce)
	value.Value = hexutil.Big(*big.NewInt(1))
	plain := safesigner.NewTx(s.demo.Vault, pause, st.Nonce)
	cases := []struct {
		name   string
		data   []byte
		sealer *record.Sealer
		reason string
	}{
		{"delegatecall", execOf(delegate), n.sealer, "operation 1 is not CALL"},
		{"value", execOf(value), n.sealer, "sends value 1 wei"},
		{"bad-mac", execOf(plain), n.other, record.ErrBadMAC.Error()},
	}
	for _, c := range cases {
		rec := forgedIntent("safe-"+c.name, s.safeDemo.Safe, "execTransaction:pause()", c.data, "executor")
		rec.Intent = c.sealer.Seal(rec.Intent)
		n.forge(t, rec)
		got := n.stored(t, s.ctx, rec.ID)
		if got.State != record.Refused || !strings.Contains(got.Error, c.reason) {
			t.Errorf("%s: stored %s (%q); want refused because %q", c.name, got.State, got.Error, c.reason)
		}
		if a := refusedInAudit(t, s.ctx, s.js, rec.ID); !strings.Contains(a, c.reason) {
			t.Errorf("%s: the audit's refused record does not say %q: %s", c.name, c.reason, a)
		}
	}
	if sent := s.sent(s.guardian.Address()); sent != 0 || s.paused() || s.safeNonce() != 0 {
		t.Fatalf("the executor sent %d transactions (paused %v, Safe nonce %d); want none", sent, s.paused(), s.safeNonce())
	}
}

// tamperApproval rewrites the stored approval id with change applied.
func tamperApproval(t *testing.T, s *safeStack, id string, change func(*safe.Approval)) {
	t.Helper()
	kv, err := s.js.KeyValue(s.ctx, safe.ApprovalsBucket)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(s.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var a safe.Approval
	if err := json.Unmarshal(e.Value(), &a); err != nil {
		t.Fatal(err)
	}
	change(&a)
	data, _ := json.Marshal(a)
	if _, err := kv.Put(s.ctx, id, data); err != nil {
		t.Fatal(err)
	}
}

// rehash keeps a tampered approval's hash its transaction's, so that only
// the allowlist and the MAC can tell.
func rehash(a *safe.Approval) { a.Hash = a.Tx.Hash(big.NewInt(int64(a.ChainID)), a.Safe) }

// An approval edited in the bucket (a DELEGATECALL, value, another target,
// or a MAC that is not the engine's) is shown as refused by `approvals`,
// refused by `approve`, and, even signed by enough owners to execute, is
// never executed by the engine: it ends refused, audited.
func TestTamperedApprovalIsNeitherSignedNorExecuted(t *testing.T) {
	s := newSafeStack(t, safeConfig{owners: []string{"owner1"}})
	ev := criticalExploit("tampered-approval-1")
	s.publish(ev)
	id := s.outcome(ev.ID).Actions[0].Approval
	if id == "" {
		t.Fatal("no approval")
	}
	orig := s.approval(id, func(a engine.ApprovalStatus) bool { return true })
	if orig.Refusal != "" || orig.Call.Target != "demo.vault" || orig.Call.Function != "pause()" || !orig.Call.Allowed || orig.Operation != "CALL" || orig.Value != "0" {
		t.Fatalf("the engine's own approval reads %+v; want pause() on demo.vault, CALL, value 0, no refusal", orig)
	}
	approver := s.opts
	approver.SignerInstances = map[string]signer.Signer{"owner2": mustSigner(t, ownerKeys[2])}
	cases := []struct {
		name   string
		change func(*safe.Approval)
		reason string
	}{
		{"delegatecall", func(a *safe.Approval) { a.Tx.Operation = 1; rehash(a) }, "operation 1 is not CALL"},
		{"value", func(a *safe.Approval) { a.Tx.Value = hexutil.Big(*big.NewInt(1e18)); rehash(a) }, "sends value"},
		{"other target", func(a *safe.Approval) { a.Tx.To = s.demo.Bridge; rehash(a) }, "not on the allowlist"},
		{"bad mac", func(a *safe.Approval) { a.MAC = strings.Repeat("ab", 32) }, record.ErrBadMAC.Error()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tamperApproval(t, s, id, c.change)
			shown := s.approval(id, func(a engine.ApprovalStatus) bool { return a.Refusal != "" })
			if !strings.Contains(shown.Refusal, c.reason) {
				t.Errorf("approvals shows refusal %q, want it to say %q", shown.Refusal, c.reason)
			}
			_, err := engine.Approve(s.ctx, approver, id, "owner2", slog.New(slog.DiscardHandler))
			if !errors.Is(err, safe.ErrApprovalRefused) || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("approve = %v, want a refusal saying %q", err, c.reason)
			}
			if a := s.approval(id, func(engine.ApprovalStatus) bool { return true }); len(a.Signatures) != 1 || a.State != safe.Pending {
				t.Fatalf("after the refusal: %d signatures, %s; want unchanged", len(a.Signatures), a.State)
			}
			tamperApproval(t, s, id, func(a *safe.Approval) { *a = orig.Approval })
		})
	}
	// Owners holding every key sign the DELEGATECALL itself: the engine
	// still does not execute it.
	tamperApproval(t, s, id, func(a *safe.Approval) {
		a.Tx.Operation = 1
		rehash(a)
		st, err := s.safe.State(s.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if a.Signatures, err = s.safe.Sign(s.ctx, a.Tx, st, s.safe.Owners()[:2]...); err != nil {
			t.Fatal(err)
		}
		a.State = safe.Ready
	})
	refused := s.approval(id, func(a engine.ApprovalStatus) bool { return a.State.Final() })
	if refused.State != safe.Refused || !strings.Contains(refused.Error, "operation 1 is not CALL") {
		t.Fatalf("the signed DELEGATECALL approval: %s (%q); want refused", refused.State, refused.Error)
	}
	if a := refusedInAudit(t, s.ctx, s.js, id); !strings.Contains(a, "operation 1 is not CALL") {
		t.Errorf("the audit's refused record: %s", a)
	}
	s.sleep(200 * time.Millisecond) // ten Safe ticks
	if _, err := s.engine.Action(s.ctx, id); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Errorf("an action was recorded for the refused approval: %v", err)
	}
	if sent := s.sent(s.guardian.Address()); sent != 0 || s.paused() || s.safeNonce() != 0 {
		t.Fatalf("the executor sent %d transactions (paused %v, Safe nonce %d); want none", sent, s.paused(), s.safeNonce())
	}
}

// An approval that reaches its threshold while firebreak is halted waits:
// it executes only after resume.
func TestApprovalWaitsForResume(t *testing.T) {
	s := newSafeStack(t, safeConfig{owners: []string{"owner1"}})
	ev := criticalExploit("halted-approval-1")
	s.publish(ev)
	id := s.outcome(ev.ID).Actions[0].Approval
	if id == "" {
		t.Fatal("no approval")
	}
	ks, err := guard.OpenKillSwitch(s.ctx, s.js, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.Halt(s.ctx, guard.Halt{Reason: "drill", By: t.Name(), At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	approver := s.opts
	approver.SignerInstances = map[string]signer.Signer{"owner2": mustSigner(t, ownerKeys[2])}
	if a, err := engine.Approve(s.ctx, approver, id, "owner2", slog.New(slog.DiscardHandler)); err != nil || a.State != safe.Ready {
		t.Fatalf("approve: %v, %s; want ready", err, a.State)
	}
	s.sleep(300 * time.Millisecond) // fifteen Safe ticks
	if a := s.approval(id, func(engine.ApprovalStatus) bool { return true }); a.State != safe.Ready || s.sent(s.guardian.Address()) != 0 || s.paused() {
		t.Fatalf("while halted: approval %s, %d sent, paused %v; want it waiting", a.State, s.sent(s.guardian.Address()), s.paused())
	}
	if err := ks.Resume(s.ctx); err != nil {
		t.Fatal(err)
	}
	if rec := s.action(id); rec.State != record.Mined || rec.Status != 1 || !s.paused() {
		t.Fatalf("after resume: %+v; want the approved pause mined", rec)
	}
}

// signedInFlight makes rec a record in state st holding the guardian's
// signed transaction of its call at nonce 0, as the submitter records one.
func signedInFlight(t *testing.T, rec *record.Record, st record.State) {
	t.Helper()
	g := mustSigner(t, guardianKey)
	to, chain := rec.To, big.NewInt(chainID)
	tx, err := g.SignTx(context.Background(), types.NewTx(&types.DynamicFeeTx{
		ChainID: chain, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9), Gas: 60_000, To: &to, Data: rec.Data,
	}), chain)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tx.MarshalBinary()
	hash, nonce := tx.Hash(), uint64(0)
	rec.State, rec.From, rec.Nonce, rec.TxHash, rec.RawTx, rec.GasLimit = st, g.Address(), &nonce, &hash, raw, 60_000
	rec.Attempts = []record.Attempt{{Hash: hash, Status: record.AttemptSent, At: time.Now()}}
}
