package guard_test

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/guard"
)

const chainID = 1337

// chain is the demo protocol on go-ethereum's simulated backend.
type chain struct {
	client   bind.ContractBackend
	demo     contracts.Demo
	guardian *bind.TransactOpts
	operator common.Address
	close    func()
}

func newChain(t *testing.T) *chain {
	t.Helper()
	adminKey, _ := crypto.GenerateKey()
	guardianKey, _ := crypto.GenerateKey()
	admin := crypto.PubkeyToAddress(adminKey.PublicKey)
	guardian := crypto.PubkeyToAddress(guardianKey.PublicKey)
	operator := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	eth := new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil)
	sim := contracts.NewSimulated(types.GenesisAlloc{admin: {Balance: eth}, guardian: {Balance: eth}})
	t.Cleanup(func() { sim.Close() })
	client := contracts.AutoMine(sim)
	cid := contracts.SimulatedChainConfig().ChainID
	demo, err := contracts.DeployDemo(context.Background(), client, bind.NewKeyedTransactor(adminKey, cid), guardian, operator, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &chain{client: client, demo: demo, guardian: bind.NewKeyedTransactor(guardianKey, cid), operator: operator, close: func() { sim.Close() }}
}

func (c *chain) guard(allow ...guard.Allow) *guard.Guard {
	reg := guard.Registry{Protocols: map[string]guard.Protocol{"demo": {
		ChainID: chainID, Signer: "guardian",
		Contracts: map[string]guard.Contract{
			"vault":  {Address: c.demo.Vault, Pausable: true},
			"bridge": {Address: c.demo.Bridge, Bridge: true},
			"eoa":    {Address: common.HexToAddress("0x00000000000000000000000000000000000000bb"), Pausable: true},
		},
		Roles: map[string]string{"operator": "OPERATOR_ROLE"},
	}}}
	return guard.New(reg, allow, map[uint64]guard.Caller{chainID: c.client})
}

func TestCheck(t *testing.T) {
	c := newChain(t)
	allowAll := []guard.Allow{
		{ChainID: chainID, Contract: c.demo.Vault, Function: "pause()"},
		{ChainID: chainID, Contract: c.demo.Vault, Function: "revokeRole(bytes32, address)"},
		{ChainID: chainID, Contract: c.demo.Bridge, Function: "freeze()"},
		{ChainID: chainID, Contract: common.HexToAddress("0x00000000000000000000000000000000000000bb"), Function: "pause()"},
	}
	g := c.guard(allowAll...)
	operatorRole := crypto.Keccak256Hash([]byte("OPERATOR_ROLE"))
	vault := contracts.NewProtectedVault()
	tests := []struct {
		name       string
		req        guard.Request
		want       guard.Outcome
		wantReason string
		wantData   []byte
		wantFunc   string
	}{
		{"pause the vault", guard.Request{Type: "pause", Protocol: "demo", Contract: "vault"}, guard.Allowed, "", vault.PackPause(), "pause()"},
		{"freeze the bridge", guard.Request{Type: "freeze_bridge", Protocol: "demo", Contract: "bridge"}, guard.Allowed, "", contracts.NewTokenBridge().PackFreeze(), "freeze()"},
		{"revoke the operator", guard.Request{Type: "revoke_role", Protocol: "demo", Contract: "vault", Role: "operator", Account: c.operator.Hex()},
			guard.Allowed, "", vault.PackRevokeRole(operatorRole, c.operator), "revokeRole(bytes32,address)"},
		{"revoke from someone without the role", guard.Request{Type: "revoke_role", Protocol: "demo", Contract: "vault", Role: "OPERATOR_ROLE", Account: "0x00000000000000000000000000000000000000cc"},
			guard.NoOp, "does not hold role", nil, ""},
		{"unknown protocol", guard.Request{Type: "pause", Protocol: "other", Contract: "vault"}, guard.Refused, `protocol "other" is not in the registry`, nil, ""},
		{"unknown contract", guard.Request{Type: "pause", Protocol: "demo", Contract: "treasury"}, guard.Refused, `no contract "treasury"`, nil, ""},
		{"pause a bridge that is not pausable", guard.Request{Type: "pause", Protocol: "demo", Contract: "bridge"}, guard.Refused, "not marked pausable", nil, ""},
		{"freeze a vault", guard.Request{Type: "freeze_bridge", Protocol: "demo", Contract: "vault"}, guard.Refused, "not marked as a bridge", nil, ""},
		{"unknown action type", guard.Request{Type: "selfdestruct", Protocol: "demo", Contract: "vault"}, guard.Refused, `unknown action type "selfdestruct"`, nil, ""},
		{"revoke without account", guard.Request{Type: "revoke_role", Protocol: "demo", Contract: "vault", Role: "operator"}, guard.Refused, "needs the account", nil, ""},
		{"revoke without role", guard.Request{Type: "revoke_role", Protocol: "demo", Contract: "vault", Account: c.operator.Hex()}, guard.Refused, "needs a role", nil, ""},
		{"precondition on a contract without the view", guard.Request{Type: "pause", Protocol: "demo", Contract: "eoa"}, guard.Refused, "precondition read", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := g.Check(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if v.Outcome != tt.want || !strings.Contains(v.Reason, tt.wantReason) {
				t.Fatalf("verdict = %s %q, want %s %q", v.Outcome, v.Reason, tt.want, tt.wantReason)
			}
			if tt.want == guard.Allowed {
				if !bytes.Equal(v.Data, tt.wantData) || v.Function != tt.wantFunc || v.ChainID != chainID || v.Signer != "guardian" {
					t.Errorf("resolved %s %x on chain %d by %q, want %s %x", v.Function, v.Data, v.ChainID, v.Signer, tt.wantFunc, tt.wantData)
				}
			}
		})
	}
}

