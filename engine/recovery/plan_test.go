package recovery

import (
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

var (
	vault    = common.HexToAddress("0x00000000000000000000000000000000000000a1")
	bridge   = common.HexToAddress("0x00000000000000000000000000000000000000b2")
	list     = common.HexToAddress("0x00000000000000000000000000000000000000c3")
	attacker = common.HexToAddress("0x00000000000000000000000000000000000000e4")
	newOp    = common.HexToAddress("0x00000000000000000000000000000000000000f5")
)

func testOptions() config.Options {
	o := config.DefaultOptions()
	o.Chains = []config.ChainOptions{{ID: 1, RPC: "http://127.0.0.1:8545"}}
	o.Protocols = map[string]config.ProtocolOptions{"demo": {ChainID: 1, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{
			"vault":  {Address: vault.Hex(), Pausable: true, AccessControl: true},
			"bridge": {Address: bridge.Hex(), Bridge: true},
			"list":   {Address: list.Hex(), BlockFunction: "blockAddress(address)", BlockedFunction: "isBlocked(address)"},
		},
		Roles: map[string]string{"operator": "OPERATOR_ROLE"},
	}}
	return o
}

func mined(id, typ string, to common.Address, data []byte) record.Record {
	return record.Record{Intent: record.Intent{ID: id, Protocol: "demo", Type: typ, ChainID: 1, To: to, Data: data}, State: record.Mined, Status: 1}
}

func revokeData(role string, who common.Address) []byte {
	return roleCall("revokeRole(bytes32,address)", crypto.Keccak256Hash([]byte(role)), who)
}

func TestPlan(t *testing.T) {
	o := testOptions()
	pause := mined("e-0", guard.ActionPause, vault, guard.Selector("pause()"))
	freeze := mined("e-1", guard.ActionFreezeBridge, bridge, guard.Selector("freeze()"))
	revoke := mined("e-2", guard.ActionRevokeRole, vault, revokeData("OPERATOR_ROLE", attacker))
	block := mined("e-3", guard.ActionBlockAddress, list, append(guard.Selector("blockAddress(address)"), common.LeftPadBytes(attacker[:], 32)...))
	reverted := pause
	reverted.ID, reverted.Status = "e-4", 0
	failed := pause
	failed.ID, failed.State, failed.Status = "e-5", record.Failed, 0

	tests := []struct {
		name      string
		actions   []record.Record
		grants    []Grant
		want      []string // step functions, in order
		skipped   []string // skipped action ids
		wantErr   error
		errSubstr string
	}{
		{name: "pause", actions: []record.Record{pause}, want: []string{"unpause()"}},
		{name: "freeze", actions: []record.Record{freeze}, want: []string{"unfreeze()"}},
		{name: "block", actions: []record.Record{block}, want: []string{"unblockAddress(address)"}},
		{name: "revoke without a grant is not re-granted", actions: []record.Record{pause, revoke}, want: []string{"unpause()"}, skipped: []string{"e-2"}},
		{name: "revoke with a grant, last undone first", actions: []record.Record{pause, revoke}, grants: []Grant{{Role: "operator", Account: newOp}},
			want: []string{"grantRole(bytes32,address)", "unpause()"}},
		{name: "a grant of a role nobody revoked", actions: []record.Record{pause}, grants: []Grant{{Role: "operator", Account: newOp}}, wantErr: ErrGrant, errSubstr: "no action of the incident revoked"},
		{name: "reverted and failed actions changed nothing", actions: []record.Record{reverted, failed}, wantErr: ErrNothingToRecover},
		{name: "the same pause twice is one unpause", actions: []record.Record{pause, func() record.Record { p := pause; p.ID = "e-9"; return p }()}, want: []string{"unpause()"}, skipped: []string{"e-0"}},
		{name: "no actions", wantErr: ErrNothingToRecover},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, skipped, err := Plan(o, tt.actions, tt.grants)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errSubstr) {
					t.Fatalf("err = %v, want %v (%q)", err, tt.wantErr, tt.errSubstr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range steps {
				got = append(got, st.Function)
				if !IsRecoveryType(st.Type) || st.Check == nil && st.Type != TypeUnblock {
					t.Errorf("step %+v: want a recovery type with a post-condition", st)
				}
				if [4]byte(st.Data[:4]) != [4]byte(guard.Selector(st.Function)) {
					t.Errorf("step %s: calldata selector %x is not its function's", st.Function, st.Data[:4])
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("steps = %v, want %v", got, tt.want)
			}
			var sk []string
			for _, s := range skipped {
				sk = append(sk, s.Action)
			}
			if strings.Join(sk, ",") != strings.Join(tt.skipped, ",") {
				t.Errorf("skipped = %v (%+v), want %v", sk, skipped, tt.skipped)
			}
		})
	}
}

func TestPlanGrantsToTheNamedAccountOnly(t *testing.T) {
	o := testOptions()
	revoke := mined("e-0", guard.ActionRevokeRole, vault, revokeData("OPERATOR_ROLE", attacker))
	steps, _, err := Plan(o, []record.Record{revoke}, []Grant{{Role: "OPERATOR_ROLE", Account: newOp}})
	if err != nil {
		t.Fatal(err)
	}
	st := steps[0]
	want := roleCall("grantRole(bytes32,address)", crypto.Keccak256Hash([]byte("OPERATOR_ROLE")), newOp)
	if st.Type != TypeGrantRole || string(st.Data) != string(want) || st.Check == nil || !st.Check.Want {
		t.Fatalf("step = %+v, want grantRole(OPERATOR_ROLE, %s) and hasRole == true", st, newOp.Hex())
	}
	if got := common.BytesToAddress(st.Data[36:68]); got == attacker || got != newOp {
		t.Errorf("the grant goes to %s, want %s (not the account it was revoked from)", got.Hex(), newOp.Hex())
	}
}

func TestCheckAllowed(t *testing.T) {
	o := testOptions()
	steps, _, err := Plan(o, []record.Record{mined("e-0", guard.ActionPause, vault, guard.Selector("pause()"))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// On the containment allowlist only: refused.
	o.Allowlist = []config.AllowOptions{{ChainID: 1, Contract: "demo.vault", Functions: []string{"pause()", "unpause()"}}}
	if err := CheckAllowed(o, steps); !errors.Is(err, ErrNotAllowlisted) || !strings.Contains(err.Error(), "unpause() on demo.vault") {
		t.Fatalf("err = %v, want ErrNotAllowlisted naming unpause() on demo.vault", err)
	}
	o.RecoveryAllowlist = []config.AllowOptions{{ChainID: 1, Contract: "demo.vault", Functions: []string{"unpause()"}}}
	if err := CheckAllowed(o, steps); err != nil {
		t.Fatalf("on recovery_allowlist: %v", err)
	}
}

// The containment guard has no recovery action: whatever the allowlist
// says, a policy asking for unpause, unfreeze, grant or unblock is refused.
func TestContainmentGuardRefusesRecoveryActions(t *testing.T) {
	reg := guard.Registry{Protocols: map[string]guard.Protocol{"demo": {ChainID: 1, Signer: "guardian",
		Contracts: map[string]guard.Contract{"vault": {Address: vault, Pausable: true}, "bridge": {Address: bridge, Bridge: true}}}}}
	// Even an operator who put the inverse calls on the containment allowlist.
	allow := []guard.Allow{
		{ChainID: 1, Contract: vault, Function: "unpause()"}, {ChainID: 1, Contract: vault, Function: "grantRole(bytes32,address)"},
		{ChainID: 1, Contract: bridge, Function: "unfreeze()"},
	}
	g := guard.New(reg, allow, nil)
	for _, typ := range []string{TypeUnpause, "unpause", TypeUnfreeze, "unfreeze", TypeGrantRole, TypeUnblock} {
		v := g.Resolve(guard.Request{Type: typ, Protocol: "demo", Contract: "vault", Role: "operator", Account: newOp.Hex()})
		if v.Outcome != guard.Refused || !strings.Contains(v.Reason, "unknown action type") {
			t.Errorf("%s: verdict %s (%s), want refused as an unknown action type", typ, v.Outcome, v.Reason)
		}
	}
}
