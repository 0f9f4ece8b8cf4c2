package test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/signer"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// More of anvil's public development keys: the Safe's three owners and an
// account that owns nothing.
var (
	ownerKeys = []string{
		"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
		"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
		"8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
	}
	strangerKey = "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"
)

// countingSigner records every digest an owner signer is asked to sign:
// the proof that the hot path of a pre-signed pause signs nothing.
type countingSigner struct {
	signer.Signer
	mu      sync.Mutex
	digests []common.Hash
}

func (c *countingSigner) SignDigest(ctx context.Context, d [32]byte) ([]byte, error) {
	c.mu.Lock()
	c.digests = append(c.digests, d)
	c.mu.Unlock()
	return c.Signer.SignDigest(ctx, d)
}

func (c *countingSigner) signed(d common.Hash) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, x := range c.digests {
		if x == d {
			n++
		}
	}
	return n
}

// safeStack is a real anvil with a 2-of-3 Safe holding the vault's
// PAUSER_ROLE, and a running engine whose demo protocol signer is the Safe.
type safeStack struct {
	*stack
	safeDemo safeabi.Demo
	owners   []*countingSigner
	safe     *safesigner.Safe // with all three owners, for the test's own Safe transactions
	// operatorSeed is the approvers' NATS identity.
	operatorSeed string
	opts         config.Options
}

// safeConfig says which owner signers the engine holds, by name
// ("owner0".."owner2"; "stranger", who owns nothing; "owner0-again",
// owner0's key under a second name), and whether the vault's pause is
// pre-signed.
type safeConfig struct {
	owners    []string
	presign   bool
	configure func(*config.Options)
}

func newSafeStack(t testing.TB, cfg safeConfig) *safeStack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	s := &safeStack{stack: &stack{t: t, ctx: ctx, anvil: startAnvil(t, ctx)}}
	var err error
	if s.client, err = ethclient.DialContext(ctx, s.anvil.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.client.Close)
	s.guardian = mustSigner(t, guardianKey) // the executor: pays gas, holds no role
	s.operator = mustSigner(t, operatorKey)
	instances := map[string]signer.Signer{
		"executor":     s.guardian,
		"stranger":     &countingSigner{Signer: mustSigner(t, strangerKey)},
		"owner0-again": &countingSigner{Signer: mustSigner(t, ownerKeys[0])},
	}
	var addrs []common.Address
	var all []safesigner.Owner
	for i, k := range ownerKeys {
		c := &countingSigner{Signer: mustSigner(t, k)}
		s.owners = append(s.owners, c)
		name := "owner" + string(rune('0'+i))
		instances[name] = c
		addrs = append(addrs, c.Address())
		all = append(all, safesigner.Owner{Name: name, Signer: mustSigner(t, k)})
	}
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(chainID))
	if s.safeDemo, err = safeabi.DeployDemo(ctx, s.client, auth, addrs, 2, s.operator.Address(), big.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}
	s.demo = s.safeDemo.Demo
	s.safe = safesigner.New(s.safeDemo.Safe, chainID, all, s.client)

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.NATS.Port = -1
	opts.SafePoll = 20 * time.Millisecond
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: s.anvil.URL()}}
	opts.SignerInstances = instances
	opts.Signers = map[string]config.SignerOptions{"treasury": {Kind: "safe", SafeSignerOptions: config.SafeSignerOptions{
		Address: s.safeDemo.Safe.Hex(), ChainID: chainID, Owners: cfg.owners, Executor: "executor", RefreshBlocks: 1,
	}}}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, MinConfidence: &minConf, Signer: "treasury",
		Contracts: map[string]config.ContractOptions{
			"vault":  {Address: s.demo.Vault.Hex(), Pausable: true, Presign: cfg.presign},
			"bridge": {Address: s.demo.Bridge.Hex(), Bridge: true},
		},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"pause()"}}}
	if cfg.configure != nil {
		cfg.configure(&opts)
	}
	s.engine = runEngine(t, ctx, opts, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})))
	s.js = dialJS(t, s.engine)
	// Approvers connect as an operator, with the identity
	// 'firebreak creds create --role operator' makes.
	seed, _, err := ingest.CreateIdentity(ingest.IdentityDir(opts.DataDir), ingest.RoleOperator, "approver", "")
	if err != nil {
		t.Fatal(err)
	}
	s.operatorSeed = seed
	waitIdentity(t, s.engine.NATSURL(), seed)
	opts.NATS.URL, opts.NATS.NkeySeedFile = s.engine.NATSURL(), seed
	s.opts = opts
	return s
}

