package guard_test

import (
	"context"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/guard"
)

const simChainID = 1337

// simChain is the demo protocol on go-ethereum's simulated backend.
type simChain struct {
	caller guard.Caller
	demo   contracts.Demo
}

func newSimChain(t *testing.T) simChain {
	t.Helper()
	admin, _ := crypto.GenerateKey()
	from := crypto.PubkeyToAddress(admin.PublicKey)
	sim := contracts.NewSimulated(types.GenesisAlloc{from: {Balance: new(big.Int).Lsh(big.NewInt(1), 100)}})
	t.Cleanup(func() { _ = sim.Close() })
	client := contracts.AutoMine(sim)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(simChainID))
	demo, err := contracts.DeployDemo(context.Background(), client, auth, common.HexToAddress("0x01"), common.HexToAddress("0x02"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return simChain{caller: client, demo: demo}
}

func (c simChain) registry() guard.Registry {
	return guard.Registry{Protocols: map[string]guard.Protocol{"demo": {
		ChainID: simChainID, Signer: "guardian",
		Contracts: map[string]guard.Contract{
			"vault":  {Address: c.demo.Vault, Pausable: true},
			"bridge": {Address: c.demo.Bridge, Bridge: true},
			"router": {Address: common.HexToAddress("0x05"), BlockFunction: "blockAddress(address)"},
		},
		Roles: map[string]string{"operator": "OPERATOR_ROLE"},
	}}}
}

func (c simChain) allow() []guard.Allow {
	return []guard.Allow{
		{ChainID: simChainID, Contract: c.demo.Vault, Function: "pause()"},
		{ChainID: simChainID, Contract: c.demo.Vault, Function: "revokeRole(bytes32,address)"},
		{ChainID: simChainID, Contract: common.HexToAddress("0x05"), Function: "blockAddress(address)"},
	}
}

// clock is an injected clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	pauseVault = guard.Request{Type: "pause", Protocol: "demo", Contract: "vault", Rule: "r"}
	revokeOp   = func(account string) guard.Request {
		return guard.Request{Type: "revoke_role", Protocol: "demo", Contract: "vault", Role: "operator", Account: account, Rule: "r"}
	}
)

