package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/engine/watch"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// drillOptions are the drill's settings; runDrill fills them from flags.
type drillOptions struct {
	Scenario  string
	BlockTime time.Duration
	// Response false runs the baseline: no engine, the watcher only reports.
	Response bool
	Anvil    string
	// Funds each drill contract holds, in ETH; Slices is how many slices
	// of it the attacker takes (one a block): 10 means 10% a block.
	Funds  int64
	Slices int
	// AttackerTip and MinTip (the chain's min_tip in the engine's
	// configuration) in gwei.
	AttackerTip, MinTip float64
	Timeout             time.Duration
	// OutDir is the drill's output folder: the incident report (Markdown
	// and HTML) of a run with a response goes there. Empty: none written.
	OutDir   string
	Log      *slog.Logger
	Progress func(format string, a ...any)
}

func defaultDrillOptions() drillOptions {
	return drillOptions{Scenario: "reentrancy-drain", BlockTime: time.Second, Response: true, Funds: 100, Slices: 10,
		AttackerTip: 2, MinTip: 5, Timeout: 2 * time.Minute}
}

func runDrill(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	o := defaultDrillOptions()
	fs := flag.NewFlagSet("drill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Scenario, "scenario", o.Scenario, "the attack: "+strings.Join(scenarioNames(), ", ")+", or all (each with and without firebreak)")
	fs.DurationVar(&o.BlockTime, "block-time", o.BlockTime, "anvil's block time")
	noResponse := fs.Bool("no-response", false, "the baseline: the same attack with no engine running (the watcher still reports)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.StringVar(&o.Anvil, "anvil", "", "anvil binary (default: $FIREBREAK_ANVIL, the Makefile's .tools install, or PATH)")
	fs.IntVar(&o.Slices, "slices", o.Slices, "the attacker drains the funds in this many slices, one a block")
	fs.Int64Var(&o.Funds, "funds", o.Funds, "ETH each drill contract holds at the start")
	fs.Float64Var(&o.AttackerTip, "attacker-tip", o.AttackerTip, "the attacker's priority fee, in gwei")
	fs.Float64Var(&o.MinTip, "min-tip", o.MinTip, "the engine's min_tip for the chain, in gwei: the emergency floor of its pricing (0: the shipped default, the 99th percentile of recent tips only)")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "give up after this long")
	verbose := fs.Bool("verbose", false, "show the engine's and the watcher's log")
	fs.StringVar(&o.OutDir, "out", "", "the drill's output folder, for the incident report of each run with firebreak (default: a new folder in the system's temporary folder)")
	var fk forkDrill
	fs.StringVar(&fk.ConfigPath, "config", "", "rehearse your own setup: your firebreak.yaml (its policies, registry, allowlist, guard and watch rules) on a fork of your chain, your signers' accounts impersonated")
	fs.StringVar(&fk.ForkURL, "fork-url", "", "with --config: a node of your chain to fork (default $"+forkURLEnv+", which keeps an API key off the command line)")
	fs.Uint64Var(&fk.ForkBlock, "fork-block", 0, "with --config: the block to fork at (default: the head)")
	fs.StringVar(&fk.Protocol, "protocol", "", "with --config: the protocol to attack (default: the only one)")
	fs.StringVar(&fk.Target, "target", "", "with --config: the protocol's contract whose funds the attack drains (default: the only one)")
	fs.StringVar(&fk.Token, "token", "", "with --config: the ERC-20 (address or contract name) counted as the target's funds (default: its ETH)")
	fs.StringVar(&fk.AttackFrom, "attack-from", "", "with --config: the attacker's account, impersonated on the fork (a compromised key of yours); default a fresh account")
	fs.StringVar(&fk.AttackTo, "attack-to", "", "with --config: what the attacker calls, an address or a contract name (default: the target)")
	fs.StringVar(&fk.AttackData, "attack-data", "", "with --config: the calldata the attacker sends once a block, 0x hex (for example $(cast calldata 'withdraw(uint256)' 1000))")
	fs.StringVar(&fk.AttackValue, "attack-value", "", "with --config: ETH sent with each attacker call, in wei")
	fs.Uint64Var(&fk.AttackGas, "attack-gas", 1_000_000, "with --config: the attacker's gas limit (fixed, so that a call that reverts is sent and mined anyway)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak drill [--scenario NAME|all] [--block-time 1s] [--no-response] [--json]

A fire drill: rehearses an exploit end to end on this machine and measures
what firebreak saves. It starts anvil with a block time and an embedded NATS
server, deploys the demo protocol and the drill protocol (DrillVault and
DrillBridge, vulnerable on purpose, holding funds), starts the engine with
the shipped policies and firebreak's own watcher as the detector, and runs a
scripted attacker that drains a slice a block with a high priority fee.

Scenarios:
  reentrancy-drain      an attacker contract re-enters DrillVault.withdrawAll;
                        the response pauses the vault
  compromised-operator  a stolen operator key sweeps the vault; the response
                        pauses it and revokes the operator's role
  bridge-outflow        forged releases drain DrillBridge; the response
                        freezes it

It writes the incident report (the postmortem from the engine's audit log,
Markdown and HTML: docs/postmortem.md) into --out and prints its path.
It prints a block-by-block timeline (attacker transactions, detection,
decision, broadcast, inclusion, the attacker's transactions that reverted
after it, and the order within each block) and the outcome: blocks and
milliseconds from the first malicious transaction to detection, broadcast
and inclusion, and the funds at the start, drained and saved. --no-response
runs the same attack with no engine: the baseline. Exits 0 when the drill ran
(and, with a response, the containment was included), 1 otherwise.

Your own setup: --config firebreak.yaml runs your configuration (policies,
registry, allowlist, guard, watch rules) against a fork of your chain
(--fork-url, or $FIREBREAK_FORK_URL), your signers' accounts impersonated
(each needs address: in signers), and an attacker that sends --attack-data
once a block; it never contacts your Vault, relays, channels or other nodes.

Reference: docs/drills.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if msg := checkForkFlags(&fk, set, lookupEnv, stderr); msg != "" {
		fmt.Fprintln(stderr, "firebreak drill:", msg)
		return exitUsage
	}
	o.Response = !*noResponse
	logLevel := slog.LevelError
	if *verbose {
		logLevel = slog.LevelInfo
	}
	o.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel}))
	o.Progress = func(format string, a ...any) {
		if !*asJSON {
			fmt.Fprintf(stderr, "• "+format+"\n", a...)
		}
	}
	engine.TuneGC(os.LookupEnv)

	if o.Response && o.OutDir == "" {
		dir, err := os.MkdirTemp("", "firebreak-drill-")
		if err != nil {
			fmt.Fprintln(stderr, "firebreak drill:", err)
			return exitFailure
		}
		o.OutDir = dir
	}
	if fk.ConfigPath != "" {
		rep, err := forkDrillRun(ctx, o, fk)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak drill:", err)
			return exitFailure
		}
		if *asJSON {
			_ = printJSON(stdout, rep)
		} else {
			printDrill(stdout, rep)
		}
		if o.Response && !rep.Contained {
			return exitFailure
		}
		return exitOK
	}
	runs := []drillOptions{o}
	if o.Scenario == "all" {
		runs = nil
		for _, sc := range drillScenarios {
			for _, resp := range []bool{true, false} {
				r := o
				r.Scenario, r.Response = sc.Name, resp
				runs = append(runs, r)
			}
		}
	} else if _, ok := scenarioNamed(o.Scenario); !ok {
		fmt.Fprintf(stderr, "firebreak drill: unknown scenario %q (known: %s, all)\n", o.Scenario, strings.Join(scenarioNames(), ", "))
		return exitUsage
	}
	var reps []drillReport
	code := exitOK
	for _, r := range runs {
		rep, err := drill(ctx, r)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak drill:", err)
			return exitFailure
		}
		if r.Response && !rep.Contained {
			code = exitFailure
		}
		reps = append(reps, rep)
		if !*asJSON {
			printDrill(stdout, rep)
		}
	}
	if *asJSON {
		if len(reps) == 1 {
			_ = printJSON(stdout, reps[0])
		} else {
			_ = printJSON(stdout, reps)
		}
	} else if len(reps) > 1 {
		printDrillTable(stdout, reps)
	}
	return code
}

