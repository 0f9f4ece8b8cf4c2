package audit

import (
	"time"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// The payloads the engine writes, one type per kind. Readers decode them
// leniently: a field added later is kept in the record and shown raw.

// ReceivedData is the payload of KindReceived: the event as decoded.
type ReceivedData struct {
	Event event.Event `json:"event"`
	// ReceivedAt is when the engine took the event up; the record's own
	// time is when it was written, after the decision.
	ReceivedAt time.Time `json:"received_at,omitzero"`
}

// RejectedData is the payload of KindRejected. The message itself stays
// in the detection stream's dead letters; the record keeps its digest.
type RejectedData struct {
	Subject   string `json:"subject"`
	StreamSeq uint64 `json:"stream_seq"`
	Reason    string `json:"reason"`
	SHA256    string `json:"sha256"`
	Size      int    `json:"size"`
}

// DuplicateData is the payload of KindDuplicate.
type DuplicateData struct {
	Event event.Event `json:"event"`
}

// DecisionData is the payload of KindDecision. Decision is nil when the
// policies failed; Error says why, and nothing was done.
type DecisionData struct {
	// DecisionID names this decision: the same event decided by the same
	// policy revision has the same id.
	DecisionID string           `json:"decision_id"`
	Decision   *decide.Decision `json:"decision,omitempty"`
	Error      string           `json:"error,omitempty"`
}

// GuardData is the payload of KindGuard: the verdict on request Index of
// the decision.
type GuardData struct {
	Index   int           `json:"index"`
	Verdict guard.Verdict `json:"verdict"`
}

// PlannedData is the payload of KindPlanned. AlreadyRecorded means an
// earlier delivery of the event recorded the intent; it is not executed
// twice.
type PlannedData struct {
	Intent          record.Intent `json:"intent"`
	AlreadyRecorded bool          `json:"already_recorded,omitempty"`
}

// ActionData is the payload of the kinds that follow an action to the
// chain (signed, sent, bumped, mined, failed, and later states): the
// action's record as the submitter stored it.
type ActionData struct {
	Action record.Record `json:"action"`
}
