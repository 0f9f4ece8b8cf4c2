package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// dryRunReport is what `firebreak dry-run --json` prints.
type dryRunReport struct {
	// OK: every planned action would succeed and every post-condition holds.
	OK bool `json:"ok"`
	// ElapsedMS is from the start of the command to the report;
	// ForkStartupMS the part spent opening the fork.
	ElapsedMS     float64         `json:"elapsed_ms"`
	ForkStartupMS float64         `json:"fork_startup_ms"`
	Method        simulate.Method `json:"method"`
	Outcome       decide.Outcome  `json:"outcome"`
}

func runDryRun(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	start := time.Now()
	fs := flag.NewFlagSet("dry-run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "firebreak.yaml", "configuration file (see firebreak.example.yaml)")
	eventFile := fs.String("event", "", "detection event file (JSON, as for 'firebreak publish'); '-' reads standard input")
	forkURL := fs.String("fork-url", "", "node to fork (default: the rpc of the event's chain in the configuration)")
	forkBlock := fs.Uint64("fork-block", 0, "block to fork at (default: the head)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the report")
	method := fs.String("method", "", "auto, anvil, eth_simulateV1 or eth_call (default: simulate.method from the configuration, auto)")
	anvilBin := fs.String("anvil", "", "anvil binary (default: simulate.anvil, $FIREBREAK_ANVIL, the Makefile's .tools install, or PATH)")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	logLevel := fs.String("log-level", "warn", "engine log level: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak dry-run --config firebreak.yaml --event EVENT.json
                        [--fork-url URL] [--fork-block N] [--json]

Shows what firebreak would do about an event, on the real state of the chain,
without sending anything. It forks the event's chain with anvil (--fork-url,
default the chain's rpc), evaluates the event with the policies (the guard
reads its preconditions on the fork), impersonates each action's real sender
and sends the actions to the fork, then checks that they took effect
(paused() is true, the role is revoked, the bridge is frozen). The report
shows each action's call decoded, status, gas, revert reason decoded and
post-condition. Without anvil it uses the node's eth_simulateV1 (or eth_call)
and says so. The fork is always stopped, also on Ctrl-C.

The sender is the configured signer's address (signers.<name>.address), or
the address of its key when that is available: no key is needed. For a Safe
signer on an anvil fork, the Safe's own owners (threshold of them, read from
the Safe) are impersonated: each approveHash-es the Safe transaction, then
execTransaction runs with their pre-validated signatures, so owners,
threshold, nonce and execTransaction are all exercised.

Exit status: 0 if every action would succeed, 1 if any would fail (or the
dry-run could not be done), 2 for bad flags, configuration or event.

Reference: docs/dry-run.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if *eventFile == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "firebreak dry-run: --event EVENT.json is required (and nothing else after the flags)")
		return exitUsage
	}
	fail := func(code int, err error) int {
		fmt.Fprintln(stderr, "firebreak dry-run:", err)
		return code
	}
	log, err := newLogger(stderr, *logLevel, "text")
	if err != nil {
		return fail(exitUsage, err)
	}
	opts, err := config.LoadConfig(*configPath)
	if err != nil {
		return fail(exitUsage, err)
	}
	opts.LookupEnv = lookupEnv
	if *method != "" {
		opts.Simulate.Method = *method
	}
	if *anvilBin != "" {
		opts.Simulate.Anvil = *anvilBin
	}
	if *method != "" {
		if _, err := simulate.ParseMethod(*method); err != nil {
			return fail(exitUsage, fmt.Errorf("--method: %w", err))
		}
	}
	data, err := readInput(*eventFile)
	if err != nil {
		return fail(exitUsage, err)
	}
	ev, err := event.Decode(data)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("%s: %w", *eventFile, err))
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	progress := func(msg string) { fmt.Fprintf(stderr, "• %s\n", msg) }
	out, err := engine.DryRun(ctx, opts, ev, engine.DryRunOptions{ForkURL: *forkURL, ForkBlock: *forkBlock, Progress: progress}, log)
	if err != nil {
		if errors.Is(err, config.ErrConfig) {
			return fail(exitUsage, err)
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (the fork was stopped)", err)
		}
		return fail(exitFailure, err)
	}
	rep := dryRunReport{Outcome: out, OK: out.DecisionError == "", ElapsedMS: ms(time.Since(start))}
	for _, r := range out.DryRuns {
		rep.Method, rep.ForkStartupMS = r.Method, r.ForkStartupMS
		rep.OK = rep.OK && r.OK
	}
	if *asJSON {
		_ = printJSON(stdout, rep)
	} else {
		printDryRun(stdout, rep)
	}
	if !rep.OK {
		return exitFailure
	}
	return exitOK
}