func scenarioNames() []string {
	var out []string
	for _, s := range drillScenarios {
		out = append(out, s.Name)
	}
	return out
}

// drill runs one drill and reports it.
func drill(ctx context.Context, o drillOptions) (drillReport, error) {
	sc, ok := scenarioNamed(o.Scenario)
	if !ok {
		return drillReport{}, fmt.Errorf("unknown scenario %q", o.Scenario)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	if o.Slices < 1 || o.Funds < 1 {
		return drillReport{}, errors.New("--slices and --funds must be at least 1")
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	progress := o.Progress

	progress("starting anvil with a %s block time", o.BlockTime)
	node, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: o.Anvil, ChainID: demoChainID, BlockTime: o.BlockTime})
	if err != nil {
		return drillReport{}, err
	}
	defer node.Stop()
	client, err := ethclient.DialContext(ctx, node.URL())
	if err != nil {
		return drillReport{}, fmt.Errorf("connecting to anvil: %w", err)
	}
	defer client.Close()

	adminKey, _ := crypto.HexToECDSA(demoAdminKey)
	attackerKey, _ := crypto.HexToECDSA(contracts.DevAttackerKey)
	drillOperatorKey, _ := crypto.HexToECDSA(contracts.DevDrillOperatorKey)
	guardian, err := local.FromHex(demoGuardianKey)
	if err != nil {
		return drillReport{}, err
	}
	operator, err := local.FromHex(demoOperatorKey)
	if err != nil {
		return drillReport{}, err
	}
	chainID := big.NewInt(demoChainID)
	admin := bind.NewKeyedTransactor(adminKey, chainID)
	progress("deploying the demo protocol and the drill protocol (DrillVault, DrillBridge, %d ETH each)", o.Funds)
	demoDeployed, err := contracts.DeployDemo(ctx, client, admin, guardian.Address(), operator.Address(), big.NewInt(1e18))
	if err != nil {
		return drillReport{}, err
	}
	funds := new(big.Int).Mul(big.NewInt(o.Funds), big.NewInt(1e18))
	d, err := contracts.DeployDrill(ctx, client, admin, bind.NewKeyedTransactor(attackerKey, chainID), guardian.Address(),
		crypto.PubkeyToAddress(drillOperatorKey.PublicKey), funds)
	if err != nil {
		return drillReport{}, err
	}

	dataDir, err := os.MkdirTemp("", "firebreak-drill-")
	if err != nil {
		return drillReport{}, err
	}
	defer os.RemoveAll(dataDir)
	opts := drillEngineOptions(dataDir, node.URL(), node.WSURL(), demoDeployed, d, guardian, funds, o.MinTip)

	st, err := startDrillStack(ctx, o, opts, demoChainID, client, node.WSURL())
	if err != nil {
		return drillReport{}, err
	}
	defer st.stop()

	tip := gweiToWei(o.AttackerTip)
	slice := new(big.Int).Div(funds, big.NewInt(int64(o.Slices)))
	atk, err := newAttacker(ctx, sc, client, d, slice, o.Slices, tip)
	if err != nil {
		return drillReport{}, err
	}
	progress("attack: %s (%s ETH a block, tip %g gwei)", sc.About, ethString(slice), o.AttackerTip)
	return st.attack(ctx, client, node.WSURL(), sc, atk)
}

