// Package report is the last step of an incident: the postmortem, built
// from the audit log alone. Build selects the records of an incident's
// events and actions, verifies the hash links of the chain over the span
// they occupy, and turns them into a Report: a summary, a UTC timeline
// (alert, decision, guard verdicts, each signed, sent, bumped and included
// transaction, approvals, notifications, incident changes, recovery),
// latencies, gas and fees, the contracts and addresses involved, and the
// sections a team fills in, after SEAL 911's post-mortem template. The
// renderers write it as Markdown, as one self-contained HTML page (inline
// CSS and SVG, no script, nothing fetched) and as JSON.
//
// Nothing here trusts the Incident for facts: it only names the events and
// actions to look for. Every figure comes from a record, and the report
// says which records (their sequence numbers) and whether their chain
// verified.
package report
