package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// NewRecorder returns a Recorder appending to l. Its queue outlives ctx's
// cancellation, so the last changes (a mined transaction at shutdown) are
// still written; Close bounds the wait.
func NewRecorder(ctx context.Context, l *Log, logger *slog.Logger) *Recorder {
	a := &Recorder{log: l, l: logger, lastSeen: map[string]record.Record{}, queue: make(chan Entry, auditQueue), done: make(chan struct{})}
	a.ctx, a.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go a.drain()
	return a
}

// auditQueue is how many records nothing waits on may be queued before
// their producers wait: far more than a burst of incidents produces.
const auditQueue = 4096

// auditCloseGrace bounds how long close waits for queued records.
const auditCloseGrace = 10 * time.Second

// Recorder turns what the pipeline, the consumer and the submitter do into
// audit records.
//
// What happens when an append fails: the records of an event's decision
// (received, decision, guard, planned) are appended before the event is
// acknowledged, and a failure is a transient handler error, so the event
// is redelivered and decided again rather than acted on without a record.
// Records with nothing to hold back (a dead letter, a duplicate, a
// transaction's progress) go through an in-order queue, so the submitter
// never waits for the audit log before broadcasting; each is retried for
// audit.retry_for, then the loss is logged at error level with the
// record's content. An unreachable audit log must not keep a pause off the
// chain; a crash loses at most the queued records, which the actions
// bucket still holds.
type Recorder struct {
	log *Log
	l   *slog.Logger
	// onLost, when set (SetOnLost), hears every record that could not be
	// appended (the metric and alert of lost records).
	onLost atomic.Pointer[func()]

	mu sync.Mutex
	// lastSeen is each unfinished action's last recorded change.
	lastSeen map[string]record.Record

	queue  chan Entry
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// Decided records what the engine saw and decided about ev, before any
// intent is recorded.
func (a *Recorder) Decided(ctx context.Context, out decide.Outcome) error {
	ev := out.Event
	entry := func(k Kind, data any) Entry {
		return Entry{Kind: k, EventID: ev.ID, Protocol: ev.Protocol, Data: data}
	}
	entries := []Entry{entry(KindReceived, ReceivedData{Event: ev, ReceivedAt: out.ReceivedAt.UTC()})}
	d := DecisionData{Decision: out.Decision, Error: out.DecisionError}
	if out.Decision != nil {
		d.DecisionID = decisionID(ev.ID, out.Decision.Revision)
	}
	entries = append(entries, entry(KindDecision, d))
	for i, act := range out.Actions {
		entries = append(entries, entry(KindGuard, GuardData{Index: i, Verdict: act.Verdict}))
	}
	// One round trip for them all: this is on the way to the send.
	_, err := a.log.AppendAll(ctx, entries...)
	return err
}

// decisionID names a decision: one event decided by one policy revision.
func decisionID(eventID, revision string) string {
	sum := sha256.Sum256([]byte(eventID + "\x00" + revision))
	return hex.EncodeToString(sum[:12])
}

// Planned records an intent; already means an earlier delivery recorded
// it.
func (a *Recorder) Planned(ctx context.Context, in record.Intent, already bool) error {
	_, err := a.log.Append(ctx, Entry{
		Kind: KindPlanned, EventID: in.EventID, Protocol: in.Protocol, ActionID: in.ID,
		Data: PlannedData{Intent: in, AlreadyRecorded: already},
	})
	return err
}

// ApprovalData is the payload of an approval record: which owners signed
// the Safe transaction an approval released.
type ApprovalData struct {
	ApprovalID string   `json:"approval_id"`
	Safe       string   `json:"safe"`
	SafeNonce  uint64   `json:"safe_nonce"`
	SafeTxHash string   `json:"safe_tx_hash"`
	Threshold  uint64   `json:"threshold"`
	SignedBy   []string `json:"signed_by"`
	Reason     string   `json:"reason,omitempty"`
}

// Approved records that an approval reached its threshold and the intent
// it released. Nothing waits on these records: the owners' signatures are
// in the approvals bucket already, and the transaction's own records
// follow through the submitter.
func (a *Recorder) Approved(ctx context.Context, ap safe.Approval, in record.Intent) {
	d := ApprovalData{ApprovalID: ap.ID, Safe: ap.Safe.Hex(), SafeNonce: ap.Tx.Nonce, SafeTxHash: ap.Hash.Hex(), Threshold: ap.Threshold, Reason: ap.Reason}
	for _, sig := range ap.Signatures {
		d.SignedBy = append(d.SignedBy, sig.Owner.Hex())
	}
	a.mustAppend(ctx, Entry{Kind: KindApproval, EventID: ap.EventID, Protocol: ap.Protocol, ActionID: ap.ID, Data: d})
	a.mustAppend(ctx, Entry{Kind: KindPlanned, EventID: in.EventID, Protocol: in.Protocol, ActionID: in.ID, Data: PlannedData{Intent: in}})
}

// ApprovalRefusedData is the payload of a refused record about an
// approval: the engine would not execute it, or an owner would not sign it.
type ApprovalRefusedData struct {
	ApprovalID string        `json:"approval_id"`
	Safe       string        `json:"safe"`
	SafeNonce  uint64        `json:"safe_nonce"`
	SafeTxHash string        `json:"safe_tx_hash"`
	Tx         safesigner.Tx `json:"safe_tx"`
	Reason     string        `json:"reason"`
}

// ApprovalRefused records that an approval was quarantined instead of
// executed (engine/safe's Auditor).
func (a *Recorder) ApprovalRefused(ctx context.Context, ap safe.Approval, reason string) {
	a.mustAppend(ctx, Entry{Kind: KindRefused, EventID: ap.EventID, Protocol: ap.Protocol, ActionID: ap.ID, Data: ApprovalRefusedData{
		ApprovalID: ap.ID, Safe: ap.Safe.Hex(), SafeNonce: ap.Tx.Nonce, SafeTxHash: ap.Hash.Hex(), Tx: ap.Tx, Reason: reason,
	}})
}

// Rejected implements ingest.Observer.
func (a *Recorder) Rejected(ctx context.Context, subject string, streamSeq uint64, data []byte, reason string) {
	sum := sha256.Sum256(data)
	a.mustAppend(ctx, Entry{
		Kind: KindRejected, EventID: probeEventID(data),
		Data: RejectedData{Subject: subject, StreamSeq: streamSeq, Reason: reason, SHA256: hex.EncodeToString(sum[:]), Size: len(data)},
	})
}

// Duplicate implements ingest.Observer.
func (a *Recorder) Duplicate(ctx context.Context, ev event.Event) {
	a.mustAppend(ctx, Entry{Kind: KindDuplicate, EventID: ev.ID, Protocol: ev.Protocol, Data: NewDuplicateData(ev)})
}

// ActionChanged is the submitter's OnChange: one record per persisted
// change of an action. The kind comes from the state and from what moved
// since the last change (a new bump, a new reorg, a new warning); states
// the submitter adds later are recorded under their own name.
func (a *Recorder) ActionChanged(ctx context.Context, rec record.Record) {
	a.mu.Lock()
	prev, seen := a.lastSeen[rec.ID]
	kind := actionKind(rec.State)
	switch {
	case rec.State == record.Refused:
		// Whatever else moved: the record is quarantined.
	case seen && rec.Reorgs > prev.Reorgs:
		kind = KindReorged
	case seen && rec.Bumps > prev.Bumps, seen && rec.TxHash != nil && prev.TxHash != nil && *rec.TxHash != *prev.TxHash &&
		(rec.State == record.Signed || rec.State == record.Sent):
		kind = KindBumped
	case rec.Warning != "" && rec.Warning != prev.Warning:
		kind = KindWarning
	}
	if rec.State.Final() {
		delete(a.lastSeen, rec.ID)
	} else {
		a.lastSeen[rec.ID] = rec
	}
	a.mu.Unlock()
	a.mustAppend(ctx, Entry{Kind: kind, EventID: rec.EventID, Protocol: rec.Protocol, ActionID: rec.ID, Data: ActionData{Action: rec}})
}

func actionKind(s record.State) Kind {
	switch s {
	case record.Signed:
		return KindSigned
	case record.Sent:
		return KindSent
	case record.Included:
		return KindIncluded
	case record.Mined:
		return KindMined
	case record.Failed:
		return KindFailed
	case record.Refused:
		return KindRefused
	}
	k := []byte(strings.ToLower(string(s)))
	for i, c := range k {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			k[i] = '_'
		}
	}
	if len(k) == 0 {
		return "changed"
	}
	return Kind(k[:min(len(k), 32)])
}