// drillStack is what a drill runs beside the chain: the engine (unless
// --no-response) and the watcher, with the recorder of what they did.
type drillStack struct {
	o     drillOptions
	eng   *engine.Engine
	w     *watch.Watcher
	rec   *drillRecorder
	stops []func()
}

// startDrillStack starts the engine on opts (without its own watcher) and
// the drill's watcher on opts' watch: section, reading chainID over client
// and heads over wsURL. stop stops both.
func startDrillStack(ctx context.Context, o drillOptions, opts config.Options, chainID uint64, client *ethclient.Client, wsURL string) (st *drillStack, err error) {
	log, progress := o.Log, o.Progress
	st = &drillStack{o: o, rec: &drillRecorder{heads: map[uint64]time.Time{}}}
	defer func() {
		if err != nil {
			st.stop()
		}
	}()
	// The drill's watcher is the only one: the engine's would publish the
	// same events a second time (deduplicated, but twice the reads).
	engOpts := opts
	engOpts.Watch = config.WatchOptions{}
	var dial func(name string) (*nats.Conn, error)
	if o.Response {
		if st.eng, err = engine.New(engOpts, log); err != nil {
			return st, err
		}
		progress("starting the engine with %s and an embedded NATS server", drillPolicies(opts))
		engCtx, stopEngine := context.WithCancel(ctx)
		engDone := make(chan error, 1)
		go func() { engDone <- st.eng.Run(engCtx) }()
		st.stops = append(st.stops, func() { stopEngine(); <-engDone })
		select {
		case <-st.eng.Ready():
		case err := <-engDone:
			engDone <- err
			return st, fmt.Errorf("engine did not start: %w", err)
		case <-ctx.Done():
			return st, fmt.Errorf("engine did not start: %w", ctx.Err())
		}
		dial = st.eng.DialNATS
	} else {
		progress("no response (the baseline): an embedded NATS server for the watcher, no engine")
		srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: opts.DataDir, Host: "127.0.0.1", Port: -1}, log)
		if err != nil {
			return st, err
		}
		st.stops = append(st.stops, srv.Shutdown)
		dial = srv.Dial
	}
	// The watcher connects as the engine does, in process: its cursor
	// bucket is beyond a detector identity's permissions.
	nc, err := dial("firebreak-watch")
	if err != nil {
		return st, err
	}
	st.stops = append(st.stops, nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		return st, err
	}
	if !o.Response {
		if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{MaxAge: time.Hour}); err != nil {
			return st, err
		}
	}
	wsWatch, err := ethclient.DialContext(ctx, wsURL)
	if err != nil {
		return st, err
	}
	st.stops = append(st.stops, wsWatch.Close)
	if st.w, err = watch.New(opts, watch.Options{
		Nodes:       map[uint64]watch.Node{chainID: {Node: client, Heads: wsWatch}},
		JetStream:   js,
		OnDetection: st.rec.detection,
	}, log); err != nil {
		return st, err
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan error, 1)
	go func() { watchDone <- st.w.Run(watchCtx) }()
	st.stops = append(st.stops, func() { stopWatch(); <-watchDone })
	select {
	case <-st.w.Ready():
	case err := <-watchDone:
		watchDone <- err
		return st, fmt.Errorf("the watcher did not start: %w", err)
	case <-ctx.Done():
		return st, fmt.Errorf("the watcher did not start: %w", ctx.Err())
	}
	return st, nil
}

