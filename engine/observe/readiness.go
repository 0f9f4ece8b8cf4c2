package observe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
)

// Status is how a readiness finding came out.
type Status string

// Statuses. Only Fail makes a report not OK (and 'firebreak check' exit 1).
const (
	StatusOK   Status = "ok"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
)

// The checks a finding names (the check label of firebreak_readiness_findings).
const (
	CheckHead      = "head"        // the chain answers, is the configured chain, and its latest block is fresh
	CheckAllowlist = "allowlist"   // the action's (chain, contract, function) is allowed; every entry is registered
	CheckRegistry  = "registry"    // the registry resolves the action (signer, flags)
	CheckCode      = "code"        // the target has code
	CheckState     = "state"       // the action is not in effect already (paused, frozen)
	CheckCall      = "call"        // eth_call of the exact calldata from the sender succeeds
	CheckRole      = "role"        // the sender holds the role the call needs
	CheckBalance   = "balance"     // the payer's balance covers readiness.min_actions transactions
	CheckSigner    = "signer"      // the signer answers with a valid signature
	CheckToken     = "vault_token" // the Vault token is valid beyond readiness.token_margin
	CheckKeyPolicy = "key_policy"  // the Vault key has a signing policy
	CheckSafe      = "safe_quorum" // the Safe's owners firebreak holds plus readiness.safe_quorum reach its threshold
)

// Finding is one readiness check's result. Protocol, Contract and Action
// are empty for findings about a whole chain or signer.
type Finding struct {
	Protocol string `json:"protocol,omitempty"`
	Contract string `json:"contract,omitempty"`
	Action   string `json:"action,omitempty"`
	ChainID  uint64 `json:"chain_id,omitempty"`
	Signer   string `json:"signer,omitempty"`
	Check    string `json:"check"`
	Status   Status `json:"status"`
	// Detail says what was found; Fix, for warnings and failures, what to
	// do about it, in a sentence.
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Report is one readiness check of the whole configuration.
type Report struct {
	At time.Time `json:"at"`
	// Took is how long the check ran.
	Took     time.Duration `json:"took_ns"`
	OK       bool          `json:"ok"`
	Findings []Finding     `json:"findings"`
}

// Failures are the findings of status fail.
func (r Report) Failures() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Status == StatusFail {
			out = append(out, f)
		}
	}
	return out
}