// Note queues en, the record of a stage the Recorder has no method of
// its own for (recovery proposals and approvals), in order with the
// others; like them it is retried, and reported if lost.
func (a *Recorder) Note(ctx context.Context, en Entry) { a.mustAppend(ctx, en) }

// mustAppend queues a record nothing waits on, in order.
func (a *Recorder) mustAppend(_ context.Context, en Entry) {
	a.queue <- en
}

func (a *Recorder) drain() {
	defer close(a.done)
	for en := range a.queue {
		a.appendOrReport(en)
	}
}

// Close writes what is queued, waiting at most auditCloseGrace, and stops
// the queue. Nothing may be queued after close.
func (a *Recorder) Close() {
	close(a.queue)
	t := time.AfterFunc(auditCloseGrace, a.cancel)
	<-a.done
	t.Stop()
	a.cancel()
	if err := a.log.Close(); err != nil {
		a.l.Error("could not write the audit checkpoint at shutdown", "err", err)
	}
}

// appendOrReport appends en; a record it cannot append is logged in full,
// at error level, not dropped silently.
func (a *Recorder) appendOrReport(en Entry) {
	if _, err := a.log.Append(a.ctx, en); err != nil {
		data, _ := json.Marshal(en.Data)
		a.l.Error("AUDIT RECORD LOST: could not append to the audit log", "kind", en.Kind, "event", en.EventID, "action", en.ActionID, "err", err, "record", string(data))
		if f := a.onLost.Load(); f != nil {
			(*f)()
		}
	}
}