func printDryRun(w io.Writer, rep dryRunReport) {
	out := rep.Outcome
	ev := out.Event
	fmt.Fprintf(w, "\nfirebreak dry-run: nothing was sent to any chain\n\n")
	fmt.Fprintf(w, "Event     %s · %s · %s %s · confidence %.2f · protocol %s · chain %d\n",
		ev.ID, ev.Source, ev.Severity, ev.AlertType, ev.Confidence, ev.Protocol, ev.ChainID)
	switch d := out.Decision; {
	case d == nil:
		fmt.Fprintf(w, "Policies  FAILED, no action would be taken: %s\n", out.DecisionError)
	case len(d.Rules) == 0:
		fmt.Fprintf(w, "Policies  no rule fired (revision %.12s): no action\n", d.Revision)
	default:
		fmt.Fprintf(w, "Policies  rule %s fired (revision %.12s)\n", strings.Join(d.Rules, ", "), d.Revision)
		for _, r := range d.Reasons {
			fmt.Fprintf(w, "          %s\n", r)
		}
	}
	for _, r := range out.DryRuns {
		fmt.Fprintf(w, "Fork      %s of %s, chain %d at block %d (ready in %.0f ms)\n", forkName(r.Method), r.ForkURL, r.ChainID, r.ForkBlock, r.ForkStartupMS)
	}
	fmt.Fprintln(w)

	n, failed := 0, 0
	for _, r := range out.DryRuns {
		for _, a := range r.Actions {
			n++
			verdict := "would succeed"
			if a.Failed() {
				failed++
				verdict = "WOULD FAIL"
			}
			fmt.Fprintf(w, "%d. %s %s  %s\n", n, a.Type, a.Target, verdict)
			fmt.Fprintf(w, "     to          %s\n", a.To.Hex())
			fmt.Fprintf(w, "     from        %s\n", a.From.Hex())
			if len(a.SafeOwners) > 0 {
				var owners []string
				for _, o := range a.SafeOwners {
					owners = append(owners, o.Hex())
				}
				fmt.Fprintf(w, "     via Safe    approveHash by %s, then execTransaction\n", strings.Join(owners, ", "))
			}
			fmt.Fprintf(w, "     call        %s\n", a.Call)
			fmt.Fprintf(w, "     status      %s\n", a.Status)
			if a.GasUsed > 0 {
				fmt.Fprintf(w, "     gas         %d\n", a.GasUsed)
			}
			if a.Revert != nil {
				fmt.Fprintf(w, "     revert      %s\n", a.Revert)
			}
			if pc := a.PostCondition; pc != nil {
				note := ""
				if pc.Note != "" {
					note = " (" + pc.Note + ")"
				}
				fmt.Fprintf(w, "     post-check  %s: %s%s\n", pc.Description, pc.Status, note)
			}
		}
	}
	var skipped []string
	for _, a := range out.Actions {
		if a.Outcome == guard.Allowed && a.Request.Type == guard.ActionNotify {
			skipped = append(skipped, fmt.Sprintf("   notify %s: would publish %q (a message, not simulated)", a.Request.Protocol, a.Request.Message))
			continue
		}
		if a.Outcome != guard.Allowed {
			skipped = append(skipped, fmt.Sprintf("   %s %s.%s: %s, %s", a.Request.Type, a.Request.Protocol, a.Request.Contract, a.Outcome, a.Reason))
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(w, "Not run:\n%s\n", strings.Join(skipped, "\n"))
	}
	for _, r := range out.DryRuns {
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "Warning: %s\n", warn)
		}
	}
	fmt.Fprintln(w)
	switch {
	case !rep.OK && out.Decision == nil:
		fmt.Fprintf(w, "Result: FAIL, the policies could not decide (%.0f ms)\n", rep.ElapsedMS)
	case !rep.OK:
		fmt.Fprintf(w, "Result: FAIL, %d of %d action(s) would fail (%.0f ms)\n", failed, n, rep.ElapsedMS)
	case n == 0:
		fmt.Fprintf(w, "Result: OK, nothing would be sent (%.0f ms)\n", rep.ElapsedMS)
	default:
		fmt.Fprintf(w, "Result: OK, all %d action(s) would succeed (%.0f ms)\n", n, rep.ElapsedMS)
	}
}

func forkName(m simulate.Method) string {
	switch m {
	case simulate.MethodAnvil:
		return "anvil fork"
	case simulate.MethodSimulateV1:
		return "eth_simulateV1 on the node"
	case simulate.MethodCall:
		return "eth_call on the node (no post-conditions)"
	}
	return string(m)
}
