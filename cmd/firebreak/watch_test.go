package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/engine/watch"
)

// `firebreak watch` on a real anvil and NATS: a drain is published, signed
// with the configured key, and the command stops cleanly.
func TestWatchCommand(t *testing.T) {
	bin := drillAnvil(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	node, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: demoChainID})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Stop()
	client, err := ethclient.DialContext(ctx, node.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	keyed := func(k string) *bind.TransactOpts {
		key, _ := crypto.HexToECDSA(k)
		return bind.NewKeyedTransactor(key, big.NewInt(demoChainID))
	}
	attacker := keyed(contracts.DevAttackerKey)
	d, err := contracts.DeployDrill(ctx, client, keyed(demoAdminKey), attacker, keyed(demoGuardianKey).From, keyed(contracts.DevDrillOperatorKey).From, new(big.Int).Mul(big.NewInt(50), big.NewInt(1e18)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: dir, Host: "127.0.0.1", Port: -1}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := srv.Dial(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = 7
	keyFile := filepath.Join(dir, "detector.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(seed)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "firebreak.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`
data_dir: %s
chains: [{id: %d, rpc: %q, ws: %q}]
signers: {guardian: {kind: local, key_env: UNUSED}}
protocols:
  drill:
    chain_id: %d
    signer: guardian
    contracts: {vault: {address: %q, pausable: true}}
watch:
  source: own-watch
  signing_key_file: %s
  protocols:
    drill:
      rules: [{name: vault-outflow, kind: outflow, contract: vault, threshold: "5%%", exploit_threshold: "15%%"}]
`, dir, demoChainID, node.URL(), node.WSURL(), demoChainID, d.Vault.Hex(), keyFile)), 0o600); err != nil {
		t.Fatal(err)
	}

	wctx, stop := context.WithCancel(ctx)
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(wctx, []string{"watch", "--config", cfg, "--nats", srv.ClientURL(), "--creds", srv.EngineSeedFile(), "--log-level", "warn"}, &out, &errOut, func(string) (string, bool) { return "", false })
	}()
	// Whether the watcher starts before or after it, the drain is in the
	// block it starts at or in one after.
	atk := contracts.NewDrillAttacker()
	o := *attacker
	o.Value, o.Context = big.NewInt(1e18), ctx
	tx, err := bind.Transact(atk.Instance(client, d.Attacker), &o, atk.PackAttack(big.NewInt(6))) // 5 ETH of 50: 10%
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bind.WaitMined(ctx, client, tx.Hash()); err != nil {
		t.Fatal(err)
	}
	c, err := js.OrderedConsumer(ctx, ingest.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"detections.own-watch"}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := c.Next(jetstream.FetchMaxWait(20 * time.Second))
	if err != nil {
		t.Fatalf("no detection published: %v\nstderr: %s", err, errOut.String())
	}
	ev, err := event.Decode(msg.Data())
	if err != nil {
		t.Fatal(err)
	}
	if ev.AlertType != "anomalous-outflow" || ev.Source != "own-watch" || ev.TxHash == nil || *ev.TxHash != tx.Hash() || ev.Metadata["amount"] != "5000000000000000000" {
		t.Errorf("event %+v", ev)
	}
	sig, _ := base64.StdEncoding.DecodeString(msg.Headers().Get(watch.SignatureHeader))
	if pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey); !ed25519.Verify(pub, msg.Data(), sig) {
		t.Error("the event's signature does not verify with the configured key")
	}
	stop()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}