// stop stops what startDrillStack started, the last first.
func (st *drillStack) stop() {
	for i := len(st.stops) - 1; i >= 0; i-- {
		st.stops[i]()
	}
	st.stops = nil
}

// attack runs atk to its end, then collects the report and, with a
// response, writes the incident report.
func (st *drillStack) attack(ctx context.Context, client *ethclient.Client, wsURL string, sc drillScenario, atk *attacker) (drillReport, error) {
	o := st.o
	last, err := runAttack(ctx, client, wsURL, atk, st.rec, st.w, o)
	if err != nil {
		return drillReport{}, err
	}
	o.Progress("collecting the timeline")
	rep, err := collectDrill(ctx, client, st.eng, sc, o, atk, st.rec, last)
	if err != nil || !o.Response || o.OutDir == "" {
		return rep, err
	}
	o.Progress("writing the incident report from the audit log into %s", o.OutDir)
	if rep.Postmortem, err = writeDrillPostmortem(ctx, st.eng, o.OutDir, rep); err != nil {
		rep.Notes = append(rep.Notes, "incident report not written: "+err.Error())
	}
	return rep, nil
}

// drillPolicies says which policies the engine runs.
func drillPolicies(o config.Options) string {
	switch {
	case strings.HasPrefix(o.PolicyBundle, "http"):
		return "the policy bundle at " + config.RedactURL(o.PolicyBundle)
	case o.PolicyBundle != "":
		return "the policy bundle " + o.PolicyBundle
	case o.PolicyDir != "":
		return "the policies in " + o.PolicyDir
	}
	return "the shipped policies"
}

