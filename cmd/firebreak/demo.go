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
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// The demo runs with anvil's public development accounts.
const (
	demoAdminKey    = contracts.DevAdminKey
	demoGuardianKey = contracts.DevGuardianKey
	demoOperatorKey = contracts.DevOperatorKey
	demoChainID     = contracts.DevChainID
)

// demoReport is what `firebreak demo --json` prints.
type demoReport struct {
	Paused             bool     `json:"paused"`
	TxHash             string   `json:"tx_hash"`
	Block              uint64   `json:"block"`
	EventToBroadcastMS float64  `json:"event_to_broadcast_ms"`
	EventToInclusionMS float64  `json:"event_to_inclusion_ms"`
	EventID            string   `json:"event_id"`
	Vault              string   `json:"vault"`
	Guardian           string   `json:"guardian"`
	Rules              []string `json:"rules"`
	Reasons            []string `json:"reasons"`
	PolicyRevision     string   `json:"policy_revision"`
	GasUsed            uint64   `json:"gas_used"`
	SkippedActions     []string `json:"skipped_actions,omitempty"`
	// Safe is set by --safe: the Safe whose execTransaction paused the vault.
	Safe string `json:"safe,omitempty"`
	// Incident is the incident the event opened; Notifications what the
	// demo's webhook receiver got about it (demo_incident.go).
	Incident      *demoIncident      `json:"incident,omitempty"`
	Notifications []demoNotification `json:"notifications,omitempty"`
	// Postmortem is where the demo wrote the incident's report.
	Postmortem *drillPostmortem `json:"postmortem,omitempty"`
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object with the result instead of a human account")
	anvilBin := fs.String("anvil", "", "anvil binary (default: $FIREBREAK_ANVIL, the Makefile's .tools install, or PATH)")
	verbose := fs.Bool("verbose", false, "show the engine's log")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	withSafe := fs.Bool("safe", false, "the pause power belongs to a 2-of-3 Safe: pause through execTransaction, pre-signed by two owners")
	reportDir := fs.String("report-dir", "", "write the incident's postmortem (Markdown and HTML) here (default: a new folder under the system's temporary folder, kept)")
	keep := fs.Bool("keep", false, "then keep anvil, NATS and the engine running as a playground, with the console and metrics, and print what to try next; Ctrl-C stops it")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak demo [--json] [--safe] [--report-dir DIR] [--anvil PATH]
       firebreak demo --keep [--anvil PATH]

Runs the whole containment path on this machine, with nothing to configure:
starts a local anvil chain and an embedded NATS server, deploys the demo
protocol (ProtectedVault and TokenBridge), starts the engine with the shipped
policies, publishes a critical exploit event, waits until the pause is mined,
reads paused() back from the chain, prints what happened (the incident it
opened, the notifications a local webhook receiver got, the postmortem it
wrote from the audit log), and stops everything it started. Exits 0 only if the vault is really paused.
With --safe the vault's pauser is a 2-of-3 Safe multisig: the engine holds two
owners' keys, keeps the pause pre-signed, and sends execTransaction from the
guardian key, which then only pays the gas.

With --keep the demo becomes a playground: anvil mines a block every second,
and once the vault is paused anvil, the embedded NATS and the engine keep
running, with the web console and the metrics on loopback ports, a
detector's and an operator's NATS identity and a configuration file in a
temporary folder. It prints commands to try (publish an example event,
dry-run it, actions, audit, halt and resume, check) that work as printed.
Ctrl-C stops everything it started and removes the folder.

Reference: README.md, docs/operations.md and docs/console.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	var pg *playground
	if *keep {
		if *asJSON || *withSafe {
			fmt.Fprintln(stderr, "firebreak demo: --keep runs the plain demo as a playground: without --json or --safe")
			return exitUsage
		}
		var err error
		if pg, err = newPlayground(stdout, *anvilBin); err != nil {
			fmt.Fprintln(stderr, "firebreak demo:", err)
			return exitFailure
		}
		defer pg.close()
	}
	// The playground lives until Ctrl-C; only its demo steps time out.
	life := ctx
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if pg == nil {
		life = ctx
	}
	progress := func(format string, a ...any) {
		if !*asJSON {
			fmt.Fprintf(stderr, "• "+format+"\n", a...)
		}
	}
	logLevel := slog.LevelWarn
	if *verbose {
		logLevel = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel}))
	engine.TuneGC(os.LookupEnv) // as serve runs

	rep, err := demo(life, ctx, *anvilBin, *withSafe, *reportDir, pg, progress, log)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak demo:", err)
		return exitFailure
	}
	if pg != nil {
		return exitOK // the report was printed before the playground ran
	}
	if *asJSON {
		_ = printJSON(stdout, rep)
	} else {
		printDemo(stdout, rep)
	}
	if !rep.Paused {
		return exitFailure
	}
	return exitOK
}

