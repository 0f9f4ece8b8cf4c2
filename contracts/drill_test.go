package contracts_test

import (
	"crypto/ecdsa"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/firebreak-dev/firebreak/contracts"
)

// The drill protocol's weaknesses and containments, on the simulated chain.
func TestDrillProtocol(t *testing.T) {
	keys := make([]*ecdsa.PrivateKey, 5)
	alloc := types.GenesisAlloc{}
	for i := range keys {
		keys[i], _ = crypto.GenerateKey()
		alloc[crypto.PubkeyToAddress(keys[i].PublicKey)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(1000), oneEther)}
	}
	sim := contracts.NewSimulated(alloc)
	t.Cleanup(func() { sim.Close() })
	client := contracts.AutoMine(sim)
	chainID := contracts.SimulatedChainConfig().ChainID
	admin, guardian, operator, attacker, treasury := bind.NewKeyedTransactor(keys[0], chainID), bind.NewKeyedTransactor(keys[1], chainID),
		bind.NewKeyedTransactor(keys[2], chainID), bind.NewKeyedTransactor(keys[3], chainID), bind.NewKeyedTransactor(keys[4], chainID)
	funds := new(big.Int).Mul(big.NewInt(100), oneEther)
	d, err := contracts.DeployDrill(t.Context(), client, admin, attacker, guardian.From, operator.From, funds)
	if err != nil {
		t.Fatal(err)
	}
	vault, bridge, attack := contracts.NewDrillVault(), contracts.NewDrillBridge(), contracts.NewDrillAttacker()
	vaultC, bridgeC, attackC := vault.Instance(client, d.Vault), bridge.Instance(client, d.Bridge), attack.Instance(client, d.Attacker)
	balance := func(a common.Address) *big.Int {
		t.Helper()
		b, err := client.BalanceAt(t.Context(), a, nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if balance(d.Vault).Cmp(funds) != 0 || balance(d.Bridge).Cmp(funds) != 0 {
		t.Fatalf("funded with %s and %s, want %s each", balance(d.Vault), balance(d.Bridge), funds)
	}

	t.Run("reentrancy takes times-1 deposits", func(t *testing.T) {
		before := balance(d.Vault)
		mustSend(t, client, attackC, withValue(attacker, oneEther), attack.PackAttack(big.NewInt(11)))
		if got, want := new(big.Int).Sub(before, balance(d.Vault)), new(big.Int).Mul(big.NewInt(10), oneEther); got.Cmp(want) != 0 {
			t.Errorf("drained %s, want %s", got, want)
		}
	})
	t.Run("operator sweeps", func(t *testing.T) {
		before := balance(treasury.From)
		mustSend(t, client, vaultC, operator, vault.PackSweep(treasury.From, oneEther))
		if got := new(big.Int).Sub(balance(treasury.From), before); got.Cmp(oneEther) != 0 {
			t.Errorf("swept %s, want 1 ether", got)
		}
	})
	t.Run("anyone forges a bridge release", func(t *testing.T) {
		id := common.Hash{1}
		att, err := bind.Call(bridgeC, nil, bridge.PackAttestation(attacker.From, oneEther, id), bridge.UnpackAttestation)
		if err != nil {
			t.Fatal(err)
		}
		mustSend(t, client, bridgeC, attacker, bridge.PackRelease(attacker.From, oneEther, id, att))
	})
	t.Run("the guardian revokes the operator, pauses and freezes", func(t *testing.T) {
		role, _ := bind.Call(vaultC, nil, vault.PackOPERATORROLE(), vault.UnpackOPERATORROLE)
		mustSend(t, client, vaultC, guardian, vault.PackRevokeRole(role, operator.From))
		mustSend(t, client, vaultC, guardian, vault.PackPause())
		mustSend(t, client, bridgeC, guardian, bridge.PackFreeze())
		if _, err := bind.Transact(attackC, withValue(attacker, oneEther), attack.PackAttack(big.NewInt(3))); err == nil {
			t.Error("the attack went through a paused vault")
		}
		id := common.Hash{2}
		att, _ := bind.Call(bridgeC, nil, bridge.PackAttestation(attacker.From, oneEther, id), bridge.UnpackAttestation)
		if _, err := bind.Transact(bridgeC, attacker, bridge.PackRelease(attacker.From, oneEther, id, att)); err == nil {
			t.Error("a release went through a frozen bridge")
		}
		if _, err := bind.Transact(vaultC, guardian, vault.PackUnpause()); err == nil {
			t.Error("the guardian unpaused the vault")
		}
	})
}

func mustSend(t *testing.T, client simulated.Client, c *bind.BoundContract, opts *bind.TransactOpts, data []byte) {
	t.Helper()
	tx, err := bind.Transact(c, opts, data)
	if err != nil {
		t.Fatalf("transact: %v", err)
	}
	r, err := bind.WaitMined(t.Context(), client, tx.Hash())
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("tx %s: %v, status %v", tx.Hash(), err, r)
	}
}

func withValue(opts *bind.TransactOpts, v *big.Int) *bind.TransactOpts {
	o := *opts
	o.Value = v
	return &o
}
