package vault

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/signer"
)

// FuzzVerifyDigest feeds arbitrary signatures, as a broken or hostile Vault
// could return, to the check every digest signature passes: it never panics
// and rejects anything that is not the key's signature.
func FuzzVerifyDigest(f *testing.F) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	digest := crypto.Keccak256Hash([]byte("firebreak"))
	good, _ := crypto.Sign(digest[:], key)
	f.Add(good)
	f.Add(good[:64])
	f.Add(append(append([]byte{}, good[:64]...), 27))
	f.Fuzz(func(t *testing.T, sig []byte) {
		err := verifyDigest(digest, sig, addr)
		if err != nil && !errors.Is(err, signer.ErrWrongSignature) {
			t.Fatalf("error %v is not ErrWrongSignature", err)
		}
		if err == nil && (len(sig) != 65 || sig[64] > 1) {
			t.Fatalf("accepted %x", sig)
		}
	})
}

// FuzzVerifySignedTx feeds arbitrary raw transactions, as the plugin's sign
// path returns them, through the decoding and the check SignTx applies.
func FuzzVerifySignedTx(f *testing.F) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	chainID := big.NewInt(1)
	to := common.Address{0xaa}
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: 1, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21000, To: &to})
	signed, _ := types.SignTx(tx, types.NewLondonSigner(chainID), key)
	raw, _ := signed.MarshalBinary()
	f.Add(raw)
	f.Add(raw[:len(raw)-1])
	f.Add([]byte{0x02, 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		got := new(types.Transaction)
		if err := got.UnmarshalBinary(b); err != nil {
			return
		}
		err := verifyTx(tx, got, chainID, addr)
		if err != nil && !errors.Is(err, signer.ErrWrongSignature) {
			t.Fatalf("error %v is not ErrWrongSignature", err)
		}
		if err == nil && got.Hash() != signed.Hash() {
			// Same signing hash and sender, different encoding: only the
			// signature's malleable S could differ, which Sender rejects.
			t.Fatalf("accepted a different transaction %x", b)
		}
	})
}
