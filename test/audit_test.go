package test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer/vault"
	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

// A fixed audit key for the tests (a seed of bytes 1..32): not a secret
// anywhere but here, and here the test proves it never enters a record.
var auditSeed = func() string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(i + 1)
	}
	return hex.EncodeToString(b)
}()

func auditPublicKey(t *testing.T) ed25519.PublicKey {
	k, err := audit.ParsePrivateKey(auditSeed)
	if err != nil {
		t.Fatal(err)
	}
	return k.Public().(ed25519.PublicKey)
}

// story waits until the audit log holds a record of kind last about the
// event, and returns the event's records.
func (s *stack) story(rd *audit.Reader, eventID string, last audit.Kind) []audit.Record {
	s.t.Helper()
	for {
		recs, err := rd.Event(s.ctx, eventID)
		if err != nil && !errors.Is(err, audit.ErrNotFound) {
			s.t.Fatal(err)
		}
		for _, r := range recs {
			if r.Kind == last {
				return recs
			}
		}
		s.sleep(10 * time.Millisecond)
	}
}

func kinds(recs []audit.Record) string {
	var k []string
	for _, r := range recs {
		k = append(k, string(r.Kind))
	}
	return strings.Join(k, " ")
}

func TestAuditTellsTheStoryOfACriticalEvent(t *testing.T) {
	s := newStack(t, func(o *config.Options) {
		o.Audit.SigningKeyEnv = "FIREBREAK_AUDIT_KEY"
		o.LookupEnv = func(name string) (string, bool) {
			if name == "FIREBREAK_AUDIT_KEY" {
				return auditSeed, true
			}
			return "", false
		}
	})
	ev := criticalExploit("audit-story-1")
	s.publish(ev)
	out := s.outcome(ev.ID)
	rec := s.action(out.Actions[0].ActionID)
	if rec.State != record.Mined {
		t.Fatalf("action = %+v, want mined", rec)
	}
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	recs := s.story(rd, ev.ID, audit.KindMined)

	// received → decision → action (guard verdict, planned intent) →
	// transaction (signed, sent) → inclusion.
	if got, want := kinds(recs), "received decision guard planned signed sent mined"; got != want {
		t.Fatalf("records about the event: %s, want %s", got, want)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Seq <= recs[i-1].Seq {
			t.Fatalf("records out of order: %d after %d", recs[i].Seq, recs[i-1].Seq)
		}
	}
	var story bytes.Buffer
	if err := audit.WriteStory(&story, recs); err != nil {
		t.Fatal(err)
	}
	t.Logf("audit show %s:\n%s", ev.ID, story.String())
	for _, want := range []string{
		"Event audit-story-1 (protocol demo)",
		"critical exploit alert from forta on chain 31337",
		"rules exploit_pause fired, 1 action(s) requested",
		"pause demo.vault allowed: pause() on " + s.demo.Vault.Hex(),
		"action " + rec.ID + ": pause() on " + s.demo.Vault.Hex(),
		"signed tx " + rec.TxHash.Hex() + ": nonce 0 from " + s.guardian.Address().Hex(),
		fmt.Sprintf("tx %s included in block %d: success, gas used %d", rec.TxHash.Hex(), rec.Block, rec.GasUsed),
	} {
		if !strings.Contains(story.String(), want) {
			t.Errorf("the story does not say %q", want)
		}
	}

	pub := auditPublicKey(t)
	rep, err := rd.Verify(s.ctx, audit.VerifyOptions{PublicKey: pub})
	if err != nil || rep.Records < 7 || rep.Signed != rep.Records {
		t.Fatalf("verify on the stream: %+v, %v", rep, err)
	}
	var export bytes.Buffer
	if _, err := rd.Export(s.ctx, &export); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.VerifyFile(bytes.NewReader(export.Bytes()), audit.VerifyOptions{PublicKey: pub}); err != nil {
		t.Fatalf("verify on the export: %v", err)
	}

	// Tamper with the copy: the decision record.
	lines := bytes.Split(bytes.TrimSpace(export.Bytes()), []byte("\n"))
	target := recs[1].Seq
	idx := int(target - 1)
	for _, tt := range []struct {
		name string
		edit func([][]byte) [][]byte
	}{
		{"altered", func(l [][]byte) [][]byte {
			l[idx] = bytes.Replace(l[idx], []byte("exploit_pause"), []byte("exploit_pauze"), 1)
			return l
		}},
		{"removed", func(l [][]byte) [][]byte { return append(l[:idx:idx], l[idx+1:]...) }},
		{"reordered", func(l [][]byte) [][]byte {
			l[idx], l[idx+1] = l[idx+1], l[idx]
			return l
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			copied := make([][]byte, len(lines))
			for i := range lines {
				copied[i] = bytes.Clone(lines[i])
			}
			file := bytes.Join(tt.edit(copied), []byte("\n"))
			_, err := audit.VerifyFile(bytes.NewReader(file), audit.VerifyOptions{PublicKey: pub})
			var broken *audit.BrokenError
			if !errors.As(err, &broken) || broken.Seq != target {
				t.Fatalf("verify on a copy with record %d %s: %v; want record %d named", target, tt.name, err, target)
			}
		})
	}

	// The server itself refuses to delete or purge audit records.
	stream, err := s.js.Stream(s.ctx, audit.Stream)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.DeleteMsg(s.ctx, target); err == nil {
		t.Error("the server deleted an audit record")
	}
	if err := stream.Purge(s.ctx); err == nil {
		t.Error("the server purged the audit stream")
	}
	if err := stream.Purge(s.ctx, jetstream.WithPurgeSubject(audit.Subject(ev.ID, audit.KindDecision))); err == nil {
		t.Error("the server purged an event's decision record")
	}
	if _, err := rd.Verify(s.ctx, audit.VerifyOptions{PublicKey: pub}); err != nil {
		t.Fatalf("after the refused deletes: %v", err)
	}
}

