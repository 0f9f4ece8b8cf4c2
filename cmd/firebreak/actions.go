package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/console"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

const actionsUsage = `Usage: firebreak actions <command> [flags] [argument]

The containment actions the engine recorded (the FIREBREAK_ACTIONS bucket):
each allowed action of an event, from its intent to its receipt, with every
signed attempt, its nonce, fees and transaction hash.

Commands:
  list     the actions, newest first: [--state pending,sent,...]
           [--protocol NAME] [--event ID] [--limit N] [--json]
  show     one action in full, its calldata decoded: show ID [--json]

States: pending (recorded, nothing signed), signed, sent, included (in a
block, waiting for confirmations), mined (final: its receipt says success
or reverted), failed (final: the error says why).

Both connect to --nats URL (default nats://127.0.0.1:4222, where 'firebreak
serve' runs its embedded server) as --creds FILE (an operator's or a
reader's identity from 'firebreak creds create'). Cancelling an action that
is not mined yet is not available: see docs/console.md.

Reference: docs/console.md (actions from the CLI).
`

func runActions(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, actionsUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "list":
		return actionsList(ctx, rest, stdout, stderr, lookupEnv)
	case "show":
		return actionsShow(ctx, rest, stdout, stderr, lookupEnv)
	case "cancel":
		fmt.Fprintln(stderr, "firebreak actions cancel: not available yet. Replacing a pending transaction with a zero-value\n"+
			"self-transfer at its nonce is the submitter's job (it owns each sender's nonce); until it takes\n"+
			"such requests, halt new actions with 'firebreak halt' (docs/console.md).")
		return exitUsage
	case "help", "-h", "--help":
		fmt.Fprint(stdout, actionsUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "firebreak actions: unknown command %q\n\n%s", cmd, actionsUsage)
		return exitUsage
	}
}

// actionFlags are the flags both commands share.
type actionFlags struct {
	fs      *flag.FlagSet
	nats    natsFlags
	timeout *time.Duration
	asJSON  *bool
}

func newActionFlags(name, usage string, stderr io.Writer) actionFlags {
	fs := flag.NewFlagSet("actions "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := actionFlags{
		fs:      fs,
		nats:    addNATSFlags(fs),
		timeout: fs.Duration("timeout", 30*time.Second, "give up after this long"),
		asJSON:  fs.Bool("json", false, "print the records as JSON, as stored"),
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: firebreak actions %s\n\nReference: docs/console.md.\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return f
}

// parse accepts flags before and after the positional arguments.
func (f actionFlags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.fs.Parse(args); err != nil {
			return nil, err
		}
		if f.fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, f.fs.Arg(0))
		args = f.fs.Args()[1:]
	}
}

// connect dials NATS, saying so plainly when no engine is there.
func (f actionFlags) connect(lookupEnv func(string) (string, bool)) (jetstream.JetStream, func(), error) {
	nc, err := f.nats.dial("firebreak-actions", lookupEnv)
	if errors.Is(err, nats.ErrNoServers) {
		// The URL may hold a password: shown redacted.
		return nil, nil, fmt.Errorf("no firebreak at %s: is 'firebreak serve' running? (%w)", ingest.RedactURL(*f.nats.url), err)
	}
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return js, nc.Close, nil
}

var actionStates = []record.State{record.Pending, record.Signed, record.Sent, record.Included, record.Mined, record.Failed, record.Joined, record.Satisfied, record.Refused}

