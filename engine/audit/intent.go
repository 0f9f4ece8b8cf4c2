package audit

import (
	"context"

	"github.com/firebreak-dev/firebreak/engine/record"
)

// Kinds of the records about how an intent was recorded (besides
// KindPlanned).
const (
	// KindJoined: an allowed action was not sent because an earlier action
	// with the same chain, target and calldata is in flight; it is recorded
	// as joined to that one (record.Joined).
	KindJoined Kind = "joined"
	// KindIntentMismatch: an action's id was recorded already with other
	// content (chain, target, calldata, signer or type). The recorded one
	// stands, the new one is not executed, and this is a fault to look at.
	KindIntentMismatch Kind = "intent_mismatch"
)

// JoinedData is the payload of KindJoined.
type JoinedData struct {
	Intent record.Intent `json:"intent"`
	// JoinedTo is the action in flight this one joined.
	JoinedTo string `json:"joined_to"`
	// AlreadyRecorded means an earlier delivery of the event recorded it.
	AlreadyRecorded bool `json:"already_recorded,omitempty"`
}

// IntentMismatchData is the payload of KindIntentMismatch.
type IntentMismatchData struct {
	// Recorded is the intent stored under the id, Wanted the one the
	// decision asked for now.
	Recorded    record.Intent `json:"recorded"`
	Wanted      record.Intent `json:"wanted"`
	Differences []string      `json:"differences"`
}

// Joined records that in joined the action first; like Planned it is
// appended before the event is acknowledged.
func (a *Recorder) Joined(ctx context.Context, in record.Intent, first string, already bool) error {
	_, err := a.log.Append(ctx, Entry{
		Kind: KindJoined, EventID: in.EventID, Protocol: in.Protocol, ActionID: in.ID,
		Data: JoinedData{Intent: in, JoinedTo: first, AlreadyRecorded: already},
	})
	return err
}

// IntentMismatch records that want's id is recorded with other content.
func (a *Recorder) IntentMismatch(ctx context.Context, recorded, want record.Intent, diffs []string) error {
	_, err := a.log.Append(ctx, Entry{
		Kind: KindIntentMismatch, EventID: want.EventID, Protocol: want.Protocol, ActionID: want.ID,
		Data: IntentMismatchData{Recorded: recorded, Wanted: want, Differences: diffs},
	})
	return err
}