// SetOnLost makes f hear every record that could not be appended. It may
// be called while records are being written.
func (a *Recorder) SetOnLost(f func()) { a.onLost.Store(&f) }

// QueueLen is how many records wait in the queue: the audit log's lag.
func (a *Recorder) QueueLen() int { return len(a.queue) }

// probeEventID returns the id of a rejected message when it has a usable
// one, so `firebreak audit show ID` finds the rejection too.
func probeEventID(data []byte) string {
	var probe struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &probe) != nil || len(probe.ID) == 0 || len(probe.ID) > event.MaxIDLen {
		return ""
	}
	for _, c := range []byte(probe.ID) {
		if c <= ' ' || c > '~' {
			return ""
		}
	}
	return probe.ID
}

// dryRunData is the payload of a dryrun audit record: one simulated
// action, with the fork it ran on.
type dryRunData struct {
	Method    simulate.Method        `json:"method,omitempty"`
	ChainID   uint64                 `json:"chain_id,omitempty"`
	ForkURL   string                 `json:"fork_url,omitempty"`
	ForkBlock uint64                 `json:"fork_block,omitempty"`
	Action    *simulate.ActionResult `json:"action,omitempty"`
	Warnings  []string               `json:"warnings,omitempty"`
	Error     string                 `json:"error,omitempty"`
}

// DryRun appends a dryrun record per simulated action (or one with the
// reason there is none), before the event is acknowledged.
func (a *Recorder) DryRun(ctx context.Context, out decide.Outcome) error {
	ev := out.Event
	var entries []Entry
	for _, res := range out.DryRuns {
		for i := range res.Actions {
			r := res.Actions[i]
			entries = append(entries, Entry{Kind: KindDryRun, EventID: ev.ID, Protocol: ev.Protocol, ActionID: r.ID,
				Data: dryRunData{Method: res.Method, ChainID: res.ChainID, ForkURL: res.ForkURL, ForkBlock: res.ForkBlock, Action: &r, Warnings: res.Warnings}})
		}
	}
	if out.DryRunError != "" {
		entries = append(entries, Entry{Kind: KindDryRun, EventID: ev.ID, Protocol: ev.Protocol, Data: dryRunData{Error: out.DryRunError}})
	}
	for _, en := range entries {
		if _, err := a.log.Append(ctx, en); err != nil {
			return err
		}
	}
	return nil
}

// WatchUsage checks how full the audit stream is every interval until ctx
// ends: at UsageWarnAt a warning, at UsageCriticalAt (and when the size
// cannot be read) an error, so a filling stream is a loud alarm, never a
// silent discard. onUsage, when set, hears every reading (the metrics).
func (a *Recorder) WatchUsage(ctx context.Context, every time.Duration, onUsage func(Usage)) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := UsageOK
	for {
		rctx, cancel := context.WithTimeout(ctx, every)
		u, err := a.log.Usage(rctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			a.l.Error("cannot read the audit stream's size", "err", err)
		default:
			if onUsage != nil {
				onUsage(u)
			}
			switch lvl := u.Level(); {
			case lvl == UsageCritical:
				a.l.Error("AUDIT STREAM NEARLY FULL: a full stream refuses new records and the engine stops acting; raise audit.max_bytes or the account limit, or archive an export", "usage", u.String())
			case lvl == UsageWarn:
				a.l.Warn("the audit stream is filling up", "usage", u.String())
			case last != UsageOK:
				a.l.Info("the audit stream has room again", "usage", u.String())
			}
			last = u.Level()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
