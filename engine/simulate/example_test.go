package simulate_test

import (
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

// Node URLs often carry an API key in the path; reports and errors show
// only the scheme and host.
func ExampleRedact() {
	fmt.Println(simulate.Redact("https://eth-mainnet.g.alchemy.com/v2/SECRET"))
	// Output: https://eth-mainnet.g.alchemy.com/…
}
