package audit

import (
	"crypto/sha256"
	"encoding/hex"
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

// DuplicateData is the payload of KindDuplicate: which event came again
// and a digest of it, not the event itself, so that re-publishing an event
// cannot add up to event.MaxSize to the log each time. Records written
// before held the whole event ({"event": ...}); readers show both.
type DuplicateData struct {
	EventID string `json:"event_id"`
	Source  string `json:"source,omitempty"`
	// PayloadSHA256 is the hex SHA-256 of the event's canonical encoding
	// (event.Event.Encode), and Size its length: the same as the event in
	// the received record when the same event came again, another when a
	// different payload came under an id already handled. Empty and 0
	// when the event does not encode (an event from event.Decode does).
	PayloadSHA256 string `json:"payload_sha256"`
	Size          int    `json:"size"`
}

// NewDuplicateData is the payload of the duplicate record of ev.
func NewDuplicateData(ev event.Event) DuplicateData {
	d := DuplicateData{EventID: ev.ID, Source: ev.Source}
	if b, err := ev.Encode(); err == nil {
		sum := sha256.Sum256(b)
		d.PayloadSHA256, d.Size = hex.EncodeToString(sum[:]), len(b)
	}
	return d
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

// CheckpointOverrideData is the payload of KindCheckpointOverride and
// KindStreamReplaced: the checkpoint the stream did not hold, what it
// held instead, and the record this one was appended after.
type CheckpointOverrideData struct {
	CheckpointFile string `json:"checkpoint_file"`
	// CheckpointSeq, CheckpointHash and CheckpointWrittenAt are what the
	// checkpoint held (zero when it could not be read; Found says why).
	CheckpointSeq       uint64    `json:"checkpoint_seq"`
	CheckpointHash      string    `json:"checkpoint_hash,omitempty"`
	CheckpointWrittenAt time.Time `json:"checkpoint_written_at,omitzero"`
	// Found is what the stream held instead.
	Found string `json:"found"`
	// StreamSeq and StreamHash are the stream's last record before this
	// one: the head the chain goes on from.
	StreamSeq  uint64 `json:"stream_seq"`
	StreamHash string `json:"stream_hash"`
	Reason     string `json:"reason"`
}
