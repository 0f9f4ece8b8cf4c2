package decode

import (
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

func TestDecodeRevertByName(t *testing.T) {
	d := NewDecoder()
	for _, tt := range []struct{ data, want string }{
		{"0xd93c0665", "EnforcedPause()"},
		{"0x8dfc202b", "ExpectedPause()"},
		{"0xdeadbeef", "unknown error 0xdeadbeef"},
		{"0x08c379a0" + "0000000000000000000000000000000000000000000000000000000000000020" +
			"0000000000000000000000000000000000000000000000000000000000000002" + "6e6f000000000000000000000000000000000000000000000000000000000000", `Error("no")`},
	} {
		if got := d.DecodeRevert(hexutil.MustDecode(tt.data)).String(); got != tt.want {
			t.Errorf("DecodeRevert(%s) = %q, want %q", tt.data, got, tt.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(hexutil.MustDecode("0xd93c0665"))
	f.Add(hexutil.MustDecode("0x2f2ff15d0000000000000000000000000000000000000000000000000000000000000000"))
	d := NewDecoder()
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = d.DecodeRevert(data).String()
		_ = d.DecodeCall(data).String()
	})
}