func TestCheckDecisionGuardrails(t *testing.T) {
	c := newSimChain(t)
	ctx := context.Background()
	type step struct {
		event   string
		reqs    []guard.Request
		advance time.Duration
		want    []guard.Outcome
		reason  string // in the first refusal
	}
	tests := []struct {
		name   string
		limits guard.Limits
		steps  []step
	}{
		{"too many actions refuses the whole decision", guard.Limits{MaxActionsPerEvent: 1}, []step{
			{event: "e1", reqs: []guard.Request{pauseVault, revokeOp("0x0000000000000000000000000000000000000002")},
				want: []guard.Outcome{guard.Refused, guard.Refused}, reason: "more than max_actions_per_event (1)"},
		}},
		{"burst over the rate limit", guard.Limits{RateLimit: 2, RateWindow: time.Minute}, []step{
			{event: "e1", reqs: []guard.Request{revokeOp("0x0000000000000000000000000000000000000002")}, want: []guard.Outcome{guard.Allowed}},
			{event: "e2", reqs: []guard.Request{revokeOp("0x0000000000000000000000000000000000000002")}, want: []guard.Outcome{guard.Allowed}},
			{event: "e3", reqs: []guard.Request{revokeOp("0x0000000000000000000000000000000000000002")}, want: []guard.Outcome{guard.Refused}, reason: "rate limit: 2 revoke_role actions on demo"},
			// Another action type has its own budget.
			{event: "e4", reqs: []guard.Request{pauseVault}, want: []guard.Outcome{guard.Allowed}},
			// The window slides.
			{event: "e5", advance: time.Minute, reqs: []guard.Request{revokeOp("0x0000000000000000000000000000000000000002")}, want: []guard.Outcome{guard.Allowed}},
		}},
		{"a retried event keeps its slot", guard.Limits{RateLimit: 1, RateWindow: time.Minute}, []step{
			{event: "e1", reqs: []guard.Request{pauseVault}, want: []guard.Outcome{guard.Allowed}},
			{event: "e1", reqs: []guard.Request{pauseVault}, want: []guard.Outcome{guard.Allowed}},
			{event: "e2", reqs: []guard.Request{pauseVault}, want: []guard.Outcome{guard.Refused}, reason: "rate limit"},
		}},
		{"cooldown per target", guard.Limits{Cooldown: 30 * time.Second}, []step{
			{event: "e1", reqs: []guard.Request{pauseVault}, want: []guard.Outcome{guard.Allowed}},
			{event: "e2", advance: 29 * time.Second, reqs: []guard.Request{pauseVault}, want: []guard.Outcome{guard.Refused}, reason: "cooldown: the same pause on demo.vault ran 29s ago"},
			{event: "e3", advance: time.Second, reqs: []guard.Request{pauseVault}, want: []guard.Outcome{guard.Allowed}},
		}},
		{"no limits", guard.Limits{}, []step{
			{event: "e1", reqs: []guard.Request{pauseVault, pauseVault, pauseVault}, want: []guard.Outcome{guard.Allowed, guard.Allowed, guard.Allowed}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
			g := guard.New(c.registry(), c.allow(), map[uint64]guard.Caller{simChainID: c.caller}, guard.WithLimits(tt.limits), guard.WithClock(clk.now))
			for i, s := range tt.steps {
				clk.add(s.advance)
				vs, err := g.CheckDecision(ctx, s.event, s.reqs)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if len(vs) != len(s.want) {
					t.Fatalf("step %d: %d verdicts, want %d", i, len(vs), len(s.want))
				}
				for j, v := range vs {
					if v.Outcome != s.want[j] {
						t.Fatalf("step %d verdict %d = %s (%s), want %s", i, j, v.Outcome, v.Reason, s.want[j])
					}
				}
				if s.reason != "" && !strings.Contains(vs[0].Reason, s.reason) {
					t.Errorf("step %d: reason %q, want it to contain %q", i, vs[0].Reason, s.reason)
				}
			}
		})
	}
}

// halted is a HaltReader for the failure a real bucket cannot be made to
// show on demand (an unreadable kill switch); the real KillSwitch is
// tested against NATS in killswitch_test.go.
type halted struct {
	h   guard.Halt
	on  bool
	err error
}

func (h halted) Halted(context.Context) (guard.Halt, bool, error) { return h.h, h.on, h.err }

func TestCheckDecisionHaltReadFailureRetries(t *testing.T) {
	c := newSimChain(t)
	g := guard.New(c.registry(), c.allow(), map[uint64]guard.Caller{simChainID: c.caller}, guard.WithHaltReader(halted{err: context.DeadlineExceeded}))
	if _, err := g.CheckDecision(context.Background(), "e1", []guard.Request{pauseVault}); err == nil || !strings.Contains(err.Error(), "kill switch") {
		t.Fatalf("err = %v, want ErrHaltState", err)
	}
	// No action, no read: an event without actions needs no kill switch.
	if vs, err := g.CheckDecision(context.Background(), "e2", nil); err != nil || len(vs) != 0 {
		t.Fatalf("empty decision: %v, %v", vs, err)
	}
}

func TestResolveBlockAddress(t *testing.T) {
	c := simChain{demo: contracts.Demo{Vault: common.HexToAddress("0x01"), Bridge: common.HexToAddress("0x02")}}
	g := guard.New(c.registry(), c.allow(), nil)
	drainer := "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
	tests := []struct {
		name   string
		req    guard.Request
		want   guard.Outcome
		reason string
	}{
		{"blocks on the blocklist contract", guard.Request{Type: "block_address", Protocol: "demo", Contract: "router", Account: drainer}, guard.Allowed, ""},
		{"contract without block_function", guard.Request{Type: "block_address", Protocol: "demo", Contract: "vault", Account: drainer}, guard.Refused, "has no block_function"},
		{"bad account", guard.Request{Type: "block_address", Protocol: "demo", Contract: "router", Account: "drainer"}, guard.Refused, "needs the account as a 0x address"},
		{"unknown type", guard.Request{Type: "selfdestruct", Protocol: "demo", Contract: "router"}, guard.Refused, "unknown action type"},
		{"freeze not allowlisted", guard.Request{Type: "freeze_bridge", Protocol: "demo", Contract: "bridge"}, guard.Refused, "not on the allowlist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := g.Resolve(tt.req)
			if v.Outcome != tt.want || !strings.Contains(v.Reason, tt.reason) {
				t.Fatalf("verdict %s %q, want %s %q", v.Outcome, v.Reason, tt.want, tt.reason)
			}
			if tt.want == guard.Allowed {
				wantData := append(crypto.Keccak256([]byte("blockAddress(address)"))[:4], common.LeftPadBytes(common.HexToAddress(drainer).Bytes(), 32)...)
				if v.Function != "blockAddress(address)" || string(v.Data) != string(wantData) || v.To != common.HexToAddress("0x05") {
					t.Errorf("resolved to %s %x on %s", v.Function, v.Data, v.To)
				}
			}
		})
	}
}

func TestNotifyNeedsNoChain(t *testing.T) {
	c := newSimChain(t)
	// No caller and no allowlist entry: a notify sends no transaction.
	g := guard.New(c.registry(), nil, nil)
	tests := []struct {
		name   string
		req    guard.Request
		want   guard.Outcome
		reason string
	}{
		{"notify", guard.Request{Type: "notify", Protocol: "demo", Message: "revoke approvals to 0x…"}, guard.Allowed, ""},
		{"notify without message", guard.Request{Type: "notify", Protocol: "demo"}, guard.Refused, "needs a message"},
		{"notify unknown protocol", guard.Request{Type: "notify", Protocol: "nope", Message: "m"}, guard.Refused, "not in the registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := g.Check(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if v.Outcome != tt.want || !strings.Contains(v.Reason, tt.reason) || len(v.Data) != 0 {
				t.Fatalf("verdict %+v, want %s %q and no calldata", v, tt.want, tt.reason)
			}
		})
	}
}
