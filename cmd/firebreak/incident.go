package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/firebreak-dev/firebreak/engine/console"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/record"
)

const incidentUsage = `Usage: firebreak incident <command> [flags] [ID]

Incidents (the FIREBREAK_INCIDENTS bucket): the engine groups detection
events into incidents — by the incident id the detector sends
(metadata.incident_id), else by protocol within incidents.window (30m) of
the incident's last event — and follows each from detected to contained
(every allowed action final). People take it from there.

Commands:
  list      the incidents, newest first [--state detected,...] [--protocol NAME] [--json]
  show      one incident: its events, actions (with their transactions) and history: show ID [--json]
  ack       say you are on it (the state does not change): ack ID [--note TEXT]
  resolve   close it: resolve ID --note TEXT
  dismiss   close it as a false positive: dismiss ID --note TEXT
  report    the postmortem from the audit log: report ID [--format md|html|json] [--out FILE]

States: detected, contained, recovering, resolved (final), dismissed (final).

Every change is recorded with who made it (--by, else the identity of
--creds) and is audited and notified by the running engine. All commands
connect to --nats URL (default nats://127.0.0.1:4222) as --creds FILE (an
operator's identity from 'firebreak creds create' for ack, resolve and
dismiss; a reader's is enough for list and show).

Reference: docs/incidents.md.
`

func runIncident(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, incidentUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "list":
		return incidentList(ctx, rest, stdout, stderr, lookupEnv)
	case "show":
		return incidentShow(ctx, rest, stdout, stderr, lookupEnv)
	case "ack":
		return incidentChange(ctx, cmd, "", rest, stdout, stderr, lookupEnv)
	case "resolve":
		return incidentChange(ctx, cmd, incident.Resolved, rest, stdout, stderr, lookupEnv)
	case "dismiss":
		return incidentChange(ctx, cmd, incident.Dismissed, rest, stdout, stderr, lookupEnv)
	case "report":
		return incidentReport(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, incidentUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "firebreak incident: unknown command %q\n\n%s", cmd, incidentUsage)
		return exitUsage
	}
}

// incidentFlags are the flags every incident command shares.
func incidentFlags(name, usage string, stderr io.Writer) actionFlags {
	f := newActionFlags(name, usage, stderr)
	f.fs.Init("incident "+name, flag.ContinueOnError)
	f.fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: firebreak incident %s\n\nReference: docs/incidents.md.\n\nFlags:\n", usage)
		f.fs.PrintDefaults()
	}
	return f
}

func openIncidents(ctx context.Context, f actionFlags, lookupEnv func(string) (string, bool)) (*incident.Store, jetstream.JetStream, func(), error) {
	js, closeNATS, err := f.connect(lookupEnv)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := incident.OpenStore(ctx, js)
	if err != nil {
		closeNATS()
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			err = fmt.Errorf("no incidents yet: the engine creates %s when it starts (%w)", incident.Bucket, err)
		}
		return nil, nil, nil, err
	}
	return st, js, closeNATS, nil
}

func incidentList(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	f := incidentFlags("list", "list [--state detected,contained,...] [--protocol NAME] [--json]", stderr)
	stateFlag := f.fs.String("state", "", "only incidents in these states, comma-separated")
	protocol := f.fs.String("protocol", "", "only incidents of this protocol")
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		f.fs.Usage()
		return exitUsage
	}
	states := map[incident.State]bool{}
	for _, s := range strings.Split(*stateFlag, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		switch st := incident.State(s); st {
		case incident.Detected, incident.Contained, incident.Recovering, incident.Resolved, incident.Dismissed:
			states[st] = true
		default:
			fmt.Fprintf(stderr, "firebreak incident list: --state: %q is not one of detected, contained, recovering, resolved, dismissed\n", s)
			return exitUsage
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	st, _, closeNATS, err := openIncidents(ctx, f, lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak incident list:", err)
		return exitFailure
	}
	defer closeNATS()
	all, err := st.List(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak incident list:", err)
		return exitFailure
	}
	list := make([]incident.Incident, 0, len(all))
	for _, in := range all {
		if (len(states) == 0 || states[in.State]) && (*protocol == "" || in.Protocol == *protocol) {
			list = append(list, in)
		}
	}
	if *f.asJSON {
		if err := printJSON(stdout, list); err != nil {
			return exitFailure
		}
		return exitOK
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "no incidents (of %d)\n", len(all))
		return exitOK
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "OPENED\tID\tSTATE\tPROTOCOL\tSEVERITY\tEVENTS\tACTIONS\tTITLE")
	for _, in := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", in.OpenedAt.UTC().Format(time.RFC3339), in.ID, in.State, in.Protocol, in.Severity,
			len(in.Events), len(in.Actions), termLine(in.Title))
	}
	_ = w.Flush()
	return exitOK
}

// incidentView is an incident with its actions' records, as show prints it.
type incidentView struct {
	incident.Incident
	ActionRecords []record.Record `json:"action_records"`
}

