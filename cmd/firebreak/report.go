package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/report"
)

const incidentReportUsage = `Usage: firebreak incident report ID [--format md|html|json] [--out FILE] [--creds FILE]

The postmortem of incident ID, built from the audit log alone: a summary; a
UTC timeline of every record about its events and actions (the alert, the
decision with its policy revision and rules, each guard verdict with the
reason of a refusal, each signed, sent, bumped, included and mined
transaction, approvals, notifications, incident changes, recovery); the
latencies from alert to decision, broadcast and inclusion; gas used and fees
paid; the contracts and addresses involved; and, after SEAL 911's post-mortem
template, the sections the team writes (impact, root cause, what went well and
wrong, lessons learned, action items).

The incident (which events and actions are its) comes from the
FIREBREAK_INCIDENTS bucket; --events ID,ID builds one from event ids when no
incident was stored (an older log, a drill). The report verifies the hash
chain over every record from the incident's first to its last (other
incidents' records between them included) and says so, with the range and the
last hash; --public-key also checks every signature, reading the log from
record 1. Exit status: 0 written and verified, 1 written but the chain did not
verify (the report says where), or failed; 2 usage.

--format html writes one self-contained page (inline CSS and SVG, no script,
nothing fetched): mail it, archive it, open it offline.

Connects to --nats URL (default nats://127.0.0.1:4222, where 'firebreak serve'
runs its embedded server) as --creds FILE (an operator's or a reader's
identity from 'firebreak creds create').

Reference: docs/postmortem.md.

Flags:
`

// incidentReport implements 'firebreak incident report'.
func incidentReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("incident report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	natsF := addNATSFlags(fs)
	format := fs.String("format", "md", "md, html or json")
	asJSON := fs.Bool("json", false, "the same as --format json")
	out := fs.String("out", "", "write the report to this file (default: standard output)")
	events := fs.String("events", "", "comma-separated event ids: build the incident from them when the store holds none")
	pubHex := fs.String("public-key", "", "the audit public key (hex): also check every record's signature")
	pubFile := fs.String("public-key-file", "", "file holding the audit public key (hex)")
	timeout := fs.Duration("timeout", time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(stderr, incidentReportUsage)
		fs.PrintDefaults()
	}
	pos, err := reportParseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "firebreak incident report: give one incident id (firebreak incident list shows them)")
		fs.Usage()
		return exitUsage
	}
	id := pos[0]
	if *asJSON {
		*format = "json"
	}
	write, ok := report.Formats[*format]
	if !ok {
		fmt.Fprintf(stderr, "firebreak incident report: --format %q is not md, html or json\n", *format)
		return exitUsage
	}
	pub, err := reportPublicKey(*pubHex, *pubFile)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak incident report:", err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	nc, err := natsF.dial("firebreak-report", os.LookupEnv)
	if errors.Is(err, nats.ErrNoServers) {
		fmt.Fprintf(stderr, "firebreak incident report: no firebreak at %s: is 'firebreak serve' running? (%v)\n", ingest.RedactURL(*natsF.url), err)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak incident report:", err)
		return exitFailure
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak incident report:", err)
		return exitFailure
	}
	rep, err := buildReport(ctx, js, id, reportSplitList(*events), pub)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak incident report:", err)
		return exitFailure
	}
	var buf bytes.Buffer
	if err := write(&buf, rep); err != nil {
		fmt.Fprintln(stderr, "firebreak incident report:", err)
		return exitFailure
	}
	if *out == "" {
		_, _ = stdout.Write(buf.Bytes())
	} else {
		if err := os.WriteFile(filepath.Clean(*out), buf.Bytes(), 0o644); err != nil {
			fmt.Fprintln(stderr, "firebreak incident report:", err)
			return exitFailure
		}
		fmt.Fprintf(stderr, "wrote %s: %s\n", *out, rep.Verification.Sentence())
	}
	if !rep.Verification.Verified {
		fmt.Fprintln(stderr, "firebreak incident report: the audit chain did not verify:", rep.Verification.Problem)
		return exitFailure
	}
	return exitOK
}

// buildReport reads the incident (or builds it from events) and
// its records, and builds the report.
func buildReport(ctx context.Context, js jetstream.JetStream, id string, events []string, pub ed25519.PublicKey) (*report.Report, error) {
	in, err := reportLoadIncident(ctx, js, id)
	fromEvents := false
	switch {
	case err == nil && len(events) > 0:
		return nil, fmt.Errorf("incident %s is stored: --events is only for an incident the store does not hold", id)
	case err != nil && len(events) > 0:
		in, fromEvents = incident.Incident{ID: id, Events: events}, true
	case errors.Is(err, incident.ErrNotFound):
		return nil, fmt.Errorf("%w (firebreak incident list shows them; --events ID,ID builds one from event ids)", err)
	case err != nil:
		return nil, err
	}
	rd, err := audit.NewReader(ctx, js)
	if err != nil {
		return nil, err
	}
	recs, err := report.Collect(ctx, rd, in)
	if err != nil {
		return nil, err
	}
	if fromEvents {
		in = report.FromRecords(id, events, recs)
	}
	if pub != nil {
		// The audit package checks signatures from record 1 only.
		if recs, err = rd.List(ctx, audit.Filter{}); err != nil {
			return nil, err
		}
	}
	return report.Build(recs, in, report.Options{PublicKey: pub})
}

// reportLoadIncident reads an incident from the store; a missing bucket is the
// same as a missing incident.
func reportLoadIncident(ctx context.Context, js jetstream.JetStream, id string) (incident.Incident, error) {
	store, err := incident.OpenStore(ctx, js)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return incident.Incident{}, fmt.Errorf("%w: %s (no incident was ever stored on this NATS)", incident.ErrNotFound, id)
	}
	if err != nil {
		return incident.Incident{}, err
	}
	in, _, err := store.Get(ctx, id)
	return in, err
}

func reportPublicKey(hexKey, file string) (ed25519.PublicKey, error) {
	if file != "" {
		if hexKey != "" {
			return nil, errors.New("give --public-key or --public-key-file, not both")
		}
		b, err := os.ReadFile(filepath.Clean(file))
		if err != nil {
			return nil, fmt.Errorf("--public-key-file: %w", err)
		}
		hexKey = string(b)
	}
	hexKey = strings.TrimSpace(hexKey)
	if hexKey == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(hexKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("the public key must be %d bytes of hex", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// reportParseArgs accepts flags before and after the positional
// arguments.
func reportParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func reportSplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
