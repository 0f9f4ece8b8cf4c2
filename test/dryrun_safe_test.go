package test

import (
	"context"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	safecontract "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// safeDryRunOptions configures a protocol whose vault pauser is the Safe at
// safeAddr, with address-only signers: a dry-run needs no key.
func safeDryRunOptions(t *testing.T, rpc string, vault, safeAddr common.Address, owners []common.Address) config.Options {
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "live", RPC: rpc}}
	opts.Simulate.Method = string(simulate.MethodAnvil)
	opts.Signers = map[string]config.SignerOptions{
		"owner1": {Kind: "local", SafeSignerOptions: config.SafeSignerOptions{Address: owners[0].Hex()}},
		"owner2": {Kind: "local", SafeSignerOptions: config.SafeSignerOptions{Address: owners[1].Hex()}},
		"treasury": {Kind: "safe", SafeSignerOptions: config.SafeSignerOptions{
			Address: safeAddr.Hex(), ChainID: chainID, Owners: []string{"owner1", "owner2"}, Executor: "owner1"}},
	}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, Signer: "treasury",
		Contracts: map[string]config.ContractOptions{"vault": {Address: vault.Hex(), Pausable: true}},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"pause()"}}}
	return opts
}

// TestDryRunThroughSafeOwners forks a live chain where a 2-of-3 Safe holds
// PAUSER_ROLE: the dry-run pauses through approveHash by two owners and
// execTransaction, with no key, and the live chain is untouched.
func TestDryRunThroughSafeOwners(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	live := startAnvil(t, ctx)
	client, err := ethclient.DialContext(ctx, live.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var owners []common.Address
	for range 3 {
		k, _ := crypto.GenerateKey()
		owners = append(owners, crypto.PubkeyToAddress(k.PublicKey))
	}
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(chainID))
	demo, err := safecontract.DeployDemo(ctx, client, auth, owners, 2, mustSigner(t, operatorKey).Address(), big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	s := safecontract.NewSafe()
	safeNonce := func() *big.Int {
		n, err := bind.Call(s.Instance(client, demo.Safe), nil, s.PackNonce(), s.UnpackNonce)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	log := slog.New(slog.DiscardHandler)

	t.Run("the Safe holds the role", func(t *testing.T) {
		out, err := engine.DryRun(ctx, safeDryRunOptions(t, live.URL(), demo.Vault, demo.Safe, owners), criticalExploit("safe-dry-1"), engine.DryRunOptions{}, log)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.DryRuns) != 1 || len(out.DryRuns[0].Actions) != 1 {
			t.Fatalf("dry-runs = %+v, want one action", out.DryRuns)
		}
		res := out.DryRuns[0]
		a := res.Actions[0]
		if a.Status != simulate.StatusOK || a.PostCondition == nil || a.PostCondition.Status != simulate.StatusPass || !res.OK {
			t.Fatalf("action = %+v, want the pause ok on the fork with paused() == true", a)
		}
		if len(a.SafeOwners) != 2 {
			t.Errorf("owners that approved = %v, want the threshold (2)", a.SafeOwners)
		}
		for _, w := range res.Warnings {
			if strings.Contains(w, "execTransaction were not exercised") {
				t.Errorf("warning %q, but the owners' path was exercised", w)
			}
		}
		v := contracts.NewProtectedVault()
		paused, err := bind.Call(v.Instance(client, demo.Vault), nil, v.PackPaused(), v.UnpackPaused)
		if err != nil || paused {
			t.Fatalf("live paused() = %v, %v; want false", paused, err)
		}
		if n := safeNonce(); n.Sign() != 0 {
			t.Errorf("live Safe nonce = %s, want 0", n)
		}
	})

	t.Run("a Safe without the role", func(t *testing.T) {
		other, err := safecontract.Deploy(ctx, client, auth, owners, 2)
		if err != nil {
			t.Fatal(err)
		}
		out, err := engine.DryRun(ctx, safeDryRunOptions(t, live.URL(), demo.Vault, other.Safe, owners), criticalExploit("safe-dry-2"), engine.DryRunOptions{}, log)
		if err != nil {
			t.Fatal(err)
		}
		a := out.DryRuns[0].Actions[0]
		if a.Status != simulate.StatusReverted || a.Revert == nil || !strings.Contains(a.Revert.String(), "AccessControlUnauthorizedAccount") {
			t.Fatalf("action = %+v (revert %v), want reverted with AccessControlUnauthorizedAccount", a, a.Revert)
		}
	})
}
