package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/ingest"
)

const deadLettersUsage = `Usage: firebreak dead-letters <command> [flags] [argument]

Messages the engine did not act on, kept on detections.dead in the
DETECTIONS stream with their code and reason: refused (unknown source, bad
signature, stale, malformed...), refused by the pipeline, or stale after
transient failures outlasted ingest.max_event_age.

Commands:
  list     the dead letters, oldest first: [--since 1h] [--limit N] [--json]
  show     one in full (reason, code, original subject, headers, body):
           show SEQ [--json]
  replay   ask the engine to republish dead letters to their original
           subjects: replay SEQ [SEQ...] | replay --since 1h [--json]

A replay goes through the whole pipeline again: the event's freshness is
measured when the original arrived, and an event already handled is not
acted on twice. The engine answers with what it republished and audits it.

All connect to --nats URL (default nats://127.0.0.1:4222) as --creds FILE
(an operator's identity from 'firebreak creds create'; list and show need
only the stream's single-message reads).

Reference: docs/operations.md (dead letters and outages).
`

func runDeadLetters(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, deadLettersUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "list", "show", "replay":
		return deadLetters(ctx, cmd, rest, stdout, stderr, lookupEnv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, deadLettersUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "firebreak dead-letters: unknown command %q\n\n%s", cmd, deadLettersUsage)
		return exitUsage
	}
}

func deadLetters(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	usage := map[string]string{
		"list":   "list [--since 1h] [--limit N] [--json]",
		"show":   "show SEQ [--json]",
		"replay": "replay SEQ [SEQ...] | replay --since 1h [--json]",
	}[cmd]
	fs := flag.NewFlagSet("dead-letters "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	nf := addNATSFlags(fs)
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	asJSON := fs.Bool("json", false, "print JSON")
	var since *time.Duration
	limit := new(int)
	if cmd != "show" {
		since = fs.Duration("since", 0, "only dead letters stored within this long (e.g. 1h)")
	}
	if cmd == "list" {
		limit = fs.Int("limit", 100, "at most this many")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: firebreak dead-letters %s\n\nReference: docs/operations.md.\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	f := actionFlags{fs: fs}
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	var seqs []uint64
	for _, p := range pos {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil || n == 0 {
			fmt.Fprintf(stderr, "firebreak dead-letters %s: %q is not a stream sequence\n", cmd, p)
			return exitUsage
		}
		seqs = append(seqs, n)
	}
	hasSince := since != nil && *since > 0
	switch {
	case cmd == "list" && (len(seqs) > 0 || *limit <= 0),
		cmd == "show" && len(seqs) != 1,
		cmd == "replay" && (len(seqs) > 0) == hasSince:
		fs.Usage()
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	nc, err := nf.dial("firebreak-dead-letters", lookupEnv)
	if errors.Is(err, nats.ErrNoServers) {
		fmt.Fprintf(stderr, "firebreak dead-letters: no firebreak at %s: is 'firebreak serve' running? (%v)\n", ingest.RedactURL(*nf.url), err)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintf(stderr, "firebreak dead-letters: %v\n", err)
		return exitFailure
	}
	defer nc.Close()
	var from time.Time
	if hasSince {
		from = time.Now().Add(-*since)
	}
	if cmd == "replay" {
		return deadLettersReplay(ctx, nc, ingest.ReplayRequest{Seqs: seqs, Since: from}, *asJSON, stdout, stderr)
	}
	js, err := jetstream.New(nc)
	if err == nil {
		var s jetstream.Stream
		if s, err = js.Stream(ctx, ingest.Stream); err == nil {
			if cmd == "show" {
				err = deadLetterShow(ctx, s, seqs[0], *asJSON, stdout)
			} else {
				err = deadLetterList(ctx, s, from, *limit, *asJSON, stdout)
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "firebreak dead-letters %s: %v\n", cmd, err)
		return exitFailure
	}
	return exitOK
}

func deadLetterList(ctx context.Context, s jetstream.Stream, since time.Time, limit int, asJSON bool, stdout io.Writer) error {
	ds, err := ingest.ListDeadLetters(ctx, s, since, limit)
	if err != nil {
		return err
	}
	if asJSON {
		if ds == nil {
			ds = []ingest.DeadLetterInfo{}
		}
		return json.NewEncoder(stdout).Encode(ds)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SEQ\tTIME\tCODE\tSUBJECT\tREASON")
	for _, d := range ds {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", d.Seq, d.Time.UTC().Format(time.RFC3339), termLine(d.Code), termLine(d.Subject), termLine(cut(d.Reason, 100)))
	}
	return w.Flush()
}

func deadLetterShow(ctx context.Context, s jetstream.Stream, seq uint64, asJSON bool, stdout io.Writer) error {
	d, err := ingest.ReadDeadLetter(ctx, s, seq)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(d)
	}
	fmt.Fprintf(stdout, "seq:              %d\ntime:             %s\ncode:             %s\nreason:           %s\noriginal subject: %s\n",
		d.Seq, d.Time.UTC().Format(time.RFC3339Nano), termLine(d.Code), termLine(d.Reason), termLine(d.Subject))
	if d.OriginalSeq > 0 {
		fmt.Fprintf(stdout, "original seq:     %d\n", d.OriginalSeq)
	}
	if d.Route != "" {
		fmt.Fprintf(stdout, "route:            %s\n", termLine(d.Route))
	}
	for k, vs := range d.Headers {
		for _, v := range vs {
			fmt.Fprintf(stdout, "header:           %s: %s\n", termLine(k), termLine(v))
		}
	}
	if d.Truncated {
		fmt.Fprintln(stdout, "body (truncated):")
	} else {
		fmt.Fprintln(stdout, "body:")
	}
	// The body is what the sender sent: shown as stored, escapes made visible.
	fmt.Fprintf(stdout, "%s\n", terminalText(string(d.Body), true))
	return nil
}

func deadLettersReplay(ctx context.Context, nc *nats.Conn, req ingest.ReplayRequest, asJSON bool, stdout, stderr io.Writer) int {
	data, _ := json.Marshal(req)
	msg, err := nc.RequestWithContext(ctx, ingest.ReplaySubject, data)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak dead-letters replay: no answer from the engine on %s: %v\n", ingest.ReplaySubject, err)
		return exitFailure
	}
	var reply ingest.ReplayReply
	if err := json.Unmarshal(msg.Data, &reply); err != nil {
		fmt.Fprintf(stderr, "firebreak dead-letters replay: the engine's answer does not decode: %v\n", err)
		return exitFailure
	}
	if asJSON {
		_ = json.NewEncoder(stdout).Encode(reply)
	} else {
		for _, r := range reply.Replayed {
			note := ""
			if r.Duplicate {
				note = " (replayed already within the duplicate window: stored once)"
			}
			fmt.Fprintf(stdout, "dead letter %d replayed to %s as seq %d%s\n", r.DeadSeq, r.Subject, r.Seq, note)
		}
		fmt.Fprintf(stdout, "%d replayed\n", len(reply.Replayed))
		for _, e := range reply.Errors {
			fmt.Fprintf(stderr, "error: %s\n", e)
		}
	}
	if len(reply.Errors) > 0 {
		return exitFailure
	}
	return exitOK
}

// cut shortens s to at most n bytes, at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
