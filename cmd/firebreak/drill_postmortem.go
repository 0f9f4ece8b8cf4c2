package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/report"
)

// drillPostmortem is where the drill wrote its incident report.
type drillPostmortem struct {
	Incident string `json:"incident"`
	// FromStore: the incident came from the incident store; else it was
	// built from the drill's events.
	FromStore bool   `json:"from_store"`
	Markdown  string `json:"markdown"`
	HTML      string `json:"html"`
	Verified  bool   `json:"audit_chain_verified"`
	FirstSeq  uint64 `json:"first_seq"`
	LastSeq   uint64 `json:"last_seq"`
}

// writeDrillPostmortem writes the report of the drill's incident, from the
// engine's audit log, as Markdown and HTML into dir: the incident the
// store holds for the drill's first event, or one built from its events.
func writeDrillPostmortem(ctx context.Context, eng *engine.Engine, dir string, rep drillReport) (*drillPostmortem, error) {
	var events []string
	for _, d := range rep.Detections {
		events = append(events, d.EventID)
	}
	if len(events) == 0 {
		return nil, errors.New("the watcher published no event: no incident to report")
	}
	js, rd, done, err := engineAuditReader(ctx, eng, "firebreak-drill-report")
	if err != nil {
		return nil, err
	}
	defer done()
	in, fromStore, err := drillIncident(ctx, js, rd, rep.Scenario, events)
	if err != nil {
		return nil, err
	}
	r, err := drillReportOf(ctx, rd, in)
	if err != nil {
		return nil, err
	}
	return writePostmortem(r, in, fromStore, dir, rep.Scenario)
}

// engineAuditReader connects to eng's NATS as the engine, named name, and
// opens its audit log; done closes the connection.
func engineAuditReader(ctx context.Context, eng *engine.Engine, name string) (jetstream.JetStream, *audit.Reader, func(), error) {
	nc, err := eng.DialNATS(name)
	if err != nil {
		return nil, nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, nil, err
	}
	rd, err := audit.NewReader(ctx, js)
	if err != nil {
		nc.Close()
		return nil, nil, nil, err
	}
	return js, rd, nc.Close, nil
}

// writePostmortem writes r, the report of in, as Markdown and HTML into
// dir, as <base>-postmortem.md and .html (the drill's and the demo's).
func writePostmortem(r *report.Report, in incident.Incident, fromStore bool, dir, base string) (*drillPostmortem, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	pm := &drillPostmortem{Incident: in.ID, FromStore: fromStore, Verified: r.Verification.Verified, FirstSeq: r.Verification.FirstSeq, LastSeq: r.Verification.LastSeq,
		Markdown: filepath.Join(dir, base+"-postmortem.md"), HTML: filepath.Join(dir, base+"-postmortem.html")}
	for path, write := range map[string]func(*os.File) error{
		pm.Markdown: func(f *os.File) error { return report.WriteMarkdown(f, r) },
		pm.HTML:     func(f *os.File) error { return report.WriteHTML(f, r) },
	} {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return pm, nil
}

// drillIncident is the stored incident holding the drill's first event,
// or one built from the drill's events when the store holds none.
func drillIncident(ctx context.Context, js jetstream.JetStream, rd *audit.Reader, scenario string, events []string) (incident.Incident, bool, error) {
	if store, err := incident.OpenStore(ctx, js); err == nil {
		all, err := store.List(ctx)
		if err != nil {
			return incident.Incident{}, false, err
		}
		for _, in := range all {
			if slices.Contains(in.Events, events[0]) {
				return in, true, nil
			}
		}
	} else if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return incident.Incident{}, false, err
	}
	var recs []audit.Record
	for _, id := range events {
		evRecs, err := rd.List(ctx, audit.Filter{EventID: id})
		if err != nil {
			return incident.Incident{}, false, err
		}
		recs = append(recs, evRecs...)
	}
	id := fmt.Sprintf("drill-%s-%s", scenario, time.Now().UTC().Format("20060102T150405Z"))
	return report.FromRecords(id, events, recs), false, nil
}

// drillReportOf builds the report once the audit log holds a final record
// for every action (it follows the actions bucket by a moment), or after
// five seconds with what it holds.
func drillReportOf(ctx context.Context, rd *audit.Reader, in incident.Incident) (*report.Report, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		recs, err := report.Collect(ctx, rd, in)
		if err != nil {
			return nil, err
		}
		r, err := report.Build(recs, in, report.Options{})
		if err != nil {
			return nil, err
		}
		final := true
		for _, t := range r.Transactions {
			final = final && record.State(t.State).Final()
		}
		if final || time.Now().After(deadline) {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
