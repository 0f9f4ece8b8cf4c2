package test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/engine/submit"
	"github.com/firebreak-dev/firebreak/signer"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

const safeLeaseTTL = 2 * time.Second

// sharedSafe is a real anvil with a 2-of-3 Safe pausing the demo vault, a
// NATS server several engines share, and the options of an engine holding
// two of the owners (it signs alone) with the guardian as executor.
type sharedSafe struct {
	*stack
	safeAddr common.Address
	safe     *safesigner.Safe
	url      string
	macKey   string
}

func newSharedSafe(t *testing.T) *sharedSafe {
	t.Helper()
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	s := &sharedSafe{stack: &stack{t: t, ctx: ctx, anvil: startAnvil(t, ctx)}, url: srv.ClientURL()}
	if s.client, err = ethclient.DialContext(ctx, s.anvil.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.client.Close)
	s.guardian, s.operator = mustSigner(t, guardianKey), mustSigner(t, operatorKey)
	var addrs []common.Address
	var owners []safesigner.Owner
	for i, k := range ownerKeys {
		addrs = append(addrs, mustSigner(t, k).Address())
		owners = append(owners, safesigner.Owner{Name: fmt.Sprint("owner", i), Signer: mustSigner(t, k)})
	}
	admin, _ := crypto.HexToECDSA(adminKey)
	demo, err := safeabi.DeployDemo(ctx, s.client, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), addrs, 2, s.operator.Address(), big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	s.demo, s.safeAddr = demo.Demo, demo.Safe
	s.safe = safesigner.New(demo.Safe, chainID, owners, s.client)
	// Engines sharing a NATS share the engine's MAC key.
	s.macKey = filepath.Join(t.TempDir(), "record-mac.key")
	if err := os.WriteFile(s.macKey, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	nc, err := ingest.Dial(s.url, t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	if s.js, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}
	return s
}

// opts are the options of the engine instance called name.
func (s *sharedSafe) opts(name string) config.Options {
	minConf := 0.8
	o := config.DefaultOptions()
	o.DataDir = s.t.TempDir()
	o.NATS.URL, o.NATS.Instance, o.NATS.LeaseTTL = s.url, name, safeLeaseTTL
	o.Records.MACKeyFile = s.macKey
	o.SafePoll = 20 * time.Millisecond
	o.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: s.anvil.URL()}}
	o.SignerInstances = map[string]signer.Signer{"executor": s.guardian, "owner0": mustSigner(s.t, ownerKeys[0]), "owner1": mustSigner(s.t, ownerKeys[1])}
	o.Signers = map[string]config.SignerOptions{"treasury": {Kind: "safe", SafeSignerOptions: config.SafeSignerOptions{
		Address: s.safeAddr.Hex(), ChainID: chainID, Owners: []string{"owner0", "owner1"}, Executor: "executor", RefreshBlocks: 1,
	}}}
	o.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, MinConfidence: &minConf, Signer: "treasury",
		Contracts: map[string]config.ContractOptions{"vault": {Address: s.demo.Vault.Hex(), Pausable: true}},
	}}
	o.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"pause()"}}}
	return o
}

// safeLeaseKey is the Safe's key in the leases bucket: chain and address,
// as a sender's.
func (s *sharedSafe) safeLeaseKey() string {
	return fmt.Sprintf("%d.%s", chainID, strings.ToLower(s.safeAddr.Hex()[2:]))
}

// safeLeaseHolder is the instance holding the Safe's nonce lease, "" when
// none does.
func (s *sharedSafe) safeLeaseHolder(kv jetstream.KeyValue) string {
	e, err := kv.Get(s.ctx, s.safeLeaseKey())
	if err != nil {
		return ""
	}
	var v struct {
		Replica string `json:"replica"`
	}
	_ = json.Unmarshal(e.Value(), &v)
	return v.Replica
}

