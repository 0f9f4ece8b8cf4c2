package audit

import "context"

// KindReplayed: an operator asked for a dead letter to be replayed, and
// the engine republished it (or says why not).
const KindReplayed Kind = "replayed"

// ReplayedData is the payload of KindReplayed.
type ReplayedData struct {
	// Operator is the public key of the identity that asked (whose inbox
	// the answer went to).
	Operator string `json:"operator"`
	// DeadSeq is the dead letter's sequence in DETECTIONS; Seq the
	// republished message's, when it was.
	DeadSeq uint64 `json:"dead_seq"`
	Subject string `json:"subject,omitempty"`
	Seq     uint64 `json:"seq,omitempty"`
	// Duplicate: replayed again within the stream's duplicate window,
	// nothing new stored.
	Duplicate bool `json:"duplicate,omitempty"`
	// Problem says why it was not replayed.
	Problem string `json:"problem,omitempty"`
}

// Replayed implements ingest.ReplayAuditor.
func (a *Recorder) Replayed(ctx context.Context, operator string, deadSeq uint64, subject string, seq uint64, duplicate bool, problem string) {
	a.mustAppend(ctx, Entry{Kind: KindReplayed, Data: ReplayedData{
		Operator: operator, DeadSeq: deadSeq, Subject: subject, Seq: seq, Duplicate: duplicate, Problem: problem,
	}})
}
