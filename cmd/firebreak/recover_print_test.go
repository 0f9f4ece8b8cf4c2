package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/recovery"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// What an approver reads: each call, what it undoes, its post-condition
// and dry-run, what was skipped and why, the hash and who approved.
func TestPrintProposal(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	_, stranger, _ := ed25519.GenerateKey(nil)
	opts := config.Options{Recovery: config.RecoveryOptions{Threshold: 2, Approvers: []config.RecoveryApprover{{Name: "alice", PublicKey: hex.EncodeToString(pub)}}}}
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	check := &simulate.Check{Description: "paused() == false", To: vault}
	p := recovery.Proposal{ID: "recovery-1", Incident: "inc-1", Protocol: "demo", ChainID: 1, Signer: "recovery", Threshold: 2, State: recovery.Proposed, Hash: "ab12",
		Steps:   []recovery.Step{{Type: recovery.TypeUnpause, Undoes: "ev-1-0", Protocol: "demo", Contract: "vault", To: vault, Function: "unpause()", Check: check}},
		Skipped: []recovery.Skipped{{Action: "ev-1-1", Type: "revoke_role", Reason: "not re-granted: name the account"}},
		DryRun: &simulate.Result{Method: simulate.MethodAnvil, OK: true, ForkBlock: 7, Actions: []simulate.ActionResult{{Status: simulate.StatusOK, GasUsed: 25121,
			PostCondition: &simulate.CheckResult{Description: "paused() == false", Status: simulate.StatusPass}}}}}
	p.Approvals = []recovery.Approval{recovery.Sign(p, "alice", priv, time.Now()), recovery.Sign(p, "bob", stranger, time.Now())}
	var out bytes.Buffer
	if code := printProposal(&out, p, false, opts); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"recovery-1  proposed  incident inc-1", "unpause: unpause() on demo.vault", "undoes ev-1-0", "post-condition paused() == false",
		"dry-run ok, post-condition pass (gas 25121)", "ev-1-1 (revoke_role): not re-granted", "ok on a fork of block 7 (anvil, -)",
		"1 of 2: alice", `approval 1: "bob" is not one of recovery.approvers`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
