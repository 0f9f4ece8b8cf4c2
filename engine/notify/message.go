package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// Kind says what a message is about. Its first part is its group:
// incident, operator or policy; routes may name either.
type Kind string

// The message kinds (config.NotifyKinds lists the same strings).
const (
	// An incident changed state.
	KindIncidentOpened     Kind = "incident.opened"
	KindIncidentContained  Kind = "incident.contained"
	KindIncidentRecovering Kind = "incident.recovering"
	KindIncidentResolved   Kind = "incident.resolved"
	KindIncidentDismissed  Kind = "incident.dismissed"

	// Operator alerts: the engine needs a person.
	KindFeeCapReached      Kind = "operator.fee_cap_reached"
	KindAuditRecordLost    Kind = "operator.audit_record_lost"
	KindDeadLetter         Kind = "operator.dead_letter"
	KindPolicyReloadFailed Kind = "operator.policy_reload_failed"
	KindChannelFailing     Kind = "operator.channel_failing"
	// KindReadinessChanged: a pauser can no longer pause (or can again).
	KindReadinessChanged Kind = "operator.readiness_changed"

	// A policy's notify action.
	KindPolicyNotify Kind = "policy.notify"
)

// Kinds lists every kind, in the order of config.NotifyKinds.
var Kinds = []Kind{
	KindIncidentOpened, KindIncidentContained, KindIncidentRecovering, KindIncidentResolved, KindIncidentDismissed,
	KindFeeCapReached, KindAuditRecordLost, KindDeadLetter, KindPolicyReloadFailed, KindChannelFailing, KindReadinessChanged,
	KindPolicyNotify,
}

// Group is the kind's group: incident, operator or policy.
func (k Kind) Group() string { g, _, _ := strings.Cut(string(k), "."); return g }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Label is the kind for people: "Incident contained", "Fee cap reached".
func (k Kind) Label() string {
	g, rest, _ := strings.Cut(string(k), ".")
	words := strings.ReplaceAll(rest, "_", " ")
	switch g {
	case "incident":
		words = "incident " + words
	case "policy":
		words = "policy notification"
	}
	if words == "" {
		return ""
	}
	return strings.ToUpper(words[:1]) + words[1:]
}

// Message is one notification to people: plain data, rendered for each
// channel by its templates. Every field but ID, Kind, Title and At is
// optional.
type Message struct {
	// ID identifies the notification: the same change always has the same
	// id (an incident's id and its new state, an event's notify action),
	// so queueing it twice delivers it once. Enqueue requires it.
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// Title is the one-line summary; Detail the free text (the policy's
	// message, what an operator alert is about).
	Title    string         `json:"title"`
	Detail   string         `json:"detail,omitempty"`
	Severity event.Severity `json:"severity,omitempty"`
	Protocol string         `json:"protocol,omitempty"`
	// IncidentID is the incident the message is about (PagerDuty's
	// dedup_key); EventIDs the detection events it groups.
	IncidentID string   `json:"incident_id,omitempty"`
	EventIDs   []string `json:"event_ids,omitempty"`
	// Rule, PolicyRevision and Reasons come from the decision.
	Rule           string   `json:"rule,omitempty"`
	PolicyRevision string   `json:"policy_revision,omitempty"`
	Reasons        []string `json:"reasons,omitempty"`
	// Actions are the containment (or recovery) actions, with their
	// transactions.
	Actions []Action `json:"actions,omitempty"`
	// Actor and Note say who made an incident change and why.
	Actor string `json:"actor,omitempty"`
	Note  string `json:"note,omitempty"`
	// Facts are short named values (chain, nonce, channel, error) shown
	// as a list; templates see them in key order.
	Facts map[string]string `json:"facts,omitempty"`
	// OpenedAt is when the incident opened (its first event); At when
	// this change happened.
	OpenedAt time.Time `json:"opened_at,omitzero"`
	At       time.Time `json:"at"`
}

