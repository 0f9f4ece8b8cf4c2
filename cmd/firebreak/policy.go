package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/policies"
)

const policyUsage = `Usage: firebreak policy <command> [flags] [SOURCE]

Write, test and try Rego response policies. SOURCE is a folder of .rego
files, an OPA bundle (.tar.gz), or the http(s) URL of a bundle server;
without one, the policies shipped with firebreak.

Commands:
  test   run the Rego tests (test_* rules in *_test.rego) with OPA's test
         runner and print coverage; exits 1 if a test fails
  check  parse and compile every file, tests included; prints each problem
         as file:line:column and exits 1 if there is any
  eval   decide one event: 'policy eval --event FILE [--config firebreak.yaml]
         [--explain]' prints the decision, and with --explain why
  status the revision a running engine has in force and its last reload
         error ('policy status [--nats URL]'); exits 1 if the last reload failed

Run 'firebreak policy <command> -h' for its flags.

Reference: docs/policies.md.
`

func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return exitUsage
	}
	switch args[0] {
	case "test":
		return runPolicyTest(ctx, args[1:], stdout, stderr)
	case "check":
		return runPolicyCheck(ctx, args[1:], stdout, stderr)
	case "eval":
		return runPolicyEval(ctx, args[1:], stdout, stderr)
	case "status":
		return runPolicyStatus(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, policyUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "firebreak policy: unknown command %q\n\n%s", args[0], policyUsage)
		return exitUsage
	}
}

// policySource reads the files of the one optional SOURCE argument.
func policySource(ctx context.Context, fs *flag.FlagSet) (policies.Files, string, error) {
	if fs.NArg() > 1 {
		return nil, "", fmt.Errorf("one SOURCE at most, got %d", fs.NArg())
	}
	src, err := policies.Open(fs.Arg(0), redactedSource(fs.Arg(0)))
	if err != nil {
		return nil, "", err
	}
	files, err := src.Read(ctx)
	return files, src.String(), err
}

// redactedSource opens ref with its URL redacted wherever it is shown.
func redactedSource(ref string) policies.SourceOptions {
	return policies.SourceOptions{Redact: func(s string) string { return config.RedactURLs(s, ref) }}
}

func runPolicyTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policy test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "list passing tests too")
	minCover := fs.Float64("min-coverage", 0, "fail when coverage of the policy files is below this percentage")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak policy test [-v] [--min-coverage PCT] [SOURCE]