// demo runs the demo: what it starts lives until life ends, its steps
// must finish before ctx ends. With pg set it becomes the playground once
// the vault is paused, and returns when life ends.
func demo(life, ctx context.Context, anvilBin string, withSafe bool, reportDir string, pg *playground, progress func(string, ...any), log *slog.Logger) (demoReport, error) {
	var rep demoReport
	progress("starting a local anvil chain")
	anvilOpts := simulate.AnvilOptions{Bin: anvilBin, ChainID: demoChainID}
	if pg != nil {
		// A block every second keeps the heads fresh for the readiness
		// check while nothing happens.
		anvilOpts.Bin, anvilOpts.BlockTime = pg.anvilBin, time.Second
	}
	node, err := simulate.StartAnvil(ctx, anvilOpts)
	if err != nil {
		return rep, err
	}
	defer node.Stop()
	client, err := ethclient.DialContext(ctx, node.URL())
	if err != nil {
		return rep, fmt.Errorf("connecting to anvil: %w", err)
	}
	defer client.Close()

	adminKey, _ := crypto.HexToECDSA(demoAdminKey)
	guardian, err := local.FromHex(demoGuardianKey)
	if err != nil {
		return rep, err
	}
	if pg != nil {
		guardian = pg.guardian
		if err := client.Client().CallContext(ctx, nil, "anvil_setBalance", guardian.Address(), "0x56BC75E2D63100000"); err != nil {
			return rep, fmt.Errorf("funding the playground's guardian: %w", err)
		}
	}
	operator, err := local.FromHex(demoOperatorKey)
	if err != nil {
		return rep, err
	}
	progress("deploying the demo protocol (ProtectedVault, TokenBridge) at %s", node.URL())
	auth := bind.NewKeyedTransactor(adminKey, big.NewInt(demoChainID))
	var deployed contracts.Demo
	configure := func(*config.Options) {}
	if withSafe {
		progress("the pauser is a 2-of-3 Safe; the guardian key only pays gas")
		var safeAddr common.Address
		deployed, safeAddr, configure, err = deploySafeDemo(ctx, client, auth, operator.Address(), guardian)
		rep.Safe = safeAddr.Hex()
	} else {
		deployed, err = contracts.DeployDemo(ctx, client, auth, guardian.Address(), operator.Address(), big.NewInt(1e18))
	}
	if err != nil {
		return rep, err
	}
	rep.Vault, rep.Guardian = deployed.Vault.Hex(), guardian.Address().Hex()

	var opts config.Options
	if pg != nil {
		if opts, err = pg.options(node, deployed); err != nil {
			return rep, err
		}
	} else {
		dataDir, err := os.MkdirTemp("", "firebreak-demo-")
		if err != nil {
			return rep, err
		}
		defer os.RemoveAll(dataDir)
		opts = demoOptions(dataDir, node.URL(), node.WSURL(), deployed, guardian)
		configure(&opts)
	}
	recv, err := startDemoReceiver()
	if err != nil {
		return rep, err
	}
	defer recv.close()
	recv.configure(&opts)
	eng, err := engine.New(opts, log)
	if err != nil {
		return rep, err
	}
	progress("starting the engine with the shipped policies and an embedded NATS server")
	engCtx, stopEngine := context.WithCancel(life)
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(engCtx) }()
	defer func() { stopEngine(); <-engDone }()
	select {
	case <-eng.Ready():
	case err := <-engDone:
		engDone <- err
		return rep, fmt.Errorf("engine did not start: %w", err)
	case <-ctx.Done():
		return rep, fmt.Errorf("engine did not start: %w", ctx.Err())
	}

	if withSafe {
		progress("waiting until the Safe's pause is pre-signed by the owners")
		if err := waitPresigned(ctx, eng, deployed.Vault); err != nil {
			return rep, err
		}
	}
	nc, err := eng.DialNATS("firebreak-demo")
	if err != nil {
		return rep, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return rep, err
	}
	ev := event.Event{
		ID:         fmt.Sprintf("demo-%d", time.Now().UnixNano()),
		Source:     "demo",
		ChainID:    demoChainID,
		Severity:   event.SeverityCritical,
		Confidence: 0.97,
		AlertType:  "exploit",
		Protocol:   "demo",
		Addresses:  []common.Address{deployed.Vault},
		Timestamp:  time.Now().UTC(),
		Metadata:   map[string]any{"description": "reentrancy drain in progress on ProtectedVault (demo)"},
	}
	rep.EventID = ev.ID
	progress("publishing critical exploit event %s", ev.ID)
	publishedAt := time.Now()
	if _, err := ingest.Publish(ctx, js, ev); err != nil {
		return rep, err
	}

	out, err := waitOutcome(ctx, eng, ev.ID)
	if err != nil {
		return rep, err
	}
	if out.Decision != nil {
		rep.Rules, rep.Reasons, rep.PolicyRevision = out.Decision.Rules, out.Decision.Reasons, out.Decision.Revision
	}
	var actionID string
	for _, a := range out.Actions {
		if a.ActionID != "" && a.Request.Contract == "vault" {
			actionID = a.ActionID
		} else {
			rep.SkippedActions = append(rep.SkippedActions, fmt.Sprintf("%s %s: %s (%s)", a.Request.Type, a.Request.Contract, a.Outcome, a.Reason))
		}
	}
	if actionID == "" {
		return rep, fmt.Errorf("the engine did not plan a pause of the vault: %+v", out)
	}
	progress("waiting for the pause transaction to be mined")
	rec, err := waitAction(ctx, eng, actionID)
	if err != nil {
		return rep, err
	}
	if rec.State != record.Mined {
		return rep, fmt.Errorf("the pause did not make it on chain: %s", rec.Error)
	}
	rep.TxHash, rep.Block, rep.GasUsed = rec.TxHash.Hex(), rec.Block, rec.GasUsed
	rep.EventToBroadcastMS = ms(rec.SentAt.Sub(publishedAt))
	rep.EventToInclusionMS = ms(rec.MinedAt.Sub(publishedAt))

	vault := contracts.NewProtectedVault()
	paused, err := bind.Call(vault.Instance(client, deployed.Vault), nil, vault.PackPaused(), vault.UnpackPaused)
	if err != nil {
		return rep, fmt.Errorf("reading paused() from the chain: %w", err)
	}
	rep.Paused = paused
	progress("waiting for the incident to be contained and its notifications to reach the webhook receiver")
	if rep.Incident, rep.Notifications, err = demoIncidentReport(ctx, eng, ev.ID, recv); err != nil {
		return rep, err
	}
	if reportDir == "" {
		if reportDir, err = os.MkdirTemp("", "firebreak-demo-report-"); err != nil {
			return rep, err
		}
	}
	progress("writing the incident's postmortem from the audit log into %s", reportDir)
	if rep.Postmortem, err = writeDemoPostmortem(ctx, eng, rep.Incident.ID, reportDir); err != nil {
		return rep, fmt.Errorf("writing the postmortem: %w", err)
	}
	if pg != nil {
		if !paused {
			return rep, errors.New("the vault is not paused: no playground")
		}
		return rep, pg.run(life, eng, rep, actionID, node.URL())
	}
	return rep, nil
}

