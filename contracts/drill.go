package contracts

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// More of anvil's development accounts, for `firebreak drill`: throw-away keys
// of a local chain, like the Dev* keys above.
const (
	// DevDrillOperatorKey holds DrillVault's OPERATOR_ROLE: the key the
	// compromised-operator scenario "steals".
	DevDrillOperatorKey = "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
	// DevAttackerKey is the drills' attacker.
	DevAttackerKey = "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"
	// DevTreasuryKey is the account DrillVault's operator legitimately sweeps
	// to; the drill's watcher knows it.
	DevTreasuryKey = "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"
)

// Drill is the drill's deliberately vulnerable protocol deployed on a chain.
type Drill struct {
	// Vault is DrillVault, Bridge is DrillBridge, Attacker the attacker's
	// DrillAttacker contract (owned by the attacker).
	Vault, Bridge, Attacker common.Address
}

// DeployDrill deploys DrillVault and DrillBridge with admin = admin.From and
// guardian as their pauser, guardian and operator-revoker, DrillVault's
// OPERATOR_ROLE to operator, and DrillAttacker from attacker aimed at the
// vault; then it deposits funds wei into the vault and adds funds wei of
// liquidity to the bridge, both from admin, and waits for every receipt.
// The transactions of one step go out together, so on a chain with a block
// time the deployment takes two blocks.
func DeployDrill(ctx context.Context, backend bind.Backend, admin, attacker *bind.TransactOpts, guardian, operator common.Address, funds *big.Int) (Drill, error) {
	var d Drill
	a, x := *admin, *attacker
	a.Context, x.Context = ctx, ctx
	a.Value, x.Value = nil, nil
	a.Nonce, x.Nonce = nil, nil
	nonce, err := backend.PendingNonceAt(ctx, a.From)
	if err != nil {
		return d, fmt.Errorf("contracts: nonce of %s: %w", a.From, err)
	}
	next := func() *big.Int { n := new(big.Int).SetUint64(nonce); nonce++; return n }

	vault, bridge, attack := NewDrillVault(), NewDrillBridge(), NewDrillAttacker()
	a.Nonce = next()
	vaultAddr, vaultTx, err := bind.DeployContract(&a, common.FromHex(DrillVaultMetaData.Bin), backend, vault.PackConstructor(a.From, guardian, operator))
	if err != nil {
		return d, fmt.Errorf("contracts: deploy DrillVault: %w", err)
	}
	a.Nonce = next()
	bridgeAddr, bridgeTx, err := bind.DeployContract(&a, common.FromHex(DrillBridgeMetaData.Bin), backend, bridge.PackConstructor(a.From, guardian))
	if err != nil {
		return d, fmt.Errorf("contracts: deploy DrillBridge: %w", err)
	}
	attackAddr, attackTx, err := bind.DeployContract(&x, common.FromHex(DrillAttackerMetaData.Bin), backend, attack.PackConstructor(vaultAddr))
	if err != nil {
		return d, fmt.Errorf("contracts: deploy DrillAttacker: %w", err)
	}
	d = Drill{Vault: vaultAddr, Bridge: bridgeAddr, Attacker: attackAddr}
	for _, tx := range []*types.Transaction{vaultTx, bridgeTx, attackTx} {
		if err := waitOK(ctx, backend, tx.Hash(), "deploy"); err != nil {
			return d, err
		}
	}
	if funds == nil || funds.Sign() == 0 {
		return d, nil
	}
	a.Value, a.Nonce = funds, next()
	depositTx, err := bind.Transact(vault.Instance(backend, vaultAddr), &a, vault.PackDeposit())
	if err != nil {
		return d, fmt.Errorf("contracts: deposit into DrillVault %s: %w", vaultAddr, err)
	}
	a.Nonce = next()
	fundTx, err := bind.Transact(bridge.Instance(backend, bridgeAddr), &a, nil) // receive()
	if err != nil {
		return d, fmt.Errorf("contracts: liquidity for DrillBridge %s: %w", bridgeAddr, err)
	}
	for _, tx := range []*types.Transaction{depositTx, fundTx} {
		if err := waitOK(ctx, backend, tx.Hash(), "fund"); err != nil {
			return d, err
		}
	}
	return d, nil
}

func waitOK(ctx context.Context, backend bind.DeployBackend, hash common.Hash, what string) error {
	r, err := bind.WaitMined(ctx, backend, hash)
	if err != nil {
		return fmt.Errorf("contracts: drill %s (tx %s): %w", what, hash, err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("contracts: drill %s (tx %s): %w", what, hash, ErrReverted)
	}
	return nil
}