// Run the pipeline with the signer key and the audit key in the
// environment and an API token in the RPC URL, through a critical event, a
// rejected message and a duplicate; no record may contain any of them.
func TestNoSecretEntersTheAuditLog(t *testing.T) {
	const token = "tok_live_5f3c9a0e7b1d4c2a"
	env := map[string]string{
		"FIREBREAK_GUARDIAN_KEY": "0x" + guardianKey,
		"FIREBREAK_AUDIT_KEY":    auditSeed,
	}
	s := newStack(t, func(o *config.Options) {
		o.SignerInstances = nil
		o.Signers = map[string]config.SignerOptions{"guardian": {Kind: "local", KeyEnv: "FIREBREAK_GUARDIAN_KEY"}}
		o.Audit.SigningKeyEnv = "FIREBREAK_AUDIT_KEY"
		o.LookupEnv = func(name string) (string, bool) { v, ok := env[name]; return v, ok }
		o.Chains[0].RPC += "/?apikey=" + token
	})
	ev := criticalExploit("secret-1")
	s.publish(ev)
	if _, err := s.js.Publish(s.ctx, "detections.forta", []byte(`{"id":"secret-bad","severity":"apocalyptic"}`)); err != nil {
		t.Fatal(err)
	}
	data, err := ev.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.js.Publish(s.ctx, "detections.forta", data, jetstream.WithMsgID("another-copy")); err != nil {
		t.Fatal(err)
	}
	rec := s.action(s.outcome(ev.ID).Actions[0].ActionID)
	if rec.State != record.Mined {
		t.Fatalf("action = %+v, want mined", rec)
	}
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	s.story(rd, ev.ID, audit.KindMined)
	s.story(rd, ev.ID, audit.KindDuplicate)
	s.story(rd, "secret-bad", audit.KindRejected)

	var export bytes.Buffer
	n, err := rd.Export(s.ctx, &export)
	if err != nil || n < 9 {
		t.Fatalf("export: %d records, %v", n, err)
	}
	for name, secret := range map[string]string{
		"signer key": guardianKey, "audit key": auditSeed, "RPC token": token, "RPC URL": s.anvil.URL() + "/?apikey=",
	} {
		if bytes.Contains(bytes.ToLower(export.Bytes()), []byte(strings.ToLower(secret))) {
			t.Errorf("the %s is in the audit log", name)
		}
	}
	if _, err := audit.VerifyFile(&export, audit.VerifyOptions{PublicKey: auditPublicKey(t)}); err != nil {
		t.Fatal(err)
	}
}

