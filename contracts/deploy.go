package contracts

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// ErrReverted means a transaction DeployDemo sent was mined but failed.
var ErrReverted = errors.New("contracts: transaction reverted")

// Demo is the demo protocol deployed on a chain.
type Demo struct {
	Vault, Bridge     common.Address
	VaultTx, BridgeTx common.Hash
	// DepositTx is the vault deposit, zero if DeployDemo deposited nothing.
	DepositTx common.Hash
}

// DeployDemo deploys ProtectedVault and TokenBridge with admin = opts.From, guardian as
// the vault's pauser and the bridge's guardian, and operator as the vault's operator
// and the bridge's relayer; it waits for both receipts and then, unless deposit is
// nil or zero, deposits deposit wei into the vault from opts.From and waits for
// that receipt too.
//
// opts.Value is ignored. If opts.Nonce is set, the transactions use it and the
// nonces after it; otherwise the backend's pending nonce. The waits poll receipts
// (bind.WaitMined) until ctx ends, so on a chain that mines only on demand someone
// must mine (see AutoMine).
func DeployDemo(ctx context.Context, backend bind.Backend, opts *bind.TransactOpts, guardian, operator common.Address, deposit *big.Int) (Demo, error) {
	var demo Demo
	o := *opts
	o.Value = nil
	o.Context = ctx
	next := func() {
		if o.Nonce != nil {
			o.Nonce = new(big.Int).Add(o.Nonce, common.Big1)
		}
	}

	vault, bridge := NewProtectedVault(), NewTokenBridge()
	vaultAddr, vaultTx, err := bind.DeployContract(&o, common.FromHex(ProtectedVaultMetaData.Bin), backend,
		vault.PackConstructor(o.From, guardian, operator))
	if err != nil {
		return demo, fmt.Errorf("contracts: deploy ProtectedVault: %w", err)
	}
	next()
	bridgeAddr, bridgeTx, err := bind.DeployContract(&o, common.FromHex(TokenBridgeMetaData.Bin), backend,
		bridge.PackConstructor(o.From, guardian, operator))
	if err != nil {
		return demo, fmt.Errorf("contracts: deploy TokenBridge: %w", err)
	}
	next()
	demo.VaultTx, demo.BridgeTx = vaultTx.Hash(), bridgeTx.Hash()

	if demo.Vault, err = bind.WaitDeployed(ctx, backend, demo.VaultTx); err != nil {
		return demo, fmt.Errorf("contracts: deploy ProtectedVault (tx %s): %w", demo.VaultTx, err)
	}
	if demo.Bridge, err = bind.WaitDeployed(ctx, backend, demo.BridgeTx); err != nil {
		return demo, fmt.Errorf("contracts: deploy TokenBridge (tx %s): %w", demo.BridgeTx, err)
	}
	if demo.Vault != vaultAddr || demo.Bridge != bridgeAddr {
		return demo, fmt.Errorf("contracts: deployed at %s and %s, expected %s and %s",
			demo.Vault, demo.Bridge, vaultAddr, bridgeAddr)
	}

	if deposit == nil || deposit.Sign() == 0 {
		return demo, nil
	}
	o.Value = deposit
	tx, err := bind.Transact(vault.Instance(backend, demo.Vault), &o, vault.PackDeposit())
	if err != nil {
		return demo, fmt.Errorf("contracts: deposit %s wei into vault %s: %w", deposit, demo.Vault, err)
	}
	demo.DepositTx = tx.Hash()
	receipt, err := bind.WaitMined(ctx, backend, demo.DepositTx)
	if err != nil {
		return demo, fmt.Errorf("contracts: deposit into vault %s (tx %s): %w", demo.Vault, demo.DepositTx, err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		return demo, fmt.Errorf("contracts: deposit into vault %s (tx %s): %w", demo.Vault, demo.DepositTx, ErrReverted)
	}
	return demo, nil
}
