package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
	"github.com/firebreak-dev/firebreak/engine/ingest/webhook"
)

const ingestUsage = `Usage: firebreak ingest try --route NAME [--config firebreak.yaml] FILE
                         [--header 'Name: value' ...] [--at TIME] [--json]

Commands:
  try   show what the webhook ingress would do with a detector's payload

Reference: docs/ingress.md.
`

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, ingestUsage)
		return exitUsage
	}
	switch args[0] {
	case "try":
		return runIngestTry(ctx, args[1:], stdout, stderr, lookupEnv)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, ingestUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "firebreak ingest: unknown command %q\n\n%s", args[0], ingestUsage)
	return exitUsage
}

// headerFlags collects repeated --header "Name: value" flags.
type headerFlags struct{ h http.Header }

func (f *headerFlags) String() string { return "" }

func (f *headerFlags) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("%q is not Name: value", v)
	}
	f.h.Add(name, strings.TrimSpace(value))
	return nil
}

// tryReport is what `firebreak ingest try --json` prints.
type tryReport struct {
	Route   string `json:"route"`
	Adapter string `json:"adapter"`
	Source  string `json:"source"`
	// Subject is where the ingress stores the events.
	Subject string `json:"subject"`
	// Verification: "ok", "failed" or "not checked" (the route's secret is not
	// available here), with the reason and the error.
	Verification       string `json:"verification"`
	VerificationReason string `json:"verification_reason,omitempty"`
	VerificationError  string `json:"verification_error,omitempty"`
	// Status is the HTTP status the ingress would answer; Answer "stored",
	// "ignored" or "rejected", with the reason and the error.
	Status int           `json:"status"`
	Answer string        `json:"answer"`
	Reason string        `json:"reason,omitempty"`
	Error  string        `json:"error,omitempty"`
	Events []event.Event `json:"events"`
	Failed []string      `json:"failed,omitempty"`
	// IfVerified, when the verification failed, are the events the route would make
	// of the payload were it authentic (or why it would make none): for writing a
	// mapping from a payload whose signature cannot be made here.
	IfVerified      []event.Event `json:"if_verified,omitempty"`
	IfVerifiedError string        `json:"if_verified_error,omitempty"`
}

