package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// teamChain is a team's own chain for a fork drill: an anvil holding the
// drill vault, whose guardian (the pauser) and operator are accounts
// whose keys the drill never has.
type teamChain struct {
	url      string
	client   *ethclient.Client
	vault    common.Address
	guardian common.Address
	operator common.Address
	// hits counts the requests that reached a server standing in for the
	// team's Vault and its webhook channel (third-party services that
	// cannot run here): a drill must contact neither.
	hits atomic.Int64
	hook string
	// With a Safe as the guardian: the Safe, its owners (firebreak holds
	// the first two of the 2-of-3) and the executor that pays its gas.
	safe     common.Address
	owners   []common.Address
	executor common.Address
}

func newTeamChain(t *testing.T, bin string) *teamChain { return newTeamChainWith(t, bin, false) }

func newTeamChainWith(t *testing.T, bin string, withSafe bool) *teamChain {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: demoChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	tc := &teamChain{url: a.URL()}
	if tc.client, err = ethclient.DialContext(ctx, a.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.client.Close)
	fresh := func() common.Address {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		return crypto.PubkeyToAddress(k.PublicKey) // the key is dropped here
	}
	tc.guardian, tc.operator = fresh(), fresh()
	chainID := big.NewInt(demoChainID)
	adminKey, _ := crypto.HexToECDSA(contracts.DevAdminKey)
	attackerKey, _ := crypto.HexToECDSA(contracts.DevAttackerKey)
	if withSafe {
		tc.owners = []common.Address{fresh(), fresh(), fresh()}
		sd, err := safeabi.Deploy(ctx, tc.client, bind.NewKeyedTransactor(adminKey, chainID), tc.owners, 2)
		if err != nil {
			t.Fatal(err)
		}
		tc.safe, tc.guardian, tc.executor = sd.Safe, sd.Safe, fresh()
	}
	d, err := contracts.DeployDrill(ctx, tc.client, bind.NewKeyedTransactor(adminKey, chainID), bind.NewKeyedTransactor(attackerKey, chainID),
		tc.guardian, tc.operator, new(big.Int).Mul(big.NewInt(100), big.NewInt(1e18)))
	if err != nil {
		t.Fatal(err)
	}
	tc.vault = d.Vault
	// The pauser (or the Safe's executor) pays its own gas, on the team's
	// chain as in production.
	payer := tc.guardian
	if withSafe {
		payer = tc.executor
	}
	if err := tc.client.Client().CallContext(ctx, nil, "anvil_setBalance", payer, (*hexutil.Big)(big.NewInt(1e18))); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tc.hits.Add(1)
		w.WriteHeader(http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	tc.hook = srv.URL
	return tc
}

// config writes the team's firebreak.yaml: a Vault signer with the
// guardian's address, the shipped policies, its registry, allowlist,
// watch rule and a notification channel.
func (tc *teamChain) config(t *testing.T, signerAddr common.Address) string {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "hook.key")
	if err := os.WriteFile(secret, []byte("0123456789abcdef0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	signers := fmt.Sprintf(`signers:
  guardian:
    kind: vault
    address: "%[1]s"
    vault:
      address: %[2]s
      mode: plugin
      mount: firebreak
      key: guardian
      auth:
        token_env: TEAM_VAULT_TOKEN
`, signerAddr.Hex(), tc.hook)
	if tc.safe != (common.Address{}) {
		signers = fmt.Sprintf(`signers:
  guardian:
    kind: safe
    address: "%[1]s"
    chain_id: %[2]d
    owners: [owner0, owner1]
    executor: executor
  owner0:
    kind: vault
    address: "%[3]s"
    vault: {address: %[6]s, mode: plugin, mount: firebreak, key: owner0, auth: {token_env: TEAM_VAULT_TOKEN}}
  owner1:
    kind: local
    address: "%[4]s"
    key_env: TEAM_OWNER1_KEY
  executor:
    kind: vault
    address: "%[5]s"
    vault: {address: %[6]s, mode: plugin, mount: firebreak, key: executor, auth: {token_env: TEAM_VAULT_TOKEN}}
`, tc.safe.Hex(), demoChainID, tc.owners[0].Hex(), tc.owners[1].Hex(), tc.executor.Hex(), tc.hook)
	}
	yaml := fmt.Sprintf(`data_dir: %[1]s
chains:
  - id: %[2]d
    name: team
    rpc: %[3]s
    private_rpc: %[4]s
%[5]sprotocols:
  acme:
    chain_id: %[2]d
    signer: guardian
    contracts:
      vault:
        address: "%[6]s"
        pausable: true
        access_control: true
    roles:
      operator: OPERATOR_ROLE
allowlist:
  - chain_id: %[2]d
    contract: acme.vault
    functions: ["pause()"]
notify:
  channels:
    soc:
      type: webhook
      webhook_url_env: TEAM_HOOK_URL
      secret_file: %[7]s
watch:
  protocols:
    acme:
      rules:
        - name: vault-outflow
          kind: outflow
          contract: vault
          threshold: "2%%"
          exploit_threshold: "5%%"
          window_blocks: 10
`, filepath.Join(t.TempDir(), "data"), demoChainID, tc.url, tc.hook, signers, tc.vault.Hex(), secret)
	path := filepath.Join(t.TempDir(), "firebreak.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (tc *teamChain) drill(t *testing.T, bin, cfg string, extra ...string) (int, drillReport, string) {
	t.Helper()
	sweep := contracts.NewDrillVault().PackSweep(common.HexToAddress("0x00000000000000000000000000000000000bad01"), new(big.Int).Mul(big.NewInt(10), big.NewInt(1e18)))
	args := append([]string{"drill", "--config", cfg, "--target", "vault", "--attack-from", tc.operator.Hex(),
		"--attack-data", hexutil.Encode(sweep), "--block-time", "500ms", "--json", "--anvil", bin, "--out", t.TempDir(), "--timeout", "90s"}, extra...)
	var out, errOut bytes.Buffer
	env := func(k string) (string, bool) {
		switch k {
		case forkURLEnv:
			return tc.url, true
		case "TEAM_HOOK_URL":
			return tc.hook, true
		case "TEAM_VAULT_TOKEN":
			return "s.team-token", true
		case "TEAM_OWNER1_KEY":
			return contracts.DevAdminKey, true // a key for another account: never read, or the engine would refuse it
		}
		return "", false
	}
	code := run(context.Background(), args, &out, &errOut, env)
	var rep drillReport
	if code != exitUsage && out.Len() > 0 {
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("exit %d, stdout is not one JSON report: %v\n%s\nstderr: %s", code, err, out.String(), errOut.String())
		}
	}
	return code, rep, out.String() + errOut.String()
}

func (tc *teamChain) paused(t *testing.T) bool {
	t.Helper()
	v := contracts.NewDrillVault()
	out, err := tc.client.CallContract(context.Background(), ethereum.CallMsg{To: &tc.vault, Data: v.PackPaused()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.UnpackPaused(out)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The team's own configuration, on a fork of its chain: the watcher's
// rule fires on a compromised operator's sweep, the shipped policy pauses
// the vault, and the pause is sent by firebreak's engine as the team's
// real guardian account (impersonated; its key is nowhere), which really
// holds the role. The team's chain itself is untouched, and neither its
// Vault, its private relay nor its notification channel is contacted.
func TestDrillYourOwnSetupOnAFork(t *testing.T) {
	bin := drillAnvil(t)
	tc := newTeamChain(t, bin)
	// The drill's emergency floor above the attacker's tip (the team's
	// chain sets no min_tip), so that the pause is first in its block.
	code, rep, out := tc.drill(t, bin, tc.config(t, tc.guardian), "--min-tip", "5")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, out)
	}
	if !rep.Contained || rep.SavedPct < 80 || rep.BlocksToInclusion == nil || *rep.BlocksToInclusion > 1 {
		t.Errorf("contained %v, saved %.1f%%, blocks to inclusion %s: want the pause at most a block after the first sweep\n%s", rep.Contained, rep.SavedPct, fmtBlocks(rep.BlocksToInclusion), out)
	}
	if rep.MinTipGwei != 5 || rep.ContainmentFirstInBlock == nil || !*rep.ContainmentFirstInBlock {
		t.Errorf("min_tip %v gwei, pause first in its block %v: want --min-tip to price the pause above the attacker", rep.MinTipGwei, rep.ContainmentFirstInBlock)
	}
	if rep.Fork == nil || len(rep.Fork.StandIns) != 1 || rep.Fork.StandIns[0].Signer != "guardian" ||
		!strings.EqualFold(rep.Fork.StandIns[0].Account, tc.guardian.Hex()) || rep.Fork.Impersonated < 1 {
		t.Errorf("fork %+v: want the guardian's account impersonated for at least one transaction", rep.Fork)
	}
	var paused bool
	for _, a := range rep.Actions {
		paused = paused || (a.Function == "pause()" && a.State == "mined" && a.Status == 1)
	}
	if !paused {
		t.Errorf("actions %+v: want pause() mined and successful", rep.Actions)
	}
	if rep.AttackerSucceeded < 1 || rep.AttackerRevertedAfter < 1 {
		t.Errorf("attacker txs: %d succeeded, %d reverted after the pause; want the sweep to work until the pause and fail after it", rep.AttackerSucceeded, rep.AttackerRevertedAfter)
	}
	// Nothing reached the team's real world.
	if tc.paused(t) {
		t.Error("the vault on the team's own chain is paused: the drill wrote to it")
	}
	if n, err := tc.client.NonceAt(context.Background(), tc.guardian, nil); err != nil || n != 0 {
		t.Errorf("the guardian's nonce on the team's chain is %d (%v): the drill sent from it there", n, err)
	}
	if bal, err := tc.client.BalanceAt(context.Background(), tc.vault, nil); err != nil || bal.Cmp(new(big.Int).Mul(big.NewInt(100), big.NewInt(1e18))) != 0 {
		t.Errorf("the vault's balance on the team's chain is %v (%v), want 100 ETH", bal, err)
	}
	if n := tc.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the team's Vault, relay or webhook channel", n)
	}

	// The baseline on the same fork: nobody responds, the watcher still
	// reports, the vault is drained.
	code, base, out := tc.drill(t, bin, tc.config(t, tc.guardian), "--no-response")
	if code != exitOK || base.Contained || base.SavedPct > 5 || base.BlocksToDetection == nil || len(base.Actions) != 0 {
		t.Errorf("--no-response: exit %d, contained %v, saved %.1f%%, detected %v, actions %d: want the vault drained and reported, nothing sent\n%s",
			code, base.Contained, base.SavedPct, base.BlocksToDetection, len(base.Actions), out)
	}
}

// A rehearsal finds what is wrong: the configured signer's account holds
// no role on the vault, so the containment cannot land, and the drill says
// so and exits 1.
func TestDrillYourOwnSetupFindsAPauserThatCannotPause(t *testing.T) {
	bin := drillAnvil(t)
	tc := newTeamChain(t, bin)
	code, rep, out := tc.drill(t, bin, tc.config(t, tc.operator))
	if code != exitFailure || rep.Contained {
		t.Fatalf("exit %d, contained %v: want 1 and no containment\n%s", code, rep.Contained, out)
	}
	if rep.SavedPct > 20 {
		t.Errorf("saved %.1f%%: want the vault drained, nothing stopped the sweeps", rep.SavedPct)
	}
	notes := strings.Join(rep.Notes, "\n")
	if !strings.Contains(notes, "pause()") || !strings.Contains(notes, "AccessControlUnauthorizedAccount(account="+tc.operator.Hex()) {
		t.Errorf("notes %q: want them to name the pause that did not land, and why: the configured account holds no PAUSER_ROLE", rep.Notes)
	}
}

func TestDrillYourOwnSetupBadUsage(t *testing.T) {
	bin := drillAnvil(t)
	tc := newTeamChain(t, bin)
	cfg := tc.config(t, tc.guardian)
	for _, tc2 := range []struct {
		args []string
		want string
	}{
		{[]string{"--target", "nope"}, `--target "nope" is not a contract of protocols.acme (vault)`},
		{[]string{"--protocol", "other"}, `--protocol "other" is not in the configuration's protocols (acme)`},
		{[]string{"--attack-to", "treasury"}, `"treasury" is neither a 0x address nor a contract of protocols.acme`},
		{[]string{"--attack-data", "0x12"}, `--attack-data "0x12": want 0x-prefixed calldata of at least a 4-byte selector`},
		{[]string{"--attack-from", "mallory"}, `--attack-from "mallory": not a 0x address`},
		{[]string{"--slices", "0"}, `--slices must be at least 1`},
	} {
		code, _, out := tc.drill(t, bin, cfg, tc2.args...)
		if code != exitFailure || !strings.Contains(out, tc2.want) {
			t.Errorf("%v: exit %d, output %q; want 1 and %q", tc2.args, code, out, tc2.want)
		}
	}
	// A signer without its address: the drill cannot know whom to
	// impersonate, and never reads the key to find out.
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	noAddr := filepath.Join(t.TempDir(), "firebreak.yaml")
	if err := os.WriteFile(noAddr, []byte(strings.Replace(string(b), `    address: "`+tc.guardian.Hex()+`"`+"\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, out := tc.drill(t, bin, noAddr); code != exitFailure || !strings.Contains(out, "signers.guardian: set address:") {
		t.Errorf("a signer without address: exit %d, %q; want 1 and what to set", code, out)
	}
	var out, errOut bytes.Buffer
	noEnv := func(string) (string, bool) { return "", false }
	if code := run(context.Background(), []string{"drill", "--config", cfg, "--attack-data", "0x8456cb59"}, &out, &errOut, noEnv); code != exitUsage ||
		!strings.Contains(errOut.String(), "$"+forkURLEnv) {
		t.Errorf("no fork URL: exit %d, %q; want 2 and the variable to set", code, errOut.String())
	}
}

// With a 2-of-3 Safe as the vault's guardian: the drill's keys replace the
// two owners firebreak holds among the Safe's owners on the fork, the
// executor is impersonated, and the pause goes through the Safe's
// execTransaction, as in production. On the team's chain the Safe's
// owners and nonce are unchanged.
func TestDrillYourOwnSetupWithASafe(t *testing.T) {
	bin := drillAnvil(t)
	tc := newTeamChainWith(t, bin, true)
	code, rep, out := tc.drill(t, bin, tc.config(t, common.Address{}), "--min-tip", "5")
	if code != exitOK || !rep.Contained {
		t.Fatalf("exit %d, contained %v: %s", code, rep.Contained, out)
	}
	if rep.SavedPct < 70 {
		t.Errorf("saved %.1f%%: want the Safe's pause within a block or two of the first sweep", rep.SavedPct)
	}
	as := map[string]string{}
	for _, s := range rep.Fork.StandIns {
		as[s.Signer] = s.As + " " + s.Account
	}
	for name, want := range map[string]string{
		"owner0":   "owner of Safe " + tc.safe.Hex() + " " + tc.owners[0].Hex(),
		"owner1":   "owner of Safe " + tc.safe.Hex() + " " + tc.owners[1].Hex(),
		"executor": "sender " + tc.executor.Hex(),
	} {
		if as[name] != want {
			t.Errorf("stand-in %s: %q, want %q", name, as[name], want)
		}
	}
	if tc.paused(t) {
		t.Error("the vault on the team's own chain is paused: the drill wrote to it")
	}
	safe := safeabi.NewSafe()
	res, err := tc.client.CallContract(context.Background(), ethereum.CallMsg{To: &tc.safe, Data: safe.PackGetOwners()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if owners, err := safe.UnpackGetOwners(res); err != nil || len(owners) != 3 || owners[0] != tc.owners[0] || owners[1] != tc.owners[1] {
		t.Errorf("the Safe's owners on the team's chain are %v (%v), want them untouched: %v", owners, err, tc.owners)
	}
	if n := tc.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the team's Vault, relay or webhook channel", n)
	}
}

// With the same Safe, when firebreak holds one owner of two needed the
// drill says the containment waits for people.
func TestDrillYourOwnSetupSafeBelowThreshold(t *testing.T) {
	bin := drillAnvil(t)
	tc := newTeamChainWith(t, bin, true)
	cfg := tc.config(t, common.Address{})
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "owners: [owner0, owner1]", "owners: [owner0]", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, rep, out := tc.drill(t, bin, cfg, "--slices", "4")
	if code != exitFailure || rep.Contained {
		t.Fatalf("exit %d, contained %v: want 1, nothing contained\n%s", code, rep.Contained, out)
	}
	if notes := strings.Join(rep.Notes, "\n"); !strings.Contains(notes, "needs 2 signatures and firebreak holds 1 owners") {
		t.Errorf("notes %q: want the missing approval named", rep.Notes)
	}
}
