package test

import (
	"context"
	"log/slog"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// newShadowStack is newStack in shadow mode, with a guardian that is not
// one of anvil's default accounts (a fork overwrites those) and that the
// engine knows by address only: shadow mode holds no key. The engine's
// signer is sender when set, else the guardian.
func newShadowStack(t *testing.T, sender *common.Address) (*stack, common.Address) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	s := &stack{t: t, ctx: ctx, anvil: startAnvil(t, ctx)}
	var err error
	if s.client, err = ethclient.DialContext(ctx, s.anvil.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.client.Close)
	gk, _ := crypto.GenerateKey()
	guardian := crypto.PubkeyToAddress(gk.PublicKey)
	if err := s.client.Client().CallContext(ctx, nil, "anvil_setBalance", guardian, (*hexutil.Big)(big.NewInt(1e18))); err != nil {
		t.Fatal(err)
	}
	s.operator = mustSigner(t, operatorKey)
	admin, _ := crypto.HexToECDSA(adminKey)
	if s.demo, err = contracts.DeployDemo(ctx, s.client, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), guardian, s.operator.Address(), big.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}
	bin, _ := simulate.FindAnvil()

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.NATS.Port = -1
	opts.Shadow = true
	opts.Simulate.Anvil = bin
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: s.anvil.URL()}}
	from := guardian
	if sender != nil {
		from = *sender
	}
	opts.Signers = map[string]config.SignerOptions{"guardian": {Kind: "local", SafeSignerOptions: config.SafeSignerOptions{Address: from.Hex()}}}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, MinConfidence: &minConf, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{"vault": {Address: s.demo.Vault.Hex(), Pausable: true}},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"pause()"}}}
	s.engine = runEngine(t, ctx, opts, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})))
	s.js = dialJS(t, s.engine)
	return s, guardian
}

func TestShadowModeSimulatesAndSendsNothing(t *testing.T) {
	s, guardian := newShadowStack(t, nil)
	head, err := s.client.BlockNumber(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev := criticalExploit("shadow-1")
	s.publish(ev)
	out := s.outcome(ev.ID)

	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed {
		t.Fatalf("actions = %+v, want one allowed pause", out.Actions)
	}
	if out.Actions[0].ActionID != "" {
		t.Errorf("shadow mode recorded an intent %q for the submitter", out.Actions[0].ActionID)
	}
	if out.DryRunError != "" || len(out.DryRuns) != 1 {
		t.Fatalf("dry runs %+v, error %q: want one simulation", out.DryRuns, out.DryRunError)
	}
	res := out.DryRuns[0]
	if !res.OK || res.Method != simulate.MethodAnvil || len(res.Actions) != 1 {
		t.Fatalf("simulation = %+v, want one ok action on an anvil fork", res)
	}
	a := res.Actions[0]
	if a.From != guardian || a.Status != simulate.StatusOK || a.PostCondition == nil || a.PostCondition.Status != simulate.StatusPass {
		t.Errorf("simulated action = %+v, want the guardian's pause succeeding with paused() == true", a)
	}
	s.drained()
	// Nothing reached the live chain: no block was mined, the guardian
	// sent nothing, the vault is not paused.
	if now, _ := s.client.BlockNumber(s.ctx); now != head {
		t.Errorf("the live chain moved from block %d to %d", head, now)
	}
	if n := s.sent(guardian); n != 0 {
		t.Errorf("the guardian sent %d transactions", n)
	}
	if s.paused() {
		t.Error("the vault is paused on the live chain")
	}
}

func TestShadowModeRecordsAFailingAction(t *testing.T) {
	k, _ := crypto.GenerateKey()
	stranger := crypto.PubkeyToAddress(k.PublicKey)
	s, _ := newShadowStack(t, &stranger)
	ev := criticalExploit("shadow-unauthorized")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.DryRuns) != 1 || len(out.DryRuns[0].Actions) != 1 {
		t.Fatalf("dry runs %+v (error %q), want one simulated action", out.DryRuns, out.DryRunError)
	}
	res := out.DryRuns[0]
	a := res.Actions[0]
	want := "AccessControlUnauthorizedAccount(account=" + stranger.Hex() + ", neededRole=PAUSER_ROLE)"
	if res.OK || a.Status != simulate.StatusReverted || a.Revert == nil || a.Revert.String() != want {
		t.Fatalf("simulation ok %v, action %+v; want reverted with %s", res.OK, a, want)
	}
	if s.paused() {
		t.Error("the vault is paused on the live chain")
	}
}