// pauseHash is the EIP-712 hash of the vault's pause through the Safe at
// Safe nonce nonce.
func (s *safeStack) pauseHash(nonce uint64) common.Hash {
	return s.safe.Hash(safesigner.NewTx(s.demo.Vault, contracts.NewProtectedVault().PackPause(), nonce))
}

func (s *safeStack) safeNonce() uint64 {
	s.t.Helper()
	n, err := s.safe.Nonce(s.ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// bumpSafeNonce has two owners execute a harmless Safe transaction (a call
// of the vault's paused() view), as another Safe user would.
func (s *safeStack) bumpSafeNonce() {
	s.t.Helper()
	st, err := s.safe.State(s.ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	tx := safesigner.NewTx(s.demo.Vault, contracts.NewProtectedVault().PackPaused(), st.Nonce)
	sigs, err := s.safe.Sign(s.ctx, tx, st, s.safe.Owners()[:2]...)
	if err != nil {
		s.t.Fatal(err)
	}
	data, err := s.safe.ExecCalldata(tx, sigs, st)
	if err != nil {
		s.t.Fatal(err)
	}
	key, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(key, big.NewInt(chainID))
	auth.Context = s.ctx
	c := bind.NewBoundContract(s.safeDemo.Safe, safeabi.NewSafe().GetABI(), s.client, s.client, s.client)
	sent, err := bind.Transact(c, auth, data)
	if err != nil {
		s.t.Fatal(err)
	}
	r, err := bind.WaitMined(s.ctx, s.client, sent.Hash())
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		s.t.Fatalf("the test's own Safe transaction: %v, %+v", err, r)
	}
}

// approval waits until the approval id satisfies ok.
func (s *safeStack) approval(id string, ok func(engine.ApprovalStatus) bool) engine.ApprovalStatus {
	s.t.Helper()
	for {
		as, err := engine.Approvals(s.ctx, s.opts)
		if err != nil {
			s.t.Fatal(err)
		}
		for _, a := range as {
			if a.ID == id && ok(a) {
				return a
			}
		}
		s.sleep(10 * time.Millisecond)
	}
}

// presigned waits until the engine holds the vault's pause pre-signed for
// Safe nonce nonce.
func (s *safeStack) presigned(nonce uint64) safe.Presigned {
	s.t.Helper()
	for {
		for _, p := range s.engine.Presigned() {
			if p.To == s.demo.Vault && p.Nonce == nonce && p.SimulatedBlock > 0 {
				return p
			}
		}
		s.sleep(10 * time.Millisecond)
	}
}

func TestSafeCriticalEventPausesVaultThroughExecTransaction(t *testing.T) {
	s := newSafeStack(t, safeConfig{owners: []string{"owner2", "owner0"}})
	ev := criticalExploit("safe-critical-1")
	s.publish(ev)

	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed || out.Actions[0].Approval != "" {
		t.Fatalf("actions = %+v, want one allowed pause with no approval", out.Actions)
	}
	rec := s.action(out.Actions[0].ActionID)
	if rec.State != record.Mined || rec.Status != 1 {
		t.Fatalf("action = %+v, want mined successfully", rec)
	}
	if rec.To != s.safeDemo.Safe || rec.From != s.guardian.Address() || rec.Function != "execTransaction:pause()" {
		t.Errorf("sent %s to %s from %s; want execTransaction on the Safe %s from the executor %s", rec.Function, rec.To, rec.From, s.safeDemo.Safe, s.guardian.Address())
	}
	if !s.paused() {
		t.Fatal("paused() is false after the Safe's execTransaction was mined")
	}
	if n := s.safeNonce(); n != 1 {
		t.Errorf("Safe nonce = %d, want 1", n)
	}
}

// A misconfigured owner signer (one that is not an owner, or the same
// owner twice under two names) is refused with a specific error, and
// nothing is sent.
func TestSafeBadOwnerSignerIsRefusedBeforeSending(t *testing.T) {
	tests := []struct {
		name   string
		owners []string
		want   error
	}{
		{"not an owner", []string{"owner0", "stranger"}, safesigner.ErrNotOwner},
		{"duplicate owner", []string{"owner0", "owner0-again"}, safesigner.ErrDuplicateOwner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSafeStack(t, safeConfig{owners: tt.owners})
			ev := criticalExploit("safe-bad-" + strings.ReplaceAll(tt.name, " ", "-"))
			s.publish(ev)
			out := s.outcome(ev.ID)
			if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Refused || out.Actions[0].ActionID != "" {
				t.Fatalf("actions = %+v, want one refused action", out.Actions)
			}
			if want := "Safe: " + tt.want.Error(); len(out.Actions[0].Reason) < len(want) || out.Actions[0].Reason[:len(want)] != want {
				t.Errorf("reason = %q, want it to start with %q", out.Actions[0].Reason, want)
			}
			s.drained()
			if n := s.sent(s.guardian.Address()); n != 0 {
				t.Errorf("the executor sent %d transactions, want 0", n)
			}
			if s.paused() {
				t.Error("paused by a refused action")
			}
		})
	}
}

// With one owner signer configured for a 2-of-3 Safe, the action waits
// until `firebreak approve` adds the second owner's signature, then the
// engine executes it, once.
func TestSafeActionWaitsForApprovalThenExecutes(t *testing.T) {
	bin := buildFirebreak(t) // before the stack's clock starts
	s := newSafeStack(t, safeConfig{owners: []string{"owner1"}})
	ev := criticalExploit("safe-approval-1")
	s.publish(ev)

	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].Approval == "" {
		t.Fatalf("actions = %+v, want one action waiting for approval", out.Actions)
	}
	id := out.Actions[0].Approval
	a := s.approval(id, func(engine.ApprovalStatus) bool { return true })
	if a.State != safe.Pending || len(a.Signatures) != 1 || a.Threshold != 2 || a.Stale || a.Hash != s.pauseHash(0) {
		t.Fatalf("approval = %+v, want pending with 1 of 2 signatures for the pause at nonce 0", a)
	}
	s.drained()
	if s.paused() || s.sent(s.guardian.Address()) != 0 {
		t.Fatal("something was sent before the approval")
	}

	// The owner the engine already holds cannot approve a second time.
	approver := s.opts
	approver.SignerInstances = map[string]signer.Signer{"owner1": mustSigner(t, ownerKeys[1])}
	approver.Signers = map[string]config.SignerOptions{"owner2": {Kind: "local", KeyEnv: "OWNER2_KEY"}}
	approver.LookupEnv = func(k string) (string, bool) {
		if k == "OWNER2_KEY" {
			return ownerKeys[2], true
		}
		return "", false
	}
	if _, err := engine.Approve(s.ctx, approver, id, "owner1", slog.New(slog.DiscardHandler)); !errors.Is(err, safesigner.ErrDuplicateOwner) {
		t.Fatalf("a second signature of owner1: err = %v, want ErrDuplicateOwner", err)
	}
	// The second owner approves with the command an operator runs.
	config := filepath.Join(t.TempDir(), "approver.yaml")
	// The operator's configuration names the Safe, the allowlist and the
	// engine's MAC key: approve checks the approval against them.
	yaml := fmt.Sprintf(`nats: {url: %q, nkey_seed_file: %q}
chains: [{id: %d, name: anvil, rpc: %q}]
records: {mac_key_file: %q}
signers:
  owner-carol: {kind: local, key_env: FIREBREAK_OWNER_CAROL_KEY}
  treasury: {kind: safe, address: %q, chain_id: %d, owners: [owner-carol], executor: owner-carol}
protocols:
  demo:
    chain_id: %d
    signer: treasury
    contracts: {vault: {address: %q, pausable: true}}
allowlist: [{chain_id: %d, contract: demo.vault, functions: ["pause()"]}]
`, s.engine.NATSURL(), s.operatorSeed, chainID, s.anvil.URL(), filepath.Join(s.opts.DataDir, record.MACKeyFile), s.safeDemo.Safe.Hex(), chainID, chainID, s.demo.Vault.Hex(), chainID)
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(s.ctx, bin, args...)
		cmd.Env = append(os.Environ(), "FIREBREAK_OWNER_CAROL_KEY="+ownerKeys[2])
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("firebreak %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := cli("approvals", "--config", config); !strings.Contains(out, id) || !strings.Contains(out, "1/2") || !strings.Contains(out, "pending") {
		t.Errorf("firebreak approvals does not show %s pending with 1/2 signatures:\n%s", id, out)
	}
	if out := cli("approve", id, "--signer", "owner-carol", "--config", config); !strings.Contains(out, "threshold reached") {
		t.Errorf("firebreak approve: %s", out)
	}
	if strings.Contains(cli("approvals", "--config", config, "--json"), ownerKeys[2]) {
		t.Error("an owner's key reached the approvals listing")
	}
	// Approving again: refused, and the error names no key.
	cmd := exec.CommandContext(s.ctx, bin, "approve", id, "--signer", "owner-carol", "--config", config, "--log-level", "debug")
	cmd.Env = append(os.Environ(), "FIREBREAK_OWNER_CAROL_KEY="+ownerKeys[2])
	if out, err := cmd.CombinedOutput(); err == nil || strings.Contains(string(out), ownerKeys[2][8:]) {
		t.Errorf("a second approve by the same owner: %v\n%s", err, out)
	}
	rec := s.action(id)
	if rec.State != record.Mined || rec.Status != 1 || rec.To != s.safeDemo.Safe || !s.paused() {
		t.Fatalf("action = %+v, paused %v; want the approved pause mined", rec, s.paused())
	}
	s.approval(id, func(a engine.ApprovalStatus) bool { return a.State == safe.Executed })
	if _, err := engine.Approve(s.ctx, approver, id, "owner2", slog.New(slog.DiscardHandler)); !errors.Is(err, safe.ErrNotPending) {
		t.Fatalf("approving an executed approval: err = %v, want ErrNotPending", err)
	}
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Errorf("the executor sent %d transactions, want 1", n)
	}
	// The audit log tells who approved, then follows the released action.
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	for {
		recs, err := rd.Event(s.ctx, rec.EventID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, r := range recs {
			kinds = append(kinds, string(r.Kind))
		}
		got := strings.Join(kinds, " ")
		if strings.Contains(got, "approval planned") && strings.Contains(got, "mined") {
			break
		}
		if s.ctx.Err() != nil {
			t.Fatalf("audit records of the approved event: %s; want an approval, then planned, then mined", got)
		}
		s.sleep(20 * time.Millisecond)
	}
}

