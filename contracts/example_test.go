package contracts_test

import (
	"context"
	"fmt"
	"log"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/firebreak-dev/firebreak/contracts"
)

// Deploy the demo protocol on an in-process chain, then contain it the way the
// engine does: pause the vault from the guardian key, read paused() back.
func ExampleDeployDemo() {
	ctx := context.Background()
	adminKey, _ := crypto.GenerateKey()
	guardianKey, _ := crypto.GenerateKey()
	admin := crypto.PubkeyToAddress(adminKey.PublicKey)
	guardian := crypto.PubkeyToAddress(guardianKey.PublicKey)
	operator := common.HexToAddress("0x000000000000000000000000000000000000dEaD")

	sim := contracts.NewSimulated(types.GenesisAlloc{
		admin:    {Balance: big.NewInt(5 * params.Ether)},
		guardian: {Balance: big.NewInt(params.Ether)},
	})
	defer sim.Close()
	client := contracts.AutoMine(sim) // mine each transaction at once, like anvil
	chainID := contracts.SimulatedChainConfig().ChainID

	demo, err := contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(adminKey, chainID),
		guardian, operator, big.NewInt(params.Ether))
	if err != nil {
		log.Fatal(err)
	}

	vaultABI := contracts.NewProtectedVault()
	vault := vaultABI.Instance(client, demo.Vault)
	tx, err := bind.Transact(vault, bind.NewKeyedTransactor(guardianKey, chainID), vaultABI.PackPause())
	if err != nil {
		log.Fatal(err)
	}
	if _, err := bind.WaitMined(ctx, client, tx.Hash()); err != nil {
		log.Fatal(err)
	}
	paused, err := bind.Call(vault, nil, vaultABI.PackPaused(), vaultABI.UnpackPaused)
	if err != nil {
		log.Fatal(err)
	}
	held, _ := client.BalanceAt(ctx, demo.Vault, nil)
	fmt.Println("vault holds", held, "wei")
	fmt.Println("paused:", paused)
	// Output:
	// vault holds 1000000000000000000 wei
	// paused: true
}