func actionsList(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	f := newActionFlags("list", "list [--state pending,sent,...] [--protocol NAME] [--event ID] [--limit N] [--json]", stderr)
	stateFlag := f.fs.String("state", "", "only actions in these states, comma-separated (pending, signed, sent, included, mined, failed, joined, satisfied, refused)")
	protocol := f.fs.String("protocol", "", "only actions of this protocol")
	eventID := f.fs.String("event", "", "only the actions of this event id")
	limit := f.fs.Int("limit", 0, "at most this many, the newest (0: all)")
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 || *limit < 0 {
		f.fs.Usage()
		return exitUsage
	}
	states := map[record.State]bool{}
	for _, s := range strings.Split(*stateFlag, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(actionStates, record.State(s)) {
			fmt.Fprintf(stderr, "firebreak actions list: --state: %q is not one of %v\n", s, actionStates)
			return exitUsage
		}
		states[record.State(s)] = true
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	js, closeNATS, err := f.connect(lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak actions list:", err)
		return exitFailure
	}
	defer closeNATS()
	all, err := console.ReadActions(ctx, js)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak actions list:", err)
		return exitFailure
	}
	recs := make([]record.Record, 0, len(all))
	for _, r := range all {
		if (len(states) == 0 || states[r.State]) && (*protocol == "" || r.Protocol == *protocol) && (*eventID == "" || r.EventID == *eventID) {
			recs = append(recs, r)
		}
	}
	if *limit > 0 && len(recs) > *limit {
		recs = recs[:*limit]
	}
	if *f.asJSON {
		if err := printJSON(stdout, recs); err != nil {
			fmt.Fprintln(stderr, "firebreak actions list:", err)
			return exitFailure
		}
		return exitOK
	}
	if len(recs) == 0 {
		fmt.Fprintf(stdout, "no actions (of %d recorded)\n", len(all))
		return exitOK
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CREATED\tID\tSTATE\tPROTOCOL\tACTION\tCHAIN\tNONCE\tTX\tBLOCK")
	for _, r := range recs {
		nonce, tx, block := "-", "-", "-"
		if r.Nonce != nil {
			nonce = fmt.Sprint(*r.Nonce)
		}
		if r.TxHash != nil {
			tx = r.TxHash.Hex()
		}
		if r.Block != 0 {
			block = fmt.Sprint(r.Block)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s %s on %s\t%d\t%s\t%s\t%s\n", r.CreatedAt.UTC().Format(time.RFC3339), r.ID, stateText(r),
			r.Protocol, r.Type, r.Function, r.To.Hex(), r.ChainID, nonce, tx, block)
	}
	_ = w.Flush()
	return exitOK
}

// stateText is the state, with a mined action's receipt status.
func stateText(r record.Record) string {
	if r.State == record.Mined && r.Status == 0 {
		return "mined (REVERTED)"
	}
	return string(r.State)
}

func actionsShow(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	f := newActionFlags("show", "show ID [--json]", stderr)
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		f.fs.Usage()
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	js, closeNATS, err := f.connect(lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak actions show:", err)
		return exitFailure
	}
	defer closeNATS()
	r, err := console.ReadAction(ctx, js, pos[0])
	if err != nil {
		fmt.Fprintln(stderr, "firebreak actions show:", err)
		return exitFailure
	}
	if *f.asJSON {
		if err := printJSON(stdout, r); err != nil {
			return exitFailure
		}
		return exitOK
	}
	printAction(stdout, r)
	return exitOK
}

func printAction(w io.Writer, r record.Record) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	row("action", r.ID)
	row("state", stateText(r))
	row("event", r.EventID)
	row("protocol", r.Protocol)
	row("type", r.Type+ifNotEmpty(" (rule ", r.Rule, ")"))
	row("chain", fmt.Sprint(r.ChainID))
	row("to", r.To.Hex())
	row("call", simulate.NewDecoder().DecodeCall(r.Data).String())
	row("calldata", hexutil.Encode(r.Data))
	row("signer", r.Signer)
	if r.From != ([20]byte{}) {
		row("from", r.From.Hex())
	}
	if r.Nonce != nil {
		row("nonce", fmt.Sprint(*r.Nonce))
	}
	if r.TxHash != nil {
		row("tx", r.TxHash.Hex())
	}
	if r.GasFeeCap != nil {
		row("fees", fmt.Sprintf("max %s gwei, tip %s gwei per gas, gas limit %d", gweiText(r.GasFeeCap), gweiText(r.GasTipCap), r.GasLimit))
	}
	if r.Block != 0 {
		row("block", fmt.Sprintf("%d (%s, %d gas used, status %d)", r.Block, plural(r.Confirmations, "confirmation"), r.GasUsed, r.Status))
	}
	if r.Bumps > 0 || r.Reorgs > 0 {
		row("bumps", fmt.Sprintf("%d (reorgs %d)", r.Bumps, r.Reorgs))
	}
	row("warning", r.Warning)
	row("error", r.Error)
	row("created", stamp(r.CreatedAt))
	row("sent", stamp(r.SentAt))
	row("mined", stamp(r.MinedAt))
	_ = tw.Flush()
	if len(r.Attempts) == 0 {
		return
	}
	fmt.Fprintf(w, "\nattempts (%d):\n", len(r.Attempts))
	aw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(aw, "  #\tHASH\tNONCE\tMAX FEE\tTIP\tGAS\tHEAD\tSTATUS\tAT\tWHY")
	for i, a := range r.Attempts {
		fmt.Fprintf(aw, "  %d\t%s\t%d\t%s gwei\t%s gwei\t%d\t%d\t%s\t%s\t%s\n", i+1, a.Hash.Hex(), a.Nonce, gweiText(a.GasFeeCap),
			gweiText(a.GasTipCap), a.GasLimit, a.Head, a.Status, stamp(a.At), a.Reason)
	}
	_ = aw.Flush()
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func ifNotEmpty(pre, s, post string) string {
	if s == "" {
		return ""
	}
	return pre + s + post
}

// gweiText formats wei as gwei, three decimals at most.
func gweiText(v *hexutil.Big) string {
	if v == nil {
		return "-"
	}
	r := new(big.Rat).SetFrac(v.ToInt(), big.NewInt(1e9))
	s := strings.TrimRight(strings.TrimRight(r.FloatString(3), "0"), ".")
	if s == "" {
		return "0"
	}
	return s
}