// An approval whose Safe nonce was used by another Safe transaction is
// detected as stale, reported, and can no longer be approved.
func TestSafeStaleApprovalIsDetected(t *testing.T) {
	s := newSafeStack(t, safeConfig{owners: []string{"owner1"}})
	ev := criticalExploit("safe-stale-1")
	s.publish(ev)
	id := s.outcome(ev.ID).Actions[0].Approval
	if id == "" {
		t.Fatal("no approval")
	}
	s.bumpSafeNonce()
	a := s.approval(id, func(a engine.ApprovalStatus) bool { return a.State == safe.Stale })
	if !a.Stale || a.SafeNonce == nil || *a.SafeNonce != 1 || a.Error == "" {
		t.Fatalf("approval = %+v, want stale at Safe nonce 1 with a reason", a)
	}
	approver := s.opts
	approver.SignerInstances = map[string]signer.Signer{"owner2": mustSigner(t, ownerKeys[2])}
	if _, err := engine.Approve(s.ctx, approver, id, "owner2", slog.New(slog.DiscardHandler)); !errors.Is(err, safe.ErrNotPending) {
		t.Fatalf("approving a stale approval: err = %v, want ErrNotPending", err)
	}
	if s.paused() || s.sent(s.guardian.Address()) != 0 {
		t.Fatal("a stale approval was executed")
	}
}

