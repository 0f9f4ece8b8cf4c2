package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/hashicorp/vault/api"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

// checkChain is the demo setup on a real anvil, as 'firebreak demo'
// deploys it: the guardian key holds the vault's PAUSER_ROLE and the
// bridge's GUARDIAN_ROLE. Each test changes the chain and reverts it.
type checkChain struct {
	url    string
	client *ethclient.Client
	demo   contracts.Demo
}

func startCheckChain(t *testing.T) *checkChain {
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
	admin, _ := crypto.HexToECDSA(demoAdminKey)
	guardian, _ := crypto.HexToECDSA(demoGuardianKey)
	operator, _ := crypto.HexToECDSA(demoOperatorKey)
	d, err := contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(admin, big.NewInt(demoChainID)),
		crypto.PubkeyToAddress(guardian.PublicKey), crypto.PubkeyToAddress(operator.PublicKey), big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	return &checkChain{url: a.URL(), client: client, demo: d}
}

// isolate runs the rest of the test on a snapshot of the chain, reverted
// when the test ends.
func (c *checkChain) isolate(t *testing.T) {
	t.Helper()
	var id hexutil.Big
	if err := c.client.Client().Call(&id, "evm_snapshot"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var ok bool
		if err := c.client.Client().Call(&ok, "evm_revert", &id); err != nil || !ok {
			t.Errorf("evm_revert: %v %v", ok, err)
		}
	})
}

// send signs data to `to` with key and waits for the receipt.
func (c *checkChain) send(t *testing.T, keyHex string, to common.Address, value *big.Int, data []byte) {
	t.Helper()
	ctx := context.Background()
	key, _ := crypto.HexToECDSA(keyHex)
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := c.client.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	price, err := c.client.SuggestGasPrice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gas := uint64(21000)
	if len(data) > 0 {
		gas = 200_000
	}
	tx, err := types.SignTx(types.NewTx(&types.LegacyTx{Nonce: nonce, To: &to, Value: value, Gas: gas, GasPrice: price, Data: data}),
		types.NewEIP155Signer(big.NewInt(demoChainID)), key)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := bind.WaitMined(wctx, c.client, tx.Hash())
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("tx %s: %v (receipt %+v)", tx.Hash(), err, r)
	}
}

