package report

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// MaxSpan bounds how many records Collect reads to verify the chain
// between an incident's first and last record: a report over a longer
// span says the chain was not verified (verify the whole log with
// 'firebreak audit verify' instead).
const MaxSpan = 200_000

// Reader is what Collect reads the audit log with (*audit.Reader).
type Reader interface {
	List(ctx context.Context, f audit.Filter) ([]audit.Record, error)
	Get(ctx context.Context, seq uint64) (audit.Record, error)
}

// Collect reads what Build needs about in: the records of each of its
// events (one subject each, however long the log), the incident records,
// and every record between the first and the last of those, so that Build
// can verify the links of the chain through them.
func Collect(ctx context.Context, rd Reader, in incident.Incident) ([]audit.Record, error) {
	var recs []audit.Record
	for _, id := range in.Events {
		evRecs, err := rd.List(ctx, audit.Filter{EventID: id})
		if err != nil {
			return nil, fmt.Errorf("report: reading the records of event %s: %w", id, err)
		}
		recs = append(recs, evRecs...)
	}
	changes, err := rd.List(ctx, audit.Filter{Kind: KindIncident})
	if err != nil {
		return nil, fmt.Errorf("report: reading the incident records: %w", err)
	}
	recs = append(recs, changes...)
	recs = sortedBySeq(recs)
	used := Select(recs, in)
	if len(used) == 0 {
		return nil, fmt.Errorf("%w %s (events %v)", ErrNoRecords, in.ID, in.Events)
	}
	first, last := used[0].Seq, used[len(used)-1].Seq
	if last-first >= MaxSpan {
		return recs, nil // Build reports the span as not verified: records are missing from it
	}
	have := map[uint64]bool{}
	for _, r := range recs {
		have[r.Seq] = true
	}
	for seq := first; seq <= last; seq++ {
		if have[seq] {
			continue
		}
		r, err := rd.Get(ctx, seq)
		if errors.Is(err, audit.ErrNotFound) {
			continue // Build names the gap
		}
		if err != nil {
			return nil, fmt.Errorf("report: reading record %d: %w", seq, err)
		}
		recs = append(recs, r)
	}
	return sortedBySeq(recs), nil
}

func sortedBySeq(recs []audit.Record) []audit.Record {
	slices.SortStableFunc(recs, func(a, b audit.Record) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
	return slices.CompactFunc(recs, func(a, b audit.Record) bool { return a.Seq == b.Seq && a.Hash == b.Hash })
}

// FromRecords makes the Incident of events when no incident store holds
// one (a drill, a log from before incidents): protocol, highest severity,
// title and times from their received records, the actions recorded for
// them, and the state the records show (contained when every action is
// final). id names it.
func FromRecords(id string, events []string, recs []audit.Record) incident.Incident {
	in := incident.Incident{ID: id, Events: slices.Clone(events), State: incident.Detected}
	want := setOf(events)
	final := map[string]bool{}
	var last time.Time
	for _, r := range recs {
		if !want[r.EventID] {
			continue
		}
		if r.Time.After(last) {
			last = r.Time
		}
		switch r.Kind {
		case audit.KindReceived:
			var d audit.ReceivedData
			if jsonOK(r, &d) {
				ev := d.Event
				if in.Protocol == "" {
					in.Protocol = ev.Protocol
				}
				if in.Title == "" {
					in.Title = ev.Title
				}
				if severityRank(string(ev.Severity)) > severityRank(in.Severity) {
					in.Severity = string(ev.Severity)
				}
				at := d.ReceivedAt
				if at.IsZero() {
					at = r.Time
				}
				if in.OpenedAt.IsZero() || at.Before(in.OpenedAt) {
					in.OpenedAt = at
				}
				if at.After(in.LastEventAt) {
					in.LastEventAt = at
				}
			}
		case audit.KindPlanned:
			var d audit.PlannedData
			if jsonOK(r, &d) && !slices.Contains(in.Actions, d.Intent.ID) {
				in.Actions = append(in.Actions, d.Intent.ID)
			}
		default:
			var d audit.ActionData
			if r.ActionID != "" && jsonOK(r, &d) && d.Action.ID != "" {
				final[d.Action.ID] = d.Action.State.Final() && d.Action.State != record.Failed && d.Action.State != record.Refused
			}
		}
	}
	if in.Title == "" {
		in.Title = fmt.Sprintf("%s incident on %s", orDash(in.Severity), orDash(in.Protocol))
	}
	contained := len(in.Actions) > 0
	for _, a := range in.Actions {
		contained = contained && final[a]
	}
	if contained {
		in.State = incident.Contained
	}
	in.History = []incident.Change{{To: incident.Detected, By: "firebreak report", At: in.OpenedAt, Note: "built from the audit log: no incident was stored"}}
	if contained {
		in.History = append(in.History, incident.Change{From: incident.Detected, To: incident.Contained, By: "firebreak report", At: last})
	}
	return in
}

// ReadExport reads an audit export ('firebreak audit export': one record
// per line, as stored). Each record must be intact (audit.ParseRecord);
// the chain between them is Build's to check.
func ReadExport(r io.Reader) ([]audit.Record, error) {
	var recs []audit.Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxExportLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		rec, err := audit.ParseRecord(line)
		if err != nil {
			return nil, fmt.Errorf("report: line %d of the export: %w", n, err)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("report: reading the export: %w", err)
	}
	return recs, nil
}

// maxExportLine bounds one line of an export: more than audit's own
// bound on a record.
const maxExportLine = 1 << 20
