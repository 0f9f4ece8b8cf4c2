package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/observe"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "firebreak.yaml", "configuration file (see firebreak.example.yaml)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object instead of a table")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long (each call is bounded by readiness.call_timeout)")
	logLevel := fs.String("log-level", "warn", "log level: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak check --config firebreak.yaml [--json]

Asks, for every contract and action the shipped policies can ask for, whether
firebreak could take it right now, reading the real chain and the signers:
the chain answers and its head is fresh; the action is on the allowlist and
every allowlist entry is a registered contract; the target has code; the
exact containment call (pause(), freeze(), ...) succeeds as eth_call from the
configured sender (or Safe) on the latest block, or the action is already in
effect; the AccessControl roles are held; the payer's balance covers
readiness.min_actions transactions at emergency fees; every signer signs a
probe digest (discarded), Vault tokens outlive readiness.token_margin, Vault
keys have signing policies; each Safe's owners held by firebreak plus
readiness.safe_quorum reach its threshold. Nothing is sent. 'firebreak serve'
runs the same check every readiness.interval and exports it as metrics.

Each finding names protocol, contract, action, check, status (ok, warn, fail)
and, for warnings and failures, the fix.

Exit status: 0 if nothing failed (warnings allowed), 1 if anything failed,
2 for bad flags or configuration.

Reference: docs/observability.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "firebreak check: unexpected arguments after the flags:", fs.Args())
		return exitUsage
	}
	log, err := newLogger(stderr, *logLevel, "text")
	if err != nil {
		fmt.Fprintln(stderr, "firebreak check:", err)
		return exitUsage
	}
	opts, err := config.LoadConfig(*configPath)
	if err == nil {
		err = opts.ValidateObserve()
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak check:", err)
		return exitUsage
	}
	opts.LookupEnv = lookupEnv
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	chains := map[uint64]observe.Chain{}
	for _, c := range opts.Chains {
		client, err := engine.DialChain(ctx, c, c.RPC) // each call bounded by rpc_timeout
		if err != nil {
			// The URL may hold an API key: shown redacted.
			fmt.Fprintf(stderr, "firebreak check: connecting to chain %d at %s failed\n", c.ID, config.RedactURL(c.RPC))
			return exitFailure
		}
		defer client.Close()
		chains[c.ID] = client
	}
	checker, err := observe.NewChecker(observe.CheckerOptions{Config: opts, Chains: chains, Log: log})
	if err != nil {
		fmt.Fprintln(stderr, "firebreak check:", err)
		return exitUsage
	}
	rep := checker.Run(ctx)
	if *asJSON {
		err = printJSON(stdout, rep)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak check:", err)
		return exitFailure
	}
	if !rep.OK {
		return exitFailure
	}
	return exitOK
}
