package simulate

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// FuzzDecodeRevert: any bytes a node returns decode without a panic, and
// are kept when nothing known matches.
func FuzzDecodeRevert(f *testing.F) {
	d := NewDecoder()
	f.Add([]byte{})
	f.Add(crypto.Keccak256([]byte("AccessControlUnauthorizedAccount(address,bytes32)"))[:4])
	f.Add(append([]byte{0x08, 0xc3, 0x79, 0xa0}, make([]byte, 64)...))
	f.Add(append([]byte{0x4e, 0x48, 0x7b, 0x71}, make([]byte, 32)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := d.DecodeRevert(data)
		_ = r.String()
		if r.Name == "" && string(r.Data) != string(data) {
			t.Fatalf("undecoded data not kept: %x vs %x", []byte(r.Data), data)
		}
	})
}

// FuzzDecodeCall: any calldata decodes without a panic.
func FuzzDecodeCall(f *testing.F) {
	d := NewDecoder()
	f.Add([]byte{})
	f.Add(crypto.Keccak256([]byte("revokeRole(bytes32,address)"))[:4])
	f.Add(crypto.Keccak256([]byte("pause()"))[:4])
	f.Fuzz(func(t *testing.T, data []byte) {
		c := d.DecodeCall(data)
		if c.Function == "" {
			t.Fatal("no function name")
		}
		_ = c.String()
	})
}
