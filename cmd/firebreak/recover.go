package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/recovery"
)

// grantFlags collect repeated --grant ROLE=ACCOUNT.
type grantFlags []recovery.Grant

func (g *grantFlags) String() string { return fmt.Sprint(*g) }

func (g *grantFlags) Set(s string) error {
	gr, err := recovery.ParseGrant(s)
	if err != nil {
		return err
	}
	*g = append(*g, gr)
	return nil
}

func runRecover(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("recover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "firebreak.yaml", "configuration file: NATS, the chains, recovery and recovery_allowlist")
	creds := fs.String("creds", "", "NATS credentials: an operator's nkey seed from 'firebreak creds create --role operator' (or a .creds file)")
	var grants grantFlags
	fs.Var(&grants, "grant", "ROLE=0xACCOUNT: re-grant a role the incident revoked to this account (repeatable; none by default)")
	forkURL := fs.String("fork-url", "", "node to fork for the dry-run (default: the chain's rpc in the configuration)")
	by := fs.String("by", "", "who proposes it, as the incident and the audit log show (default: $USER)")
	show := fs.String("show", "", "show proposal ID instead of proposing one")
	asJSON := fs.Bool("json", false, "print the proposal as JSON")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak recover INCIDENT [--grant ROLE=0xACCOUNT ...] [--config firebreak.yaml] [--json]
       firebreak recover --show PROPOSAL [--json]

Plans the inverse of what firebreak did to contain INCIDENT, for each of its
mined containment actions: pause -> unpause, freeze -> unfreeze, block ->
unblock, and revoke role R from A -> grant R to the account you name with
--grant R=0x... (never back to A by default: it may be the compromised one).
The plan is always tried first on a fork of the live chain, from the
recovery signer's account, with its post-conditions (paused() == false, the
role held, frozen() == false); the plan and the dry-run are printed.

Nothing is sent. The plan is stored as a proposal and the incident moves to
recovering. Every step must be on recovery_allowlist, or nothing is
proposed. The running engine executes the proposal once recovery.threshold
of recovery.approvers signed it with 'firebreak approve --recovery ID --key
FILE', and resolves the incident once every step is mined and its
post-condition holds on chain.

Reference: docs/recovery.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	var id string
	if fs.NArg() > 0 {
		id = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return flagExit(err)
		}
	}
	if (id == "") == (*show == "") || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	log, err := newLogger(stderr, *logLevel, "text")
	if err != nil {
		fmt.Fprintln(stderr, "firebreak recover:", err)
		return exitUsage
	}
	opts, err := config.LoadConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak recover:", err)
		return exitUsage
	}
	opts.LookupEnv = lookupEnv
	useCreds(&opts, *creds)
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if *show != "" {
		p, err := engine.RecoveryProposal(ctx, opts, *show)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak recover:", err)
			return exitFailure
		}
		return printProposal(stdout, p, *asJSON, opts)
	}
	if *by == "" {
		*by, _ = lookupEnv("USER")
	}
	ro := engine.RecoverOptions{Incident: id, Grants: grants, By: *by, ForkURL: *forkURL}
	if !*asJSON {
		ro.Progress = func(msg string) { fmt.Fprintln(stderr, "…", msg) }
	}
	p, err := engine.ProposeRecovery(ctx, opts, ro, log)
	if len(p.Steps) > 0 || len(p.Skipped) > 0 {
		if code := printProposal(stdout, p, *asJSON, opts); code != exitOK {
			return code
		}
	}
	switch {
	case errors.Is(err, engine.ErrAlreadyProposed):
		fmt.Fprintln(stderr, "firebreak recover:", err)
		return exitOK
	case err != nil:
		fmt.Fprintln(stderr, "firebreak recover:", err)
		return exitFailure
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "\nproposed: nothing is sent until %d of the %d recovery approvers sign it:\n  firebreak approve --recovery %s --key FILE\n", opts.Recovery.Threshold, len(opts.Recovery.Approvers), p.ID)
	}
	return exitOK
}

