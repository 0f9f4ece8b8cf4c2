package observe

import (
	"bytes"
	"context"
	"log/slog"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/firebreak-dev/firebreak/contracts"
	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
	signersafe "github.com/firebreak-dev/firebreak/signer/safe"
)

// More of anvil's development keys: the owners of a 2-of-3 Safe.
var ownerKeys = []string{
	"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
	"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
	"8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
}

type chain struct {
	t      *testing.T
	client *ethclient.Client
	url    string
}

func startChain(t *testing.T) *chain {
	t.Helper()
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: contracts.DevChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	client, err := ethclient.DialContext(ctx, a.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return &chain{t: t, client: client, url: a.URL()}
}

func mustLocal(t *testing.T, key string) *local.Signer {
	t.Helper()
	s, err := local.FromHex(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (c *chain) auth() *bind.TransactOpts {
	admin, _ := crypto.HexToECDSA(contracts.DevAdminKey)
	return bind.NewKeyedTransactor(admin, big.NewInt(contracts.DevChainID))
}

// send has key send data to `to` and waits for its receipt.
func (c *chain) send(key string, to common.Address, data []byte) {
	t := c.t
	t.Helper()
	ctx := context.Background()
	k, _ := crypto.HexToECDSA(key)
	nonce, err := c.client.PendingNonceAt(ctx, crypto.PubkeyToAddress(k.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	price, _ := c.client.SuggestGasPrice(ctx)
	tx, _ := types.SignTx(types.NewTx(&types.LegacyTx{Nonce: nonce, To: &to, Gas: 500_000, GasPrice: price, Data: data}),
		types.NewEIP155Signer(big.NewInt(contracts.DevChainID)), k)
	if err := c.client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if r, err := bind.WaitMined(wctx, c.client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("tx %s: %v", tx.Hash(), err)
	}
}

func (c *chain) snapshot() func() {
	var id hexutil.Big
	if err := c.client.Client().Call(&id, "evm_snapshot"); err != nil {
		c.t.Fatal(err)
	}
	return func() { _ = c.client.Client().Call(nil, "evm_revert", &id) }
}

func (c *chain) options(configure func(*config.Options)) config.Options {
	o := config.DefaultOptions()
	o.Chains = []config.ChainOptions{{ID: contracts.DevChainID, Name: "anvil", RPC: c.url}}
	o.Readiness = config.ReadinessOptions{MaxHeadLag: 10 * time.Minute, CallTimeout: 3 * time.Second}
	configure(&o)
	if err := o.Validate(); err != nil {
		c.t.Fatal(err)
	}
	return o
}

func (c *chain) checker(o config.Options, now func() time.Time, m *Metrics, log *slog.Logger) *Checker {
	ck, err := NewChecker(CheckerOptions{Config: o, Chains: map[uint64]Chain{contracts.DevChainID: c.client}, Now: now, Metrics: m, Log: log})
	if err != nil {
		c.t.Fatal(err)
	}
	return ck
}

func find(rep Report, check, contract, action string) (Finding, bool) {
	for _, f := range rep.Findings {
		if f.Check == check && f.Contract == contract && (action == "" || f.Action == action) {
			return f, true
		}
	}
	return Finding{}, false
}

func show(rep Report) string {
	var b bytes.Buffer
	_ = rep.WriteTable(&b)
	return b.String()
}

// A Safe that holds the pauser role: firebreak's two owner keys reach its
// 2-of-3 threshold; once an owner is rotated away they no longer do, and
// readiness.safe_quorum counts the people who would approve.
func TestReadinessSafe(t *testing.T) {
	c := startChain(t)
	ctx := context.Background()
	owners := make([]*local.Signer, 3)
	var addrs []common.Address
	for i, k := range ownerKeys {
		owners[i] = mustLocal(t, k)
		addrs = append(addrs, owners[i].Address())
	}
	operator := mustLocal(t, contracts.DevOperatorKey)
	d, err := safeabi.DeployDemo(ctx, c.client, c.auth(), addrs, 2, operator.Address(), big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	executor := mustLocal(t, contracts.DevGuardianKey)
	opts := func(quorum int) config.Options {
		return c.options(func(o *config.Options) {
			o.SignerInstances = map[string]signer.Signer{"owner0": owners[0], "owner1": owners[1], "executor": executor}
			o.Signers = map[string]config.SignerOptions{"treasury": {Kind: "safe", SafeSignerOptions: config.SafeSignerOptions{
				Address: d.Safe.Hex(), ChainID: contracts.DevChainID, Owners: []string{"owner0", "owner1"}, Executor: "executor",
			}}}
			o.Readiness.SafeQuorum = quorum
			o.Protocols = map[string]config.ProtocolOptions{"demo": {ChainID: contracts.DevChainID, Signer: "treasury",
				Contracts: map[string]config.ContractOptions{"vault": {Address: d.Vault.Hex(), Pausable: true}}}}
			o.Allowlist = []config.AllowOptions{{ChainID: contracts.DevChainID, Contract: "demo.vault", Functions: []string{"pause()"}}}
		})
	}

	rep := c.checker(opts(0), nil, nil, nil).Run(ctx)
	if !rep.OK {
		t.Fatalf("the Safe setup should pass:\n%s", show(rep))
	}
	call, _ := find(rep, CheckCall, "vault", "pause")
	quorum, _ := find(rep, CheckSafe, "", "")
	bal, _ := find(rep, CheckBalance, "", "")
	if !strings.Contains(call.Detail, "from "+d.Safe.Hex()+" succeeds") || quorum.Status != StatusOK || bal.Signer != "executor" {
		t.Fatalf("call %+v\nquorum %+v\nbalance %+v", call, quorum, bal)
	}

	// Rotate owner1 away: the Safe, signed by owner0 and owner1, swaps it
	// for a new owner firebreak does not hold.
	sf := signersafe.New(d.Safe, contracts.DevChainID, nil, c.client)
	st, err := sf.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prev := common.HexToAddress("0x1") // the Safe's owner list sentinel
	for i, o := range st.Owners {
		if o == owners[1].Address() && i > 0 {
			prev = st.Owners[i-1]
		}
	}
	newOwner := common.HexToAddress("0x000000000000000000000000000000000000bEEF")
	tx := signersafe.NewTx(d.Safe, safeabi.NewSafe().PackSwapOwner(prev, owners[1].Address(), newOwner), st.Nonce)
	sigs, err := sf.Sign(ctx, tx, st, signersafe.Owner{Name: "owner0", Signer: owners[0]}, signersafe.Owner{Name: "owner1", Signer: owners[1]})
	if err != nil {
		t.Fatal(err)
	}
	exec, err := sf.ExecCalldata(tx, sigs, st)
	if err != nil {
		t.Fatal(err)
	}
	c.send(contracts.DevGuardianKey, d.Safe, exec)

	rep = c.checker(opts(0), nil, nil, nil).Run(ctx)
	f, ok := find(rep, CheckSafe, "", "")
	if rep.OK || !ok || f.Status != StatusFail || !strings.Contains(f.Detail, "needs 2 of 3 owners; firebreak holds 1 usable (owner0)") ||
		!strings.Contains(f.Detail, "owner1 ("+owners[1].Address().Hex()+" is not an owner)") || !strings.Contains(f.Fix, "1 more owner key") {
		t.Fatalf("after the rotation:\n%s", show(rep))
	}
	rep = c.checker(opts(1), nil, nil, nil).Run(ctx)
	if f, _ := find(rep, CheckSafe, "", ""); !rep.OK || f.Status != StatusWarn {
		t.Fatalf("with safe_quorum 1 the rotated owner is a warning:\n%s", show(rep))
	}
}

// demoOptions is the demo protocol with its vault marked AccessControl and
// the roles named.
func (c *chain) demo(t *testing.T) (contracts.Demo, func(*config.Options)) {
	t.Helper()
	guardian := mustLocal(t, contracts.DevGuardianKey)
	d, err := contracts.DeployDemo(context.Background(), c.client, c.auth(), guardian.Address(), mustLocal(t, contracts.DevOperatorKey).Address(), big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	return d, func(o *config.Options) {
		o.SignerInstances = map[string]signer.Signer{"guardian": guardian}
		o.Protocols = map[string]config.ProtocolOptions{"demo": {ChainID: contracts.DevChainID, Signer: "guardian",
			Roles: map[string]string{"pauser": "PAUSER_ROLE", "operator": "OPERATOR_ROLE"},
			Contracts: map[string]config.ContractOptions{
				"vault":  {Address: d.Vault.Hex(), Pausable: true, AccessControl: true},
				"bridge": {Address: d.Bridge.Hex(), Bridge: true},
			}}}
		o.Allowlist = []config.AllowOptions{
			{ChainID: contracts.DevChainID, Contract: "demo.vault", Functions: []string{"pause()", "revokeRole(bytes32,address)"}},
			{ChainID: contracts.DevChainID, Contract: "demo.bridge", Functions: []string{"freeze()"}},
		}
	}
}

func TestReadinessRolesAndHead(t *testing.T) {
	c := startChain(t)
	ctx := context.Background()
	_, configure := c.demo(t)
	guardian := mustLocal(t, contracts.DevGuardianKey).Address()

	t.Run("roles", func(t *testing.T) {
		rep := c.checker(c.options(configure), nil, nil, nil).Run(ctx)
		pause, ok := find(rep, CheckRole, "vault", "pause")
		if !ok || pause.Status != StatusOK || !strings.Contains(pause.Detail, guardian.Hex()+" holds PAUSER_ROLE") {
			t.Fatalf("pause role %+v:\n%s", pause, show(rep))
		}
		// The guardian pauses, but cannot revoke: revokeRole needs the
		// role's admin, DEFAULT_ADMIN_ROLE, which only the admin holds.
		revoke, ok := find(rep, CheckRole, "vault", "revoke_role operator")
		if !ok || revoke.Status != StatusFail || !strings.Contains(revoke.Detail, "does not hold DEFAULT_ADMIN_ROLE (the admin role of OPERATOR_ROLE") ||
			!strings.Contains(revoke.Fix, "Grant DEFAULT_ADMIN_ROLE") {
			t.Fatalf("revoke role %+v:\n%s", revoke, show(rep))
		}
		if call, _ := find(rep, CheckCall, "vault", "revoke_role operator"); call.Status != StatusFail || !strings.Contains(call.Detail, "lost DEFAULT_ADMIN_ROLE") {
			t.Fatalf("revokeRole's eth_call %+v", call)
		}
	})

	t.Run("stale head", func(t *testing.T) {
		later := func() time.Time { return time.Now().Add(time.Hour) }
		rep := c.checker(c.options(configure), later, nil, nil).Run(ctx)
		head, _ := find(rep, CheckHead, "", "")
		if head.Status != StatusFail || !strings.Contains(head.Detail, "old (readiness.max_head_lag 10m0s)") || !strings.Contains(head.Fix, "synced node") {
			t.Fatalf("head %+v", head)
		}
		if call, _ := find(rep, CheckCall, "vault", "pause"); call.Status != StatusOK {
			t.Fatalf("a lagging node still answers; the calls are checked on it: %+v", call)
		}
	})
}

// syncBuffer is a log destination the test reads while the checker writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// In serve the check runs every readiness.interval: a lost role flips the
// metrics and is logged as an alert, and so is its repair.
func TestReadinessWatchFlipsMetricsAndAlerts(t *testing.T) {
	c := startChain(t)
	d, configure := c.demo(t)
	opts := c.options(func(o *config.Options) {
		configure(o)
		o.Readiness.Interval = time.Second
	})
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	var logs syncBuffer
	ck := c.checker(opts, nil, m, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	var changes []Report
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		ck.Watch(ctx, func(_, cur Report) { mu.Lock(); changes = append(changes, cur); mu.Unlock() })
	}()
	defer func() { cancel(); <-done }()

	fails := func() float64 {
		return testutil.ToFloat64(m.findings.WithLabelValues("demo", CheckCall, string(StatusFail)))
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 15s; log:\n%s", what, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The demo's guardian cannot revoke roles (see TestReadinessRolesAndHead):
	// the baseline has those failures; the pause is what flips.
	pauseFails := func() bool {
		rep, ok := ck.Last()
		if !ok {
			return false
		}
		f, _ := find(rep, CheckCall, "vault", "pause")
		return f.Status == StatusFail
	}
	waitFor("first run", func() bool { _, ok := ck.Last(); return ok })
	base := fails()
	if pauseFails() {
		t.Fatal("the pause fails before anything changed")
	}
	c.send(contracts.DevAdminKey, d.Vault, contracts.NewProtectedVault().PackRevokeRole(crypto.Keccak256Hash([]byte("PAUSER_ROLE")), mustLocal(t, contracts.DevGuardianKey).Address()))
	waitFor("the lost role", pauseFails)
	if fails() != base+1 || testutil.ToFloat64(m.readyOK) != 0 {
		t.Fatalf("findings{call,fail} %v (was %v), readiness_ok %v", fails(), base, testutil.ToFloat64(m.readyOK))
	}
	waitFor("the alert", func() bool {
		return strings.Contains(logs.String(), "READINESS FAILED") && strings.Contains(logs.String(), "lost PAUSER_ROLE")
	})
	c.send(contracts.DevAdminKey, d.Vault, contracts.NewProtectedVault().PackGrantRole(crypto.Keccak256Hash([]byte("PAUSER_ROLE")), mustLocal(t, contracts.DevGuardianKey).Address()))
	waitFor("the repair", func() bool { return !pauseFails() && fails() == base })
	mu.Lock()
	defer mu.Unlock()
	if len(changes) < 2 {
		t.Fatalf("onChange called %d times", len(changes))
	}
}
