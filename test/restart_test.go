package test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// TestKilledEngineResumesWithoutSecondTransaction runs the real firebreak
// binary against anvil with mining off, kills it with SIGKILL once the
// pause is broadcast, raises the base fee above the broadcast
// transaction's fee cap, restarts it, and checks that the restarted engine
// finishes the action (bumping the recorded transaction) with exactly one
// mined transaction from the guardian.
func TestKilledEngineResumesWithoutSecondTransaction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	anvil := startAnvil(t, ctx)
	client, err := ethclient.DialContext(ctx, anvil.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	guardian, operator := mustSigner(t, guardianKey), mustSigner(t, operatorKey)
	admin, _ := crypto.HexToECDSA(adminKey)
	demo, err := contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), guardian.Address(), operator.Address(), big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	rpcCall := func(method string, args ...any) {
		t.Helper()
		if err := client.Client().CallContext(ctx, nil, method, args...); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	rpcCall("evm_setAutomine", false)

	bin := filepath.Join(t.TempDir(), "firebreak")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "../cmd/firebreak")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building firebreak: %v\n%s", err, out)
	}
	port := freePort(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`data_dir: %s
nats: {host: 127.0.0.1, port: %d}
chains:
  - {id: %d, name: anvil, rpc: %q}
signers:
  guardian: {kind: local, key_env: FIREBREAK_GUARDIAN_KEY}
protocols:
  demo:
    chain_id: %d
    min_confidence: 0.8
    signer: guardian
    contracts:
      vault: {address: %q, pausable: true}
allowlist:
  - {chain_id: %d, contract: demo.vault, functions: ["pause()"]}
`, filepath.Join(dir, "data"), port, chainID, anvil.URL(), chainID, demo.Vault.Hex(), chainID)
	cfgPath := filepath.Join(dir, "firebreak.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)

	first := startServe(t, ctx, bin, cfgPath)
	seed := ingest.EngineSeedPath(ingest.IdentityDir(filepath.Join(dir, "data")))
	js := connectJS(t, ctx, natsURL, seed)
	ev := criticalExploit("killed-1")
	if _, err := ingest.Publish(ctx, js, ev); err != nil {
		t.Fatal(err)
	}
	sent := waitRecord(t, ctx, js, func(r record.Record) bool { return r.EventID == ev.ID && r.State == record.Sent })
	first.kill()

	// While the engine is dead the base fee jumps past the broadcast
	// transaction's fee cap: the block cannot include it.
	spike := new(big.Int).Mul(sent.GasFeeCap.ToInt(), big.NewInt(3))
	rpcCall("anvil_setNextBlockBaseFeePerGas", hexutil.EncodeBig(spike))
	rpcCall("evm_mine")
	if n := nonceOf(t, ctx, client, guardian.Address()); n != 0 {
		t.Fatalf("the first transaction was mined despite the spike (nonce %d)", n)
	}

	second := startServe(t, ctx, bin, cfgPath)
	defer second.stop()
	js = connectJS(t, ctx, natsURL, seed)
	var rec record.Record
	for {
		r, ok := getRecord(ctx, js, sent.ID)
		if ok && r.State.Final() {
			rec = r
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the restarted engine did not finish the action: %+v\n%s", r, second.output())
		case <-time.After(200 * time.Millisecond):
			rpcCall("evm_mine")
		}
	}
	if rec.State != record.Mined || rec.Status != 1 {
		t.Fatalf("record = %+v, want mined", rec)
	}
	if len(rec.Attempts) < 2 || rec.Attempts[0].Hash != *sent.TxHash || rec.Attempts[0].Status != record.AttemptReplaced {
		t.Errorf("attempts = %+v, want the first engine's transaction replaced by a bump of the second", rec.Attempts)
	}
	for _, a := range rec.Attempts {
		if a.Nonce != 0 {
			t.Errorf("attempt %s at nonce %d: a second transaction for the action", a.Hash, a.Nonce)
		}
	}
	if n := nonceOf(t, ctx, client, guardian.Address()); n != 1 {
		t.Errorf("the guardian has %d mined transactions, want exactly 1", n)
	}
	v := contracts.NewProtectedVault()
	if paused, err := bind.Call(v.Instance(client, demo.Vault), nil, v.PackPaused(), v.UnpackPaused); err != nil || !paused {
		t.Errorf("paused() = %v, %v; want true", paused, err)
	}
}

// serveProc is a running `firebreak serve`.
type serveProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *simulate.ProcessOutput
	done chan struct{}
}

func startServe(t *testing.T, ctx context.Context, bin, cfg string) *serveProc {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "serve", "--config", cfg)
	cmd.Env = append(os.Environ(), "FIREBREAK_GUARDIAN_KEY="+guardianKey)
	out := &simulate.ProcessOutput{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{t: t, cmd: cmd, out: out, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		t.Logf("firebreak serve (pid %d) output:\n%s", cmd.Process.Pid, out.String())
	})
	return p
}

func (p *serveProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *serveProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.kill()
	}
}

func (p *serveProc) output() string { return p.out.String() }

// connectJS connects to the engine's embedded NATS, with the engine's nkey
// seed, once it serves the actions bucket.
func connectJS(t *testing.T, ctx context.Context, url, seed string) jetstream.JetStream {
	t.Helper()
	for {
		nc, err := ingest.DialWith(url, t.Name(), ingest.ConnectOptions{NkeySeedFile: seed})
		if err == nil {
			js, err := jetstream.New(nc)
			if err == nil {
				if _, err = js.KeyValue(ctx, record.ActionsBucket); err == nil {
					if _, err = js.Stream(ctx, ingest.Stream); err == nil {
						t.Cleanup(nc.Close)
						return js
					}
				}
			}
			nc.Close()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the engine's NATS at %s did not come up: %v", url, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func getRecord(ctx context.Context, js jetstream.JetStream, id string) (record.Record, bool) {
	var rec record.Record
	kv, err := js.KeyValue(ctx, record.ActionsBucket)
	if err != nil {
		return rec, false
	}
	e, err := kv.Get(ctx, id)
	if err != nil {
		return rec, false
	}
	return rec, json.Unmarshal(e.Value(), &rec) == nil
}

// waitRecord watches the actions bucket until a record satisfies ok.
func waitRecord(t *testing.T, ctx context.Context, js jetstream.JetStream, ok func(record.Record) bool) record.Record {
	t.Helper()
	kv, err := js.KeyValue(ctx, record.ActionsBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.WatchAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case e := <-w.Updates():
			if e == nil {
				continue
			}
			var rec record.Record
			if json.Unmarshal(e.Value(), &rec) == nil && ok(rec) {
				return rec
			}
		case <-ctx.Done():
			t.Fatal("timed out watching the actions bucket")
		}
	}
}

func nonceOf(t *testing.T, ctx context.Context, c *ethclient.Client, who common.Address) uint64 {
	t.Helper()
	n, err := c.NonceAt(ctx, who, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
