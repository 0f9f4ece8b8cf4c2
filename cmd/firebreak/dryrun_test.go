package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// liveChain is the "live" chain a dry-run forks: a real anvil with the
// demo protocol, whose guardian is a fresh key funded with
// anvil_setBalance (anvil's default accounts are refused as senders).
type liveChain struct {
	url      string
	client   *ethclient.Client
	demo     contracts.Demo
	guardian common.Address
	bin      string
}

func startLiveChain(t testing.TB) *liveChain {
	t.Helper()
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: demoChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	client, err := ethclient.DialContext(ctx, a.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	key, _ := crypto.GenerateKey()
	l := &liveChain{url: a.URL(), client: client, guardian: crypto.PubkeyToAddress(key.PublicKey), bin: bin}
	if err := client.Client().CallContext(ctx, nil, "anvil_setBalance", l.guardian, (*hexutil.Big)(big.NewInt(1e18))); err != nil {
		t.Fatal(err)
	}
	admin, _ := crypto.HexToECDSA(demoAdminKey)
	operator, _ := crypto.GenerateKey()
	if l.demo, err = contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(admin, big.NewInt(demoChainID)), l.guardian, crypto.PubkeyToAddress(operator.PublicKey), big.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}
	return l
}

// files writes a configuration whose guardian signer is only an address,
// and a critical exploit event.
func (l *liveChain) files(t testing.TB, sender string) (config, ev string) {
	t.Helper()
	dir := t.TempDir()
	config = filepath.Join(dir, "firebreak.yaml")
	yaml := fmt.Sprintf(`data_dir: %s
chains: [{id: %d, name: live, rpc: %q}]
signers:
  guardian: {kind: local, %s}
simulate: {anvil: %q}
protocols:
  demo:
    chain_id: %d
    min_confidence: 0.8
    signer: guardian
    contracts:
      vault: {address: %q, pausable: true}
      bridge: {address: %q, bridge: true}
allowlist:
  - {chain_id: %d, contract: demo.vault, functions: ["pause()"]}
`, filepath.Join(dir, "data"), demoChainID, l.url, sender, l.bin, demoChainID, l.demo.Vault.Hex(), l.demo.Bridge.Hex(), demoChainID)
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	ev = filepath.Join(dir, "event.json")
	body := fmt.Sprintf(`{"id":"dry-1","source":"forta","chain_id":%d,"severity":"critical","confidence":0.95,"alert_type":"exploit","protocol":"demo","timestamp":"2026-11-25T10:00:00Z"}`, demoChainID)
	if err := os.WriteFile(ev, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return config, ev
}

func (l *liveChain) paused(t *testing.T) bool {
	t.Helper()
	v := contracts.NewProtectedVault()
	p, err := bind.Call(v.Instance(l.client, l.demo.Vault), nil, v.PackPaused(), v.UnpackPaused)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (l *liveChain) nonce(t *testing.T, a common.Address) uint64 {
	t.Helper()
	n, err := l.client.NonceAt(context.Background(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDryRunPausesOnTheForkOnly(t *testing.T) {
	l := startLiveChain(t)
	config, ev := l.files(t, fmt.Sprintf("address: %q", l.guardian.Hex()))
	nonceBefore := l.nonce(t, l.guardian)

	code, out, errOut := runCLI(t, "dry-run", "--config", config, "--event", ev, "--json")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var rep dryRunReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out)
	}
	if !rep.OK || rep.Method != simulate.MethodAnvil || len(rep.Outcome.DryRuns) != 1 {
		t.Fatalf("report = %+v, want ok on an anvil fork", rep)
	}
	if rep.Outcome.Decision == nil || strings.Join(rep.Outcome.Decision.Rules, ",") != "exploit_pause" {
		t.Errorf("decision = %+v, want exploit_pause", rep.Outcome.Decision)
	}
	sim := rep.Outcome.DryRuns[0]
	if len(sim.Actions) != 1 {
		t.Fatalf("simulated %d actions, want the pause", len(sim.Actions))
	}
	a := sim.Actions[0]
	if a.Status != simulate.StatusOK || a.From != l.guardian || a.To != l.demo.Vault || a.Call.String() != "pause()" || a.GasUsed == 0 || a.ForkTxHash == nil {
		t.Errorf("action = %+v, want pause() by the guardian succeeding with gas", a)
	}
	if a.PostCondition == nil || a.PostCondition.Status != simulate.StatusPass || a.PostCondition.Description != "paused() == true" {
		t.Errorf("post-condition = %+v, want paused() == true: pass", a.PostCondition)
	}
	if rep.ElapsedMS <= 0 || rep.ForkStartupMS <= 0 || rep.ForkStartupMS > rep.ElapsedMS {
		t.Errorf("elapsed %v ms, fork start-up %v ms", rep.ElapsedMS, rep.ForkStartupMS)
	}
	if !strings.Contains(errOut, "starting an anvil fork") {
		t.Errorf("no progress on stderr while the fork starts: %q", errOut)
	}
	// The live chain: not paused, and the guardian sent nothing.
	if l.paused(t) {
		t.Error("paused() is true on the live chain")
	}
	if n := l.nonce(t, l.guardian); n != nonceBefore {
		t.Errorf("the guardian's live nonce moved from %d to %d", nonceBefore, n)
	}
	if _, err := l.client.TransactionReceipt(context.Background(), *a.ForkTxHash); err == nil {
		t.Error("the fork's transaction exists on the live chain")
	}

	// The same as a report for people.
	code, out, errOut = runCLI(t, "dry-run", "--config", config, "--event", ev)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	t.Logf("report:\n%s", out)
	for _, want := range []string{"nothing was sent", "rule exploit_pause fired", "anvil fork of " + l.url, "1. pause demo.vault  would succeed",
		"call        pause()", "post-check  paused() == true: pass", "Result: OK, all 1 action(s) would succeed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
}

func TestDryRunReportsUnauthorizedSender(t *testing.T) {
	l := startLiveChain(t)
	key, _ := crypto.GenerateKey()
	stranger := crypto.PubkeyToAddress(key.PublicKey)
	config, ev := l.files(t, fmt.Sprintf("address: %q", stranger.Hex()))

	code, out, errOut := runCLI(t, "dry-run", "--config", config, "--event", ev, "--json")
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitFailure, out, errOut)
	}
	var rep dryRunReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out)
	}
	a := rep.Outcome.DryRuns[0].Actions[0]
	if rep.OK || a.Status != simulate.StatusReverted || a.Revert == nil || a.Revert.Name != "AccessControlUnauthorizedAccount" {
		t.Fatalf("report ok %v, action %+v: want reverted with AccessControlUnauthorizedAccount", rep.OK, a)
	}
	code, out, _ = runCLI(t, "dry-run", "--config", config, "--event", ev)
	want := "revert      AccessControlUnauthorizedAccount(account=" + stranger.Hex() + ", neededRole=PAUSER_ROLE)"
	if code != exitFailure || !strings.Contains(out, want) || !strings.Contains(out, "Result: FAIL, 1 of 1 action(s) would fail") {
		t.Fatalf("exit %d, report:\n%s\nwant exit 1 and %q", code, out, want)
	}
	if l.paused(t) {
		t.Error("paused() is true on the live chain")
	}
}

