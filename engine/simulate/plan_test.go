package simulate

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
)

func TestPostCondition(t *testing.T) {
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	o := config.Options{Protocols: map[string]config.ProtocolOptions{"p": {Contracts: map[string]config.ContractOptions{
		"bridge": {FrozenFunction: "isFrozen()"}, "bridge2": {},
		"list": {BlockFunction: "blockAddress(address)", BlockedFunction: "isBlocked(address)"},
	}}}}
	block := append(guard.Selector("blockAddress(address)"), common.LeftPadBytes([]byte{0xaa}, 32)...)
	revoke := append(guard.Selector("revokeRole(bytes32,address)"), make([]byte, 64)...)
	tests := []struct {
		name     string
		v        guard.Verdict
		wantDesc string
		wantSel  string
		wantVal  bool
	}{
		{"pause", guard.Verdict{Request: guard.Request{Type: "pause", Protocol: "p", Contract: "vault"}, To: vault}, "paused() == true", "paused()", true},
		{"freeze, configured view", guard.Verdict{Request: guard.Request{Type: "freeze_bridge", Protocol: "p", Contract: "bridge"}, To: vault}, "isFrozen() == true", "isFrozen()", true},
		{"freeze, default view", guard.Verdict{Request: guard.Request{Type: "freeze_bridge", Protocol: "p", Contract: "bridge2"}, To: vault}, "frozen() == true", "frozen()", true},
		{"block", guard.Verdict{Request: guard.Request{Type: "block_address", Protocol: "p", Contract: "list", Account: "0xaa"}, To: vault, Data: block}, "isBlocked(address) of 0xaa == true", "isBlocked(address)", true},
		{"revoke", guard.Verdict{Request: guard.Request{Type: "revoke_role", Protocol: "p", Contract: "vault", Role: "operator", Account: "0xaa"}, To: vault, Data: revoke}, "hasRole(operator, 0xaa) == false", "hasRole(bytes32,address)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := postCondition(o, tt.v)
			if c == nil || c.Description != tt.wantDesc || string(c.Data[:4]) != string(guard.Selector(tt.wantSel)) || c.Want != tt.wantVal || c.To != vault {
				t.Fatalf("check = %+v", c)
			}
			if tt.v.Request.Type == "revoke_role" && string(c.Data[4:]) != string(revoke[4:]) {
				t.Error("hasRole is not asked about the revoked role and account")
			}
			if tt.v.Request.Type == "block_address" && string(c.Data[4:]) != string(block[4:]) {
				t.Error("the blocked view is not asked about the blocked account")
			}
		})
	}
	if c := postCondition(o, guard.Verdict{Request: guard.Request{Type: "block_address", Protocol: "p", Contract: "bridge"}, Data: block}); c != nil {
		t.Errorf("block without a blocked view has a check: %+v", c)
	}
	if c := postCondition(o, guard.Verdict{Request: guard.Request{Type: "self_destruct"}}); c != nil {
		t.Errorf("unknown type has a check: %+v", c)
	}
}

func TestSimulationActions(t *testing.T) {
	guardian := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	o := config.Options{Signers: map[string]config.SignerOptions{"g": {Kind: "local", SafeSignerOptions: config.SafeSignerOptions{Address: guardian.Hex()}}}}
	verdicts := []guard.Verdict{
		{Request: guard.Request{Type: "pause", Protocol: "p", Contract: "vault"}, Outcome: guard.Allowed, ChainID: 1, To: vault, Data: guard.Selector("pause()"), Signer: "g"},
		{Request: guard.Request{Type: "notify", Protocol: "p", Message: "look"}, Outcome: guard.Allowed, ChainID: 1},
		{Request: guard.Request{Type: "freeze_bridge", Protocol: "p", Contract: "bridge"}, Outcome: guard.Refused, Reason: "not on the allowlist"},
		{Request: guard.Request{Type: "pause", Protocol: "q", Contract: "vault"}, Outcome: guard.Allowed, ChainID: 5, To: vault, Data: guard.Selector("pause()"), Signer: "g"},
	}
	ev := validEventForTest()
	byChain, err := ActionsFor(o, sender(o), ev.ID, verdicts)
	if err != nil {
		t.Fatal(err)
	}
	if len(byChain) != 2 || len(byChain[1]) != 1 || len(byChain[5]) != 1 {
		t.Fatalf("actions by chain = %+v, want one pause on chain 1 and one on chain 5 (no notify, nothing refused)", byChain)
	}
	a := byChain[1][0]
	if a.ID != ev.ID+"-0" || a.From != guardian || a.Target != "p.vault" || a.Check == nil || a.Check.Description != "paused() == true" {
		t.Errorf("action = %+v", a)
	}
	if b := byChain[5][0]; b.ID != ev.ID+"-3" {
		t.Errorf("the second pause has id %q, want the index of its verdict", b.ID)
	}

	delete(o.Signers, "g")
	if _, err := ActionsFor(o, sender(o), ev.ID, verdicts); !errors.Is(err, errNoAddress) {
		t.Fatalf("err = %v, want the sender's error", err)
	}
}

func validEventForTest() event.Event {
	return event.Event{ID: "ev-1", Source: "forta", ChainID: 1, Severity: event.SeverityCritical, Confidence: 0.9, AlertType: "exploit", Protocol: "p", Timestamp: time.Unix(0, 0).UTC()}
}

var errNoAddress = errors.New("no address")

// sender looks up configured addresses only.
func sender(o config.Options) SenderFunc {
	return func(name string) (common.Address, error) {
		s, ok := o.Signers[name]
		if !ok || s.Address == "" {
			return common.Address{}, fmt.Errorf("signers.%s: %w", name, errNoAddress)
		}
		return common.HexToAddress(s.Address), nil
	}
}