// A pre-signed pause is refreshed when the Safe nonce changes and then
// sent without any owner signer being asked to sign between the event and
// the broadcast.
func TestSafePresignedPauseSignsNothingOnTheHotPath(t *testing.T) {
	s := newSafeStack(t, safeConfig{owners: []string{"owner0", "owner1"}, presign: true})
	p := s.presigned(0)
	if p.SimError != "" {
		t.Fatalf("the pre-signed pause does not simulate: %s", p.SimError)
	}
	if s.owners[0].signed(s.pauseHash(0)) != 1 || s.owners[1].signed(s.pauseHash(0)) != 1 {
		t.Fatal("the pause at nonce 0 was not pre-signed once by each configured owner")
	}

	s.bumpSafeNonce()
	s.presigned(1)
	hot := s.pauseHash(1)
	before := []int{s.owners[0].signed(hot), s.owners[1].signed(hot)}
	if before[0] != 1 || before[1] != 1 {
		t.Fatalf("after the nonce moved the pause was signed %v times, want once by each owner", before)
	}

	ev := criticalExploit("safe-presigned-1")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
		t.Fatalf("actions = %+v, want one", out.Actions)
	}
	rec := s.action(out.Actions[0].ActionID)
	if rec.State != record.Mined || rec.Status != 1 || !s.paused() {
		t.Fatalf("action = %+v, want the pre-signed pause mined", rec)
	}
	// The hot path would have signed exactly this digest: the pause at
	// nonce 1. Nobody signed it again after it was pre-signed.
	if after := []int{s.owners[0].signed(hot), s.owners[1].signed(hot)}; after[0] != before[0] || after[1] != before[1] {
		t.Fatalf("the owners signed the pause %v times by the broadcast, %v before the event: the hot path signed", after, before)
	}
	if n := s.owners[2].signed(hot); n != 0 {
		t.Errorf("an owner the engine does not hold was asked to sign %d times", n)
	}
}

