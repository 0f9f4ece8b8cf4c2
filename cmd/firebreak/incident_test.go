package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// incidentServer starts a real embedded NATS server holding one incident
// of protocol demo (opened by a tracker, as the engine does) and returns
// its URL and the incident's id.
func incidentServer(t *testing.T) (string, string) {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := ingest.Dial(srv.ClientURL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	st, err := incident.NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	acts, err := record.NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr := incident.NewTracker(st, acts, incident.TrackerOptions{Window: time.Hour}, quiet)
	out := decide.Outcome{Event: event.Event{ID: "ev-1", Source: "forta", Protocol: "demo", Severity: event.SeverityCritical, AlertType: "exploit", Title: "Vault drained"},
		ReceivedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	id, err := tr.Track(ctx, out)
	if err != nil || id == "" {
		t.Fatalf("Track: %q, %v", id, err)
	}
	return srv.ClientURL(), id
}

func TestIncidentCommands(t *testing.T) {
	url, id := incidentServer(t)
	code, out, errOut := runCLI(t, "incident", "list", "--nats", url)
	if code != exitOK || !strings.Contains(out, id) || !strings.Contains(out, "detected") || !strings.Contains(out, "Vault drained") {
		t.Fatalf("list: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "incident", "list", "--nats", url, "--state", "resolved"); code != exitOK || !strings.Contains(out, "no incidents (of 1)") {
		t.Errorf("list --state resolved: %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, "incident", "list", "--nats", url, "--state", "closed"); code != exitUsage || !strings.Contains(errOut, `"closed" is not one of`) {
		t.Errorf("bad state: %d %s", code, errOut)
	}

	if code, out, errOut := runCLI(t, "incident", "ack", id, "--nats", url, "--by", "alice"); code != exitOK || !strings.Contains(out, "acknowledged by alice (still detected)") {
		t.Errorf("ack: %d %s%s", code, out, errOut)
	}
	// resolve and dismiss need a note, and someone to name.
	if code, _, errOut := runCLI(t, "incident", "resolve", id, "--nats", url, "--by", "alice"); code != exitUsage || !strings.Contains(errOut, "--note is required") {
		t.Errorf("resolve without a note: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "incident", "dismiss", id, "--nats", url, "--note", "why"); code != exitUsage || !strings.Contains(errOut, "--by NAME") {
		t.Errorf("dismiss without --by or --creds: %d %s", code, errOut)
	}
	code, out, errOut = runCLI(t, "incident", "dismiss", id, "--nats", url, "--by", "bob", "--note", "a test transaction", "--json")
	var in incident.Incident
	if err := json.Unmarshal([]byte(out), &in); code != exitOK || err != nil || in.State != incident.Dismissed {
		t.Fatalf("dismiss: %d %v\n%s%s", code, err, out, errOut)
	}
	if code, _, errOut := runCLI(t, "incident", "resolve", id, "--nats", url, "--by", "bob", "--note", "again"); code != exitFailure || !strings.Contains(errOut, "already dismissed") {
		t.Errorf("resolve after dismiss: %d %s", code, errOut)
	}

	code, out, errOut = runCLI(t, "incident", "show", id, "--nats", url)
	if code != exitOK {
		t.Fatalf("show: %d %s", code, errOut)
	}
	for _, want := range []string{id, "dismissed", "ev-1", "acknowledged by", "alice", "detected → dismissed", "by bob", "a test transaction", "Actions:", "none"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := runCLI(t, "incident", "show", "inc-nope", "--nats", url); code != exitFailure || !strings.Contains(errOut, "not found") {
		t.Errorf("show of an unknown id: %d %s", code, errOut)
	}
	if code, out, _ := runCLI(t, "incident", "--help"); code != exitOK || !strings.Contains(out, "docs/incidents.md") {
		t.Errorf("--help: %d %s", code, out)
	}
}

// TestDemoIncident runs the demo and checks that it shows the incident it
// opened and the two notifications its webhook receiver verified.
func TestDemoIncident(t *testing.T) {
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	reportDir := t.TempDir()
	code, out, errOut := runCLI(t, "demo", "--json", "--anvil", bin, "--report-dir", reportDir)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var rep demoReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Incident == nil || rep.Incident.State != "contained" || len(rep.Incident.Actions) != 1 || len(rep.Incident.History) != 2 {
		t.Fatalf("incident %+v", rep.Incident)
	}
	if len(rep.Notifications) != 2 {
		t.Fatalf("notifications %+v, want opened and contained", rep.Notifications)
	}
	kinds := map[string]bool{}
	for _, n := range rep.Notifications {
		kinds[n.Kind] = true
		if !n.Verified || !strings.HasPrefix(n.URL, "http://127.0.0.1:") || !strings.Contains(n.ID, rep.Incident.ID) {
			t.Errorf("notification %+v", n)
		}
		if n.Kind == "incident.contained" && n.TxHash != rep.TxHash {
			t.Errorf("the contained notification names tx %s, the pause was %s", n.TxHash, rep.TxHash)
		}
	}
	if !kinds["incident.opened"] || !kinds["incident.contained"] {
		t.Errorf("kinds %v", kinds)
	}
	// The demo ends with the postmortem it wrote from the audit log.
	pm := rep.Postmortem
	if pm == nil || !pm.Verified || pm.Incident != rep.Incident.ID || filepath.Dir(pm.Markdown) != reportDir {
		t.Fatalf("postmortem %+v, want the verified report of incident %s in %s", pm, rep.Incident.ID, reportDir)
	}
	md, err := os.ReadFile(pm.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(pm.HTML)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{"markdown": string(md), "html": string(html)} {
		if !strings.Contains(doc, rep.TxHash) || !strings.Contains(doc, rep.Incident.ID) {
			t.Errorf("the %s postmortem does not name the pause %s of incident %s", name, rep.TxHash, rep.Incident.ID)
		}
	}
}
