package safe_test

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/signer/safe"
)

// FuzzPack feeds arbitrary signature bytes to the decoder that guards
// execTransaction: it must refuse with one of its errors, never panic, and
// never accept a signature that does not recover to its owner.
func FuzzPack(f *testing.F) {
	owner := common.HexToAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906")
	hash := common.HexToHash("0xd8ce7b2904f8cbae89604db99dc14d35b00d37d0ef8d1550a13aa2c6f10c051e")
	f.Add(make([]byte, 65), uint8(1))
	f.Add(append(make([]byte, 64), 27), uint8(2))
	f.Add([]byte{1, 2, 3}, uint8(1))
	f.Fuzz(func(t *testing.T, sig []byte, threshold uint8) {
		sigs := []safe.Signature{{Owner: owner, Signature: sig}}
		out, err := safe.Pack(hash, sigs, []common.Address{owner}, uint64(threshold))
		if err == nil {
			got, rerr := safe.Recover(hash, sig)
			if rerr != nil || got != owner || len(out) != 65*int(threshold) {
				t.Fatalf("accepted %x: recovers to %s (%v), packed %d bytes", sig, got, rerr, len(out))
			}
			return
		}
		for _, want := range []error{safe.ErrBadSignature, safe.ErrNotOwner, safe.ErrBelowThreshold} {
			if errors.Is(err, want) {
				return
			}
		}
		t.Fatalf("unexpected error kind: %v", err)
	})
}
