package test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
)

// BenchmarkEventToBroadcast publishes critical exploit events one at a
// time through the whole engine (JetStream → decode → Rego → guard with
// its on-chain precondition read → record → sign with a local key →
// broadcast) and measures, per event, the time from just before the
// publish to the moment a node accepted the transaction (the record's
// SentAt). Each event names another holder of OPERATOR_ROLE and a bench
// policy revokes it, so every event is a real, distinct send; anvil does
// not mine meanwhile. At least 1,000 events; p50 and p99 are reported.
// Goal: p99 ≤ 5 ms.
//
// Signature verification, side by side: verify=off publishes unsigned
// events with no sources configured (as before sources existed);
// verify=ed25519-vs-none configures sources and alternates, in one engine,
// an event signed for forta (verify: ed25519) and an unsigned one for
// own-bot (verify: none), at least 500 of each, so the machine's load
// weighs on both alike and the difference is the signature's cost.
func BenchmarkEventToBroadcast(b *testing.B) {
	b.Run("verify=off", func(b *testing.B) { benchEventToBroadcast(b, nil) })
	b.Run("verify=ed25519-vs-none", func(b *testing.B) { benchEventToBroadcast(b, fortaKey) })
}

// benchEventToBroadcast is BenchmarkEventToBroadcast; with signKey, sources
// are configured and every other event is signed with it.
func benchEventToBroadcast(b *testing.B, signKey ed25519.PrivateKey) {
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			b.Fatal(err)
		}
		b.Skip(err)
	}
	engine.TuneGC(os.LookupEnv) // the collector as firebreak serve runs it
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	node, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: chainID})
	if err != nil {
		b.Fatal(err)
	}
	defer node.Stop()
	client, err := ethclient.DialContext(ctx, node.URL())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	guardian, operator := mustSigner(b, guardianKey), mustSigner(b, operatorKey)
	admin, _ := crypto.HexToECDSA(adminKey)
	demo, err := contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), guardian.Address(), operator.Address(), big.NewInt(1e18))
	if err != nil {
		b.Fatal(err)
	}
	events := max(b.N, 1000)
	holders := grantOperators(b, ctx, client, demo.Vault, events)
	if err := client.Client().CallContext(ctx, nil, "evm_setAutomine", false); err != nil {
		b.Fatal(err)
	}
	policyDir := revokePolicyDir(b)
	adminSigner := mustSigner(b, adminKey)

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = b.TempDir()
	opts.NATS.Port = -1
	// Calls over HTTP, heads pushed over WebSocket (see ChainOptions.WS).
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: node.URL(), WS: node.WSURL()}}
	opts.PolicyDir = policyDir
	// 1,000 revocations in a row are exactly what the guard's rate limit
	// exists to stop; the bench measures the path, not the guardrail.
	opts.Guardrails = config.GuardrailOptions{}
	// The vault's admin administers OPERATOR_ROLE: it is the local key here.
	opts.SignerInstances = map[string]signer.Signer{"admin": adminSigner}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, MinConfidence: &minConf, Signer: "admin",
		Contracts: map[string]config.ContractOptions{"vault": {Address: demo.Vault.Hex(), Pausable: true}},
		Roles:     map[string]string{"operator": "OPERATOR_ROLE"},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"revokeRole(bytes32,address)"}}}
	if signKey != nil {
		withSources(&opts)
	}
	eng := runEngine(b, ctx, opts, slog.New(slog.NewTextHandler(testWriter{b}, &slog.HandlerOptions{Level: slog.LevelWarn})))
	js := dialJS(b, eng)
	kv, err := js.KeyValue(ctx, record.ActionsBucket)
	if err != nil {
		b.Fatal(err)
	}
	w, err := kv.WatchAll(ctx, jetstream.UpdatesOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = w.Stop() }()

	lat := make([]time.Duration, 0, events)
	var stage [3][]time.Duration
	// byKind[0] are the signed (verify: ed25519) events, byKind[1] the
	// unsigned ones, with sources configured.
	var byKind, recordedByKind [2][]time.Duration
	b.ResetTimer()
	mined := 0                           // actions seen mined
	latest := map[string]record.Record{} // by action id
	next := func(i int) record.Record {
		for {
			var e jetstream.KeyValueEntry
			select {
			case e = <-w.Updates():
			case <-ctx.Done():
				var stuck []string
				for id, r := range latest {
					if r.State != record.Mined {
						stuck = append(stuck, fmt.Sprintf("%s %s (nonce %v, %d attempts, warning %q)", id, r.State, r.Nonce, len(r.Attempts), r.Warning))
					}
				}
				b.Fatalf("event %d: timed out; %d mined, not mined: %s", i, mined, strings.Join(stuck, "; "))
			}
			if e == nil {
				continue
			}
			var rec record.Record
			if err := json.Unmarshal(e.Value(), &rec); err != nil {
				b.Fatal(err)
			}
			if rec.State == record.Failed {
				b.Fatalf("event %d: action %s failed: %s", i, rec.ID, rec.Error)
			}
			if rec.State == record.Mined {
				mined++
			}
			latest[rec.ID] = rec
			return rec
		}
	}
	for i := range events {
		if i%20 == 19 {
			// A block now and then, outside the measured span, as a
			// chain makes them (anvil's cost per call grows with its
			// pending pool, which no real chain lets grow to 1,000),
			// and the engine done with it before the next event.
			if err := client.Client().CallContext(ctx, nil, "evm_mine"); err != nil {
				b.Fatal(err)
			}
			for mined < i {
				next(i)
			}
		}
		ev := criticalExploit(fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i))
		ev.Addresses = []common.Address{holders[i]}
		key, kind := signKey, 0
		if signKey != nil && i%2 == 1 {
			ev.Source, key, kind = "own-bot", nil, 1
		}
		published := time.Now()
		if _, err := ingest.PublishSigned(ctx, js, ev, key); err != nil {
			b.Fatal(err)
		}
		for {
			rec := next(i)
			if rec.EventID != ev.ID {
				continue
			}
			if rec.State == record.Sent {
				lat = append(lat, rec.SentAt.Sub(published))
				stage[0] = append(stage[0], rec.CreatedAt.Sub(published))
				stage[1] = append(stage[1], rec.Attempts[0].At.Sub(rec.CreatedAt))
				stage[2] = append(stage[2], rec.SentAt.Sub(rec.Attempts[0].At))
				byKind[kind] = append(byKind[kind], rec.SentAt.Sub(published))
				recordedByKind[kind] = append(recordedByKind[kind], rec.CreatedAt.Sub(published))
				break
			}
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	for i, name := range []string{"publish→recorded", "recorded→signed", "signed→sent"} {
		d := stage[i]
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		b.Logf("%s p50 %.2f ms p99 %.2f ms", name, pct(d, 50), pct(d, 99))
	}
	b.ReportMetric(pct(lat, 50), "p50_ms")
	b.ReportMetric(pct(lat, 99), "p99_ms")
	b.ReportMetric(float64(len(lat)), "events")
	if signKey == nil {
		return
	}
	for kind, name := range []string{"ed25519", "none"} {
		d, r := byKind[kind], recordedByKind[kind]
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
		b.Logf("verify: %s, %d events: publish→sent p50 %.2f ms p99 %.2f ms; publish→recorded p50 %.2f ms p99 %.2f ms",
			name, len(d), pct(d, 50), pct(d, 99), pct(r, 50), pct(r, 99))
		b.ReportMetric(pct(d, 50), name+"_p50_ms")
		b.ReportMetric(pct(d, 99), name+"_p99_ms")
	}
}

