package engine

import (
	"context"
	"io"
	"log/slog"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// Every goroutine the engine starts has an owner and stops with it: a real
// engine (embedded NATS, real anvil) takes a critical event to a mined
// pause, is stopped, and leaves no goroutine behind; also when one of the
// chain's endpoints hangs (sends to it are still out when it stops).
func TestEngineLeavesNoGoroutine(t *testing.T) {
	for _, tt := range []struct {
		name   string
		hung   bool
		leased bool
	}{
		{"all endpoints answer", false, false},
		{"an extra endpoint hangs", true, false},
		{"senders leased on an external NATS", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) { engineLeavesNoGoroutine(t, tt.hung, tt.leased) })
	}
}

func engineLeavesNoGoroutine(t *testing.T, hungEndpoint, leased bool) {
	var hung, natsURL string
	if hungEndpoint {
		hung = "http://" + hungNode(t) // its accept loop is the test's
	}
	var natsSrv *server.Server
	if leased {
		// The server is the test's, and the streams the engine creates on
		// it live as long as it does: it is shut down before the check.
		natsSrv = natstest.Server(t)
		natsURL = natsSrv.ClientURL()
	}
	// What runs before the test (the testing package's own, the parent
	// test's) is not the engine's. No other ignore: the engine's
	// dependencies (nats-server, go-ethereum's clients) stop with it too.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	anvil, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: contracts.DevChainID})
	if err != nil {
		t.Fatal(err)
	}
	defer anvil.Stop()
	client, err := ethclient.DialContext(ctx, anvil.URL())
	if err != nil {
		t.Fatal(err)
	}
	guardian, _ := local.FromHex(contracts.DevGuardianKey)
	operator, _ := local.FromHex(contracts.DevOperatorKey)
	admin, _ := crypto.HexToECDSA(contracts.DevAdminKey)
	demo, err := contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(admin, big.NewInt(contracts.DevChainID)), guardian.Address(), operator.Address(), big.NewInt(1e18))
	client.Close()
	if err != nil {
		t.Fatal(err)
	}

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.NATS.Port = -1
	opts.Chains = []config.ChainOptions{{ID: contracts.DevChainID, Name: "anvil", RPC: anvil.URL(), WS: anvil.WSURL()}}
	if hungEndpoint {
		// A send holds for rpc_timeout, far longer than the test: the
		// engine's stop must end it.
		opts.Chains[0].RPCURLs, opts.Chains[0].RPCTimeout = []string{hung}, time.Minute
	}
	opts.SignerInstances = map[string]signer.Signer{"guardian": guardian}
	if leased {
		opts.NATS.URL, opts.NATS.Instance, opts.NATS.LeaseTTL = natsURL, "a", time.Second
	}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: contracts.DevChainID, MinConfidence: &minConf, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{"vault": {Address: demo.Vault.Hex(), Pausable: true}},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: contracts.DevChainID, Contract: "demo.vault", Functions: []string{"pause()"}}}
	eng, err := New(opts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	select {
	case <-eng.Ready():
	case err := <-done:
		t.Fatalf("engine stopped during start: %v", err)
	}

	nc, err := eng.DialNATS(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ev := event.Event{ID: "leak-1", Source: "forta", ChainID: contracts.DevChainID, Severity: event.SeverityCritical, Confidence: 0.95,
		AlertType: "exploit", Protocol: "demo", Timestamp: time.Now().UTC()}
	if _, err := ingest.Publish(ctx, js, ev); err != nil {
		t.Fatal(err)
	}
	rec := waitMined(t, ctx, eng, ev.ID)
	if rec.State != record.Mined || rec.Status != 1 {
		t.Fatalf("action = %+v, want mined", rec)
	}
	nc.Close()
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	anvil.Stop()
	if natsSrv != nil {
		natsSrv.Shutdown()
		natsSrv.WaitForShutdown()
	}
}

// waitMined waits for the event's first action to be final.
func waitMined(t *testing.T, ctx context.Context, eng *Engine, eventID string) record.Record {
	t.Helper()
	for {
		if out, err := eng.Outcome(ctx, eventID); err == nil && len(out.Actions) > 0 {
			if rec, err := eng.Action(ctx, out.Actions[0].ActionID); err == nil && rec.State.Final() {
				return rec
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("timed out waiting for the event's action")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
