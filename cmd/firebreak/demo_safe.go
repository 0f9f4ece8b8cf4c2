package main

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// More of anvil's development keys: the owners of the demo's 2-of-3 Safe.
// The engine holds the first two; the third stays with "a human".
var demoOwnerKeys = []string{
	"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
	"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
	"8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
}

// deploySafeDemo deploys the demo protocol with a 2-of-3 Safe as the vault's
// pauser and the bridge's guardian, and returns how to point the engine's
// options at the Safe: the guardian key becomes the executor that only pays
// gas, and the vault's pause is pre-signed.
func deploySafeDemo(ctx context.Context, client *ethclient.Client, auth *bind.TransactOpts, operator common.Address, executor signer.Signer) (contracts.Demo, common.Address, func(*config.Options), error) {
	owners := map[string]signer.Signer{}
	var addrs []common.Address
	for i, k := range demoOwnerKeys {
		s, err := local.FromHex(k)
		if err != nil {
			return contracts.Demo{}, common.Address{}, nil, err
		}
		addrs = append(addrs, s.Address())
		if i < 2 {
			owners[fmt.Sprintf("owner%d", i)] = s
		}
	}
	d, err := safeabi.DeployDemo(ctx, client, auth, addrs, 2, operator, big.NewInt(1e18))
	if err != nil {
		return contracts.Demo{}, common.Address{}, nil, err
	}
	configure := func(o *config.Options) {
		for name, s := range owners {
			o.SignerInstances[name] = s
		}
		o.SignerInstances["executor"] = executor
		o.Signers = map[string]config.SignerOptions{"treasury": {Kind: "safe", SafeSignerOptions: config.SafeSignerOptions{
			Address: d.Safe.Hex(), ChainID: demoChainID, Owners: []string{"owner0", "owner1"}, Executor: "executor",
		}}}
		o.SafePoll = 50 * time.Millisecond
		p := o.Protocols["demo"]
		p.Signer = "treasury"
		vault := p.Contracts["vault"]
		vault.Presign = true
		p.Contracts["vault"] = vault
		o.Protocols["demo"] = p
	}
	return d.Demo, d.Safe, configure, nil
}

// waitPresigned waits until the engine holds the vault's pause pre-signed.
func waitPresigned(ctx context.Context, eng *engine.Engine, vault common.Address) error {
	for {
		for _, p := range eng.Presigned() {
			if p.To == vault && p.SimulatedBlock > 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the pause was not pre-signed: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}