// revokePolicyDir is a policy folder with the shipped decision rules and
// one rule: a critical event revokes OPERATOR_ROLE on the demo vault from
// the event's first address. Every event naming another holder is a
// real, distinct transaction.
func revokePolicyDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	decision, err := os.ReadFile("../policies/decision.rego")
	if err != nil {
		t.Fatal(err)
	}
	revoke := `package firebreak

actions contains {"type": "revoke_role", "protocol": input.protocol, "contract": "vault", "role": "operator", "account": input.addresses[0], "rule": "bench_revoke"} if {
	input.severity == "critical"
}
`
	for name, src := range map[string][]byte{"decision.rego": decision, "revoke.rego": []byte(revoke)} {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// grantOperators grants OPERATOR_ROLE on vault to n fresh accounts, from
// the admin, with automine on.
func grantOperators(b testing.TB, ctx context.Context, client *ethclient.Client, vault common.Address, n int) []common.Address {
	b.Helper()
	key, _ := crypto.HexToECDSA(adminKey)
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := client.PendingNonceAt(ctx, from)
	if err != nil {
		b.Fatal(err)
	}
	v := contracts.NewProtectedVault()
	role := crypto.Keccak256Hash([]byte("OPERATOR_ROLE"))
	signer := types.LatestSignerForChainID(big.NewInt(chainID))
	holders := make([]common.Address, n)
	var last *types.Transaction
	for i := range holders {
		holders[i] = common.BigToAddress(big.NewInt(int64(0x10000 + i)))
		last = types.MustSignNewTx(key, signer, &types.DynamicFeeTx{
			ChainID: big.NewInt(chainID), Nonce: nonce + uint64(i), GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9),
			Gas: 100_000, To: &vault, Data: v.PackGrantRole(role, holders[i]),
		})
		if err := client.SendTransaction(ctx, last); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := bind.WaitMined(ctx, client, last.Hash()); err != nil {
		b.Fatal(err)
	}
	return holders
}

func pct(d []time.Duration, p int) float64 {
	i := min(max((len(d)*p+99)/100-1, 0), len(d)-1)
	return float64(d[i].Microseconds()) / 1000
}
