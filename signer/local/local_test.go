package local_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// The first anvil development key: public knowledge, never a real secret.
const devKey = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

var devAddress = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")

func TestFromHex(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"plain", devKey, nil},
		{"0x prefix and spaces", " 0x" + devKey + "\n", nil},
		{"empty", "", signer.ErrNoKey},
		{"not hex", "zz" + devKey[2:], signer.ErrBadKey},
		{"too short", devKey[:20], signer.ErrBadKey},
		{"zero key", strings.Repeat("0", 64), signer.ErrBadKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := local.FromHex(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), devKey[4:20]) {
					t.Errorf("error leaks key material: %v", err)
				}
				return
			}
			if s.Address() != devAddress {
				t.Errorf("address = %s, want %s", s.Address(), devAddress)
			}
			if strings.Contains(fmt.Sprint(s), devKey[4:20]) || strings.Contains(fmt.Sprintf("%+v", *s), devKey[4:20]) {
				t.Error("formatting the signer prints key material")
			}
		})
	}
}

func TestSignTxAndDigestRecoverToAddress(t *testing.T) {
	s, err := local.FromHex(devKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	chainID := big.NewInt(31337)
	to := common.HexToAddress("0x1")
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: 3, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21000, To: &to})
	signed, err := s.SignTx(ctx, tx, chainID)
	if err != nil {
		t.Fatal(err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(chainID), signed)
	if err != nil || from != devAddress {
		t.Fatalf("sender = %s, %v; want %s", from, err, devAddress)
	}
	digest := crypto.Keccak256Hash([]byte("firebreak"))
	sig, err := s.SignDigest(ctx, digest)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := crypto.SigToPub(digest[:], sig)
	if err != nil || crypto.PubkeyToAddress(*pub) != devAddress {
		t.Fatalf("digest signature does not recover to %s", devAddress)
	}
	if v := sig[64]; v > 1 {
		t.Errorf("V = %d, want 0 or 1", v)
	}
}

func TestFromFile(t *testing.T) {
	dir := t.TempDir()
	hexFile := filepath.Join(dir, "key.hex")
	if err := os.WriteFile(hexFile, []byte("0x"+devKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := local.FromFile(hexFile, "")
	if err != nil || s.Address() != devAddress {
		t.Fatalf("hex file: %v, %v", s, err)
	}
	if _, err := local.FromFile(filepath.Join(dir, "missing"), ""); !errors.Is(err, signer.ErrNoKey) {
		t.Errorf("missing file: err = %v, want ErrNoKey", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version":3}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := local.FromFile(bad, "pw"); !errors.Is(err, signer.ErrBadKey) {
		t.Errorf("bad keystore: err = %v, want ErrBadKey", err)
	}
}