func TestDryRunFailsClearly(t *testing.T) {
	l := startLiveChain(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + lis.Addr().String() + "/v2/SECRETKEY"
	lis.Close()
	withAddress, ev := l.files(t, fmt.Sprintf("address: %q", l.guardian.Hex()))
	withUnsetKey, _ := l.files(t, "key_env: FIREBREAK_TEST_UNSET_KEY")
	withDefault, _ := l.files(t, `address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"`)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"fork URL does not answer", []string{"--config", withAddress, "--event", ev, "--fork-url", closed}, exitFailure, "does not answer"},
		{"no sender address", []string{"--config", withUnsetKey, "--event", ev}, exitUsage, "set signers.guardian.address"},
		{"anvil default account", []string{"--config", withDefault, "--event", ev}, exitFailure, "anvil's public default accounts"},
		{"no event", []string{"--config", withAddress}, exitUsage, "--event EVENT.json is required"},
		{"bad method", []string{"--config", withAddress, "--event", ev, "--method", "tenderly"}, exitUsage, "unknown method"},
		{"fork block in the future", []string{"--config", withAddress, "--event", ev, "--fork-block", "99999999"}, exitFailure, "after the head"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"dry-run"}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q\nstdout: %s", code, errOut, tt.wantCode, tt.wantErr, out)
			}
			if strings.Contains(errOut+out, "SECRETKEY") {
				t.Error("the output shows the fork URL's secret path")
			}
		})
	}
}

// TestDryRunDerivesSenderFromKeyAndNeverShowsIt: with no address
// configured, the sender comes from the key in the environment, and the
// key appears nowhere in the output.
func TestDryRunDerivesSenderFromKeyAndNeverShowsIt(t *testing.T) {
	l := startLiveChain(t)
	key, _ := crypto.GenerateKey()
	hexKey := hexutil.Encode(crypto.FromECDSA(key))
	config, ev := l.files(t, "key_env: FIREBREAK_TEST_DRYRUN_KEY")
	env := func(k string) (string, bool) {
		if k == "FIREBREAK_TEST_DRYRUN_KEY" {
			return hexKey, true
		}
		return "", false
	}
	var out, errOut strings.Builder
	code := run(context.Background(), []string{"dry-run", "--config", config, "--event", ev, "--json", "--log-level", "debug"}, &out, &errOut, env)
	// The derived sender is not the vault's pauser: the pause must fail.
	if code != exitFailure {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
	}
	var rep dryRunReport
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatal(err)
	}
	if from := rep.Outcome.DryRuns[0].Actions[0].From; from != crypto.PubkeyToAddress(key.PublicKey) {
		t.Errorf("sender %s, want the key's address", from.Hex())
	}
	for _, s := range []string{hexKey, strings.TrimPrefix(hexKey, "0x")} {
		if strings.Contains(out.String()+errOut.String(), s) {
			t.Fatal("the key appears in the dry-run's output")
		}
	}
}

// TestDryRunAlreadyPaused: the guard reads the precondition on the fork,
// so a vault already paused on the chain is a no-op, and nothing is tried.
func TestDryRunAlreadyPaused(t *testing.T) {
	l := startLiveChain(t)
	ctx := context.Background()
	rpc := l.client.Client()
	if err := rpc.CallContext(ctx, nil, "anvil_impersonateAccount", l.guardian); err != nil {
		t.Fatal(err)
	}
	var hash common.Hash
	v := contracts.NewProtectedVault()
	if err := rpc.CallContext(ctx, &hash, "eth_sendTransaction", map[string]any{"from": l.guardian, "to": l.demo.Vault, "input": hexutil.Bytes(v.PackPause())}); err != nil {
		t.Fatal(err)
	}
	if _, err := bind.WaitMined(ctx, l.client, hash); err != nil || !l.paused(t) {
		t.Fatalf("could not pause the live vault: %v", err)
	}
	config, ev := l.files(t, fmt.Sprintf("address: %q", l.guardian.Hex()))
	code, out, errOut := runCLI(t, "dry-run", "--config", config, "--event", ev)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, want := range []string{"pause demo.vault: noop, already paused", "Result: OK, nothing would be sent"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
}