// checkConfig is the demo's configuration (demoOptions) as a file, with
// the guardian's key in FIREBREAK_GUARDIAN_KEY; edit changes the YAML.
func (c *checkChain) checkConfig(t *testing.T, edit func(string) string) string {
	t.Helper()
	yaml := fmt.Sprintf(`data_dir: %s
chains: [{id: %d, name: anvil, rpc: %q}]
signers:
  guardian: {kind: local, key_env: FIREBREAK_GUARDIAN_KEY}
readiness: {max_head_lag: 10m, call_timeout: 2s}
protocols:
  demo:
    chain_id: %d
    min_confidence: 0.8
    signer: guardian
    roles: {operator: OPERATOR_ROLE}
    contracts:
      vault: {address: %q, pausable: true}
      bridge: {address: %q, bridge: true}
allowlist:
  - {chain_id: %d, contract: demo.vault, functions: ["pause()", "revokeRole(bytes32,address)"]}
  - {chain_id: %d, contract: demo.bridge, functions: ["freeze()"]}
`, filepath.Join(t.TempDir(), "data"), demoChainID, c.url, demoChainID, c.demo.Vault.Hex(), c.demo.Bridge.Hex(), demoChainID, demoChainID)
	if edit != nil {
		yaml = edit(yaml)
	}
	path := filepath.Join(t.TempDir(), "firebreak.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCheck runs 'firebreak check --json' and decodes the report.
func runCheckJSON(t *testing.T, env map[string]string, args ...string) (int, observe.Report, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := run(context.Background(), append([]string{"check", "--json"}, args...), &out, &errOut, lookup)
	var rep observe.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("check --json printed no report (exit %d): %v\n%s\n%s", code, err, out.String(), errOut.String())
	}
	return code, rep, errOut.String()
}

var guardianEnv = map[string]string{"FIREBREAK_GUARDIAN_KEY": demoGuardianKey}

// failure returns the one failed finding of check on protocol/contract,
// or fails the test showing the report.
func failure(t *testing.T, rep observe.Report, check, contract string) observe.Finding {
	t.Helper()
	for _, f := range rep.Failures() {
		if f.Check == check && f.Contract == contract {
			return f
		}
	}
	t.Fatalf("no failed %q finding on %q in:\n%s", check, contract, table(rep))
	return observe.Finding{}
}

func table(rep observe.Report) string {
	var b bytes.Buffer
	_ = rep.WriteTable(&b)
	return b.String()
}

func TestCheckDemoSetup(t *testing.T) {
	c := startCheckChain(t)
	guardian := addressOf(t, demoGuardianKey)

	t.Run("passes and prints a table", func(t *testing.T) {
		var out, errOut bytes.Buffer
		lookup := func(k string) (string, bool) { v, ok := guardianEnv[k]; return v, ok }
		code := run(context.Background(), []string{"check", "--config", c.checkConfig(t, nil)}, &out, &errOut, lookup)
		if code != exitOK {
			t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
		}
		t.Log("\n" + out.String())
		if strings.Contains(out.String()+errOut.String(), demoGuardianKey[8:40]) {
			t.Fatal("check printed the guardian's key")
		}
		for _, want := range []string{"STATUS", "READY: every pauser can pause now", "eth_call of pause() from " + guardian.Hex() + " succeeds", "freeze()"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("table lacks %q:\n%s", want, out.String())
			}
		}
	})

	t.Run("json names every check", func(t *testing.T) {
		code, rep, stderr := runCheckJSON(t, guardianEnv, "--config", c.checkConfig(t, nil))
		if code != exitOK || !rep.OK {
			t.Fatalf("exit %d:\n%s\n%s", code, table(rep), stderr)
		}
		seen := map[string]bool{}
		for _, f := range rep.Findings {
			seen[f.Contract+"/"+f.Check] = f.Status == observe.StatusOK
		}
		for _, want := range []string{"/head", "vault/allowlist", "vault/code", "vault/state", "vault/call", "bridge/call", "/balance", "/signer"} {
			if !seen[want] {
				t.Errorf("no ok %s finding:\n%s", want, table(rep))
			}
		}
	})

	t.Run("lost PAUSER_ROLE", func(t *testing.T) {
		c.isolate(t)
		v := contracts.NewProtectedVault()
		c.send(t, demoAdminKey, c.demo.Vault, nil, v.PackRevokeRole(crypto.Keccak256Hash([]byte("PAUSER_ROLE")), guardian))
		code, rep, _ := runCheckJSON(t, guardianEnv, "--config", c.checkConfig(t, nil))
		t.Log("\n" + table(rep))
		f := failure(t, rep, observe.CheckCall, "vault")
		if code != exitFailure || f.Action != "pause" || !strings.Contains(f.Detail, "AccessControlUnauthorizedAccount") ||
			!strings.Contains(f.Detail, guardian.Hex()+" lost PAUSER_ROLE") || !strings.Contains(f.Fix, "Grant PAUSER_ROLE") {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
		if len(rep.Failures()) != 1 {
			t.Errorf("only the vault's pause should fail:\n%s", table(rep))
		}
	})

	t.Run("drained balance", func(t *testing.T) {
		c.isolate(t)
		ctx := context.Background()
		bal, _ := c.client.BalanceAt(ctx, guardian, nil)
		price, _ := c.client.SuggestGasPrice(ctx)
		away := new(big.Int).Sub(bal, new(big.Int).Mul(price, big.NewInt(21000)))
		c.send(t, demoGuardianKey, common.HexToAddress("0x00000000000000000000000000000000000b0b00"), away, nil)
		code, rep, _ := runCheckJSON(t, guardianEnv, "--config", c.checkConfig(t, nil))
		f := failure(t, rep, observe.CheckBalance, "")
		if code != exitFailure || f.Signer != "guardian" || !strings.Contains(f.Detail, "of the readiness.min_actions=3 containment transactions") ||
			!strings.Contains(f.Fix, "Send at least") || !strings.Contains(f.Fix, guardian.Hex()) {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
	})

	t.Run("already paused is a warning", func(t *testing.T) {
		c.isolate(t)
		c.send(t, demoGuardianKey, c.demo.Vault, nil, contracts.NewProtectedVault().PackPause())
		code, rep, _ := runCheckJSON(t, guardianEnv, "--config", c.checkConfig(t, nil))
		if code != exitOK {
			t.Fatalf("exit %d:\n%s", code, table(rep))
		}
		for _, f := range rep.Findings {
			if f.Contract == "vault" && f.Check == observe.CheckState && f.Status == observe.StatusWarn && strings.Contains(f.Detail, "already paused") {
				return
			}
		}
		t.Fatalf("no 'already paused' warning:\n%s", table(rep))
	})

	t.Run("allowlist entry removed", func(t *testing.T) {
		cfg := c.checkConfig(t, func(y string) string {
			return strings.Replace(y, `  - {chain_id: 31337, contract: demo.bridge, functions: ["freeze()"]}`+"\n", "", 1)
		})
		code, rep, _ := runCheckJSON(t, guardianEnv, "--config", cfg)
		f := failure(t, rep, observe.CheckAllowlist, "bridge")
		if code != exitFailure || f.Action != "freeze_bridge" || !strings.Contains(f.Detail, "freeze() on demo.bridge") ||
			!strings.Contains(f.Fix, `contract: demo.bridge, functions: ["freeze()"]`) {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
	})

	t.Run("allowlist entry not in the registry", func(t *testing.T) {
		cfg := c.checkConfig(t, func(y string) string {
			return y + `  - {chain_id: 31337, contract: "0x00000000000000000000000000000000000c0ffe", functions: ["pause()"]}` + "\n"
		})
		code, rep, _ := runCheckJSON(t, guardianEnv, "--config", cfg)
		f := failure(t, rep, observe.CheckAllowlist, "")
		if code != exitFailure || !strings.Contains(f.Detail, "allowlist[2]") || !strings.Contains(f.Detail, "not a contract of any registered protocol") {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
	})

	t.Run("wrong address has no code", func(t *testing.T) {
		cfg := c.checkConfig(t, func(y string) string {
			return strings.Replace(y, c.demo.Bridge.Hex(), "0x00000000000000000000000000000000000fee00", 1)
		})
		code, rep, _ := runCheckJSON(t, guardianEnv, "--config", cfg)
		f := failure(t, rep, observe.CheckCode, "bridge")
		if code != exitFailure || !strings.Contains(f.Detail, "no contract code at "+common.HexToAddress("0xfee00").Hex()) {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
	})

	t.Run("key missing from the environment", func(t *testing.T) {
		code, rep, _ := runCheckJSON(t, nil, "--config", c.checkConfig(t, nil))
		f := failure(t, rep, observe.CheckSigner, "")
		if code != exitFailure || !strings.Contains(f.Detail, "FIREBREAK_GUARDIAN_KEY is not set") {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
	})

	t.Run("stalled RPC", func(t *testing.T) {
		stalled := stalledRPC(t)
		cfg := c.checkConfig(t, func(y string) string {
			return strings.Replace(strings.Replace(y, c.url, stalled, 1), "call_timeout: 2s", "call_timeout: 300ms", 1)
		})
		start := time.Now()
		code, rep, _ := runCheckJSON(t, guardianEnv, "--config", cfg)
		f := failure(t, rep, observe.CheckHead, "")
		if code != exitFailure || f.ChainID != demoChainID || !strings.Contains(f.Detail, "does not answer: no answer within 300ms") {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("a stalled node held the check for %s", took)
		}
		if f := failure(t, rep, observe.CheckCode, "vault"); !strings.Contains(f.Detail, "does not answer") {
			t.Errorf("vault finding %+v", f)
		}
	})
}

// stalledRPC is a node that accepts connections and never answers.
func stalledRPC(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

func addressOf(t *testing.T, hexKey string) common.Address {
	t.Helper()
	k, err := crypto.HexToECDSA(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	return crypto.PubkeyToAddress(k.PublicKey)
}

// TestCheckVaultSigner runs check with the guardian's key in a real Vault
// (firebreak's plugin): it passes, reports the missing signing policy, a
// token that expires within the margin, and a stopped Vault.
func TestCheckVaultSigner(t *testing.T) {
	c := startCheckChain(t)
	v := vaulttest.Start(t)
	root := v.Client()
	if _, err := root.Logical().Write("eth/keys/guardian", map[string]any{"private_key": demoGuardianKey}); err != nil {
		t.Fatal(err)
	}
	cfg := c.checkConfig(t, func(y string) string {
		return strings.Replace(y, "guardian: {kind: local, key_env: FIREBREAK_GUARDIAN_KEY}",
			fmt.Sprintf("guardian: {kind: vault, vault: {address: %q, key: guardian, auth: {token_env: VAULT_TOKEN}}}", v.Addr), 1)
	})
	env := map[string]string{"VAULT_TOKEN": v.RootToken}

	t.Run("passes, warning of no signing policy", func(t *testing.T) {
		code, rep, stderr := runCheckJSON(t, env, "--config", cfg)
		if code != exitOK {
			t.Fatalf("exit %d:\n%s\n%s", code, table(rep), stderr)
		}
		var policyWarn, signs bool
		for _, f := range rep.Findings {
			policyWarn = policyWarn || (f.Check == observe.CheckKeyPolicy && f.Status == observe.StatusWarn && strings.Contains(f.Detail, "no signing policy"))
			signs = signs || (f.Check == observe.CheckSigner && f.Status == observe.StatusOK && strings.Contains(f.Detail, "vault key"))
		}
		if !policyWarn || !signs {
			t.Fatalf("want a signing vault key and a no-policy warning:\n%s", table(rep))
		}
	})

	t.Run("a policy that refuses digests still proves the key", func(t *testing.T) {
		if _, err := root.Logical().Write("eth/keys/guardian/policy", map[string]any{
			"chain_ids": []string{fmt.Sprint(demoChainID)}, "targets": []string{c.demo.Vault.Hex()}, "selectors": []string{"0x8456cb59"},
		}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = root.Logical().Delete("eth/keys/guardian/policy") })
		code, rep, _ := runCheckJSON(t, env, "--config", cfg)
		if code != exitOK {
			t.Fatalf("exit %d:\n%s", code, table(rep))
		}
		var policyOK, present bool
		for _, f := range rep.Findings {
			policyOK = policyOK || (f.Check == observe.CheckKeyPolicy && f.Status == observe.StatusOK)
			present = present || (f.Check == observe.CheckSigner && f.Status == observe.StatusOK && strings.Contains(f.Detail, "refuses raw digests"))
		}
		if !policyOK || !present {
			t.Fatalf("want the key present and its policy ok:\n%s", table(rep))
		}
	})

	t.Run("token expiring within the margin", func(t *testing.T) {
		no := false
		sec, err := root.Auth().Token().Create(&api.TokenCreateRequest{TTL: "1h", Renewable: &no, Policies: []string{"root"}})
		if err != nil {
			t.Fatal(err)
		}
		code, rep, _ := runCheckJSON(t, map[string]string{"VAULT_TOKEN": sec.Auth.ClientToken}, "--config", cfg)
		f := failure(t, rep, observe.CheckToken, "")
		if code != exitFailure || !strings.Contains(f.Detail, "within readiness.token_margin (24h0m0s), and is not renewable") {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
		if strings.Contains(table(rep), sec.Auth.ClientToken) {
			t.Fatal("the report shows the token")
		}
	})

	t.Run("Vault stopped", func(t *testing.T) {
		v.Stop()
		code, rep, _ := runCheckJSON(t, env, "--config", cfg)
		f := failure(t, rep, observe.CheckSigner, "")
		if code != exitFailure || !strings.Contains(f.Detail, "Vault at "+v.Addr+" is unreachable") || !strings.Contains(f.Fix, "Bring Vault at "+v.Addr+" back") {
			t.Fatalf("exit %d, finding %+v", code, f)
		}
	})
}