func TestAllowlistIsEnforced(t *testing.T) {
	c := newChain(t)
	// pause() is allowed on the bridge, not on the vault; freeze() nowhere.
	g := c.guard(guard.Allow{ChainID: chainID, Contract: c.demo.Bridge, Function: "pause()"})
	for _, req := range []guard.Request{
		{Type: "pause", Protocol: "demo", Contract: "vault"},
		{Type: "freeze_bridge", Protocol: "demo", Contract: "bridge"},
	} {
		v, err := g.Check(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if v.Outcome != guard.Refused || !strings.Contains(v.Reason, "not on the allowlist") {
			t.Errorf("%s %s: verdict %s %q, want refused: not on the allowlist", req.Type, req.Contract, v.Outcome, v.Reason)
		}
	}
}

func TestAlreadyInEffectIsNoOp(t *testing.T) {
	c := newChain(t)
	g := c.guard(
		guard.Allow{ChainID: chainID, Contract: c.demo.Vault, Function: "pause()"},
		guard.Allow{ChainID: chainID, Contract: c.demo.Bridge, Function: "freeze()"},
	)
	ctx := context.Background()
	vault, bridge := contracts.NewProtectedVault(), contracts.NewTokenBridge()
	for _, tx := range []struct {
		contract *bind.BoundContract
		data     []byte
	}{{vault.Instance(c.client, c.demo.Vault), vault.PackPause()}, {bridge.Instance(c.client, c.demo.Bridge), bridge.PackFreeze()}} {
		if _, err := bind.Transact(tx.contract, c.guardian, tx.data); err != nil {
			t.Fatal(err)
		}
	}
	for req, reason := range map[guard.Request]string{
		{Type: "pause", Protocol: "demo", Contract: "vault"}:          "already paused",
		{Type: "freeze_bridge", Protocol: "demo", Contract: "bridge"}: "already frozen",
	} {
		v, err := g.Check(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if v.Outcome != guard.NoOp || v.Reason != reason {
			t.Errorf("%s: verdict %s %q, want noop %q", req.Type, v.Outcome, v.Reason, reason)
		}
	}
}

func TestUnreachableNodeIsTransient(t *testing.T) {
	c := newChain(t)
	g := c.guard(guard.Allow{ChainID: chainID, Contract: c.demo.Vault, Function: "pause()"})
	c.close() // a stopped node: the real failure, no fake needed
	_, err := g.Check(context.Background(), guard.Request{Type: "pause", Protocol: "demo", Contract: "vault"})
	if !errors.Is(err, guard.ErrPrecondition) {
		t.Fatalf("err = %v, want ErrPrecondition", err)
	}
}

func TestNoRPCForChainIsRefused(t *testing.T) {
	reg := guard.Registry{Protocols: map[string]guard.Protocol{"demo": {ChainID: 5, Signer: "g",
		Contracts: map[string]guard.Contract{"vault": {Address: common.HexToAddress("0x01"), Pausable: true}}}}}
	g := guard.New(reg, []guard.Allow{{ChainID: 5, Contract: common.HexToAddress("0x01"), Function: "pause()"}}, nil)
	v, err := g.Check(context.Background(), guard.Request{Type: "pause", Protocol: "demo", Contract: "vault"})
	if err != nil || v.Outcome != guard.Refused || !strings.Contains(v.Reason, "no RPC endpoint configured for chain 5") {
		t.Fatalf("verdict %+v, %v; want refused for lack of an RPC endpoint", v, err)
	}
}
