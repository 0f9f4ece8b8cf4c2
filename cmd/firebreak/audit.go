package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
)

const auditUsage = `Usage: firebreak audit <command> [flags] [argument]

The audit log is a hash-chained, append-only record of everything the engine
saw, decided and did, kept in the FIREBREAK_AUDIT stream of the engine's NATS
(the server refuses to delete or purge it). Each record carries its sequence
number, the SHA-256 of its content and of the record before it, and, when an
audit signing key is configured, an ed25519 signature.

Commands:
  list     list records:  [--since 1h|2026-11-25T10:00:00Z] [--protocol NAME]
           [--kind KIND] [--event ID] [--limit N] [--json]
  show     the whole story of one incident, in order: show EVENT_ID, or
           show SEQ for the incident that record belongs to
           (--event ID or --seq N when an event id is all digits)
  verify   walk the whole chain and name the first broken record;
           --file FILE.jsonl verifies an export instead of the stream;
           --public-key HEX (or --public-key-file) also checks signatures;
           --expect-head HASH [--expect-seq N] also requires the chain to
           hold that record (a head kept elsewhere): a truncated export or
           a replaced stream fails; --checkpoint FILE takes the head from
           the engine's audit-checkpoint.json
  head     the last record's sequence number and hash [--json]: keep it
           somewhere the engine's host cannot reach, for verify --expect-head
  export   --out FILE.jsonl: every record, one per line, exactly as stored
  keygen   --out FILE: make an audit signing key (keep FILE secret; give the
           printed public key to whoever verifies exports)

Kinds: received, rejected, duplicate, decision, guard, planned, dryrun,
approval, signed, sent, bumped, warning, included, reorged, mined, failed,
refused (a stored action or approval quarantined: off the allowlist, a bad
MAC, or invalid when loaded; nothing signed for it), checkpoint_override (the engine started with --accept-audit-reset over a
stream that did not hold its checkpoint), stream_replaced (the stream lost
the engine's head while it ran).

Every command but keygen and verify --file connects to --nats URL (default
nats://127.0.0.1:4222, where 'firebreak serve' runs its embedded server).
Exit status: 0 ok, 1 failure (verify: the chain is broken), 2 usage.
Run 'firebreak audit <command> -h' for its flags.

Reference: docs/audit.md.
`

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "list":
		return auditList(ctx, rest, stdout, stderr)
	case "show":
		return auditShow(ctx, rest, stdout, stderr)
	case "verify":
		return auditVerify(ctx, rest, stdout, stderr)
	case "export":
		return auditExport(ctx, rest, stdout, stderr)
	case "head":
		return auditHead(ctx, rest, stdout, stderr)
	case "keygen":
		return auditKeygen(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, auditUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "firebreak audit: unknown command %q\n\n%s", cmd, auditUsage)
		return exitUsage
	}
}

// auditFlags are the flags every command that reads the stream shares.
type auditFlags struct {
	fs      *flag.FlagSet
	nats    natsFlags
	timeout *time.Duration
	asJSON  *bool
}