// buildFirebreak builds the firebreak command, for tests that run it as an
// operator would.
func buildFirebreak(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "firebreak")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/firebreak-dev/firebreak/cmd/firebreak").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// policyDir is the shipped library (without its Rego tests) plus extra
// Rego files.
func policyDir(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir("../policies", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".rego" || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		rel, _ := filepath.Rel("../policies", path)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o700); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), src, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Two actions of one event through the same Safe get consecutive Safe
// nonces: the second is built only after the first is final.
func TestSafeTwoActionsOfOneEventBothExecute(t *testing.T) {
	dir := policyDir(t, map[string]string{"freeze.rego": `package firebreak

actions contains {"type": "freeze_bridge", "protocol": input.protocol, "contract": "bridge", "rule": "freeze_on_exploit"} if {
	input.severity == "critical"
}
`})
	s := newSafeStack(t, safeConfig{owners: []string{"owner0", "owner1"}, configure: func(o *config.Options) {
		o.PolicyDir = dir
		o.Allowlist = append(o.Allowlist, config.AllowOptions{ChainID: chainID, Contract: "demo.bridge", Functions: []string{"freeze()"}})
	}})
	ev := criticalExploit("safe-two-1")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 2 {
		t.Fatalf("actions = %+v, want pause and freeze", out.Actions)
	}
	for _, a := range out.Actions {
		if rec := s.action(a.ActionID); rec.State != record.Mined || rec.Status != 1 {
			t.Fatalf("action %s = %+v, want mined", a.ActionID, rec)
		}
	}
	if !s.paused() || !s.frozen() || s.safeNonce() != 2 {
		t.Fatalf("paused %v, frozen %v, Safe nonce %d; want both at nonces 0 and 1", s.paused(), s.frozen(), s.safeNonce())
	}
}

// A decision that requires approval (the shipped policies ask for it
// between approval_min_confidence and min_confidence) waits for human owner
// signatures even when the engine holds enough owner signers.
func TestSafeDecisionRequiringApprovalWaitsForHumans(t *testing.T) {
	s := newSafeStack(t, safeConfig{owners: []string{"owner0", "owner1"}})
	ev := criticalExploit("safe-human-1")
	ev.Confidence = 0.7 // min_confidence 0.8, approval_min_confidence 0.6 by default
	s.publish(ev)
	out := s.outcome(ev.ID)
	if out.Decision == nil || !out.Decision.RequireApproval || len(out.Actions) != 1 || out.Actions[0].Approval == "" {
		t.Fatalf("outcome = %+v, want one action waiting for approval", out)
	}
	a := s.approval(out.Actions[0].Approval, func(engine.ApprovalStatus) bool { return true })
	if a.State != safe.Pending || len(a.Signatures) != 0 || !strings.Contains(a.Reason, "requires approval") || s.paused() {
		t.Fatalf("approval = %+v, want pending with no engine signature", a)
	}
	approver := s.opts
	approver.SignerInstances = map[string]signer.Signer{"a": mustSigner(t, ownerKeys[0]), "b": mustSigner(t, ownerKeys[2])}
	for _, name := range []string{"a", "b"} {
		if _, err := engine.Approve(s.ctx, approver, a.ID, name, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	}
	if rec := s.action(a.ID); rec.State != record.Mined || !s.paused() {
		t.Fatalf("action = %+v, want the approved pause mined", rec)
	}
}
