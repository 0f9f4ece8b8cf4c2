package test

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// burstOptions lifts the rate limit (50 pauses in a minute are what the
// test sends) and, with second set, adds protocol demo2: a second demo
// deployment on the same chain, paused by the same guardian key.
func burstOptions(t *testing.T, second *contracts.Demo) func(*config.Options) {
	return func(o *config.Options) {
		o.Guardrails = config.GuardrailOptions{RateLimit: 1000, RateWindow: time.Hour}
		if second == nil {
			return
		}
		ctx := context.Background()
		c, err := ethclient.DialContext(ctx, o.Chains[0].RPC)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		admin, _ := crypto.HexToECDSA(adminKey)
		guardian, operator := mustSigner(t, guardianKey), mustSigner(t, operatorKey)
		if *second, err = contracts.DeployDemo(ctx, c, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), guardian.Address(), operator.Address(), big.NewInt(1e18)); err != nil {
			t.Fatal(err)
		}
		minConf := 0.8
		o.Protocols["demo2"] = config.ProtocolOptions{
			ChainID: chainID, MinConfidence: &minConf, Signer: "guardian",
			Contracts: map[string]config.ContractOptions{"vault": {Address: second.Vault.Hex(), Pausable: true}},
		}
		o.Allowlist = append(o.Allowlist, config.AllowOptions{ChainID: chainID, Contract: "demo2.vault", Functions: []string{"pause()"}})
	}
}

// burst publishes n critical events per protocol, interleaved, with
// mining stopped, so every event is decided while the first pause is in
// flight; then mines until each first pause is final. It returns every
// event's outcome and the id of each protocol's first (not joined) action.
func (s *stack) burst(n int, protocols ...string) (map[string]decide.Outcome, map[string]string) {
	s.t.Helper()
	if err := s.client.Client().CallContext(s.ctx, nil, "evm_setAutomine", false); err != nil {
		s.t.Fatal(err)
	}
	var ids []string
	for i := range n {
		for _, p := range protocols {
			ev := criticalExploit(fmt.Sprintf("burst-%s-%02d", p, i))
			ev.Protocol = p
			s.publish(ev)
			ids = append(ids, ev.ID)
		}
	}
	outs := map[string]decide.Outcome{}
	firsts := map[string]string{}
	for _, id := range ids {
		out := s.outcome(id)
		outs[id] = out
		if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed || out.Actions[0].ActionID == "" {
			s.t.Fatalf("event %s: actions %+v, want one allowed pause", id, out.Actions)
		}
		if a := out.Actions[0]; a.JoinedTo == "" {
			if f, ok := firsts[out.Event.Protocol]; ok {
				s.t.Fatalf("protocol %s has two actions sent: %s and %s", out.Event.Protocol, f, a.ActionID)
			}
			firsts[out.Event.Protocol] = a.ActionID
		}
	}
	if err := s.client.Client().CallContext(s.ctx, nil, "evm_setAutomine", true); err != nil {
		s.t.Fatal(err)
	}
	for _, first := range firsts {
		for {
			rec, err := s.engine.Action(s.ctx, first)
			if err != nil {
				s.t.Fatal(err)
			}
			if rec.State.Final() {
				if rec.State != record.Mined || rec.Status != 1 {
					s.t.Fatalf("the first pause %s ended %s (status %d): %s", first, rec.State, rec.Status, rec.Error)
				}
				break
			}
			if err := s.client.Client().CallContext(s.ctx, nil, "evm_mine"); err != nil {
				s.t.Fatal(err)
			}
			s.sleep(20 * time.Millisecond)
		}
	}
	s.drained()
	return outs, firsts
}

// checkJoined checks that every event but each protocol's first joined
// that first action: the outcome says so, and the action is recorded as
// Joined to it, with the event's own id and never sent.
func (s *stack) checkJoined(outs map[string]decide.Outcome, firsts map[string]string, vaults map[string]common.Address) int {
	s.t.Helper()
	joined := 0
	for id, out := range outs {
		a := out.Actions[0]
		first := firsts[out.Event.Protocol]
		if a.ActionID == first {
			continue
		}
		if a.JoinedTo != first {
			s.t.Errorf("event %s: joined_to %q, want its protocol's first action %s", id, a.JoinedTo, first)
			continue
		}
		rec, err := s.engine.Action(s.ctx, a.ActionID)
		if err != nil {
			s.t.Fatal(err)
		}
		if rec.State != record.Joined || rec.JoinedTo != first || rec.EventID != id || rec.To != vaults[out.Event.Protocol] || rec.TxHash != nil || len(rec.Attempts) != 0 {
			s.t.Errorf("event %s: record %+v, want joined to %s and never sent", id, rec, first)
			continue
		}
		joined++
	}
	return joined
}

// 50 critical events for one vault in a burst send one pause: the first
// event's action is sent, the 49 others are recorded as joined to it.
func TestBurstForOneVaultSendsOnePause(t *testing.T) {
	s := newStack(t, burstOptions(t, nil))
	outs, firsts := s.burst(50, "demo")
	if len(firsts) != 1 {
		t.Fatalf("first actions %v, want one", firsts)
	}
	if n := s.checkJoined(outs, firsts, map[string]common.Address{"demo": s.demo.Vault}); n != 49 {
		t.Errorf("%d joined actions, want 49", n)
	}
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Errorf("the guardian sent %d transactions for a burst of 50 events, want 1", n)
	}
	if !s.paused() {
		t.Error("the vault is not paused")
	}
}

// Two protocols sharing one guardian, a burst on each: one pause per vault,
// no event joins the other vault's pause.
func TestBurstAcrossTwoProtocolsSharingOneSender(t *testing.T) {
	var second contracts.Demo
	s := newStack(t, burstOptions(t, &second))
	outs, firsts := s.burst(25, "demo", "demo2")
	if len(firsts) != 2 {
		t.Fatalf("first actions %v, want one per protocol", firsts)
	}
	vaults := map[string]common.Address{"demo": s.demo.Vault, "demo2": second.Vault}
	if n := s.checkJoined(outs, firsts, vaults); n != 48 {
		t.Errorf("%d joined actions, want 48", n)
	}
	if n := s.sent(s.guardian.Address()); n != 2 {
		t.Errorf("the guardian sent %d transactions for two vaults, want 2", n)
	}
	v := contracts.NewProtectedVault()
	for p, addr := range vaults {
		paused, err := bind.Call(v.Instance(s.client, addr), nil, v.PackPaused(), v.UnpackPaused)
		if err != nil || !paused {
			t.Errorf("%s's vault: paused() = %v, %v", p, paused, err)
		}
	}
}

// Through a Safe the rule applies to the call inside the Safe transaction:
// a burst builds, signs and sends one execTransaction.
func TestBurstThroughASafeSendsOneSafeTransaction(t *testing.T) {
	s := newSafeStack(t, safeConfig{owners: []string{"owner0", "owner1"}, configure: burstOptions(t, nil)})
	outs, firsts := s.burst(10, "demo")
	if len(firsts) != 1 {
		t.Fatalf("first actions %v, want one", firsts)
	}
	if n := s.checkJoined(outs, firsts, map[string]common.Address{"demo": s.demo.Vault}); n != 9 {
		t.Errorf("%d joined actions, want 9", n)
	}
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Errorf("the executor sent %d transactions, want 1", n)
	}
	if n := s.safeNonce(); n != 1 {
		t.Errorf("the Safe's nonce is %d, want 1: one Safe transaction", n)
	}
	if !s.paused() {
		t.Error("the vault is not paused")
	}
}