// Action is one on-chain action a message reports.
type Action struct {
	ID string `json:"id,omitempty"`
	// Type is the action: pause, revoke_role, freeze_bridge, block_address.
	Type     string `json:"type"`
	ChainID  uint64 `json:"chain_id,omitempty"`
	Contract string `json:"contract,omitempty"` // the registry's protocol.contract
	To       string `json:"to,omitempty"`       // its address
	Function string `json:"function,omitempty"`
	// State is where the action is: allowed, refused, noop, awaiting
	// approval, sent, included, final, failed.
	State  string `json:"state,omitempty"`
	Reason string `json:"reason,omitempty"`
	TxHash string `json:"tx_hash,omitempty"`
	// ExplorerURL links TxHash on the chain's explorer (chains[].explorer);
	// Enqueue fills it in when it is empty.
	ExplorerURL string `json:"explorer_url,omitempty"`
}

// IsIncident reports whether the message is an incident change.
func (m Message) IsIncident() bool { return m.Kind.Group() == "incident" }

// ActionMessage is the message of a policy's notify action: action i of
// out, about ev. Its ID matches the message id Publisher uses.
func ActionMessage(ev event.Event, out decide.Outcome, i int) Message {
	a := out.Actions[i]
	m := Message{
		ID:       "policy.notify/" + actionKey(ev.ID, a.Request),
		Kind:     KindPolicyNotify,
		Title:    a.Request.Message,
		Detail:   ev.Title,
		Severity: ev.Severity,
		Protocol: a.Request.Protocol,
		EventIDs: []string{ev.ID},
		Rule:     a.Request.Rule,
		At:       out.ReceivedAt,
		OpenedAt: ev.Timestamp,
		Actions:  ActionsOf(out),
	}
	if m.Title == "" {
		m.Title = ev.Title
	}
	if m.Protocol == "" {
		m.Protocol = ev.Protocol
	}
	if d := out.Decision; d != nil {
		m.Reasons, m.PolicyRevision = d.Reasons, d.Revision
	}
	return m
}

// ActionsOf lists the on-chain actions of an outcome (notify actions
// left out) with the guard's verdict as their state.
func ActionsOf(out decide.Outcome) []Action {
	var as []Action
	for _, a := range out.Actions {
		if a.Request.Type == guard.ActionNotify {
			continue
		}
		act := Action{
			ID: a.ActionID, Type: a.Request.Type, ChainID: a.ChainID, Function: a.Function,
			State: string(a.Outcome), Reason: a.Reason,
		}
		if a.Request.Contract != "" {
			act.Contract = a.Request.Protocol + "." + a.Request.Contract
		}
		if a.To != ([20]byte{}) {
			act.To = a.To.Hex()
		}
		if a.Approval != "" {
			act.State = "awaiting approval"
		}
		if a.JoinedTo != "" {
			act.State, act.ID = "joined", a.JoinedTo
		}
		as = append(as, act)
	}
	return as
}

// actionKey names a notify action by its content (protocol, rule and
// message), not its position: a policy reload between two deliveries that
// reorders the actions must not make one notification pass for another
// (the same rule as record.IntentID for on-chain actions).
func actionKey(eventID string, r guard.Request) string {
	sum := sha256.Sum256([]byte(r.Protocol + "\x00" + r.Rule + "\x00" + r.Message))
	return ingest.EventKey(eventID) + "-n" + hex.EncodeToString(sum[:8])
}

// ExplorerURL is the link to transaction hash on an explorer whose base
// URL is base: base/tx/hash, or base with "{tx}" replaced by hash.
// Either empty gives "".
func ExplorerURL(base, hash string) string {
	if base == "" || hash == "" {
		return ""
	}
	if strings.Contains(base, "{tx}") {
		return strings.ReplaceAll(base, "{tx}", hash)
	}
	return strings.TrimRight(base, "/") + "/tx/" + hash
}
