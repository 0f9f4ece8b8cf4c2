package safe_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/signer/local"
	"github.com/firebreak-dev/firebreak/signer/safe"
)

// Sign a Safe transaction with two owners' signers and pack the signatures
// the way execTransaction wants them: checked, and ordered by owner.
func ExamplePack() {
	ctx := context.Background()
	alice, _ := local.FromHex("7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6")
	bob, _ := local.FromHex("47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a")
	vault := common.HexToAddress("0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9")
	theSafe := common.HexToAddress("0x2D702316FE24B8c977A869470e93026a61E94532")

	tx := safe.NewTx(vault, common.FromHex("0x8456cb59"), 0) // pause() at Safe nonce 0
	hash := tx.Hash(common.Big1, theSafe)                    // chain 1
	var sigs []safe.Signature
	for _, owner := range []*local.Signer{alice, bob} {
		sig, err := safe.SignHash(ctx, owner, hash)
		if err != nil {
			log.Fatal(err)
		}
		sigs = append(sigs, sig)
	}
	packed, err := safe.Pack(hash, sigs, []common.Address{alice.Address(), bob.Address()}, 2)
	if err != nil {
		log.Fatal(err)
	}
	_, err = safe.Pack(hash, []safe.Signature{sigs[0], sigs[0]}, []common.Address{alice.Address(), bob.Address()}, 2)
	first, _ := safe.Recover(hash, packed[:65]) // the lower owner address comes first
	fmt.Println(len(packed), "bytes;", "first signer", first.Hex())
	fmt.Println(err)
	// Output:
	// 130 bytes; first signer 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65
	// safe: duplicate owner signature: 0x90F79bf6EB2c4f870365E785982E1f101E93b906 signed twice
}
