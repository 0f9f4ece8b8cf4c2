package watch

import (
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

func TestSubjectPrefixIsIngests(t *testing.T) {
	if SubjectPrefix != ingest.SubjectPrefix {
		t.Errorf("SubjectPrefix %q, ingest's %q", SubjectPrefix, ingest.SubjectPrefix)
	}
}

func TestParseThreshold(t *testing.T) {
	eth := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }
	for _, tc := range []struct {
		in        string
		drop, ref *big.Int
		want      bool
	}{
		{"5%", eth(5), eth(100), true},
		{"5%", eth(4), eth(100), false},
		{"2.5%", big.NewInt(25), big.NewInt(1000), true},
		{"2.5%", big.NewInt(24), big.NewInt(1000), false},
		{"100%", eth(1), eth(1), true},
		{"1000", big.NewInt(1000), eth(1), true},
		{"1000", big.NewInt(999), eth(1), false},
		{"5%", new(big.Int), eth(1), false},
	} {
		th, err := parseThreshold(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got := th.reached(tc.drop, tc.ref); got != tc.want {
			t.Errorf("%s reached(%s, %s) = %v, want %v", tc.in, tc.drop, tc.ref, got, tc.want)
		}
	}
	for _, bad := range []string{"0%", "101%", "1.23456%", "-5", "0", "x"} {
		if _, err := parseThreshold(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseEvent(t *testing.T) {
	ev, err := ParseEvent("RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)")
	if err != nil {
		t.Fatal(err)
	}
	if want := crypto.Keccak256Hash([]byte("RoleGranted(bytes32,address,address)")); ev.ID != want {
		t.Errorf("topic %s, want %s", ev.ID, want)
	}
	if ev.Inputs[1].Name != "account" || !ev.Inputs[1].Indexed {
		t.Errorf("inputs %+v", ev.Inputs)
	}
	ev, err = ParseEvent("Upgraded(address indexed)")
	if err != nil || ev.Inputs[0].Name != "arg0" || ev.Sig != "Upgraded(address)" {
		t.Errorf("Upgraded: %v %+v", err, ev)
	}
	for _, bad := range []string{"Foo", "Foo(notatype x)", "Foo((uint256,address) t)", "Foo(address a, address a)", "Foo(address indexed a b)"} {
		if _, err := ParseEvent(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// roleGranted is a RoleGranted log of role to account on contract.
func roleGranted(contract common.Address, role string, account, sender common.Address, tx common.Hash) types.Log {
	return types.Log{
		Address: contract, TxHash: tx,
		Topics: []common.Hash{
			crypto.Keccak256Hash([]byte("RoleGranted(bytes32,address,address)")),
			crypto.Keccak256Hash([]byte(role)),
			common.BytesToHash(account.Bytes()), common.BytesToHash(sender.Bytes()),
		},
	}
}

func TestEventRuleConditions(t *testing.T) {
	vault, admin, stranger := common.HexToAddress("0x1"), common.HexToAddress("0xa"), common.HexToAddress("0xbad")
	opts := testOptions(vault)
	opts.Watch.Protocols = map[string]config.WatchProtocolOptions{"p": {KnownAccounts: []string{admin.Hex()}, Rules: []config.WatchRule{{
		Name: "role-to-stranger", Kind: config.WatchEvent, Contract: "vault",
		Event:     "RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
		Where:     []config.WatchCondition{{Arg: "account", Op: "not_in_registry"}, {Arg: "role", Op: "ne", Value: "PAUSER_ROLE"}},
		AlertType: "compromised-key", Severity: "critical", AttackerArg: "sender",
		Metadata: map[string]string{"role": "operator"}, MetadataArgs: map[string]string{"account": "account"},
	}}}}
	rules, err := compile(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := rules[1][0]
	tx1, tx2, tx3 := common.Hash{1}, common.Hash{2}, common.Hash{3}
	d := &blockData{number: 7, logs: []types.Log{
		roleGranted(vault, "OPERATOR_ROLE", admin, admin, tx1),    // known account: no
		roleGranted(vault, "PAUSER_ROLE", stranger, admin, tx2),   // excluded role: no
		roleGranted(vault, "OPERATOR_ROLE", stranger, admin, tx3), // yes
		roleGranted(vault, "OPERATOR_ROLE", stranger, admin, tx3), // same tx: once
		roleGranted(common.HexToAddress("0x2"), "OPERATOR_ROLE", stranger, admin, tx1),
	}}
	fs := r.observe(d)
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1: %+v", len(fs), fs)
	}
	f := fs[0]
	if f.tx != tx3 || f.alertType != "compromised-key" || f.severity != event.SeverityCritical || *f.attacker != admin {
		t.Errorf("finding %+v", f)
	}
	if f.metadata["account"] != stranger.Hex() || f.metadata["role"] != "operator" || f.metadata["contract"] != "vault" {
		t.Errorf("metadata %v", f.metadata)
	}
	ev := eventOf("w", r.base(), d, f, testNow)
	if err := ev.Validate(); err != nil {
		t.Fatal(err)
	}
	if ev.ID != EventID("w", 1, "p", "role-to-stranger", 7, tx3) || ev.AddressRoles[event.RoleAttacker][0] != admin || ev.AddressRoles[event.RoleVictim][0] != vault {
		t.Errorf("event %+v", ev)
	}

	for _, bad := range []config.WatchCondition{
		{Arg: "nope", Op: "eq", Value: "1"},
		{Arg: "role", Op: "gt", Value: "1"},
		{Arg: "role", Op: "in_registry"},
		{Arg: "account", Op: "eq", Value: "p.nothing"},
	} {
		o := opts
		wr := o.Watch.Protocols["p"]
		wr.Rules = []config.WatchRule{{Name: "x", Kind: config.WatchEvent, Contract: "vault", Event: wr.Rules[0].Event, AlertType: "x", Where: []config.WatchCondition{bad}}}
		o.Watch.Protocols = map[string]config.WatchProtocolOptions{"p": wr}
		if _, err := compile(o); err == nil {
			t.Errorf("condition %+v compiled", bad)
		}
	}
}

// The outflow rule fires when a fall first reaches a threshold, once, and
// again only after the window has moved past it.
func TestOutflowFiresOncePerCondition(t *testing.T) {
	vault := common.HexToAddress("0x1")
	opts := testOptions(vault)
	opts.Watch.Protocols = map[string]config.WatchProtocolOptions{"p": {Rules: []config.WatchRule{{
		Name: "out", Kind: config.WatchOutflow, Contract: "vault", Threshold: "3%", ExploitThreshold: "8%", WindowBlocks: 3,
	}}}}
	rules, err := compile(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := rules[1][0]
	balances := []int64{100, 100, 95, 95, 94, 94, 94, 94, 90, 80, 70, 70, 70, 70, 70}
	var got []string
	for i, b := range balances {
		d := &blockData{number: uint64(10 + i), time: uint64(1000 + 12*i), balances: map[balanceKey]*big.Int{{holder: vault}: big.NewInt(b)}}
		for _, f := range r.observe(d) {
			got = append(got, f.alertType+"@"+itoa(d.number)+":"+f.metadata["amount"].(string))
		}
	}
	// 100→95 at 12 (5%): anomalous. 94 stays within the window of 100: no.
	// 94→90 at 18 is 4.3% of 94: anomalous again (the window left 100
	// behind at 16); 80 at 19 is 14.9% of 94: exploit; 70 stays exploit.
	want := []string{"anomalous-outflow@12:5", "anomalous-outflow@18:4", "exploit@19:14"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings %v, want %v", got, want)
	}
}

func TestRevertBurst(t *testing.T) {
	vault := common.HexToAddress("0x1")
	opts := testOptions(vault)
	opts.Watch.Protocols = map[string]config.WatchProtocolOptions{"p": {Rules: []config.WatchRule{{
		Name: "burst", Kind: config.WatchCallRevertBurst, Contract: "vault", Count: 3, WindowBlocks: 4,
	}}}}
	rules, err := compile(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := rules[1][0]
	key, _ := crypto.GenerateKey()
	signer := types.LatestSignerForChainID(big.NewInt(1))
	nonce := uint64(0)
	block := func(n uint64, reverted, ok int) []finding {
		d := &blockData{number: n, signer: signer, receipts: map[common.Hash]*types.Receipt{}}
		for i := 0; i < reverted+ok; i++ {
			tx := types.MustSignNewTx(key, signer, &types.DynamicFeeTx{ChainID: big.NewInt(1), Nonce: nonce, To: &vault, Gas: 21000, GasFeeCap: big.NewInt(1)})
			nonce++
			status := types.ReceiptStatusSuccessful
			if i < reverted {
				status = types.ReceiptStatusFailed
			}
			d.txs = append(d.txs, tx)
			d.receipts[tx.Hash()] = &types.Receipt{TxHash: tx.Hash(), Status: status}
		}
		return r.observe(d)
	}
	var fired []uint64
	for n, rev := range []int{1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 3} {
		if fs := block(uint64(n), rev, 1); len(fs) > 0 {
			fired = append(fired, uint64(n))
			if fs[0].metadata["count"].(uint64) < 3 {
				t.Errorf("block %d: count %v", n, fs[0].metadata["count"])
			}
		}
	}
	// Blocks 2..5 hold the first 3 (fires at 5); 3..6 and 4..7 still hold
	// 3 (no new burst); then none until block 12, which alone holds 3.
	if want := []uint64{5, 12}; !slices.Equal(fired, want) {
		t.Errorf("fired at %v, want %v", fired, want)
	}
}

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// testOptions are options with protocol p on chain 1 whose contract vault
// is at vault.
func testOptions(vault common.Address) config.Options {
	opts := config.DefaultOptions()
	opts.Chains = []config.ChainOptions{{ID: 1, RPC: "http://127.0.0.1:1"}}
	opts.Signers = map[string]config.SignerOptions{"g": {Kind: "local", KeyEnv: "K"}}
	opts.Protocols = map[string]config.ProtocolOptions{"p": {ChainID: 1, Signer: "g",
		Contracts: map[string]config.ContractOptions{"vault": {Address: vault.Hex(), Pausable: true}}}}
	return opts
}
