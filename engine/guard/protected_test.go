package guard_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/guard"
)

// No policy can make the guard revoke DEFAULT_ADMIN_ROLE or a configured
// protected role, however the role is named, or act against an account
// firebreak itself uses; even with revokeRole and blockAddress on the
// allowlist.
func TestProtectedRolesAndAccounts(t *testing.T) {
	c := newChain(t)
	guardian := c.guardian.From
	safe := common.HexToAddress("0x00000000000000000000000000000000000005af")
	minter := crypto.Keccak256Hash([]byte("MINTER_ROLE"))
	upgrader := crypto.Keccak256Hash([]byte("UPGRADER_ROLE"))
	reg := guard.Registry{Protocols: map[string]guard.Protocol{"demo": {
		ChainID: chainID, Signer: "guardian",
		Contracts: map[string]guard.Contract{
			"vault": {Address: c.demo.Vault, Pausable: true, BlockFunction: "blockAddress(address)"},
		},
		Roles: map[string]string{
			"operator": "OPERATOR_ROLE", "admin": "DEFAULT_ADMIN_ROLE", "root": "0x" + strings.Repeat("00", 32),
			"minter": "MINTER_ROLE", "minter_id": minter.Hex(),
		},
	}}}
	allow := []guard.Allow{
		{ChainID: chainID, Contract: c.demo.Vault, Function: "revokeRole(bytes32,address)"},
		{ChainID: chainID, Contract: c.demo.Vault, Function: "blockAddress(address)"},
	}
	g := guard.New(reg, allow, map[uint64]guard.Caller{chainID: c.client},
		guard.WithProtectedRoles("MINTER_ROLE", upgrader.Hex(), "not a role id: 0x12"),
		guard.WithOwnAccounts(guardian, safe))
	revoke := func(role string, account common.Address) guard.Request {
		return guard.Request{Type: "revoke_role", Protocol: "demo", Contract: "vault", Role: role, Account: account.Hex()}
	}
	tests := []struct {
		name       string
		req        guard.Request
		wantReason string // empty: not refused
	}{
		{"DEFAULT_ADMIN_ROLE by name", revoke("DEFAULT_ADMIN_ROLE", c.operator), "DEFAULT_ADMIN_ROLE: protected"},
		{"DEFAULT_ADMIN_ROLE through a registry name", revoke("admin", c.operator), "DEFAULT_ADMIN_ROLE: protected"},
		{"DEFAULT_ADMIN_ROLE as the zero id", revoke("root", c.operator), "DEFAULT_ADMIN_ROLE: protected"},
		{"the zero id directly", revoke("0x"+strings.Repeat("0", 64), c.operator), "DEFAULT_ADMIN_ROLE: protected"},
		{"a protected role by name", revoke("MINTER_ROLE", c.operator), "guard.protected_roles: MINTER_ROLE"},
		{"a protected role through a registry name", revoke("minter", c.operator), "is protected"},
		{"a protected role by its id", revoke("minter_id", c.operator), "is protected"},
		{"a role protected by its id, asked by name", revoke("UPGRADER_ROLE", c.operator), "guard.protected_roles: " + upgrader.Hex()},
		{"the role from the guardian", revoke("operator", guardian), "an account firebreak itself acts with"},
		{"the role from firebreak's Safe", revoke("operator", safe), "an account firebreak itself acts with"},
		{"block the guardian", guard.Request{Type: "block_address", Protocol: "demo", Contract: "vault", Account: guardian.Hex()}, "an account firebreak itself acts with"},
		{"an unprotected role from someone else", revoke("operator", c.operator), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for how, v := range map[string]guard.Verdict{"Resolve": g.Resolve(tt.req), "Check": check(t, g, tt.req)} {
				switch {
				case tt.wantReason == "" && v.Outcome == guard.Refused:
					t.Errorf("%s: refused: %s", how, v.Reason)
				case tt.wantReason != "" && (v.Outcome != guard.Refused || !strings.Contains(v.Reason, tt.wantReason)):
					t.Errorf("%s: %s %q, want refused: %q", how, v.Outcome, v.Reason, tt.wantReason)
				case tt.wantReason != "" && (v.Data != nil || v.Function != ""):
					t.Errorf("%s: a refused revoke carries calldata %s %x", how, v.Function, v.Data)
				}
			}
		})
	}

	// Without any option DEFAULT_ADMIN_ROLE is protected all the same.
	plain := guard.New(reg, allow, nil)
	if v := plain.Resolve(revoke("admin", c.operator)); v.Outcome != guard.Refused {
		t.Errorf("a guard without options revokes DEFAULT_ADMIN_ROLE: %+v", v)
	}
}

func check(t *testing.T, g *guard.Guard, req guard.Request) guard.Verdict {
	t.Helper()
	v, err := g.Check(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestProtectedRoleID(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want common.Hash
		ok   bool
	}{
		{"DEFAULT_ADMIN_ROLE", common.Hash{}, true},
		{"MINTER_ROLE", crypto.Keccak256Hash([]byte("MINTER_ROLE")), true},
		{"0x" + strings.Repeat("ab", 32), common.HexToHash("0x" + strings.Repeat("ab", 32)), true},
		{"0x1234", common.Hash{}, false},
		{"", common.Hash{}, false},
	} {
		id, err := guard.ProtectedRoleID(tt.in)
		if (err == nil) != tt.ok || (tt.ok && common.Hash(id) != tt.want) {
			t.Errorf("ProtectedRoleID(%q) = %x, %v", tt.in, id, err)
		}
	}
}
