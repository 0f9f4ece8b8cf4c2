package decide

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

var (
	testVault  = common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	testBridge = common.HexToAddress("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")
	testSafe   = common.HexToAddress("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")
	holder     = common.HexToAddress("0x00000000000000000000000000000000000b0b00")
)

// allowlistOptions: pause and revokeRole allowed on the vault, nothing on
// the bridge, and a Safe signer with its executor.
func allowlistOptions(t testing.TB) config.Options {
	t.Helper()
	src := `data_dir: /tmp/fb
chains: [{id: 1, name: mainnet, rpc: "https://rpc.example"}]
signers:
  g: {kind: local, key_env: KEY}
  treasury: {kind: safe, address: "` + testSafe.Hex() + `", chain_id: 1, owners: [g], executor: g}
protocols:
  p:
    chain_id: 1
    signer: g
    roles: {operator: OPERATOR_ROLE}
    contracts:
      vault: {address: "` + testVault.Hex() + `", pausable: true}
      bridge: {address: "` + testBridge.Hex() + `", bridge: true}
allowlist: [{chain_id: 1, contract: p.vault, functions: ["pause()", "revokeRole(bytes32, address)"]}]
`
	opts, err := config.ParseConfig(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

func execData(tx safesigner.Tx) []byte {
	return safeabi.NewSafe().PackExecTransaction(tx.To, tx.Value.ToInt(), tx.Data, tx.Operation, tx.SafeTxGas.ToInt(),
		tx.BaseGas.ToInt(), tx.GasPrice.ToInt(), tx.GasToken, tx.RefundReceiver, make([]byte, 65))
}

func TestAllowlistCheck(t *testing.T) {
	a := NewAllowlist(allowlistOptions(t))
	pause := guard.Selector("pause()")
	role := crypto.Keccak256Hash([]byte("OPERATOR_ROLE"))
	revoke := append(append(guard.Selector("revokeRole(bytes32,address)"), role[:]...), common.LeftPadBytes(holder[:], 32)...)
	plain := safesigner.NewTx(testVault, pause, 0)
	tests := []struct {
		name   string
		chain  uint64
		to     common.Address
		data   []byte
		signer string
		want   error // nil: allowed
	}{
		{"pause on the vault", 1, testVault, pause, "g", nil},
		{"revoke on the vault", 1, testVault, revoke, "g", nil},
		{"another chain", 5, testVault, pause, "g", ErrNotAllowlisted},
		{"another target", 1, testBridge, pause, "g", ErrNotAllowlisted},
		{"another selector", 1, testVault, guard.Selector("unpause()"), "g", ErrNotAllowlisted},
		{"no selector", 1, testVault, []byte{0x84}, "g", ErrNotAllowlisted},
		{"Safe: pause", 1, testSafe, execData(plain), "g", nil},
		{"Safe: sent by another signer", 1, testSafe, execData(plain), "admin", ErrUnknownSafe},
		{"Safe: delegatecall", 1, testSafe, execData(func() safesigner.Tx { t := plain; t.Operation = 1; return t }()), "g", ErrNotPlain},
		{"Safe: value", 1, testSafe, execData(func() safesigner.Tx { t := plain; t.Value = hexutil.Big(*big.NewInt(1)); return t }()), "g", ErrNotPlain},
		{"Safe: other target", 1, testSafe, execData(safesigner.NewTx(testBridge, pause, 0)), "g", ErrNotAllowlisted},
		{"Safe: inner off the allowlist", 1, testSafe, execData(safesigner.NewTx(testVault, guard.Selector("unpause()"), 0)), "g", ErrNotAllowlisted},
		{"Safe: garbage after the selector", 1, testSafe, append(safesigner.ExecSelector(), 1, 2, 3), "g", ErrNotAllowlisted},
		{"execTransaction on a Safe not configured", 1, testBridge, execData(plain), "g", ErrNotAllowlisted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Check(tt.chain, tt.to, tt.data, tt.signer)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
		})
	}
	if err := a.CheckSafeTx(1, testVault, plain); !errors.Is(err, ErrUnknownSafe) {
		t.Errorf("a Safe transaction for an address that is no Safe: %v", err)
	}
}

func TestAllowlistDescribe(t *testing.T) {
	a := NewAllowlist(allowlistOptions(t))
	role := crypto.Keccak256Hash([]byte("OPERATOR_ROLE"))
	revoke := append(append(guard.Selector("revokeRole(bytes32,address)"), role[:]...), common.LeftPadBytes(testBridge[:], 32)...)
	c := a.Describe(1, testVault, revoke)
	want := []string{"bytes32: " + role.Hex() + " (OPERATOR_ROLE)", "address: " + testBridge.Hex() + " (p.bridge)"}
	if c.Target != "p.vault" || c.Function != "revokeRole(bytes32,address)" || !c.Allowed || strings.Join(c.Args, "|") != strings.Join(want, "|") {
		t.Fatalf("Describe = %+v", c)
	}
	if c := a.Describe(1, testBridge, guard.Selector("pause()")); c.Allowed || c.Function != "selector 0x8456cb59" || c.Target != "p.bridge" {
		t.Fatalf("Describe of a call off the allowlist = %+v", c)
	}
	if c := a.Describe(1, holder, nil); c.Allowed || c.Function != "no calldata" || c.Target != holder.Hex() {
		t.Fatalf("Describe of nothing = %+v", c)
	}
}

// BenchmarkAllowlistCheck is the allowlist's share of the check before
// every signature: a plain call and a Safe's execTransaction.
func BenchmarkAllowlistCheck(b *testing.B) {
	a := NewAllowlist(allowlistOptions(b))
	pause := guard.Selector("pause()")
	exec := execData(safesigner.NewTx(testVault, pause, 0))
	b.Run("call", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := a.Check(1, testVault, pause, "g"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("safe", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := a.Check(1, testSafe, exec, "g"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