// newAuditFlags registers the shared flags; jsonHelp, when not empty,
// adds --json with that description.
func newAuditFlags(name, usage, jsonHelp string, stderr io.Writer) auditFlags {
	fs := flag.NewFlagSet("audit "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := auditFlags{
		fs:      fs,
		nats:    addNATSFlags(fs),
		timeout: fs.Duration("timeout", 60*time.Second, "give up after this long"),
		asJSON:  new(bool),
	}
	if jsonHelp != "" {
		fs.BoolVar(f.asJSON, "json", false, jsonHelp)
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: firebreak audit %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return f
}

// parse accepts flags before and after the positional arguments.
func (f auditFlags) parse(args []string) ([]string, error) {
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

func (f auditFlags) reader(ctx context.Context) (*audit.Reader, func(), error) {
	nc, err := f.nats.dial("firebreak-audit", os.LookupEnv)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	rd, err := audit.NewReader(ctx, js)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return rd, nc.Close, nil
}

const jsonRecords = "print records as JSON, one per line, exactly as stored"

func auditList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newAuditFlags("list", "list [--since 1h|TIME] [--protocol NAME] [--kind KIND] [--event ID] [--limit N] [--json]", jsonRecords, stderr)
	since := f.fs.String("since", "", "only records at or after this: a duration back from now (90m, 24h) or an RFC 3339 time")
	protocol := f.fs.String("protocol", "", "only records about this protocol")
	kind := f.fs.String("kind", "", "only records of this kind (received, decision, guard, signed, mined, ...)")
	eventID := f.fs.String("event", "", "only records about this event id (a lookup by subject: fast on any size of log)")
	limit := f.fs.Int("limit", 0, "stop after this many records (0: all)")
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "firebreak audit list: unexpected argument %q (use --event ID)\n", pos[0])
		return exitUsage
	}
	filter := audit.Filter{EventID: *eventID, Kind: audit.Kind(*kind), Protocol: *protocol, Limit: *limit}
	if *kind != "" && !filter.Kind.Valid() {
		fmt.Fprintf(stderr, "firebreak audit list: --kind %q is not a record kind\n", *kind)
		return exitUsage
	}
	if *since != "" {
		if filter.Since, err = parseSince(*since, time.Now()); err != nil {
			fmt.Fprintln(stderr, "firebreak audit list:", err)
			return exitUsage
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	rd, closeConn, err := f.reader(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit list:", err)
		return exitFailure
	}
	defer closeConn()
	recs, err := rd.List(ctx, filter)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit list:", err)
		return exitFailure
	}
	if err := printRecords(stdout, recs, *f.asJSON); err != nil {
		fmt.Fprintln(stderr, "firebreak audit list:", err)
		return exitFailure
	}
	if len(recs) == 0 && !*f.asJSON {
		fmt.Fprintln(stderr, "no matching records")
	}
	return exitOK
}

func printRecords(w io.Writer, recs []audit.Record, asJSON bool) error {
	for _, r := range recs {
		var err error
		if asJSON {
			var b []byte
			if b, err = r.Encode(); err == nil {
				_, err = fmt.Fprintf(w, "%s\n", b)
			}
		} else {
			_, err = fmt.Fprintln(w, r.Line())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// parseSince reads a duration back from now or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %q: a duration back from now must be positive", s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q is neither a duration (90m, 24h) nor an RFC 3339 time (2026-11-25T10:00:00Z)", s)
	}
	return t, nil
}

func auditShow(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newAuditFlags("show", "show SEQ|EVENT_ID [--json]   (or --event ID, --seq N)", jsonRecords, stderr)
	eventID := f.fs.String("event", "", "the event id (when it could be read as a sequence number)")
	seq := f.fs.Uint64("seq", 0, "a record's sequence number: shows the story of its event")
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	switch {
	case len(pos) > 1:
		fmt.Fprintln(stderr, "firebreak audit show: one SEQ or EVENT_ID")
		return exitUsage
	case len(pos) == 1 && *eventID == "" && *seq == 0:
		if n, err := strconv.ParseUint(pos[0], 10, 64); err == nil {
			*seq = n
		} else {
			*eventID = pos[0]
		}
	case len(pos) == 0 && *eventID == "" && *seq == 0:
		f.fs.Usage()
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	rd, closeConn, err := f.reader(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit show:", err)
		return exitFailure
	}
	defer closeConn()
	var recs []audit.Record
	if *eventID == "" {
		r, err := rd.Get(ctx, *seq)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak audit show:", err)
			return exitFailure
		}
		recs = []audit.Record{r}
		*eventID = r.EventID
	}
	if *eventID != "" {
		if recs, err = rd.Event(ctx, *eventID); err != nil {
			fmt.Fprintln(stderr, "firebreak audit show:", err)
			return exitFailure
		}
	}
	if *f.asJSON {
		err = printRecords(stdout, recs, true)
	} else {
		err = audit.WriteStory(stdout, recs)
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit show:", err)
		return exitFailure
	}
	return exitOK
}

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newAuditFlags("verify", "verify [--file FILE.jsonl] [--public-key HEX | --public-key-file FILE] [--expect-head HASH [--expect-seq N] | --checkpoint FILE] [--json]",
		"print the result as one JSON object (ok, records, last_seq, last_hash, head_seq, broken_at, broken_reason)", stderr)
	file := f.fs.String("file", "", "verify this export instead of the stream ('-' for standard input); needs no NATS")
	pubHex := f.fs.String("public-key", "", "hex ed25519 public key: every record must be signed by it")
	pubFile := f.fs.String("public-key-file", "", "file holding the hex public key")
	expectHead := f.fs.String("expect-head", "", "hash of a record the chain must hold (from 'firebreak audit head', kept elsewhere)")
	expectSeq := f.fs.Uint64("expect-seq", 0, "with --expect-head: the sequence number that record must have")
	checkpoint := f.fs.String("checkpoint", "", "expect the head the engine's checkpoint file names (<data_dir>/"+audit.CheckpointFile+")")
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "firebreak audit verify: unexpected argument %q (use --file)\n", pos[0])
		return exitUsage
	}
	opts := audit.VerifyOptions{ExpectHead: strings.ToLower(strings.TrimSpace(*expectHead)), ExpectSeq: *expectSeq}
	if *checkpoint != "" {
		if opts.ExpectHead != "" || opts.ExpectSeq != 0 {
			fmt.Fprintln(stderr, "firebreak audit verify: give --checkpoint or --expect-head, not both")
			return exitUsage
		}
		cp, err := audit.LoadCheckpoint(*checkpoint)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak audit verify:", err)
			return exitUsage
		}
		if cp.Seq > 0 {
			opts.ExpectHead, opts.ExpectSeq = cp.Hash, cp.Seq
		}
	}
	if opts.ExpectSeq != 0 && opts.ExpectHead == "" {
		fmt.Fprintln(stderr, "firebreak audit verify: --expect-seq needs --expect-head")
		return exitUsage
	}
	if opts.ExpectHead != "" && !isHash(opts.ExpectHead) {
		fmt.Fprintf(stderr, "firebreak audit verify: --expect-head %q is not a record hash (64 hex digits)\n", *expectHead)
		return exitUsage
	}
	if *pubHex != "" && *pubFile != "" {
		fmt.Fprintln(stderr, "firebreak audit verify: give --public-key or --public-key-file, not both")
		return exitUsage
	}
	if *pubFile != "" {
		b, err := os.ReadFile(*pubFile)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak audit verify:", err)
			return exitUsage
		}
		*pubHex = string(b)
	}
	if *pubHex != "" {
		if opts.PublicKey, err = audit.ParsePublicKey(*pubHex); err != nil {
			fmt.Fprintln(stderr, "firebreak audit verify:", err)
			return exitUsage
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	var rep audit.Report
	where := "the audit stream"
	if *file != "" {
		where = *file
		in := io.Reader(os.Stdin)
		if *file != "-" {
			fh, err := os.Open(*file)
			if err != nil {
				fmt.Fprintln(stderr, "firebreak audit verify:", err)
				return exitUsage
			}
			defer fh.Close()
			in = fh
		}
		rep, err = audit.VerifyFile(in, opts)
	} else {
		rd, closeConn, cerr := f.reader(ctx)
		if cerr != nil {
			fmt.Fprintln(stderr, "firebreak audit verify:", cerr)
			return exitFailure
		}
		defer closeConn()
		rep, err = rd.Verify(ctx, opts)
	}
	var broken *audit.BrokenError
	if err != nil && !errors.As(err, &broken) {
		fmt.Fprintln(stderr, "firebreak audit verify:", err)
		return exitFailure
	}
	if *f.asJSON {
		out := struct {
			audit.Report
			OK          bool   `json:"ok"`
			BrokenAt    uint64 `json:"broken_at,omitempty"`
			BrokenWhy   string `json:"broken_reason,omitempty"`
			PublicKeyID string `json:"public_key_id,omitempty"`
		}{Report: rep, OK: broken == nil}
		if broken != nil {
			out.BrokenAt, out.BrokenWhy = broken.Seq, broken.Reason
		}
		if opts.PublicKey != nil {
			out.PublicKeyID = audit.KeyID(opts.PublicKey)
		}
		_ = json.NewEncoder(stdout).Encode(out)
	} else if broken != nil {
		fmt.Fprintf(stdout, "BROKEN: %s: record %d: %s\n(records 1 to %d verify)\n", where, broken.Seq, broken.Reason, rep.LastSeq)
	} else {
		fmt.Fprintf(stdout, "OK: %s: %d records verify", where, rep.Records)
		if rep.SignaturesChecked {
			fmt.Fprintf(stdout, ", every one signed by key %s", audit.KeyID(opts.PublicKey))
		} else if rep.Signed > 0 {
			fmt.Fprintf(stdout, " (%d signed; signatures not checked: give --public-key)", rep.Signed)
		}
		fmt.Fprintf(stdout, "\nlast record %d, hash %s\n", rep.LastSeq, rep.LastHash)
		if rep.HeadSeq != 0 {
			fmt.Fprintf(stdout, "expected head found: record %d, hash %s\n", rep.HeadSeq, opts.ExpectHead)
		}
	}
	if broken != nil {
		return exitFailure
	}
	return exitOK
}

// isHash reports whether s is a record hash: 64 lowercase hex digits.
func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func auditHead(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newAuditFlags("head", "head [--json]", "print the head as one JSON object (stream, seq, hash, time)", stderr)
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "firebreak audit head: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	rd, closeConn, err := f.reader(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit head:", err)
		return exitFailure
	}
	defer closeConn()
	h, err := rd.Head(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit head:", err)
		return exitFailure
	}
	if *f.asJSON {
		_ = json.NewEncoder(stdout).Encode(h)
		return exitOK
	}
	if h.Seq == 0 {
		fmt.Fprintf(stdout, "%s is empty\n", h.Stream)
		return exitOK
	}
	fmt.Fprintf(stdout, "head of %s: record %d, hash %s, written %s\n", h.Stream, h.Seq, h.Hash, h.Time.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(stdout, "keep it elsewhere; later: firebreak audit verify --expect-head %s --expect-seq %d\n", h.Hash, h.Seq)
	fmt.Fprintln(stdout, "(head reads the last record only: 'firebreak audit verify' checks the chain)")
	return exitOK
}

func auditExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newAuditFlags("export", "export --out FILE.jsonl", "", stderr)
	out := f.fs.String("out", "", "file to write ('-' for standard output); an existing file is not overwritten")
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	if *out == "" || len(pos) > 0 {
		f.fs.Usage()
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	rd, closeConn, err := f.reader(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit export:", err)
		return exitFailure
	}
	defer closeConn()
	w, report := io.Writer(stdout), stderr
	var fh *os.File
	if *out != "-" {
		if fh, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err != nil {
			fmt.Fprintln(stderr, "firebreak audit export:", err)
			return exitFailure
		}
		w, report = fh, stdout
	}
	n, err := rd.Export(ctx, w)
	if fh != nil {
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit export:", err)
		return exitFailure
	}
	fmt.Fprintf(report, "exported %d records to %s; check it with: firebreak audit verify --file %s\n", n, *out, *out)
	return exitOK
}

func auditKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "file for the secret key (created with mode 0600; never overwritten)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak audit keygen --out FILE

Makes an ed25519 audit signing key. The secret seed goes to FILE, for
audit.signing_key_file (or put its content in the variable named by
audit.signing_key_env); the public key is printed, for
'firebreak audit verify --public-key'.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	seed, pub, err := audit.GenerateKey()
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit keygen:", err)
		return exitFailure
	}
	fh, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak audit keygen:", err)
		return exitFailure
	}
	_, werr := fmt.Fprintln(fh, seed)
	if cerr := fh.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		fmt.Fprintln(stderr, "firebreak audit keygen:", werr)
		return exitFailure
	}
	pk, _ := audit.ParsePublicKey(pub)
	fmt.Fprintf(stdout, "secret key written to %s\npublic key %s (key id %s)\n", *out, pub, audit.KeyID(ed25519.PublicKey(pk)))
	return exitOK
}
