package test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// Two engine instances share one NATS server (as replicas on a NATS
// cluster do), the chain and the admin key, and split the detections
// between them. The admin's nonces are leased to one instance, which
// sends every action, those the other recorded included: no two
// transactions compete for a nonce, and each action is mined once.
func TestTwoInstancesShareOneSender(t *testing.T) {
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	const events = 8
	var holders []common.Address
	var optsA config.Options
	// Instances sharing a NATS share the engine's MAC key.
	macKey := filepath.Join(t.TempDir(), "record-mac.key")
	if err := os.WriteFile(macKey, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newStack(t, func(o *config.Options) {
		o.NATS.URL, o.NATS.Instance, o.NATS.LeaseTTL = srv.ClientURL(), "a", time.Second
		o.Records.MACKeyFile = macKey
		o.PolicyDir = revokePolicyDir(t)
		o.Guardrails = config.GuardrailOptions{}
		o.SignerInstances["admin"] = mustSigner(t, adminKey)
		demo := o.Protocols["demo"]
		demo.Signer = "admin" // the vault's admin administers OPERATOR_ROLE
		o.Protocols["demo"] = demo
		o.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"revokeRole(bytes32,address)"}}}
		// Granted before the engines start, so that their view of the
		// admin's nonce is the chain's.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		client, err := ethclient.DialContext(ctx, o.Chains[0].RPC)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		holders = grantOperators(t, ctx, client, common.HexToAddress(demo.Contracts["vault"].Address), events)
		optsA = *o
	})
	optsB := optsA
	optsB.NATS.Instance, optsB.DataDir = "b", t.TempDir()
	logB := &simulate.ProcessOutput{}
	b := runEngine(t, s.ctx, optsB, slog.New(slog.NewTextHandler(logB, &slog.HandlerOptions{Level: slog.LevelInfo})))
	adminAddr := mustSigner(t, adminKey).Address()
	before, err := s.client.NonceAt(s.ctx, adminAddr, nil)
	if err != nil {
		t.Fatal(err)
	}

	var ids []string
	for i := range events {
		ev := criticalExploit(fmt.Sprintf("instances-%d", i))
		ev.Addresses = []common.Address{holders[i]}
		s.publish(ev)
		out := s.outcome(ev.ID)
		if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
			t.Fatalf("event %d: actions %+v, want one revocation", i, out.Actions)
		}
		ids = append(ids, out.Actions[0].ActionID)
	}
	nonces := map[uint64]string{}
	for _, id := range ids {
		rec := s.action(id)
		if rec.State != record.Mined || rec.Status != 1 || len(rec.Attempts) != 1 {
			t.Fatalf("action %s: %s, status %d, %d attempts; want mined at the first attempt", id, rec.State, rec.Status, len(rec.Attempts))
		}
		if other, dup := nonces[*rec.Nonce]; dup {
			t.Fatalf("actions %s and %s both used nonce %d", other, id, *rec.Nonce)
		}
		nonces[*rec.Nonce] = id
	}
	after, err := s.client.NonceAt(s.ctx, adminAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	statsA, statsB := s.engine.SubmitStats(), b.SubmitStats()
	if after-before != events || statsA.Sent != events || statsB.Sent != 0 || statsA.NonceResyncs+statsB.NonceResyncs != 0 {
		t.Fatalf("the admin sent %d transactions (a sent %d, b %d; nonce re-reads %d, %d); want %d, all from the lease holder a, no nonce conflict",
			after-before, statsA.Sent, statsB.Sent, statsA.NonceResyncs, statsB.NonceResyncs, events)
	}
	// Which instance took which event is the server's choice; say it.
	t.Logf("instance b recorded %d of the %d actions, sent by a", strings.Count(logB.String(), `msg="action approved by the guard"`), events)
}