// While the audit log cannot be written, an event is neither acknowledged
// nor acted on: it is retried, and acted on once its decision is on
// record. (The outage is real: the audit stream is deleted from the
// server, which an administrator can do; only messages are undeletable.)
func TestEventWaitsForTheAuditLog(t *testing.T) {
	s := newStack(t, func(o *config.Options) { o.Audit.RetryFor = 100 * time.Millisecond })
	if err := s.js.DeleteStream(s.ctx, audit.Stream); err != nil {
		t.Fatal(err)
	}
	ev := criticalExploit("audit-outage-1")
	s.publish(ev)
	for {
		c, err := s.js.Consumer(s.ctx, ingest.Stream, ingest.DefaultDurable)
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.Info(s.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumRedelivered > 0 {
			break
		}
		s.sleep(10 * time.Millisecond)
	}
	if _, err := s.engine.Outcome(s.ctx, ev.ID); !engine.IsNotHandled(err) {
		t.Fatalf("the event was handled without an audit log: %v", err)
	}
	if s.paused() || s.sent(s.guardian.Address()) != 0 {
		t.Fatal("the engine acted on an event whose decision is not on record")
	}

	if _, err := audit.EnsureStream(s.ctx, s.js, 1); err != nil {
		t.Fatal(err)
	}
	rec := s.action(s.outcome(ev.ID).Actions[0].ActionID)
	if rec.State != record.Mined || !s.paused() {
		t.Fatalf("after the audit log came back: %+v", rec)
	}
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	recs := s.story(rd, ev.ID, audit.KindMined)
	if got, want := kinds(recs), "received decision guard planned signed sent mined"; got != want {
		t.Fatalf("records: %s, want %s", got, want)
	}
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Errorf("the guardian sent %d transactions, want 1", n)
	}
	if _, err := rd.Verify(s.ctx, audit.VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
}

// With a Vault signer (KV mode: the key is read from Vault for each
// signature), neither the Vault token nor the key reaches the audit log.
func TestNoVaultSecretEntersTheAuditLog(t *testing.T) {
	srv := vaulttest.Start(t)
	key, _ := crypto.GenerateKey()
	keyHex := hex.EncodeToString(crypto.FromECDSA(key))
	addr := crypto.PubkeyToAddress(key.PublicKey)
	if _, err := srv.Client().KVv2("secret").Put(context.Background(), "firebreak/guardian", map[string]any{"private_key": keyHex}); err != nil {
		t.Fatal(err)
	}
	s := newStackWithGuardian(t, addr, vaultSigner(srv, srv.RootToken, config.VaultSignerOptions{Mode: vault.ModeKV, KVPath: "firebreak/guardian"}))
	pauseAndCheckSender(t, s, "vault-audit-1", addr)
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	s.story(rd, "vault-audit-1", audit.KindMined)
	var export bytes.Buffer
	if _, err := rd.Export(s.ctx, &export); err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string]string{"Vault token": srv.RootToken, "signer key": keyHex} {
		if bytes.Contains(bytes.ToLower(export.Bytes()), []byte(strings.ToLower(secret))) {
			t.Errorf("the %s is in the audit log", name)
		}
	}
}
