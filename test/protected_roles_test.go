package test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
)

// revocable makes the vault one the engine may revoke roles on, and the
// guardian able to: what an operator who wants revocations configures.
func revocable(extra func(*config.Options)) func(*config.Options) {
	return func(o *config.Options) {
		p := o.Protocols["demo"]
		vault := p.Contracts["vault"]
		vault.AccessControl = true
		p.Contracts["vault"] = vault
		p.Roles["admin"] = "DEFAULT_ADMIN_ROLE"
		p.Roles["pauser"] = "PAUSER_ROLE"
		o.Allowlist[0].Functions = append(o.Allowlist[0].Functions, "revokeRole(bytes32,address)")
		if extra != nil {
			extra(o)
		}
	}
}

func (s *stack) holds(role [32]byte, who common.Address) bool {
	s.t.Helper()
	v := contracts.NewProtectedVault()
	ok, err := bind.Call(v.Instance(s.client, s.demo.Vault), nil, v.PackHasRole(role, who), v.UnpackHasRole)
	if err != nil {
		s.t.Fatal(err)
	}
	return ok
}

// auditSays waits for the event's records up to kind and reports whether
// one of them holds want.
func (s *stack) auditSays(eventID string, kind audit.Kind, want string) bool {
	s.t.Helper()
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, r := range s.story(rd, eventID, kind) {
		if bytes.Contains(r.Data, []byte(want)) {
			return true
		}
	}
	return false
}

// An event asking to revoke DEFAULT_ADMIN_ROLE from the protocol's admin
// produces no transaction and a recorded reason, with the shipped policies
// (which never ask) and with a custom policy that asks (the guard
// refuses); so do a configured protected role and a role of firebreak's
// own guardian.
func TestAdminRoleIsNeverRevoked(t *testing.T) {
	adminKeyECDSA, _ := crypto.HexToECDSA(adminKey)
	admin := crypto.PubkeyToAddress(adminKeyECDSA.PublicKey)
	pauserRole := crypto.Keccak256Hash([]byte("PAUSER_ROLE"))

	t.Run("shipped policies", func(t *testing.T) {
		s := newStack(t, revocable(nil))
		s.makeGuardianAdmin() // the chain would let the guardian do it
		for _, role := range []string{"DEFAULT_ADMIN_ROLE", "admin"} {
			ev := compromised("shipped-"+role, role, admin)
			s.publish(ev)
			out := s.outcome(ev.ID)
			if out.Decision == nil || len(out.Decision.Actions) != 0 || len(out.Actions) != 0 {
				t.Fatalf("%s: outcome %+v, want a decision with no action", role, out)
			}
			if !strings.Contains(strings.Join(out.Decision.Reasons, "\n"), "a protected role") {
				t.Errorf("%s: reasons %q do not say the role is protected", role, out.Decision.Reasons)
			}
			if !s.auditSays(ev.ID, audit.KindDecision, "a protected role") {
				t.Errorf("%s: the audit's decision record does not say why", role)
			}
		}
		s.drained()
		if n := s.sent(s.guardian.Address()); n != 0 || !s.holds(guard.DefaultAdminRole, admin) {
			t.Fatalf("the guardian sent %d transactions; admin still admin: %v", n, s.holds(guard.DefaultAdminRole, admin))
		}
	})

	t.Run("custom policy that asks", func(t *testing.T) {
		s := newStack(t, revocable(func(o *config.Options) {
			o.PolicyDir = "testdata/revoke-everything"
			o.Guard.ProtectedRoles = []string{"PAUSER_ROLE"}
		}))
		s.makeGuardianAdmin()
		ev := compromised("custom-1", "operator", s.operator.Address())
		ev.Metadata = map[string]any{"revoke": []any{
			map[string]any{"role": "DEFAULT_ADMIN_ROLE", "account": admin.Hex()},
			map[string]any{"role": "admin", "account": admin.Hex()},
			map[string]any{"role": "0x" + strings.Repeat("00", 32), "account": admin.Hex()},
			map[string]any{"role": "pauser", "account": s.guardian.Address().Hex()},
			map[string]any{"role": "PAUSER_ROLE", "account": s.operator.Address().Hex()},
			map[string]any{"role": "operator", "account": s.guardian.Address().Hex()},
		}}
		s.publish(ev)
		out := s.outcome(ev.ID)
		want := []string{
			"DEFAULT_ADMIN_ROLE: protected", "DEFAULT_ADMIN_ROLE: protected", "DEFAULT_ADMIN_ROLE: protected",
			"guard.protected_roles: PAUSER_ROLE", "guard.protected_roles: PAUSER_ROLE",
			"an account firebreak itself acts with",
		}
		if len(out.Actions) != len(want) {
			t.Fatalf("actions %+v, want %d refusals", out.Actions, len(want))
		}
		for _, a := range out.Actions {
			found := false
			for _, w := range want {
				found = found || strings.Contains(a.Reason, w)
			}
			if a.Outcome != guard.Refused || !found || a.ActionID != "" || len(a.Data) != 0 {
				t.Errorf("verdict %s %s from %s: %s %q, want refused", a.Request.Type, a.Request.Role, a.Request.Account, a.Outcome, a.Reason)
			}
		}
		if !s.auditSays(ev.ID, audit.KindGuard, "DEFAULT_ADMIN_ROLE: protected") {
			t.Error("the audit's guard record does not say why")
		}
		s.drained()
		if n := s.sent(s.guardian.Address()); n != 0 {
			t.Fatalf("the guardian sent %d transactions, want 0", n)
		}
		if !s.holds(guard.DefaultAdminRole, admin) || !s.holds(pauserRole, s.guardian.Address()) || !s.holds(guard.DefaultAdminRole, s.guardian.Address()) {
			t.Fatal("a protected role was revoked")
		}
	})
}