// printProposal shows a proposal as an approver must read it: each call,
// what it undoes, its post-condition, and the dry-run.
func printProposal(out io.Writer, p recovery.Proposal, asJSON bool, opts config.Options) int {
	if asJSON {
		if err := printJSON(out, p); err != nil {
			return exitFailure
		}
		return exitOK
	}
	valid, refused := recovery.Tally(p, opts.Recovery.Approvers)
	fmt.Fprintf(out, "%s  %s  incident %s, protocol %s, chain %d\n", orDash(p.ID), orDash(string(p.State)), p.Incident, p.Protocol, p.ChainID)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "  sent by\t%s (%s)\n", p.Signer, p.From.Hex())
	for i, st := range p.Steps {
		fmt.Fprintf(w, "  step %d\t%s: %s on %s.%s (%s), undoes %s\n", i, st.Type, st.Function, st.Protocol, st.Contract, st.To.Hex(), st.Undoes)
		if st.Account != "" {
			fmt.Fprintf(w, "  \taccount %s %s\n", st.Account, st.Role)
		}
		if st.Check != nil {
			fmt.Fprintf(w, "  \tpost-condition %s\n", st.Check.Description)
		}
		if p.DryRun != nil && i < len(p.DryRun.Actions) {
			a := p.DryRun.Actions[i]
			line := a.Status
			if a.PostCondition != nil {
				line += ", post-condition " + a.PostCondition.Status
			}
			if a.Revert != nil {
				line += ", revert " + a.Revert.String()
			}
			fmt.Fprintf(w, "  \tdry-run %s (gas %d)\n", line, a.GasUsed)
		}
	}
	for _, sk := range p.Skipped {
		fmt.Fprintf(w, "  skipped\t%s (%s): %s\n", sk.Action, sk.Type, sk.Reason)
	}
	if p.DryRun != nil {
		ok := "ok"
		if !p.DryRun.OK {
			ok = "FAILED"
		}
		fmt.Fprintf(w, "  dry-run\t%s on a fork of block %d (%s, %s)\n", ok, p.DryRun.ForkBlock, p.DryRun.Method, orDash(p.DryRun.ForkURL))
		for _, warn := range p.DryRun.Warnings {
			fmt.Fprintf(w, "  warning\t%s\n", warn)
		}
	}
	if p.Hash != "" {
		fmt.Fprintf(w, "  hash\t%s (what approvers sign)\n", p.Hash)
		who := ""
		if len(valid) > 0 {
			who = ": " + strings.Join(valid, ", ")
		}
		fmt.Fprintf(w, "  approvals\t%d of %d%s\n", len(valid), p.Threshold, who)
	}
	for _, r := range refused {
		fmt.Fprintf(w, "  not counted\t%s\n", r)
	}
	if len(p.Actions) > 0 {
		fmt.Fprintf(w, "  actions\t%s\n", strings.Join(p.Actions, ", "))
	}
	if p.Reason != "" {
		fmt.Fprintf(w, "  reason\t%s\n", p.Reason)
	}
	_ = w.Flush()
	return exitOK
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runApproveRecovery is 'firebreak approve --recovery ID --key FILE'.
func runApproveRecovery(ctx context.Context, stdout, stderr io.Writer, opts config.Options, id, keyFile string, log *slog.Logger) int {
	key, err := recovery.LoadPrivateKey(keyFile)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak approve:", err)
		return exitUsage
	}
	p, err := engine.ApproveRecovery(ctx, opts, id, key, log)
	clear(key)
	if p.ID != "" {
		printProposal(stdout, p, false, opts)
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak approve:", err)
		return exitFailure
	}
	valid, _ := recovery.Tally(p, opts.Recovery.Approvers)
	if len(valid) < p.Threshold {
		fmt.Fprintf(stdout, "%s: approved; %d of %d approvals, %d more needed\n", p.ID, len(valid), p.Threshold, p.Threshold-len(valid))
	} else {
		fmt.Fprintf(stdout, "%s: approved; threshold reached (%d of %d): the engine executes it now\n", p.ID, len(valid), p.Threshold)
	}
	return exitOK
}
