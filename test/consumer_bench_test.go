package test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
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

// BenchmarkConsumerBurst publishes a burst of 1,000 critical events across
// 10 protocols (a vault each on one anvil; each event revokes another
// holder's OPERATOR_ROLE, so every event is a real, distinct send) through
// the whole engine, and reports event→broadcast p50 and p99: from just
// before the event's publish to the moment a node accepted its transaction
// (the record's SentAt). workers=1 is the old serial consumer, workers=8
// the default pool; both run in one invocation, one after the other, each
// on a fresh chain and engine, so the machine's load weighs on both alike.
//
//	make bench, or: go test -run '^$' -bench BenchmarkConsumerBurst -benchtime 1x ./test/
func BenchmarkConsumerBurst(b *testing.B) {
	for _, workers := range []int{1, 8} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) { benchConsumerBurst(b, workers) })
	}
}

func benchConsumerBurst(b *testing.B, workers int) {
	const protocols = 10
	perProtocol := 100
	if n, err := strconv.Atoi(os.Getenv("FIREBREAK_BURST_PER_PROTOCOL")); err == nil && n > 0 {
		perProtocol = n // a quicker run while iterating
	}
	setup := time.Now()
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			b.Fatal(err)
		}
		b.Skip(err)
	}
	engine.TuneGC(os.LookupEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
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

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = b.TempDir()
	opts.NATS.Port = -1
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: node.URL(), WS: node.WSURL()}}
	opts.PolicyDir = revokePolicyDir(b)
	opts.Guardrails = config.GuardrailOptions{} // the bench measures the path, not the rate limit
	opts.SignerInstances = map[string]signer.Signer{"admin": mustSigner(b, adminKey)}
	opts.Protocols = map[string]config.ProtocolOptions{}
	opts.Ingest.Workers = workers
	holders := make([][]common.Address, protocols)
	for p := range protocols {
		demo, err := contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), guardian.Address(), operator.Address(), big.NewInt(1e18))
		if err != nil {
			b.Fatal(err)
		}
		holders[p] = grantOperators(b, ctx, client, demo.Vault, perProtocol)
		name := fmt.Sprintf("p%d", p)
		opts.Protocols[name] = config.ProtocolOptions{
			ChainID: chainID, MinConfidence: &minConf, Signer: "admin",
			Contracts: map[string]config.ContractOptions{"vault": {Address: demo.Vault.Hex(), Pausable: true}},
			Roles:     map[string]string{"operator": "OPERATOR_ROLE"},
		}
		opts.Allowlist = append(opts.Allowlist, config.AllowOptions{ChainID: chainID, Contract: name + ".vault", Functions: []string{"revokeRole(bytes32,address)"}})
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

	// A block every 100 ms from here on, as a chain makes them: a pending
	// pool that grows without bound is not what a real chain does, and
	// automine would race the submitter's nonces.
	if err := client.Client().CallContext(ctx, nil, "evm_setAutomine", false); err != nil {
		b.Fatal(err)
	}
	mineCtx, stopMining := context.WithCancel(ctx)
	defer stopMining()
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-mineCtx.Done():
				return
			case <-t.C:
				_ = client.Client().CallContext(mineCtx, nil, "evm_mine")
			}
		}
	}()
	events := protocols * perProtocol
	b.Logf("workers=%d: setup took %v", workers, time.Since(setup).Round(time.Millisecond))
	burst := time.Now()
	published := make(map[string]time.Time, events)
	b.ResetTimer()
	for i := range perProtocol {
		for p := range protocols {
			ev := criticalExploit(fmt.Sprintf("burst-%d-%d-%d", workers, p, i))
			ev.Protocol = fmt.Sprintf("p%d", p)
			ev.Addresses = []common.Address{holders[p][i]}
			published[ev.ID] = time.Now()
			if _, err := ingest.Publish(ctx, js, ev); err != nil {
				b.Fatal(err)
			}
		}
	}
	lat := make([]time.Duration, 0, events)
	seen := map[string]bool{}
	for len(lat) < events {
		var e jetstream.KeyValueEntry
		select {
		case e = <-w.Updates():
		case <-ctx.Done():
			b.Fatalf("timed out with %d of %d events sent after %v", len(lat), events, time.Since(burst))
		}
		if e == nil {
			continue
		}
		var rec record.Record
		if err := json.Unmarshal(e.Value(), &rec); err != nil {
			b.Fatal(err)
		}
		if rec.State == record.Failed {
			b.Fatalf("action %s failed: %s", rec.ID, rec.Error)
		}
		if rec.State != record.Sent || seen[rec.ID] {
			continue
		}
		seen[rec.ID] = true
		lat = append(lat, rec.SentAt.Sub(published[rec.EventID]))
	}
	b.StopTimer()
	b.Logf("workers=%d: %d events sent in %v", workers, len(lat), time.Since(burst).Round(time.Millisecond))
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(pct(lat, 50), "p50_ms")
	b.ReportMetric(pct(lat, 99), "p99_ms")
	b.ReportMetric(float64(len(lat)), "events")
}
