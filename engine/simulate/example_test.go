package simulate_test

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// A pause sent by an account without PAUSER_ROLE reverts with
// OpenZeppelin's AccessControlUnauthorizedAccount; the decoder names the
// error, the account and the role.
func ExampleDecoder_DecodeRevert() {
	data := hexutil.MustDecode("0xe2517d3f" +
		"00000000000000000000000000000000000000000000000000000000000000aa" +
		"65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a")
	r := simulate.NewDecoder().DecodeRevert(data)
	fmt.Println(r)
	// Output: AccessControlUnauthorizedAccount(account=0x00000000000000000000000000000000000000AA, neededRole=PAUSER_ROLE)
}

func ExampleDecoder_DecodeCall() {
	d := simulate.NewDecoder("OPERATOR_ROLE")
	data := hexutil.MustDecode("0xd547741f" +
		"97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b929" +
		"000000000000000000000000" + common.HexToAddress("0xbb").Hex()[2:])
	fmt.Println(d.DecodeCall(data))
	// Output: revokeRole(role=OPERATOR_ROLE, account=0x00000000000000000000000000000000000000bb)
}

// A fork of a live chain, one pause tried on it from the guardian's
// account, and paused() read back. (Not run as a test: it needs a node;
// fork_test.go runs the same on anvil.)
func ExampleOpenFork() {
	ctx := context.Background()
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	f, err := simulate.OpenFork(ctx, simulate.ForkOptions{URL: "http://127.0.0.1:8545", ChainID: 31337})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close() // stops anvil
	res, err := f.Run(ctx, []simulate.Action{{
		Type: "pause", Target: "demo.vault",
		From: common.HexToAddress("0x2dE04b4AF08e0E3de1C744efF065BB02a5E97408"),
		To:   vault, Data: hexutil.MustDecode("0x8456cb59"), // pause()
		Check: &simulate.Check{Description: "paused() == true", To: vault, Data: hexutil.MustDecode("0x5c975abb"), Want: true},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Method, res.OK, res.Actions[0].Status, res.Actions[0].PostCondition.Status)
}
