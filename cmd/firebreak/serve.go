package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "firebreak.yaml", "configuration file (see firebreak.example.yaml)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	logFormat := fs.String("log-format", "text", "text or json")
	acceptReset := fs.Bool("accept-audit-reset", false, "start although the audit stream no longer holds the checkpoint in the data folder (deleted, replaced or truncated); the first record says so")
	shadow := fs.Bool("shadow", false, "shadow mode: simulate allowed actions on a fork of the chain instead of sending them (same as shadow: true in the configuration)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak serve [--config firebreak.yaml] [--shadow]

Runs the engine: consumes detection events from the DETECTIONS stream,
decides with the Rego policies, guards and sends containment transactions.
With no nats.url in the configuration it starts an embedded NATS server
(JetStream stored under data_dir) that 'firebreak publish' can reach.
Signer keys come from the environment variables the configuration names.
Transactions not included are re-priced at every new block, up to each
chain's max_fee_per_gas (a cap that blocks a bump is logged at ERROR).
Stop with Ctrl-C (or even kill -9): in-flight actions are resumed on the
next start, at the same nonce, never sent twice.
The policies are reloaded when their folder or bundle changes (every
policy_reload) and on SIGHUP; a set that does not compile or whose Rego
tests fail is refused and the old one stays in force.
The Go garbage collector runs at GOGC=400 (fewer pauses in a burst of
events, a larger heap) unless GOGC is set in the environment.

With --shadow (policies on probation) nothing is signed or sent: each
event's allowed actions are tried on a fresh fork of their chain, as
'firebreak dry-run' does, and the result is recorded with the event's
outcome (dry_runs). Signers need only an address in shadow mode.

The audit log's head is checkpointed in data_dir: a start that finds the
FIREBREAK_AUDIT stream deleted, replaced or shorter is refused, naming the
checkpoint; --accept-audit-reset starts anyway and records that it did.

Metrics, /healthz and /readyz are served on metrics.listen (default
127.0.0.1:9464; "off" serves nothing), and every readiness.interval the
engine checks that each pauser can really pause (as 'firebreak check' does),
logging at ERROR when it cannot: docs/observability.md.

Configuration reference: docs/configuration.md; operating guide:
docs/operations.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	log, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak serve:", err)
		return exitUsage
	}
	opts, err := config.LoadConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak serve:", err)
		return exitUsage
	}
	opts.LookupEnv = lookupEnv
	opts.ReloadPolicies = reloadOnSIGHUP(ctx)
	if *shadow {
		opts.Shadow = true
	}
	opts.Audit.AcceptReset = *acceptReset
	if opts.Metrics.Listen == "" {
		// serve exposes /metrics, /healthz and /readyz unless told "off";
		// a program embedding the engine serves only what it asks for.
		opts.Metrics.Listen = config.DefaultMetricsListen
	}
	e, err := engine.New(opts, log)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak serve:", err)
		return exitUsage
	}
	log.Debug("garbage collector target", "gogc", engine.TuneGC(lookupEnv))
	if err := e.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "firebreak serve:", err)
		if errors.Is(err, audit.ErrCheckpointMismatch) {
			fmt.Fprintln(stderr, "firebreak serve: the audit log is not the one this engine wrote; see docs/audit.md before starting with --accept-audit-reset")
		}
		if errors.Is(err, config.ErrConfig) {
			return exitUsage
		}
		return exitFailure
	}
	return exitOK
}

// reloadOnSIGHUP turns SIGHUP into policy reload requests until ctx ends.
func reloadOnSIGHUP(ctx context.Context) <-chan struct{} {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	out := make(chan struct{}, 1)
	go func() {
		defer signal.Stop(sig)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sig:
				select {
				case out <- struct{}{}:
				default: // a reload is pending already
				}
			}
		}
	}()
	return out
}

// flagExit maps a flag parsing error to an exit code; -h is not an error.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}
