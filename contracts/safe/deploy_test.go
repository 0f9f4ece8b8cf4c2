package safe_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/contracts/safe"
)

func TestDeployRefusesBadSetups(t *testing.T) {
	a, b := common.HexToAddress("0x0a"), common.HexToAddress("0x0b")
	tests := []struct {
		name      string
		owners    []common.Address
		threshold uint64
	}{
		{"no owner", nil, 1},
		{"threshold zero", []common.Address{a, b}, 0},
		{"threshold above owners", []common.Address{a, b}, 3},
		{"owner twice", []common.Address{a, a}, 1},
		{"sentinel owner", []common.Address{common.HexToAddress("0x1"), b}, 1},
		{"zero owner", []common.Address{{}, b}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Refused before any transaction: no backend is needed.
			_, err := safe.Deploy(context.Background(), nil, &bind.TransactOpts{}, tt.owners, tt.threshold)
			if !errors.Is(err, safe.ErrBadSetup) {
				t.Fatalf("err = %v, want ErrBadSetup", err)
			}
		})
	}
}

// Deploy the demo protocol guarded by a 2-of-3 Safe and read the Safe and
// the vault's roles back.
func ExampleDeployDemo() {
	ctx := context.Background()
	adminKey, _ := crypto.GenerateKey()
	admin := crypto.PubkeyToAddress(adminKey.PublicKey)
	owners := []common.Address{common.HexToAddress("0x0a"), common.HexToAddress("0x0b"), common.HexToAddress("0x0c")}
	sim := contracts.NewSimulated(types.GenesisAlloc{admin: {Balance: big.NewInt(5 * params.Ether)}})
	defer sim.Close()
	client := contracts.AutoMine(sim)

	demo, err := safe.DeployDemo(ctx, client, bind.NewKeyedTransactor(adminKey, contracts.SimulatedChainConfig().ChainID),
		owners, 2, common.HexToAddress("0xdead"), nil)
	if err != nil {
		log.Fatal(err)
	}
	s := safe.NewSafe()
	threshold, _ := bind.Call(s.Instance(client, demo.Safe), nil, s.PackGetThreshold(), s.UnpackGetThreshold)
	got, _ := bind.Call(s.Instance(client, demo.Safe), nil, s.PackGetOwners(), s.UnpackGetOwners)
	v := contracts.NewProtectedVault()
	role, _ := bind.Call(v.Instance(client, demo.Vault), nil, v.PackPAUSERROLE(), v.UnpackPAUSERROLE)
	safePauses, _ := bind.Call(v.Instance(client, demo.Vault), nil, v.PackHasRole(role, demo.Safe), v.UnpackHasRole)
	fmt.Printf("%d of %d owners; the Safe holds PAUSER_ROLE: %v\n", threshold, len(got), safePauses)
	// Output: 2 of 3 owners; the Safe holds PAUSER_ROLE: true
}