// runAttack lets the attacker act at every new head until it is done, then
// waits until every one of its transactions is mined, the containment (if
// any) is final and the watcher has evaluated the last block. It returns
// the last block of the drill.
func runAttack(ctx context.Context, client *ethclient.Client, wsURL string, atk *attacker, rec *drillRecorder, w *watch.Watcher, o drillOptions) (uint64, error) {
	ws, err := ethclient.DialContext(ctx, wsURL)
	if err != nil {
		return 0, err
	}
	defer ws.Close()
	heads := make(chan *types.Header, 64)
	sub, err := ws.SubscribeNewHead(ctx, heads)
	if err != nil {
		return 0, fmt.Errorf("drill: new heads: %w", err)
	}
	defer sub.Unsubscribe()
	var last uint64
	settle := -1 // blocks still to wait once the attacker is done
	for {
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("drill: the attack did not finish: %w", ctx.Err())
		case err := <-sub.Err():
			return 0, fmt.Errorf("drill: new heads: %w", err)
		case h := <-heads:
			rec.head(h.Number.Uint64(), time.Now())
			last = h.Number.Uint64()
			if settle < 0 {
				if atk.onHead(ctx, h) {
					settle = 2
				}
				continue
			}
			if settle > 0 && allMined(ctx, client, atk.txs()) {
				settle--
			}
			if settle == 0 {
				if err := waitWatcher(ctx, w, last); err != nil {
					return 0, err
				}
				return last, nil
			}
		}
	}
}

func allMined(ctx context.Context, client *ethclient.Client, txs []attackTx) bool {
	for _, t := range txs {
		if _, err := client.TransactionReceipt(ctx, t.Hash); err != nil {
			return false
		}
	}
	return true
}

