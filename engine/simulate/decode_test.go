package simulate

import (
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
)

var (
	someAccount = common.HexToAddress("0x00000000000000000000000000000000000000aa")
	pauserRole  = crypto.Keccak256Hash([]byte("PAUSER_ROLE"))
)

func errorData(t *testing.T, sig string, args ...any) []byte {
	t.Helper()
	name, rest, _ := strings.Cut(sig, "(")
	var inputs abi.Arguments
	if types := strings.TrimSuffix(rest, ")"); types != "" {
		for _, ty := range strings.Split(types, ",") {
			typ, err := abi.NewType(ty, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, abi.Argument{Type: typ})
		}
	}
	packed, err := inputs.Pack(args...)
	if err != nil {
		t.Fatal(err)
	}
	_ = name
	return append(crypto.Keccak256([]byte(sig))[:4], packed...)
}

func TestDecodeRevert(t *testing.T) {
	d := NewDecoder("EMERGENCY_ROLE")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"access control", errorData(t, "AccessControlUnauthorizedAccount(address,bytes32)", someAccount, [32]byte(pauserRole)),
			"AccessControlUnauthorizedAccount(account=" + someAccount.Hex() + ", neededRole=PAUSER_ROLE)"},
		{"configured role name", errorData(t, "AccessControlUnauthorizedAccount(address,bytes32)", someAccount, [32]byte(crypto.Keccak256Hash([]byte("EMERGENCY_ROLE")))),
			"AccessControlUnauthorizedAccount(account=" + someAccount.Hex() + ", neededRole=EMERGENCY_ROLE)"},
		{"unknown role shown as hex", errorData(t, "AccessControlUnauthorizedAccount(address,bytes32)", someAccount, [32]byte{1}),
			"AccessControlUnauthorizedAccount(account=" + someAccount.Hex() + ", neededRole=0x0100000000000000000000000000000000000000000000000000000000000000)"},
		{"pausable", errorData(t, "EnforcedPause()"), "EnforcedPause()"},
		{"ownable", errorData(t, "OwnableUnauthorizedAccount(address)", someAccount), "OwnableUnauthorizedAccount(account=" + someAccount.Hex() + ")"},
		{"demo vault", errorData(t, "InsufficientBalance(uint256,uint256)", big.NewInt(1), big.NewInt(2)), "InsufficientBalance(balance=1, amount=2)"},
		{"demo bridge", errorData(t, "BridgeFrozen()"), "BridgeFrozen()"},
		{"require", errorData(t, "Error(string)", "GS026"), `Error("GS026")`},
		{"panic", errorData(t, "Panic(uint256)", big.NewInt(0x11)), `Panic("arithmetic underflow or overflow")`},
		{"unknown selector", []byte{1, 2, 3, 4}, "unknown error 0x01020304"},
		{"known selector, bad args", errorData(t, "AccessControlUnauthorizedAccount(address,bytes32)", someAccount, [32]byte{})[:10], "unknown error 0xe2517d3f000000000000"},
		{"empty", nil, "reverted without a reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.DecodeRevert(tt.data).String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDecodeCall(t *testing.T) {
	d := NewDecoder()
	v, b := contracts.NewProtectedVault(), contracts.NewTokenBridge()
	operator := crypto.Keccak256Hash([]byte("OPERATOR_ROLE"))
	tests := []struct {
		name      string
		data      []byte
		want      string
		wantKnown bool
	}{
		{"pause", v.PackPause(), "pause()", true},
		{"freeze", b.PackFreeze(), "freeze()", true},
		{"revoke", v.PackRevokeRole(operator, someAccount), "revokeRole(role=OPERATOR_ROLE, account=" + someAccount.Hex() + ")", true},
		{"admin role", v.PackRevokeRole([32]byte{}, someAccount), "revokeRole(role=DEFAULT_ADMIN_ROLE, account=" + someAccount.Hex() + ")", true},
		{"unknown", []byte{0xde, 0xad, 0xbe, 0xef, 1}, "0xdeadbeef (unknown function)", false},
		{"truncated args", v.PackRevokeRole(operator, someAccount)[:20], "0xd547741f (unknown function)", false},
		{"short", []byte{1}, "0x01 (unknown function)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := d.DecodeCall(tt.data)
			if c.String() != tt.want || c.Known != tt.wantKnown {
				t.Errorf("got %s (known %v), want %s (known %v)", c, c.Known, tt.want, tt.wantKnown)
			}
		})
	}
}

// TestDecodeRevertFixtures decodes revert data captured from nodes.
func TestDecodeRevertFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.revert")
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata/")
	}
	d := NewDecoder()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitN(strings.TrimSpace(string(raw)), "\n", 2)
			data, err := hex.DecodeString(strings.TrimPrefix(lines[0], "0x"))
			if err != nil {
				t.Fatal(err)
			}
			if got := d.DecodeRevert(data).String(); got != strings.TrimSpace(lines[1]) {
				t.Errorf("got  %s\nwant %s", got, lines[1])
			}
		})
	}
}