Runs the Rego tests of SOURCE (a folder, a .tar.gz bundle or a bundle URL;
default: the shipped policies) with OPA's test runner, then prints the
coverage of each policy file, with the lines no test reached. Exits 1 when
a test fails or coverage is below --min-coverage.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	files, name, err := policySource(ctx, fs)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy test:", err)
		return exitUsage
	}
	var cov policies.Coverage
	results, err := policies.RunTestFiles(ctx, files, &cov)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy test:", err)
		return exitFailure
	}
	failed := 0
	for _, r := range results {
		if !r.Pass {
			failed++
		}
		if !r.Pass || *verbose {
			fmt.Fprintln(stdout, r)
		}
	}
	fmt.Fprintf(stdout, "%s: %d tests, %d passed, %d failed\n\ncoverage:\n", name, len(results), len(results)-failed, failed)
	for _, f := range cov.Files {
		line := fmt.Sprintf("  %-36s %6.1f%%", f.File, f.Percent)
		if len(f.NotCovered) > 0 {
			line += fmt.Sprintf("   not covered: lines %s", joinInts(f.NotCovered))
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "  %-36s %6.1f%%\n", "total", cov.Percent)
	switch {
	case len(results) == 0:
		fmt.Fprintln(stderr, "firebreak policy test: no tests found (rules named test_* in *_test.rego files)")
		return exitFailure
	case failed > 0:
		return exitFailure
	case cov.Percent < *minCover:
		fmt.Fprintf(stderr, "firebreak policy test: coverage %.1f%% is below --min-coverage %.1f%%\n", cov.Percent, *minCover)
		return exitFailure
	}
	return exitOK
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

func runPolicyCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policy check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak policy check [SOURCE]

Parses and compiles every .rego file of SOURCE (a folder, a .tar.gz bundle
or a bundle URL; default: the shipped policies), tests included, and prints
every problem as file:line:column: code: message. Exits 1 if there is any.

`)
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	files, name, err := policySource(ctx, fs)
	if err != nil {
		// A bundle that does not parse fails here, with file:line in the text.
		fmt.Fprintln(stderr, "firebreak policy check:", err)
		if errors.Is(err, policies.ErrCompile) {
			return exitFailure
		}
		return exitUsage
	}
	problems, err := policies.Check(files)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy check:", err)
		return exitFailure
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "firebreak policy check: %s: %d problem(s)\n", name, len(problems))
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s: %d files compile, revision %s\n", name, len(files), files.Revision())
	return exitOK
}

func runPolicyEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policy eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	eventFile := fs.String("event", "", "the detection event (JSON file, '-' for standard input)")
	configPath := fs.String("config", "", "configuration whose registry, allowlist and policies to use (firebreak.yaml)")
	explain := fs.Bool("explain", false, "say why: the rules that fired and when they act, the reasons, and the allowlist's verdict on each action")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak policy eval --event FILE [--config firebreak.yaml] [--explain] [SOURCE]

Decides one detection event with the policies of SOURCE (default: the
configuration's policy_dir or policy_bundle, else the shipped policies) and
the protocol registry of --config, and prints the decision as JSON. Nothing
is sent and no chain is read: --explain shows what the allowlist would say,
not the on-chain precondition.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if *eventFile == "" {
		fs.Usage()
		return exitUsage
	}
	opts := config.DefaultOptions()
	if *configPath != "" {
		var err error
		if opts, err = config.LoadConfig(*configPath); err != nil {
			fmt.Fprintln(stderr, "firebreak policy eval:", err)
			return exitUsage
		}
	}
	data, err := readInput(*eventFile)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy eval:", err)
		return exitUsage
	}
	ev, err := event.Decode(data)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak policy eval: %s: %v\n", *eventFile, err)
		return exitUsage
	}
	ref := opts.PolicySource()
	if fs.NArg() > 0 {
		ref = fs.Arg(0)
	}
	so := redactedSource(ref)
	if ref == opts.PolicyBundle {
		so.VerificationKey, so.Algorithm = opts.PolicyBundleVerificationKey, opts.PolicyBundleVerificationAlgorithm
	}
	src, err := policies.Open(ref, so)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy eval:", err)
		return exitUsage
	}
	files, err := src.Read(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy eval:", err)
		return exitFailure
	}
	evaluator, err := policies.LoadFiles(ctx, files, opts.PolicyData())
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy eval:", err)
		return exitFailure
	}
	d, err := evaluator.Decide(ctx, ev.Input())
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy eval: no decision (the engine would take no action and alert):", err)
		return exitFailure
	}
	out, _ := json.MarshalIndent(d, "", "  ")
	fmt.Fprintf(stdout, "%s\n", out)
	if *explain {
		explainDecision(stdout, ev, d, evaluator, opts, src.String(), *configPath)
	}
	return exitOK
}

func explainDecision(w io.Writer, ev event.Event, d policies.Decision, e *policies.Evaluator, opts config.Options, src, config string) {
	fmt.Fprintf(w, "\nevent %s: %s %s on %s (chain %d), confidence %v, from %s\n",
		ev.ID, ev.Severity, ev.AlertType, ev.Protocol, ev.ChainID, ev.Confidence, ev.Source)
	fmt.Fprintf(w, "policies: %s, revision %s\n", src, d.Revision)
	if config == "" {
		fmt.Fprintln(w, "registry: empty (no --config): policies that need the registry do not act")
	} else if _, ok := opts.Protocols[ev.Protocol]; !ok {
		fmt.Fprintf(w, "registry: %s has no protocol %q: the shipped policies do not act\n", config, ev.Protocol)
	}
	if len(d.Rules) == 0 {
		fmt.Fprintln(w, "\nno rule asked for an action")
	}
	for _, r := range d.Rules {
		doc, ok := e.Doc(r)
		if !ok {
			fmt.Fprintf(w, "\nrule %s fired (no METADATA describes it)\n", r)
			continue
		}
		fmt.Fprintf(w, "\nrule %s fired: %s (%s:%d)\n  %s\n", r, doc.Title, doc.File, doc.Line, doc.Description)
	}
	if len(d.Reasons) > 0 {
		fmt.Fprintln(w, "\nreasons:")
		for _, r := range d.Reasons {
			fmt.Fprintln(w, "  -", r)
		}
	}
	if d.RequireApproval {
		fmt.Fprintln(w, "\nthe decision requires approval: nothing runs until a person approves it")
	}
	if len(d.Actions) == 0 {
		return
	}
	g := decide.OfflineGuard(opts)
	fmt.Fprintln(w, "\nguard (offline: registry and allowlist; the engine also reads the chain, the kill switch and the rate limits):")
	for _, a := range d.Actions {
		v := g.Resolve(guard.Request(a))
		target := a.Protocol + "." + a.Contract
		if a.Account != "" {
			target += " account " + a.Account
		}
		switch {
		case v.Reason != "":
			fmt.Fprintf(w, "  %s %s: %s: %s\n", a.Type, target, v.Outcome, v.Reason)
		case a.Type == "notify":
			fmt.Fprintf(w, "  notify %s: %s: published on %s%s: %q\n", a.Protocol, v.Outcome, notify.SubjectPrefix, a.Protocol, a.Message)
		default:
			fmt.Fprintf(w, "  %s %s: %s: %s on %s, chain %d, signer %s\n", a.Type, target, v.Outcome, v.Function, v.To.Hex(), v.ChainID, v.Signer)
		}
	}
}

func runPolicyStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policy status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nf := addNATSFlags(fs)
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak policy status [--nats URL]

Prints, as JSON, the policy status the running engine recorded in the
FIREBREAK_CONTROL bucket: the source, the revision in force, the number of
reloads and failures, and the last reload error. Exits 1 when the last
reload failed (the previous policies are still in force).

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	nc, err := nf.dial("firebreak-policy-status", os.LookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy status:", err)
		return exitFailure
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak policy status:", err)
		return exitFailure
	}
	kv, err := js.KeyValue(ctx, guard.ControlBucket)
	if err == nil {
		var e jetstream.KeyValueEntry
		if e, err = kv.Get(ctx, decide.PolicyStatusKey); err == nil {
			var st policies.ReloadStatus
			if err := json.Unmarshal(e.Value(), &st); err != nil {
				fmt.Fprintln(stderr, "firebreak policy status: malformed status:", err)
				return exitFailure
			}
			out, _ := json.MarshalIndent(st, "", "  ")
			fmt.Fprintf(stdout, "%s\n", out)
			if st.LastError != "" {
				fmt.Fprintln(stderr, "firebreak policy status: the last reload FAILED; the previous policies are in force")
				return exitFailure
			}
			return exitOK
		}
	}
	fmt.Fprintln(stderr, "firebreak policy status: no status recorded (is an engine running on this NATS?):", err)
	return exitFailure
}