func (s *sharedSafe) safeNonce() uint64 {
	s.t.Helper()
	n, err := s.safe.Nonce(s.ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// While another engine holds the Safe's nonce lease, an engine that holds
// the executor's builds no Safe transaction for an event it takes: the
// event is retried. Once the holder lets go (it stopped), the engine
// takes the Safe's lease and the retried event pauses the vault, once,
// at Safe nonce 0.
func TestSafeNonceLeaseHeldElsewhereBuildsNothing(t *testing.T) {
	s := newSharedSafe(t)
	// Another instance, "x", holds the Safe's lease and keeps it alive
	// until it lets go.
	x, err := submit.NewLeases(s.ctx, s.js, 1, "x", safeLeaseTTL, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if held, err := x.Acquire(s.ctx, chainID, s.safeAddr, false); err != nil || !held {
		t.Fatalf("x takes the Safe's lease: %v, %v", held, err)
	}
	kv, err := s.js.KeyValue(s.ctx, submit.LeasesBucket)
	if err != nil {
		t.Fatal(err)
	}
	renewing, letGo := context.WithCancel(s.ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		for {
			select {
			case <-renewing.Done():
				return
			case <-time.After(safeLeaseTTL / 5):
			}
			_, _ = kv.Put(s.ctx, s.safeLeaseKey(), []byte(`{"replica":"x","run":"test","renewed_at":"2026-12-01T00:00:00Z"}`))
		}
	}()
	logB := &simulate.ProcessOutput{}
	s.engine = runEngine(t, s.ctx, s.opts("b"), slog.New(slog.NewTextHandler(logB, &slog.HandlerOptions{Level: slog.LevelInfo})))

	ev := criticalExploit("safe-lease-1")
	s.publish(ev)
	for !strings.Contains(logB.String(), "another engine owns this Safe's nonce") {
		s.sleep(20 * time.Millisecond)
	}
	if s.safeNonce() != 0 || s.paused() || s.sent(s.guardian.Address()) != 0 {
		t.Fatalf("while x holds the Safe's lease: Safe nonce %d, paused %v, %d sent; want nothing built", s.safeNonce(), s.paused(), s.sent(s.guardian.Address()))
	}
	if h := s.safeLeaseHolder(kv); h != "x" {
		t.Fatalf("the Safe's lease is held by %q, want x still", h)
	}

	letGo()
	<-renewed
	if err := kv.Delete(s.ctx, s.safeLeaseKey()); err != nil {
		t.Fatal(err)
	}
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
		t.Fatalf("actions = %+v, want one pause", out.Actions)
	}
	rec := s.action(out.Actions[0].ActionID)
	if rec.State != record.Mined || rec.Status != 1 || rec.To != s.safeAddr || !s.paused() {
		t.Fatalf("action = %+v, paused %v; want the pause mined through the Safe", rec, s.paused())
	}
	if n, sent := s.safeNonce(), s.sent(s.guardian.Address()); n != 1 || sent != 1 {
		t.Fatalf("Safe nonce %d, executor sent %d; want one Safe transaction, at nonce 0", n, sent)
	}
	if h := s.safeLeaseHolder(kv); h != "b" {
		t.Fatalf("the Safe's lease is held by %q, want b", h)
	}
}

// leaseHolder is the instance holding the lease of addr, "" when none.
func (s *sharedSafe) leaseHolder(kv jetstream.KeyValue, addr common.Address) string {
	e, err := kv.Get(s.ctx, fmt.Sprintf("%d.%s", chainID, strings.ToLower(addr.Hex()[2:])))
	if err != nil {
		return ""
	}
	var v struct {
		Replica string `json:"replica"`
	}
	_ = json.Unmarshal(e.Value(), &v)
	return v.Replica
}

// Two engines share a NATS and a Safe. The first holds the Safe's nonce
// and its executor's; it sends a Safe transaction that is not mined yet,
// then stops. Its leases are released as it stops (not left to expire),
// the other engine takes both over, resumes the unfinished Safe action in
// the Safe's lane and carries the recorded transaction to the chain: one
// Safe transaction, at Safe nonce 0, mined once.
func TestSafeNonceLeaseFailoverResumesTheLane(t *testing.T) {
	s := newSharedSafe(t)
	kv, err := s.js.KeyValue(s.ctx, submit.LeasesBucket)
	if err != nil {
		// The first engine creates the bucket.
		kv = nil
	}
	engA, stopA := startEngine(t, s.ctx, s.opts("a"), slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})))
	defer func() { _ = stopA() }()
	if kv == nil {
		if kv, err = s.js.KeyValue(s.ctx, submit.LeasesBucket); err != nil {
			t.Fatal(err)
		}
	}
	for s.leaseHolder(kv, s.safeAddr) != "a" {
		s.sleep(20 * time.Millisecond)
	}
	s.engine = runEngine(t, s.ctx, s.opts("b"), slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if h := s.leaseHolder(kv, s.guardian.Address()); h != "a" {
		t.Fatalf("the executor's lease is held by %q, want a", h)
	}
	if err := s.client.Client().CallContext(s.ctx, nil, "evm_setAutomine", false); err != nil {
		t.Fatal(err)
	}
	ev := criticalExploit("safe-failover-1")
	s.publish(ev)
	var id string
	for id == "" {
		if out, err := engA.Outcome(s.ctx, ev.ID); err == nil && len(out.Actions) == 1 {
			id = out.Actions[0].ActionID
		}
		s.sleep(20 * time.Millisecond)
	}
	var sent record.Record
	for sent.State != record.Sent {
		sent, _ = engA.Action(s.ctx, id)
		s.sleep(20 * time.Millisecond)
	}
	if err := stopA(); err != nil {
		t.Fatalf("stopping a: %v", err)
	}
	if hs, he := s.leaseHolder(kv, s.safeAddr), s.leaseHolder(kv, s.guardian.Address()); hs == "a" || he == "a" {
		t.Fatalf("right after a stopped, the Safe's lease is held by %q and the executor's by %q; want a's released", hs, he)
	}
	for s.leaseHolder(kv, s.guardian.Address()) != "b" || s.leaseHolder(kv, s.safeAddr) != "b" {
		s.sleep(20 * time.Millisecond)
	}
	var rec record.Record
	for rec.State != record.Mined {
		if err := s.client.Client().CallContext(s.ctx, nil, "evm_mine"); err != nil {
			t.Fatal(err)
		}
		s.sleep(50 * time.Millisecond)
		if rec, err = s.engine.Action(s.ctx, id); err != nil {
			t.Fatal(err)
		}
		if rec.State.Final() && rec.State != record.Mined {
			t.Fatalf("action = %+v, want mined", rec)
		}
	}
	if *rec.Nonce != *sent.Nonce || rec.Status != 1 || !s.paused() {
		t.Fatalf("mined at executor nonce %d (first sent at %d), status %d, paused %v; want the recorded transaction", *rec.Nonce, *sent.Nonce, rec.Status, s.paused())
	}
	if n, txs := s.safeNonce(), s.sent(s.guardian.Address()); n != 1 || txs != 1 {
		t.Fatalf("Safe nonce %d, executor sent %d; want one Safe transaction, at nonce 0", n, txs)
	}
}