func incidentShow(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	f := incidentFlags("show", "show ID [--json]", stderr)
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
	st, js, closeNATS, err := openIncidents(ctx, f, lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak incident show:", err)
		return exitFailure
	}
	defer closeNATS()
	in, _, err := st.Get(ctx, pos[0])
	if err != nil {
		fmt.Fprintln(stderr, "firebreak incident show:", err)
		return exitFailure
	}
	v := incidentView{Incident: in, ActionRecords: []record.Record{}}
	for _, id := range in.Actions {
		if r, err := console.ReadAction(ctx, js, id); err == nil {
			v.ActionRecords = append(v.ActionRecords, r)
		}
	}
	if *f.asJSON {
		if err := printJSON(stdout, v); err != nil {
			return exitFailure
		}
		return exitOK
	}
	printIncident(stdout, v)
	return exitOK
}

func printIncident(w io.Writer, v incidentView) {
	in := v.Incident
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, val string) {
		if val != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, val)
		}
	}
	row("incident", in.ID)
	row("state", string(in.State))
	row("title", termLine(in.Title))
	row("protocol", in.Protocol)
	row("severity", in.Severity)
	row("detector incident", in.DetectorRef)
	row("opened", in.OpenedAt.UTC().Format(time.RFC3339Nano))
	row("last event", in.LastEventAt.UTC().Format(time.RFC3339Nano))
	row("acknowledged by", in.AckedBy)
	row("rule", in.Rule)
	row("events", strings.Join(in.Events, ", "))
	row("approvals", strings.Join(in.Approvals, ", "))
	_ = tw.Flush()
	fmt.Fprintln(w, "\nActions:")
	if len(in.Actions) == 0 {
		fmt.Fprintln(w, "  none")
	}
	recs := map[string]record.Record{}
	for _, r := range v.ActionRecords {
		recs[r.ID] = r
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, id := range in.Actions {
		r, ok := recs[id]
		if !ok {
			fmt.Fprintf(tw, "  %s\tnot recorded yet (waiting for an approval?)\n", id)
			continue
		}
		tx := "-"
		if r.TxHash != nil {
			tx = r.TxHash.Hex()
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s %s on %s\tchain %d\ttx %s\n", id, stateText(r), r.Type, r.Function, r.To.Hex(), r.ChainID, tx)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nHistory:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range in.History {
		what := string(c.To)
		if c.IsAck() {
			what = "acknowledged"
		} else if c.From != "" {
			what = string(c.From) + " → " + string(c.To)
		}
		fmt.Fprintf(tw, "  %s\t%s\tby %s\t%s\n", c.At.UTC().Format(time.RFC3339), what, termLine(c.By), termLine(c.Note))
	}
	_ = tw.Flush()
}

func incidentChange(ctx context.Context, cmd string, to incident.State, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	usage := cmd + " ID --note TEXT [--by NAME] [--json]"
	if to == "" {
		usage = "ack ID [--note TEXT] [--by NAME] [--json]"
	}
	f := incidentFlags(cmd, usage, stderr)
	note := f.fs.String("note", "", "why (required for resolve and dismiss; at most 2000 bytes)")
	by := f.fs.String("by", "", "who makes the change (default: the identity of --creds)")
	pos, err := f.parse(args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		f.fs.Usage()
		return exitUsage
	}
	if to != "" && strings.TrimSpace(*note) == "" {
		fmt.Fprintf(stderr, "firebreak incident %s: --note is required: say why, for the record\n", cmd)
		return exitUsage
	}
	who := strings.TrimSpace(*by)
	if who == "" {
		if who, err = credsIdentity(*f.nats.creds); err != nil {
			fmt.Fprintf(stderr, "firebreak incident %s: %v\n", cmd, err)
			return exitUsage
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	st, _, closeNATS, err := openIncidents(ctx, f, lookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak incident %s: %v\n", cmd, err)
		return exitFailure
	}
	defer closeNATS()
	in, err := st.Transition(ctx, pos[0], to, who, *note, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "firebreak incident %s: %v\n", cmd, err)
		return exitFailure
	}
	if *f.asJSON {
		if err := printJSON(stdout, in); err != nil {
			return exitFailure
		}
		return exitOK
	}
	if to == "" {
		fmt.Fprintf(stdout, "incident %s acknowledged by %s (still %s)\n", in.ID, who, in.State)
	} else {
		fmt.Fprintf(stdout, "incident %s is %s (by %s): the engine audits the change and notifies its channels\n", in.ID, in.State, who)
	}
	return exitOK
}

// credsIdentity names the operator of a credential file: its public key.
func credsIdentity(path string) (string, error) {
	if path == "" {
		return "", errors.New("say who makes the change: --by NAME, or --creds FILE (its identity is used)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading --creds: %w", err)
	}
	kp, err := nkeys.ParseDecoratedNKey(data)
	if err != nil {
		return "", errors.New("--creds holds no nkey seed to name you by: pass --by NAME")
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return "", errors.New("--creds holds no nkey seed to name you by: pass --by NAME")
	}
	return "nkey " + pub, nil
}
