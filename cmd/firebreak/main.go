// Command firebreak is the automated containment engine for Web3 security
// incidents: detection events in, guarded and signed containment
// transactions out.
//
//	firebreak serve   --config firebreak.yaml   run the engine
//	firebreak publish --nats URL EVENT.json     send a detection event
//	firebreak dry-run --event EVENT.json        what would happen, on a fork
//	firebreak demo    [--json]                  the whole path on a local chain
//	firebreak watch   --config firebreak.yaml   the first-party detector
//	firebreak drill   [--scenario NAME]         rehearse an exploit, measure it
//	firebreak policy  test|eval|check           write and test policies
//	firebreak halt    --reason TEXT             the global kill switch
//	firebreak resume
//	firebreak approvals [--config ...]          Safe transactions awaiting owners
//	firebreak approve ID --signer NAME          add a Safe owner's signature
//	firebreak recover INCIDENT [--grant R=0x..]  plan, dry-run and propose a recovery
//	firebreak audit   list|show|verify|export   the hash-chained audit log
//	firebreak check   --config firebreak.yaml     can every pauser pause now?
//	firebreak creds   create|list|remove         NATS identities
//	firebreak version
//
// Everything of substance lives in package engine; this command only turns
// flags and the environment into options.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `firebreak — automated containment for Web3 security incidents

Detectors publish detection events to NATS JetStream; firebreak evaluates each
against Rego response policies, checks every requested action against the
operator's allowlist and the chain, and sends the containment transaction
(pause, revoke a role, freeze a bridge), recording every step.

Usage:
  firebreak <command> [flags]

Commands:
  serve     run the engine (embedded NATS unless nats.url is configured)
  publish   publish a detection event file to the DETECTIONS stream
  dry-run   evaluate an event and try its actions on a fork of the chain,
            sending nothing; report calls, reverts, gas and post-checks
  demo      start a local chain, deploy the demo protocol, pause it on a
            critical event, and report what happened
  watch     firebreak's own detector: the watch: rules over every new
            block, published as detection events to a running engine
  drill     a fire drill: a scripted exploit on a local chain against the
            engine and the watcher; what was saved, block by block
  policy    test, check and evaluate Rego policies (policy test|eval|check)
  halt      set the global kill switch: no action until resume
  resume    clear the kill switch
  approvals list the Safe transactions waiting for owner signatures
  approve   add a Safe owner's signature to a pending approval
  recover   plan the inverse of an incident's containment (unpause, ...),
            dry-run it on a fork and propose it for approval
  incident  the incidents: list, show ID, ack ID, resolve|dismiss ID --note
  audit     list, show, verify and export the hash-chained audit log
            (list, show SEQ|EVENT_ID, verify [--file], export --out, keygen)
  dead-letters  what was dead-lettered and why; replay through the engine
            (list [--since 1h], show SEQ, replay SEQ|--since 1h)
  creds     NATS identities: create --role detector|operator|reader, list, remove
  ingest    try a vendor payload against an ingress route, without NATS
            (ingest try --route NAME --config FILE PAYLOAD)
  check     can every pauser pause right now? roles, gas, signers, Safe
            quorum, allowlist coverage, chain heads (exit 1 on a failure)
  version   print the version

Run 'firebreak <command> -h' for the flags of a command.
Documentation: README.md, and docs/ for configuration, operations, policies,
the audit log, dry-runs and the architecture.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// exit codes
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr, lookupEnv)
	case "publish":
		return runPublish(ctx, rest, stdout, stderr, lookupEnv)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "policy":
		return runPolicy(ctx, rest, stdout, stderr)
	case "halt", "resume":
		return runHalt(ctx, cmd, rest, stdout, stderr, lookupEnv)
	case "approvals":
		return runApprovals(ctx, rest, stdout, stderr, lookupEnv)
	case "approve":
		return runApprove(ctx, rest, stdout, stderr, lookupEnv)
	case "recover":
		return runRecover(ctx, rest, stdout, stderr, lookupEnv)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr)
	case "actions":
		return runActions(ctx, rest, stdout, stderr, lookupEnv)
	case "incident":
		return runIncident(ctx, rest, stdout, stderr, lookupEnv)
	case "dead-letters":
		return runDeadLetters(ctx, rest, stdout, stderr, lookupEnv)
	case "creds":
		return runCreds(rest, stdout, stderr)
	case "check":
		return runCheck(ctx, rest, stdout, stderr, lookupEnv)
	case "dry-run":
		return runDryRun(ctx, rest, stdout, stderr, lookupEnv)
	case "ingest":
		return runIngest(ctx, rest, stdout, stderr, lookupEnv)
	case "watch":
		return runWatch(ctx, rest, stdout, stderr, lookupEnv)
	case "drill":
		return runDrill(ctx, rest, stdout, stderr, lookupEnv)
	case "version", "--version":
		fmt.Fprintf(stdout, "firebreak %s\n", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "firebreak: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

// newLogger builds the logger every command passes down.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format: %q is not text or json", format)
	}
}

// printJSON writes v as indented JSON: what every --json flag prints.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
