package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

func runApprovals(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("approvals", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "firebreak.yaml", "configuration file: where NATS and the chains are")
	creds := fs.String("creds", "", "NATS credentials: an operator's nkey seed from 'firebreak creds create --role operator' (or a .creds file)")
	asJSON := fs.Bool("json", false, "print the approvals as a JSON array")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak approvals [--config firebreak.yaml] [--json]

Lists the Safe transactions waiting for owner signatures (the
FIREBREAK_APPROVALS bucket): actions whose decision requires approval, or
whose Safe needs more owner signatures than firebreak holds. Each shows the
call the Safe would make, decoded by the ABI of the allowlisted function
(target by registry name, arguments, operation, value), and whether
'firebreak approve' would sign it (REFUSED: not a plain CALL, value, off the
allowlist, or no valid engine MAC). Each is checked against its Safe's
current nonce: STALE means the nonce moved on and the transaction can never
execute. Add a signature with 'firebreak approve'.

Reference: docs/operations.md (acting through a Safe).

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	opts, err := config.LoadConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak approvals:", err)
		return exitUsage
	}
	opts.LookupEnv = lookupEnv
	useCreds(&opts, *creds)
	as, err := engine.Approvals(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak approvals:", err)
		return exitFailure
	}
	if *asJSON {
		if err := printJSON(stdout, as); err != nil {
			return exitFailure
		}
		return exitOK
	}
	if len(as) == 0 {
		fmt.Fprintln(stdout, "no approvals")
		return exitOK
	}
	for i, a := range as {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		printApproval(stdout, a)
	}
	return exitOK
}

// printApproval shows an approval as its owners must read it: what the
// Safe would execute, decoded, and whether approve would sign it.
func printApproval(out io.Writer, a engine.ApprovalStatus) {
	state := string(a.State)
	if a.Stale && a.State != "stale" {
		state += " (STALE)"
	}
	if a.Refusal != "" && !a.State.Final() {
		state += " (REFUSED)"
	}
	fmt.Fprintf(out, "%s  %s  Safe %s %s, Safe nonce %d, signed %d/%d\n", a.ID, state, a.Signer, a.Safe.Hex(), a.Tx.Nonce, len(a.Signatures), a.Threshold)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "  call\t%s on %s (%s)\n", a.Call.Function, a.Call.Target, a.Call.To.Hex())
	for _, arg := range a.Call.Args {
		fmt.Fprintf(w, "  argument\t%s\n", arg)
	}
	fmt.Fprintf(w, "  operation\t%s, value %s wei\n", a.Operation, a.Value)
	fmt.Fprintf(w, "  safe tx hash\t%s\n", a.Hash.Hex())
	if a.Refusal != "" {
		fmt.Fprintf(w, "  check\tREFUSED: %s\n", a.Refusal)
	} else {
		fmt.Fprintf(w, "  check\tok: a plain CALL, no value, of an allowlisted function, recorded by the engine (MAC verified)\n")
	}
	if a.Reason != "" {
		fmt.Fprintf(w, "  reason\t%s\n", a.Reason)
	}
	if a.Error != "" {
		fmt.Fprintf(w, "  error\t%s\n", a.Error)
	}
	_ = w.Flush()
}

func runApprove(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("approve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "firebreak.yaml", "configuration file: NATS, the chains and the owner's signer")
	signerName := fs.String("signer", "", "the configured signer of the Safe owner who approves (required)")
	creds := fs.String("creds", "", "NATS credentials: an operator's nkey seed from 'firebreak creds create --role operator' (or a .creds file)")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	recoveryID := fs.String("recovery", "", "approve recovery proposal ID (see 'firebreak recover') instead of a Safe transaction")
	keyFile := fs.String("key", "", "with --recovery: your ed25519 key (PEM or hex, mode 0600), one of recovery.approvers")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak approve ID --signer NAME [--config firebreak.yaml]
       firebreak approve --recovery PROPOSAL --key FILE [--config firebreak.yaml]

Adds a Safe owner's signature to the pending approval ID (see 'firebreak
approvals'). NAME is a signer in the configuration that holds the owner's key
(its key comes from the environment variable the configuration names). The
Safe transaction is checked first: a plain CALL with no value of a function
on the configuration's allowlist, carrying the engine's MAC (records.mac_key_file or _env, or the key in data_dir); still
pending, not stale (the Safe's nonce has not moved on), NAME is an owner that
has not signed, and the Safe's own getTransactionHash agrees with the
recorded hash. The decoded call is printed. When the signatures reach
the Safe's threshold the running engine ('firebreak serve') sends
execTransaction within a second; it never sends one approval twice.

With --recovery, signs the hash of a recovery proposal with your own
ed25519 key (--key): the key must be one of recovery.approvers, the proposal
must carry the engine's MAC and every step must be on recovery_allowlist.
The plan is printed. The running engine executes it once recovery.threshold
distinct approvers signed.

Reference: docs/operations.md (acting through a Safe), docs/recovery.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if *recoveryID != "" {
		if *keyFile == "" || *signerName != "" || fs.NArg() > 0 {
			fs.Usage()
			return exitUsage
		}
		opts, err := config.LoadConfig(*configPath)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak approve:", err)
			return exitUsage
		}
		opts.LookupEnv = lookupEnv
		useCreds(&opts, *creds)
		log, err := newLogger(stderr, *logLevel, "text")
		if err != nil {
			fmt.Fprintln(stderr, "firebreak approve:", err)
			return exitUsage
		}
		return runApproveRecovery(ctx, stdout, stderr, opts, *recoveryID, *keyFile, log)
	}
	// The id may come before the flags: parse what follows it too.
	var id string
	if fs.NArg() > 0 {
		id = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return flagExit(err)
		}
	}
	if id == "" || *signerName == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	log, err := newLogger(stderr, *logLevel, "text")
	if err != nil {
		fmt.Fprintln(stderr, "firebreak approve:", err)
		return exitUsage
	}
	opts, err := config.LoadConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak approve:", err)
		return exitUsage
	}
	opts.LookupEnv = lookupEnv
	useCreds(&opts, *creds)
	a, err := engine.Approve(ctx, opts, id, *signerName, log)
	if a.ID != "" {
		// What was (or would have been) signed, as the owner must read it.
		printApproval(stdout, engine.DescribeApproval(opts, a))
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak approve:", err)
		return exitFailure
	}
	if a.Missing() > 0 {
		fmt.Fprintf(stdout, "%s: signed by %s; %d of %d signatures, %d more needed\n", a.ID, *signerName, len(a.Signatures), a.Threshold, a.Missing())
	} else {
		fmt.Fprintf(stdout, "%s: signed by %s; threshold reached (%d of %d): the engine executes it now\n", a.ID, *signerName, len(a.Signatures), a.Threshold)
	}
	return exitOK
}

// useCreds makes opts connect with the credential file creds: to the
// configured NATS, or to the embedded server of the configuration.
func useCreds(opts *config.Options, creds string) {
	if creds == "" {
		return
	}
	opts.NATS.URL = engine.NATSClientURL(*opts)
	opts.NATS.Creds, opts.NATS.NkeySeedFile, opts.NATS.TokenEnv = "", "", ""
	if c, err := ingest.CredentialFile(creds); err == nil && c.CredsFile != "" {
		opts.NATS.Creds = creds
	} else {
		opts.NATS.NkeySeedFile = creds
	}
}
