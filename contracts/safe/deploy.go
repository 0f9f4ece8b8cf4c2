package safe

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/firebreak-dev/firebreak/contracts"
)

// Errors of this package.
var (
	// ErrBadSetup means the owners or threshold asked of Deploy cannot make a
	// Safe (no owner, a repeated or reserved owner, a threshold of 0 or
	// above the owners).
	ErrBadSetup = errors.New("safe: invalid Safe setup")
	// ErrNoProxy means the factory's transaction was mined without the
	// ProxyCreation event that names the new Safe.
	ErrNoProxy = errors.New("safe: no ProxyCreation event in the factory's receipt")
)

// Deployment is a Safe set up on a chain and the contracts it runs on.
type Deployment struct {
	// Singleton is the Safe implementation the proxy delegates to.
	Singleton common.Address
	Factory   common.Address
	// Safe is the proxy: the Safe's address, the one that holds roles.
	Safe common.Address
}

// Deploy deploys the Safe singleton and the SafeProxyFactory and creates a
// threshold-of-len(owners) Safe through createProxyWithNonce with setup as
// initializer, as the Safe apps do. It waits for every receipt, so on a
// chain that mines only on demand someone must mine (contracts.AutoMine).
func Deploy(ctx context.Context, backend bind.Backend, opts *bind.TransactOpts, owners []common.Address, threshold uint64) (Deployment, error) {
	var d Deployment
	if len(owners) == 0 || threshold == 0 || threshold > uint64(len(owners)) {
		return d, fmt.Errorf("%w: %d owners, threshold %d", ErrBadSetup, len(owners), threshold)
	}
	sorted := slices.Clone(owners)
	slices.SortFunc(sorted, func(a, b common.Address) int { return a.Cmp(b) })
	if len(slices.Compact(sorted)) != len(owners) {
		return d, fmt.Errorf("%w: an owner is listed twice", ErrBadSetup)
	}
	// The Safe keeps its owners in a linked list whose sentinel is 0x1.
	if sorted[0] == (common.Address{}) || sorted[0] == common.HexToAddress("0x1") {
		return d, fmt.Errorf("%w: owner %s is reserved by the Safe", ErrBadSetup, sorted[0].Hex())
	}
	o := *opts
	o.Value = nil
	o.Context = ctx

	singletonTx, err := deploy(&o, SafeMetaData.Bin, backend)
	if err != nil {
		return d, fmt.Errorf("safe: deploy the Safe singleton: %w", err)
	}
	factoryTx, err := deploy(&o, SafeProxyFactoryMetaData.Bin, backend)
	if err != nil {
		return d, fmt.Errorf("safe: deploy SafeProxyFactory: %w", err)
	}
	if d.Singleton, err = bind.WaitDeployed(ctx, backend, singletonTx); err != nil {
		return d, fmt.Errorf("safe: deploy the Safe singleton (tx %s): %w", singletonTx, err)
	}
	if d.Factory, err = bind.WaitDeployed(ctx, backend, factoryTx); err != nil {
		return d, fmt.Errorf("safe: deploy SafeProxyFactory (tx %s): %w", factoryTx, err)
	}

	setup := NewSafe().PackSetup(owners, new(big.Int).SetUint64(threshold),
		common.Address{}, nil, common.Address{}, common.Address{}, new(big.Int), common.Address{})
	factory := NewSafeProxyFactory()
	tx, err := bind.Transact(factory.Instance(backend, d.Factory), &o, factory.PackCreateProxyWithNonce(d.Singleton, setup, new(big.Int)))
	if err != nil {
		return d, fmt.Errorf("safe: createProxyWithNonce: %w", err)
	}
	receipt, err := bind.WaitMined(ctx, backend, tx.Hash())
	if err != nil {
		return d, fmt.Errorf("safe: createProxyWithNonce (tx %s): %w", tx.Hash(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		return d, fmt.Errorf("safe: createProxyWithNonce (tx %s): %w", tx.Hash(), contracts.ErrReverted)
	}
	for _, l := range receipt.Logs {
		if ev, err := factory.UnpackProxyCreationEvent(l); err == nil && l.Address == d.Factory {
			d.Safe = ev.Proxy
			return d, nil
		}
	}
	return d, fmt.Errorf("%w (tx %s)", ErrNoProxy, tx.Hash())
}

// deploy sends a contract creation and moves opts to the next nonce when
// the caller fixed one.
func deploy(o *bind.TransactOpts, bin string, backend bind.ContractBackend) (common.Hash, error) {
	_, tx, err := bind.DeployContract(o, common.FromHex(bin), backend, nil)
	if err != nil {
		return common.Hash{}, err
	}
	if o.Nonce != nil {
		o.Nonce = new(big.Int).Add(o.Nonce, common.Big1)
	}
	return tx.Hash(), nil
}

// Demo is the demo protocol whose guardian is a Safe.
type Demo struct {
	contracts.Demo
	Deployment
}

// DeployDemo deploys a threshold-of-len(owners) Safe and the demo protocol
// (contracts.DeployDemo) with that Safe as the vault's pauser and the
// bridge's guardian: only the Safe, through execTransaction, can pause
// the vault or freeze the bridge.
func DeployDemo(ctx context.Context, backend bind.Backend, opts *bind.TransactOpts, owners []common.Address, threshold uint64, operator common.Address, deposit *big.Int) (Demo, error) {
	var demo Demo
	var err error
	if demo.Deployment, err = Deploy(ctx, backend, opts, owners, threshold); err != nil {
		return demo, err
	}
	o := *opts
	if o.Nonce != nil {
		o.Nonce = new(big.Int).Add(o.Nonce, big.NewInt(3))
	}
	demo.Demo, err = contracts.DeployDemo(ctx, backend, &o, demo.Safe, operator, deposit)
	return demo, err
}
