package test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
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

// BenchmarkWebhookToBroadcast measures, in one run of one engine, the time from
// just before a detection is sent to the moment a node accepted its transaction (the
// record's SentAt), for two ways in, alternating event by event:
//
//   - webhook: a signed OpenZeppelin Monitor raw-mode webhook POSTed over loopback
//     HTTP to the ingress (verified, adapted, stored in JetStream, answered), then
//     the engine's path;
//   - native: a firebreak event published straight to detections.<source> on NATS,
//     as BenchmarkEventToBroadcast does.
//
// The rest is BenchmarkEventToBroadcast's set-up: each detection names another holder
// of OPERATOR_ROLE (the webhook's transaction "to"), a bench policy revokes it, anvil
// does not mine meanwhile but a block is mined every 20 events outside the measured
// span. At least 500 detections each way; p50 and p99 of each are reported.
func BenchmarkWebhookToBroadcast(b *testing.B) {
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			b.Fatal(err)
		}
		b.Skip(err)
	}
	engine.TuneGC(os.LookupEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
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
	perPath := max(b.N, 500)
	events := 2 * perPath
	holders := grantOperators(b, ctx, client, demo.Vault, events)
	if err := client.Client().CallContext(ctx, nil, "evm_setAutomine", false); err != nil {
		b.Fatal(err)
	}

	const secret = "bench-webhook-secret"
	minConf, conf := 0.8, 0.95
	opts := config.DefaultOptions()
	opts.DataDir = b.TempDir()
	opts.NATS.Port = -1
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: node.URL(), WS: node.WSURL()}}
	opts.PolicyDir = revokePolicyDir(b)
	opts.Guardrails = config.GuardrailOptions{}
	opts.SignerInstances = map[string]signer.Signer{"admin": mustSigner(b, adminKey)}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, MinConfidence: &minConf, Signer: "admin",
		Contracts: map[string]config.ContractOptions{"vault": {Address: demo.Vault.Hex(), Pausable: true}},
		Roles:     map[string]string{"operator": "OPERATOR_ROLE"},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"revokeRole(bytes32,address)"}}}
	opts.LookupEnv = func(name string) (string, bool) { return secret, name == "BENCH_OZ_SECRET" }
	opts.Ingress = config.IngressOptions{Listen: "127.0.0.1:0", Routes: map[string]config.IngressRoute{"oz": {
		Adapter: "oz-monitor", Verify: config.IngressVerify{SecretEnv: "BENCH_OZ_SECRET"},
		Protocol: "demo", Severity: "critical", Confidence: &conf, ChainID: chainID, AlertType: "exploit",
	}}}
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
	httpClient := &http.Client{Timeout: 10 * time.Second}
	url := eng.IngressURL() + "/v1/alerts/oz"
	// webhook builds the signed request of detection i, as the monitor sends it;
	// post sends it and returns the event id the ingress stored.
	webhookReq := func(i int, holder common.Address) *http.Request {
		body := []byte(fmt.Sprintf(`{"EVM":{"monitor":{"name":"Bench monitor","addresses":[]},`+
			`"transaction":{"hash":"0x%064x","to":"%s","from":"0x000000000000000000000000000000000000dEaD","chainId":%d},"logs":[],"network_slug":"anvil"}}`,
			time.Now().UnixNano()+int64(i), holder.Hex(), chainID))
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		mac.Write([]byte(ts))
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Timestamp", ts)
		req.Header.Set("X-Signature", hex.EncodeToString(mac.Sum(nil)))
		return req
	}
	post := func(i int, req *http.Request) string {
		res, err := httpClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		var resp struct {
			Events []struct{ ID string }
		}
		if err := json.NewDecoder(res.Body).Decode(&resp); err != nil || res.StatusCode != 200 || len(resp.Events) != 1 {
			data, _ := io.ReadAll(res.Body)
			b.Fatalf("webhook %d: %d %v %s", i, res.StatusCode, err, data)
		}
		return resp.Events[0].ID
	}

	mined := 0
	next := func(i int) record.Record {
		for {
			var e jetstream.KeyValueEntry
			select {
			case e = <-w.Updates():
			case <-ctx.Done():
				b.Fatalf("event %d: timed out, %d mined", i, mined)
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
			return rec
		}
	}
	var viaWebhook, viaNATS []time.Duration
	b.ResetTimer()
	for i := range events {
		if i%20 == 19 {
			if err := client.Client().CallContext(ctx, nil, "evm_mine"); err != nil {
				b.Fatal(err)
			}
			for mined < i {
				next(i)
			}
		}
		webhook := i%2 == 0
		var id string
		var start time.Time
		if webhook {
			req := webhookReq(i, holders[i])
			start = time.Now()
			id = post(i, req)
		} else {
			ev := criticalExploit(fmt.Sprintf("bench-native-%d-%d", time.Now().UnixNano(), i))
			ev.Addresses = []common.Address{holders[i]}
			start = time.Now()
			if _, err := ingest.Publish(ctx, js, ev); err != nil {
				b.Fatal(err)
			}
			id = ev.ID
		}
		for {
			rec := next(i)
			if rec.EventID != id || rec.State != record.Sent {
				continue
			}
			if webhook {
				viaWebhook = append(viaWebhook, rec.SentAt.Sub(start))
			} else {
				viaNATS = append(viaNATS, rec.SentAt.Sub(start))
			}
			break
		}
	}
	b.StopTimer()
	for _, d := range [][]time.Duration{viaWebhook, viaNATS} {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	}
	b.ReportMetric(pct(viaWebhook, 50), "webhook_p50_ms")
	b.ReportMetric(pct(viaWebhook, 99), "webhook_p99_ms")
	b.ReportMetric(pct(viaNATS, 50), "native_p50_ms")
	b.ReportMetric(pct(viaNATS, 99), "native_p99_ms")
	b.ReportMetric(float64(len(viaWebhook)), "webhooks")
	b.ReportMetric(float64(len(viaNATS)), "native_events")
}
