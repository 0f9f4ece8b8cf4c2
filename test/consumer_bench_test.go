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

// BenchmarkConsumerBurst publishes a burst of 1,000 critical events across
// 10 protocols (a vault each on one anvil; each event revokes another
// holder's OPERATOR_ROLE, so every event is a real, distinct send) through
// the whole engine, and reports event→broadcast p50 and p99: from just
// before the event's publish to the moment a node accepted its transaction
// (the record's SentAt). workers=1 is the old serial consumer, workers=8
// the default pool; both run in one invocation, one after the other, each
// on a fresh chain and engine, so the machine's load weighs on both alike.
// senders=shared signs every protocol's actions with one key (one nonce
// owner: the submitter is the bottleneck); senders=own gives each protocol
// its own key (anvil's ten development accounts), as separate teams' vaults
// would have.
//
//	make bench, or: go test -run '^$' -bench BenchmarkConsumerBurst -benchtime 1x ./test/
func BenchmarkConsumerBurst(b *testing.B) {
	for _, own := range []bool{false, true} {
		senders := map[bool]string{false: "shared", true: "own"}[own]
		for _, workers := range []int{1, 8} {
			b.Run(fmt.Sprintf("senders=%s/workers=%d", senders, workers), func(b *testing.B) { benchConsumerBurst(b, workers, own) })
		}
	}
}

// anvilKeys are the private keys of anvil's ten development accounts
// (public test keys, funded on every anvil chain).
var anvilKeys = []string{
	contracts.DevAdminKey,
	"59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
	"5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
	"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
	"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
	"8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
	"92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
	"4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
	"dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
	"2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
}

func benchConsumerBurst(b *testing.B, workers int, ownSenders bool) {
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

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = b.TempDir()
	opts.NATS.Port = -1
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: node.URL(), WS: node.WSURL()}}
	opts.PolicyDir = revokePolicyDir(b)
	opts.Guardrails = config.GuardrailOptions{} // the bench measures the path, not the rate limit
	opts.SignerInstances = map[string]signer.Signer{}
	opts.Protocols = map[string]config.ProtocolOptions{}
	opts.Ingest.Workers = workers
	holders := make([][]common.Address, protocols)
	for p := range protocols {
		key := adminKey
		if ownSenders {
			key = anvilKeys[p]
		}
		deployer, _ := crypto.HexToECDSA(key)
		demo, err := contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(deployer, big.NewInt(chainID)), guardian.Address(), operator.Address(), big.NewInt(1e18))
		if err != nil {
			b.Fatal(err)
		}
		holders[p] = grantOperatorsAs(b, ctx, client, key, demo.Vault, perProtocol)
		name := fmt.Sprintf("p%d", p)
		// The vault's deployer administers OPERATOR_ROLE: it signs here.
		signerName := "admin"
		if ownSenders {
			signerName = name + "-admin"
		}
		opts.SignerInstances[signerName] = mustSigner(b, key)
		opts.Protocols[name] = config.ProtocolOptions{
			ChainID: chainID, MinConfidence: &minConf, Signer: signerName,
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

// grantOperatorsAs is grantOperators with the vault's admin key given.
func grantOperatorsAs(b testing.TB, ctx context.Context, client *ethclient.Client, keyHex string, vault common.Address, n int) []common.Address {
	b.Helper()
	key, _ := crypto.HexToECDSA(keyHex)
	nonce, err := client.PendingNonceAt(ctx, crypto.PubkeyToAddress(key.PublicKey))
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