func demoOptions(dataDir, rpcURL, wsURL string, d contracts.Demo, guardian signer.Signer) config.Options {
	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = dataDir
	opts.NATS.Port = -1
	opts.Chains = []config.ChainOptions{{ID: demoChainID, Name: "anvil", RPC: rpcURL, WS: wsURL}}
	opts.SignerInstances = map[string]signer.Signer{"guardian": guardian}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: demoChainID, MinConfidence: &minConf, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{
			"vault":  {Address: d.Vault.Hex(), Pausable: true},
			"bridge": {Address: d.Bridge.Hex(), Bridge: true},
		},
		Roles: map[string]string{"operator": "OPERATOR_ROLE"},
	}}
	opts.Allowlist = []config.AllowOptions{
		{ChainID: demoChainID, Contract: "demo.vault", Functions: []string{"pause()", "revokeRole(bytes32,address)"}},
		{ChainID: demoChainID, Contract: "demo.bridge", Functions: []string{"freeze()"}},
	}
	return opts
}

// waitOutcome polls, with a pause, until the engine has recorded the event.
func waitOutcome(ctx context.Context, eng *engine.Engine, id string) (decide.Outcome, error) {
	for {
		out, err := eng.Outcome(ctx, id)
		if err == nil {
			return out, nil
		}
		if !engine.IsNotHandled(err) {
			return out, err
		}
		select {
		case <-ctx.Done():
			return out, fmt.Errorf("event %s was not handled: %w", id, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func waitAction(ctx context.Context, eng *engine.Engine, id string) (record.Record, error) {
	for {
		rec, err := eng.Action(ctx, id)
		if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return rec, err
		}
		if err == nil && rec.State.Final() {
			return rec, nil
		}
		select {
		case <-ctx.Done():
			return rec, fmt.Errorf("action %s did not finish (state %q): %w", id, rec.State, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printDemo(w io.Writer, r demoReport) {
	state := "NOT paused"
	if r.Paused {
		state = "paused"
	}
	by := "signed by the guardian"
	if r.Safe != "" {
		by = "executed by the Safe, sent by the guardian"
		fmt.Fprintf(w, "\nThe vault's pauser is the 2-of-3 Safe %s: the pause went through its execTransaction,\npre-signed by two owners; the guardian key only sent it and paid the gas.\n", r.Safe)
	}
	fmt.Fprintf(w, `
A detector reported a critical exploit on the demo protocol (event %s).
The policy %v decided: %v
The guard allowed pause() on the vault %s, %s %s.
The pause was mined in block %d (tx %s, %d gas).

  event → broadcast  %.1f ms
  event → inclusion  %.1f ms

Read back from the chain: the vault is %s.
`, r.EventID, r.Rules, r.Reasons, r.Vault, by, r.Guardian, r.Block, r.TxHash, r.GasUsed, r.EventToBroadcastMS, r.EventToInclusionMS, state)
	for _, s := range r.SkippedActions {
		fmt.Fprintf(w, "Not executed: %s\n", s)
	}
	printDemoIncident(w, r)
}
