package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/recovery"
)

// The commands, from the configuration file on: a running engine pauses
// the vault; 'firebreak recover' prints the plan and its dry-run and
// proposes it; one 'firebreak approve --recovery' sends nothing; the
// second executes it, and 'recover --show' tells so.
func TestRecoverCommands(t *testing.T) {
	c := startCheckChain(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rk, _ := crypto.GenerateKey()
	recoverer := crypto.PubkeyToAddress(rk.PublicKey)
	vault := contracts.NewProtectedVault()
	c.send(t, demoAdminKey, recoverer, big.NewInt(1e18), nil)
	c.send(t, demoAdminKey, c.demo.Vault, nil, vault.PackGrantRole([32]byte{}, recoverer))

	dir := t.TempDir()
	keys := map[string]string{}
	var approvers strings.Builder
	for _, name := range []string{"alice", "bob"} {
		pub, priv, _ := ed25519.GenerateKey(nil)
		keys[name] = filepath.Join(dir, name+".key")
		if err := os.WriteFile(keys[name], []byte(hex.EncodeToString(priv.Seed())+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&approvers, "    - {name: %s, public_key: %q}\n", name, hex.EncodeToString(pub))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	path := c.checkConfig(t, func(y string) string {
		y = strings.Replace(y, "  guardian: {kind: local, key_env: FIREBREAK_GUARDIAN_KEY}\n",
			"  guardian: {kind: local, key_env: FIREBREAK_GUARDIAN_KEY}\n  recovery: {kind: local, key_env: FIREBREAK_RECOVERY_KEY}\n", 1)
		return y + fmt.Sprintf("nats: {port: %d}\nsimulate: {method: anvil}\nrecovery:\n  signer: recovery\n  threshold: 2\n  approvers:\n%s"+
			"recovery_allowlist: [{chain_id: %d, contract: demo.vault, functions: [\"unpause()\"]}]\n", port, approvers.String(), demoChainID)
	})
	env := map[string]string{"FIREBREAK_GUARDIAN_KEY": demoGuardianKey, "FIREBREAK_RECOVERY_KEY": hex.EncodeToString(crypto.FromECDSA(rk))}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	opts, err := config.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	opts.LookupEnv = lookup
	eng, err := engine.New(opts, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
	}()
	select {
	case <-eng.Ready():
	case err := <-done:
		t.Fatalf("engine stopped: %v", err)
	}
	nc, err := eng.DialNATS("test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ev := event.Event{ID: "cli-recover-1", Source: "forta", ChainID: demoChainID, Severity: event.SeverityCritical, Confidence: 0.95,
		AlertType: "exploit", Protocol: "demo", Timestamp: time.Now().UTC()}
	if _, err := ingest.Publish(ctx, js, ev); err != nil {
		t.Fatal(err)
	}
	var actionID string
	waitFor(t, ctx, func() bool {
		out, err := eng.Outcome(ctx, ev.ID)
		if err != nil || len(out.Actions) != 1 {
			return false
		}
		actionID = out.Actions[0].ActionID
		rec, err := eng.Action(ctx, actionID)
		return err == nil && rec.State == record.Mined
	})
	paused := func() bool {
		p, err := bind.Call(vault.Instance(c.client, c.demo.Vault), nil, vault.PackPaused(), vault.UnpackPaused)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if !paused() {
		t.Fatal("the vault is not paused")
	}
	incidents, err := incident.NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := incidents.Create(ctx, incident.Incident{ID: "inc-cli-1", Protocol: "demo", Severity: "critical", State: incident.Contained,
		OpenedAt: now, LastEventAt: now, Events: []string{ev.ID}, Actions: []string{actionID}}); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, append(args, "--config", path, "--creds", eng.NATSSeedFile()), &out, &errOut, lookup)
		return code, out.String(), errOut.String()
	}

	code, out, errOut := cli("recover", "inc-cli-1", "--by", "alice")
	if code != exitOK {
		t.Fatalf("recover: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"unpause: unpause() on demo.vault", "post-condition paused() == false", "dry-run ok, post-condition pass",
		"ok on a fork of block", "0 of 2", "nothing is sent until 2 of the 2 recovery approvers sign it"} {
		if !strings.Contains(out, want) {
			t.Errorf("recover output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("firebreak recover:\n%s", out)
	id := strings.Fields(out)[0]
	if !strings.HasPrefix(id, "recovery-") {
		t.Fatalf("proposal id %q", id)
	}
	if code, out, errOut := cli("approve", "--recovery", id, "--key", keys["alice"]); code != exitOK || !strings.Contains(out, "1 of 2 approvals, 1 more needed") {
		t.Fatalf("approve alice: exit %d\n%s%s", code, out, errOut)
	}
	if !paused() {
		t.Fatal("unpaused with one approval of two")
	}
	if code, out, errOut := cli("approve", "--recovery", id, "--key", keys["bob"]); code != exitOK || !strings.Contains(out, "threshold reached") {
		t.Fatalf("approve bob: exit %d\n%s%s", code, out, errOut)
	}
	var p recovery.Proposal
	waitFor(t, ctx, func() bool {
		code, out, _ := cli("recover", "--show", id, "--json")
		return code == exitOK && json.Unmarshal([]byte(out), &p) == nil && p.State == recovery.Executed
	})
	if paused() {
		t.Error("the vault is still paused after the recovery executed")
	}
	if code, out, _ := cli("recover", "--show", id); code != exitOK || !strings.Contains(out, id+"  executed") || !strings.Contains(out, "2 of 2: alice, bob") {
		t.Errorf("recover --show: exit %d\n%s", code, out)
	}
}

func waitFor(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("timed out")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
