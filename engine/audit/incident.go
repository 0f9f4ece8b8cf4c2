package audit

import "context"

// KindIncident: an incident changed (opened, contained, acknowledged,
// resolved, dismissed). Its data is IncidentData.
const KindIncident Kind = "incident"

// IncidentData is the payload of an incident record: one change of an
// incident's history. The postmortem report (engine/report) reads these
// fields by name.
type IncidentData struct {
	Incident string `json:"incident"`
	Protocol string `json:"protocol"`
	// Change is the change's index in the incident's history: a change
	// audited twice (two engines announcing it at once) has the same one.
	Change int    `json:"change"`
	From   string `json:"from"`
	To     string `json:"to"`
	By     string `json:"by"`
	Note   string `json:"note"`
	// Event is the event that caused the change, when one did.
	Event string `json:"event,omitempty"`
	// Actions are the ids of the incident's actions at the change.
	Actions []string `json:"actions"`
}

// IncidentChanged appends the record of an incident change. It returns
// once the record is in the log: the incident's announcer marks the
// change announced only then, so a change whose record failed is audited
// again rather than lost.
func (a *Recorder) IncidentChanged(ctx context.Context, d IncidentData) error {
	if d.Actions == nil {
		d.Actions = []string{}
	}
	// Not filed under the opening event (Entry.EventID): an event's
	// records are its own path; the incident's are found by kind and id.
	_, err := a.log.Append(ctx, Entry{Kind: KindIncident, Protocol: d.Protocol, Data: d})
	return err
}