func runIngestTry(_ context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("ingest try", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "firebreak.yaml", "configuration file: its ingress.routes and protocols")
	routeName := fs.String("route", "", "the route of ingress.routes to try (required)")
	headers := &headerFlags{h: http.Header{}}
	fs.Var(headers, "header", `a request header, "Name: value" (repeatable): the vendor's signature headers`)
	at := fs.String("at", "", "arrival time to check timestamps against: RFC 3339 or Unix seconds (default: now)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the report")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak ingest try --route NAME [--config firebreak.yaml] FILE
                         [--header 'Name: value' ...] [--at TIME] [--json]

Shows what the webhook ingress would do with a detector's payload, without NATS
and without storing or sending anything: how the route's verification judges
it, the HTTP status the ingress would answer, and every event the route's
adapter makes of it (id, protocol, chain, severity, alert type, title, rule id,
addresses with their roles, metadata), as the policies will see them. Use it to
write a route's mapping (severities, alert_types, protocol, defaults) and to
check it on a real payload before pointing the detector at firebreak.

FILE is the payload exactly as the vendor sends it ('-' reads standard input):
signatures cover the raw bytes, so do not reformat a signed payload. --header
gives the request's headers as the vendor sends them (X-Signature and
X-Timestamp for OpenZeppelin Monitor, X-Tenderly-Signature and Date for
Tenderly, Authorization for Forta, the configured header for Sec3);
Content-Type defaults to application/json. The route's secret is read from
the variable or file its verify section names: when it is not available here,
the verification is reported "not checked" and the payload is translated
anyway. --at sets the arrival time, to try a payload recorded earlier (its
timestamps are checked against the route's window around that time).

Exit status: 0 if the ingress would accept the payload (store its events, or
acknowledge one with nothing to act on), 1 if it would refuse it or the
route's secret is not available to verify it, 2 for bad flags, configuration
or file.

Example:
  firebreak ingest try --route oz-vault --config firebreak.yaml alert.json \
    --header "X-Timestamp: 1764072000000" --header "X-Signature: 5d1c…"

Reference: docs/ingress.md.

Flags:
`)
		fs.PrintDefaults()
	}
	// Flags may follow FILE, as in the example.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return flagExit(err)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if *routeName == "" || len(files) != 1 {
		fmt.Fprintln(stderr, "firebreak ingest try: --route NAME and one payload FILE are required")
		fs.Usage()
		return exitUsage
	}
	now := time.Now()
	if *at != "" {
		t, err := parseAt(*at)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak ingest try: --at:", err)
			return exitUsage
		}
		now = t
	}
	opts, err := config.LoadConfig(*configPath)
	if err == nil {
		err = opts.ValidateIngress()
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak ingest try:", err)
		return exitUsage
	}
	opts.LookupEnv = lookupEnv
	if _, ok := opts.Ingress.Routes[*routeName]; !ok {
		fmt.Fprintf(stderr, "firebreak ingest try: no route %q in ingress.routes (configured: %s)\n", *routeName, strings.Join(opts.Ingress.RouteNames(), ", "))
		return exitUsage
	}
	body, err := readPayload(files[0])
	if err != nil {
		fmt.Fprintln(stderr, "firebreak ingest try:", err)
		return exitUsage
	}
	if headers.h.Get("Content-Type") == "" {
		headers.h.Set("Content-Type", "application/json")
	}

	rep := tryReport{Route: *routeName, Verification: "ok", Events: []event.Event{}}
	route, err := webhook.Route(opts, *routeName)
	secretMissing := err != nil
	if err != nil {
		// Without its secret the route can still say what it would make of the
		// payload: translate without verifying, and say so.
		unverified := opts
		unverified.Ingress.Routes = maps.Clone(opts.Ingress.Routes)
		rc := unverified.Ingress.Routes[*routeName]
		rc.Verify = config.IngressVerify{Skip: true}
		unverified.Ingress.Routes[*routeName] = rc
		var err2 error
		if route, err2 = webhook.Route(unverified, *routeName); err2 != nil {
			fmt.Fprintln(stderr, "firebreak ingest try:", err2)
			return exitUsage
		}
		rep.Verification, rep.VerificationError = "not checked", err.Error()
	}
	rep.Adapter, rep.Source = string(route.Adapter), sourceName(route)
	rep.Subject = ingest.SubjectPrefix + rep.Source
	if route.SkipVerify && rep.Verification == "ok" {
		rep.Verification = "not checked"
		rep.VerificationError = "the route's verify.skip is set"
	}
	if rep.Verification == "ok" {
		if err := route.Verify(now, headers.h, body); err != nil {
			rep.Verification, rep.VerificationReason, rep.VerificationError = "failed", adapt.Reason(err), err.Error()
			rep.IfVerified, err = route.Translate(now, headers.h, body)
			if err != nil {
				rep.IfVerifiedError = adapt.Reason(err) + ": " + err.Error()
			}
		}
	}

	out := webhook.Evaluate(&route, now, headers.h, body)
	rep.Status, rep.Reason = out.Status, out.Reason
	if out.Err != nil {
		rep.Error = out.Err.Error()
	}
	switch {
	case out.Ignored:
		rep.Answer = "ignored"
	case out.Status == http.StatusOK:
		rep.Answer = "stored"
		rep.Events = append(rep.Events, out.Events...)
		if out.Partial != nil {
			for _, f := range out.Partial.Failed {
				rep.Failed = append(rep.Failed, adapt.Reason(f)+": "+f.Error())
			}
		}
	default:
		rep.Answer = "rejected"
	}

	code := exitOK
	if rep.Answer == "rejected" || rep.Verification == "failed" || secretMissing {
		code = exitFailure
	}
	if *asJSON {
		if err := printJSON(stdout, rep); err != nil {
			fmt.Fprintln(stderr, "firebreak ingest try:", err)
			return exitFailure
		}
		return code
	}
	printTry(stdout, rep)
	return code
}

func printTry(w io.Writer, rep tryReport) {
	fmt.Fprintf(w, "route %s: adapter %s, events to %s\n", rep.Route, rep.Adapter, rep.Subject)
	switch rep.Verification {
	case "ok":
		fmt.Fprintln(w, "verification: ok")
	case "failed":
		fmt.Fprintf(w, "verification: FAILED (%s): %s\n", rep.VerificationReason, rep.VerificationError)
	default:
		fmt.Fprintf(w, "verification: not checked: %s\n", rep.VerificationError)
	}
	switch rep.Answer {
	case "stored":
		fmt.Fprintf(w, "answer: %d, %d event(s) stored\n", rep.Status, len(rep.Events))
	case "ignored":
		fmt.Fprintf(w, "answer: %d, nothing to act on (%s): %s\n", rep.Status, rep.Reason, rep.Error)
	default:
		fmt.Fprintf(w, "answer: %d rejected (%s): %s\n", rep.Status, rep.Reason, rep.Error)
		fmt.Fprintln(w, "        the payload would be dead-lettered on detections.dead and audited")
	}
	for _, f := range rep.Failed {
		fmt.Fprintf(w, "alert not adapted (dead-lettered): %s\n", f)
	}
	printEvents(w, "event", rep.Events)
	if rep.Verification == "failed" {
		if rep.IfVerifiedError != "" {
			fmt.Fprintf(w, "\nwere it authentic, the payload would still be refused: %s\n", rep.IfVerifiedError)
		} else {
			fmt.Fprintf(w, "\nwere it authentic, the route would make %d event(s) of it:\n", len(rep.IfVerified))
			printEvents(w, "unverified event", rep.IfVerified)
		}
	}
}

func printEvents(w io.Writer, what string, events []event.Event) {
	for i, e := range events {
		fmt.Fprintf(w, "\n%s %d of %d: %s\n", what, i+1, len(events), e.ID)
		fmt.Fprintf(w, "  protocol %s, chain %d, severity %s, confidence %v, alert type %s\n", e.Protocol, e.ChainID, e.Severity, e.Confidence, e.AlertType)
		if e.Title != "" || e.RuleID != "" {
			fmt.Fprintf(w, "  title %q, rule %q\n", e.Title, e.RuleID)
		}
		for _, role := range event.Roles {
			if list := e.AddressRoles[role]; len(list) > 0 {
				var hex []string
				for _, a := range list {
					hex = append(hex, a.Hex())
				}
				fmt.Fprintf(w, "  %s: %s\n", role, strings.Join(hex, ", "))
			}
		}
		if e.TxHash != nil {
			fmt.Fprintf(w, "  tx %s, block %d\n", e.TxHash.Hex(), e.Block)
		}
		keys := slices.Sorted(maps.Keys(e.Metadata))
		fmt.Fprintf(w, "  metadata keys: %s\n", strings.Join(keys, ", "))
		data, _ := json.MarshalIndent(e, "  ", "  ")
		fmt.Fprintf(w, "  %s\n", data)
	}
}

func sourceName(r adapt.Route) string {
	if r.Source != "" {
		return r.Source
	}
	return r.Name
}

// readPayload reads the payload file, or standard input for "-", up to the ingress's
// body limit.
func readPayload(path string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, adapt.MaxBodySize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > adapt.MaxBodySize {
		return nil, fmt.Errorf("%s is larger than the ingress's %d-byte limit", path, adapt.MaxBodySize)
	}
	return b, nil
}

// parseAt reads --at: RFC 3339, or Unix seconds.
func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0), nil
	}
	return time.Time{}, errors.New("want RFC 3339 (2026-11-25T12:00:00Z) or Unix seconds")
}