func waitWatcher(ctx context.Context, w *watch.Watcher, block uint64) error {
	for {
		if s := w.Stats(); len(s) > 0 && s[0].Cursor >= block {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("drill: the watcher did not reach block %d: %w", block, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// drillRecorder keeps when the drill saw each head and what the watcher
// published.
type drillRecorder struct {
	mu         sync.Mutex
	heads      map[uint64]time.Time
	detections []watch.Detection
}

func (r *drillRecorder) head(n uint64, at time.Time) {
	r.mu.Lock()
	if _, ok := r.heads[n]; !ok {
		r.heads[n] = at
	}
	r.mu.Unlock()
}

func (r *drillRecorder) detection(d watch.Detection) {
	r.mu.Lock()
	r.detections = append(r.detections, d)
	r.mu.Unlock()
}

// drillEngineOptions are the demo's options plus the drill protocol, its
// allowlist and the watcher's rules for it.
func drillEngineOptions(dataDir, rpcURL, wsURL string, demo contracts.Demo, d contracts.Drill, guardian *local.Signer, funds *big.Int, minTip float64) config.Options {
	opts := demoOptions(dataDir, rpcURL, wsURL, demo, guardian)
	opts.Chains[0].MinTip = minTip
	minConf := 0.8
	bridgeThreshold := new(big.Int).Div(funds, big.NewInt(20)) // 5%
	opts.Protocols["drill"] = config.ProtocolOptions{
		ChainID: demoChainID, MinConfidence: &minConf, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{
			"vault":  {Address: d.Vault.Hex(), Pausable: true, AccessControl: true},
			"bridge": {Address: d.Bridge.Hex(), Bridge: true, OutflowThreshold: bridgeThreshold.String(), OutflowWindow: time.Hour},
		},
		Roles: map[string]string{"operator": "OPERATOR_ROLE"},
	}
	opts.Allowlist = append(opts.Allowlist,
		config.AllowOptions{ChainID: demoChainID, Contract: "drill.vault", Functions: []string{"pause()", "revokeRole(bytes32,address)"}},
		config.AllowOptions{ChainID: demoChainID, Contract: "drill.bridge", Functions: []string{"freeze()"}},
	)
	treasury, _ := crypto.HexToECDSA(contracts.DevTreasuryKey)
	opts.Watch = config.WatchOptions{Protocols: map[string]config.WatchProtocolOptions{"drill": {
		KnownAccounts: []string{crypto.PubkeyToAddress(treasury.PublicKey).Hex()},
		Rules: []config.WatchRule{
			{Name: "vault-outflow", Kind: config.WatchOutflow, Contract: "vault", Threshold: "2%", ExploitThreshold: "5%", WindowBlocks: 10},
			{Name: "vault-sweep-to-stranger", Kind: config.WatchEvent, Contract: "vault",
				Event:     "Swept(address indexed operator, address indexed to, uint256 amount)",
				Where:     []config.WatchCondition{{Arg: "to", Op: "not_in_registry"}},
				AlertType: "compromised-key", Severity: "critical",
				Metadata: map[string]string{"role": "operator"}, MetadataArgs: map[string]string{"account": "operator"}},
			{Name: "vault-reverts", Kind: config.WatchCallRevertBurst, Contract: "vault", Count: 3, WindowBlocks: 5},
			{Name: "bridge-outflow", Kind: config.WatchOutflow, Contract: "bridge", Threshold: "5%", WindowBlocks: 10},
			{Name: "bridge-reverts", Kind: config.WatchCallRevertBurst, Contract: "bridge", Count: 3, WindowBlocks: 5},
		},
	}}}
	return opts
}

func gweiToWei(g float64) *big.Int {
	wei, _ := new(big.Float).Mul(big.NewFloat(g), big.NewFloat(1e9)).Int(nil)
	return wei
}

// checkForkFlags checks the flags of a drill of your own setup; a message
// means bad usage.
func checkForkFlags(f *forkDrill, set map[string]bool, lookupEnv func(string) (string, bool), stderr io.Writer) string {
	forkOnly := []string{"fork-url", "fork-block", "protocol", "target", "token", "attack-from", "attack-to", "attack-data", "attack-value", "attack-gas"}
	if f.ConfigPath == "" {
		for _, name := range forkOnly {
			if set[name] {
				return "--" + name + " is for a drill of your own setup: give --config too"
			}
		}
		return ""
	}
	for _, name := range []string{"scenario", "funds"} {
		if set[name] {
			return "--" + name + " is for the shipped drill protocol; with --config the attack is --attack-data (and --attack-from, --attack-to, --attack-value)"
		}
	}
	if f.ForkURL == "" {
		f.ForkURL, _ = lookupEnv(forkURLEnv)
		if f.ForkURL == "" {
			return "--config needs a node of your chain to fork: set $" + forkURLEnv + " (or --fork-url)"
		}
	} else if config.RedactURL(f.ForkURL) != f.ForkURL {
		fmt.Fprintln(stderr, "firebreak drill: warning: --fork-url holds a credential and a command line is readable by every user of this machine; prefer $"+forkURLEnv)
	}
	if f.AttackData == "" {
		return "--config needs --attack-data: the calldata of the transaction the attacker sends once a block"
	}
	f.MinTipSet = set["min-tip"]
	return ""
}