// Chain is what the readiness check reads from a node; *ethclient.Client
// has it.
type Chain interface {
	ChainID(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	CodeAt(ctx context.Context, account common.Address, blockNumber *big.Int) ([]byte, error)
	CallContract(ctx context.Context, call ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
	BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
	EstimateGas(ctx context.Context, call ethereum.CallMsg) (uint64, error)
	FeeHistory(ctx context.Context, blockCount uint64, lastBlock *big.Int, rewardPercentiles []float64) (*ethereum.FeeHistory, error)
}

// CheckerOptions configure a Checker.
type CheckerOptions struct {
	// Config is the validated configuration; its LookupEnv reads the
	// signers' secrets.
	Config config.Options
	// Chains are the nodes by chain id; a configured chain missing here
	// fails its checks.
	Chains map[uint64]Chain
	// Signers are signers already built (the running engine's); the
	// configured ones missing here are built for each run from Config and
	// closed after it (firebreak check). Config.SignerInstances count too.
	Signers map[string]signer.Signer
	// Metrics, when set, get each report (firebreak_readiness_*).
	Metrics *Metrics
	Log     *slog.Logger
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Checker answers, for every contract and action the policies can ask
// for, whether the configured sender can take it right now. It is safe for
// concurrent use.
type Checker struct {
	cfg     config.Options
	r       config.ReadinessOptions
	chains  map[uint64]Chain
	signers map[string]signer.Signer
	metrics *Metrics
	log     *slog.Logger
	now     func() time.Time
	guard   *guard.Guard
	decoder *simulate.Decoder
	allowed map[allowKey]bool
	// roleNames show AccessControl role ids by name.
	roleNames map[[32]byte]string

	mu   sync.Mutex
	last *Report
}

type allowKey struct {
	chain    uint64
	contract common.Address
	function string
}

// NewChecker validates o's readiness settings and returns a Checker.
func NewChecker(o CheckerOptions) (*Checker, error) {
	if err := o.Config.ValidateObserve(); err != nil {
		return nil, err
	}
	c := &Checker{
		cfg: o.Config, r: o.Config.Readiness.WithDefaults(), chains: o.Chains, metrics: o.Metrics, log: o.Log, now: o.Now,
		guard: decide.OfflineGuard(o.Config), signers: map[string]signer.Signer{}, allowed: map[allowKey]bool{},
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	for name, s := range o.Config.SignerInstances {
		c.signers[name] = s
	}
	for name, s := range o.Signers {
		c.signers[name] = s
	}
	var roles []string
	for _, p := range o.Config.Protocols {
		for k, v := range p.Roles {
			roles = append(roles, k, v)
		}
	}
	c.decoder = simulate.NewDecoder(roles...)
	c.roleNames = map[[32]byte]string{{}: "DEFAULT_ADMIN_ROLE"}
	for _, name := range append(roles, "PAUSER_ROLE", "OPERATOR_ROLE", "GUARDIAN_ROLE", "RELAYER_ROLE", "FREEZER_ROLE", "BLOCKER_ROLE", "MINTER_ROLE") {
		if name != "" && !strings.HasPrefix(name, "0x") {
			c.roleNames[crypto.Keccak256Hash([]byte(name))] = name
		}
	}
	for _, a := range o.Config.AllowedCalls() {
		c.allowed[allowKey{a.ChainID, a.Contract, normalizeSig(a.Function)}] = true
	}
	return c, nil
}

// Interval is how often Watch runs the check (readiness.interval).
func (c *Checker) Interval() time.Duration { return c.r.Interval }

// Last is the last report Run made, and false before the first.
func (c *Checker) Last() (Report, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		return Report{}, false
	}
	return *c.last, true
}

// Run checks everything once.
func (c *Checker) Run(ctx context.Context) Report {
	start := c.now()
	r := &run{c: c, heads: map[uint64]error{}, signers: map[string]*signerState{}, payers: map[payerKey]*payer{}}
	defer r.close()
	r.checkAllowlist()
	r.checkHeads(ctx)
	r.checkSigners(ctx)
	for _, pname := range sortedKeys(c.cfg.Protocols) {
		r.checkProtocol(ctx, pname)
	}
	r.checkBalances(ctx)
	rep := Report{At: start.UTC(), Took: c.now().Sub(start), OK: true, Findings: r.findings}
	for _, f := range rep.Findings {
		if f.Status == StatusFail {
			rep.OK = false
		}
	}
	c.mu.Lock()
	c.last = &rep
	c.mu.Unlock()
	c.metrics.ObserveReadiness(rep)
	return rep
}

// Watch runs the check now and then every readiness.interval until ctx
// ends. A change of the set of failures (a new one, or one cleared) is
// logged, at error level while anything fails, and passed to onChange
// (nil: none): the operator's alert.
func (c *Checker) Watch(ctx context.Context, onChange func(prev, cur Report)) {
	t := time.NewTicker(c.r.Interval)
	defer t.Stop()
	var prev *Report
	for {
		rep := c.Run(ctx)
		if ctx.Err() != nil {
			return
		}
		if prev == nil || !sameFailures(*prev, rep) {
			c.logChange(prev, rep)
			if onChange != nil && prev != nil {
				onChange(*prev, rep)
			}
		}
		prev = &rep
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *Checker) logChange(prev *Report, rep Report) {
	fails := rep.Failures()
	if len(fails) == 0 {
		if prev != nil {
			c.log.Warn("readiness restored: every pauser can pause")
		} else {
			c.log.Info("readiness: every pauser can pause", "findings", len(rep.Findings))
		}
		return
	}
	for _, f := range fails {
		c.log.Error("READINESS FAILED: a containment action could not be taken now",
			"protocol", f.Protocol, "contract", f.Contract, "action", f.Action, "chain", f.ChainID, "signer", f.Signer,
			"check", f.Check, "detail", f.Detail, "fix", f.Fix)
	}
}

func sameFailures(a, b Report) bool {
	key := func(r Report) []string {
		var out []string
		for _, f := range r.Failures() {
			out = append(out, f.Protocol+"\x00"+f.Contract+"\x00"+f.Action+"\x00"+f.Signer+"\x00"+f.Check+"\x00"+f.Detail)
		}
		sort.Strings(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// run is the state of one Run.
type run struct {
	c        *Checker
	findings []Finding
	// heads holds, per configured chain, nil when it answered.
	heads   map[uint64]error
	signers map[string]*signerState
	payers  map[payerKey]*payer
	closers []func()
}

func (r *run) add(f Finding) { r.findings = append(r.findings, f) }

func (r *run) close() {
	for _, f := range r.closers {
		f()
	}
}

// call runs one RPC or Vault call under readiness.call_timeout.
func (r *run) call(ctx context.Context, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, r.c.r.CallTimeout)
	defer cancel()
	err := f(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s (readiness.call_timeout): %w", r.c.r.CallTimeout, errTimeout)
	}
	return err
}

var errTimeout = errors.New("timed out")

// rpcCause is an RPC error for a finding: without the node's URL, which
// may hold an API key.
func rpcCause(err error) string {
	if errors.Is(err, errTimeout) {
		return err.Error()
	}
	return transportCause(err)
}

// transportCause strips the URL *url.Error repeats.
func transportCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkHeads reads every configured chain's id and head block.
func (r *run) checkHeads(ctx context.Context) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var out []Finding
	for _, co := range r.c.cfg.Chains {
		wg.Go(func() {
			f, err := r.checkHead(ctx, co)
			mu.Lock()
			defer mu.Unlock()
			r.heads[co.ID] = err
			out = append(out, f)
		})
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].ChainID < out[j].ChainID })
	r.findings = append(r.findings, out...)
}

func (r *run) checkHead(ctx context.Context, co config.ChainOptions) (Finding, error) {
	f := Finding{ChainID: co.ID, Check: CheckHead}
	node := config.RedactURL(co.RPC)
	fail := func(err error, detail, fix string) (Finding, error) {
		f.Status, f.Detail, f.Fix = StatusFail, detail, fix
		return f, err
	}
	ch, ok := r.c.chains[co.ID]
	if !ok {
		err := errors.New("no connection")
		return fail(err, fmt.Sprintf("no connection to chain %d", co.ID), "Check chains[].rpc.")
	}
	var id *big.Int
	if err := r.call(ctx, func(ctx context.Context) (err error) { id, err = ch.ChainID(ctx); return err }); err != nil {
		return fail(err, fmt.Sprintf("the node at %s does not answer: %s", node, rpcCause(err)),
			fmt.Sprintf("Start the node or point chains[].rpc of chain %d at one that answers; until then nothing can be sent on this chain.", co.ID))
	}
	if id.Uint64() != co.ID {
		return fail(fmt.Errorf("chain id %s", id), fmt.Sprintf("the node at %s serves chain %s, not %d", node, id, co.ID),
			fmt.Sprintf("Point chains[].rpc of chain %d at a node of that chain.", co.ID))
	}
	var h *types.Header
	if err := r.call(ctx, func(ctx context.Context) (err error) { h, err = ch.HeaderByNumber(ctx, nil); return err }); err != nil {
		return fail(err, fmt.Sprintf("the node at %s does not return its head block: %s", node, rpcCause(err)),
			fmt.Sprintf("Check the node of chain %d.", co.ID))
	}
	lag := r.c.now().Sub(time.Unix(int64(h.Time), 0))
	if lag > r.c.r.MaxHeadLag {
		// The node answers: the contract checks still run, on its state.
		f.Status, f.Detail = StatusFail, fmt.Sprintf("head block %d at %s is %s old (readiness.max_head_lag %s)", h.Number, node, lag.Round(time.Second), r.c.r.MaxHeadLag)
		f.Fix = fmt.Sprintf("The node of chain %d is behind or the chain stalled: point chains[].rpc at a synced node.", co.ID)
		return f, nil
	}
	f.Status, f.Detail = StatusOK, fmt.Sprintf("head block %d, %s old", h.Number, max(lag, 0).Round(time.Second))
	return f, nil
}

// checkAllowlist finds allowlist entries for contracts the registry does
// not hold: an allowance nothing firebreak protects should need.
func (r *run) checkAllowlist() {
	registered := map[allowKey]string{}
	for pname, p := range r.c.cfg.Protocols {
		for cname, c := range p.Contracts {
			registered[allowKey{chain: p.ChainID, contract: common.HexToAddress(c.Address)}] = pname + "." + cname
		}
	}
	for i, a := range r.c.cfg.Allowlist {
		addr, err := r.c.cfg.ResolveContract(a.Contract)
		if err != nil {
			continue // Validate refuses it
		}
		if _, ok := registered[allowKey{chain: a.ChainID, contract: addr}]; !ok {
			r.add(Finding{ChainID: a.ChainID, Check: CheckAllowlist, Status: StatusFail,
				Detail: fmt.Sprintf("allowlist[%d] allows %v on %s (chain %d), which is not a contract of any registered protocol on that chain", i, a.Functions, a.Contract, a.ChainID),
				Fix:    fmt.Sprintf("Remove allowlist[%d], or register the contract under protocols.<name>.contracts on chain %d.", i, a.ChainID)})
		}
	}
}
