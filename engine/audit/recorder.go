package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
// still written; Close bounds the wait. OpenSpill gives it the file where
// records go when the queue is full or the stream away.
func NewRecorder(ctx context.Context, l *Log, logger *slog.Logger) *Recorder {
	a := &Recorder{log: l, l: logger, lastSeen: map[string]record.Record{},
		wake: make(chan struct{}, 1), done: make(chan struct{}), spillAfter: DefaultSpillAfter, now: time.Now, queueCap: auditQueue}
	a.ctx, a.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go a.drain()
	return a
}

// auditQueue is how many records nothing waits on may be queued in memory
// before they go to the spill file: far more than a burst of incidents
// produces.
const auditQueue = 4096

// auditCloseGrace bounds how long close waits for queued records.
const auditCloseGrace = 10 * time.Second

// DefaultSpillAfter is how long a queued record may wait for the stream
// before it, and every record after it, goes to the spill file.
const DefaultSpillAfter = 2 * time.Second

// Recorder turns what the pipeline, the consumer and the submitter do into
// audit records.
//
// What happens when an append fails: the records of an event's decision
// (received, decision, guard, planned) are appended before the event is
// acknowledged, and a failure is a transient handler error, so the event
// is redelivered and decided again rather than acted on without a record.
// Records with nothing to hold back (a dead letter, a duplicate, a
// transaction's progress) go through an in-order queue, so the submitter
// never waits for the audit log before broadcasting. Whoever reports such
// a record never waits either: when the queue is full, or the stream has
// not taken a queued record within SpillAfter, records go to the spill
// file (OpenSpill), fsynced, and are replayed into the stream in order
// once it takes records again, and at the next start. A record is lost,
// and logged at error level with its content, only when the spill file
// cannot be written either (or there is none), or when it can never be
// stored (too large). An unreachable audit log must not keep a pause off
// the chain.
type Recorder struct {
	log *Log
	l   *slog.Logger
	// onLost, when set (SetOnLost), hears every record that could not be
	// appended (the metric and alert of lost records).
	onLost atomic.Pointer[func()]

	mu sync.Mutex
	// lastSeen is each unfinished action's last recorded change.
	lastSeen map[string]record.Record

	// qmu orders the queue and the spill: while the spill holds records,
	// new ones go after them, never into the queue. inflight is the record
	// the drain is appending, taken off the queue; inflightSpilled says a
	// full queue spilled it meanwhile (first, as the oldest).
	qmu             sync.Mutex
	closed          bool
	queue           []pending
	inflight        *pending
	inflightSpilled bool
	spill           *spill // nil until OpenSpill
	unsynced        bool   // spilled records not synced yet
	queueCap        int    // auditQueue; tests make it smaller
	// queued and spilled count the records in the queue and the spill,
	// for QueueLen without qmu.
	queued, spilled atomic.Int64
	// wake wakes the drain when there is something to do.
	wake chan struct{}
	// spillAfter bounds one append of a queued or spilled record.
	spillAfter time.Duration
	now        func() time.Time

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
// others; like them it never waits, and is spilled when the queue is full.
func (a *Recorder) Note(ctx context.Context, en Entry) { a.mustAppend(ctx, en) }

// mustAppend queues a record nothing waits on, in order. It never waits:
// with the queue full, or records spilled already, the record is spilled.
func (a *Recorder) mustAppend(_ context.Context, en Entry) {
	p, err := a.log.prepare(en)
	if err != nil {
		a.reportLost(en, en, err)
		return
	}
	a.qmu.Lock()
	defer a.qmu.Unlock()
	switch {
	case a.closed:
		a.reportLost(en, en, errors.New("the recorder is closed"))
		return
	case a.spilled.Load() > 0:
		a.spillLocked(p)
		a.syncLocked()
	case len(a.queue) >= a.queueCap && a.spill == nil:
		a.reportLost(en, en, errors.New("the audit queue is full, and there is no spill file (no data folder)"))
	case len(a.queue) >= a.queueCap:
		a.startSpillLocked(errors.New("the audit queue is full"))
		a.spillLocked(p)
		a.syncLocked()
	default:
		a.queue = append(a.queue, p)
		a.countLocked()
	}
	a.wakeDrain()
}

func (a *Recorder) wakeDrain() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// startSpillLocked moves every record not yet in the stream to the spill,
// oldest first: the one being appended, then the queue. Records after
// them follow them there until the spill is replayed. qmu is held, and
// the Recorder has a spill.
func (a *Recorder) startSpillLocked(why error) {
	a.l.Warn("audit records go to the spill file until the stream takes them; nothing is lost", "reason", why, "spill", a.spill.dir)
	if a.inflight != nil && !a.inflightSpilled {
		a.inflightSpilled = a.spillLocked(*a.inflight)
	}
	for _, q := range a.queue {
		a.spillLocked(q)
	}
	a.queue = nil
	a.countLocked()
}

// countLocked updates queued: the queue and the record in flight. qmu is
// held.
func (a *Recorder) countLocked() {
	n := len(a.queue)
	if a.inflight != nil && !a.inflightSpilled {
		n++
	}
	a.queued.Store(int64(n))
}

// spillLocked writes p to the spill file, fsynced; it reports whether it
// did (otherwise the record is reported lost). qmu is held.
func (a *Recorder) spillLocked(p pending) bool {
	if a.spill == nil {
		a.reportLost(p.e, p, errors.New("the stream does not take it, and there is no spill file (no data folder)"))
		return false
	}
	line, err := encodeSpillLine(p, a.now())
	if err == nil {
		err = a.spill.write(line)
	}
	if err != nil {
		a.reportLost(p.e, p, fmt.Errorf("the stream does not take it, and the spill file could not be written either: %w", err))
		return false
	}
	a.spilled.Add(1)
	a.unsynced = true
	return true
}

// syncLocked puts the records spilled since the last sync on the disk,
// once for all of them. qmu is held.
func (a *Recorder) syncLocked() {
	if !a.unsynced {
		return
	}
	a.unsynced = false
	if err := a.spill.sync(); err != nil {
		a.l.Error("AUDIT RECORDS AT RISK: the spill file could not be synced to the disk; they are lost if the machine stops now", "err", err)
	}
}

// OpenSpill makes dir (SpillDir in the data folder) the spill of the
// Recorder, and replays into the stream what an earlier run left there.
// Call it once, before records are reported.
func (a *Recorder) OpenSpill(dir string) error {
	s, torn, err := openSpill(dir)
	if err != nil {
		return err
	}
	if s.badCursor != nil {
		a.l.Error("the audit spill file's cursor cannot be read: replaying the whole file (records the stream holds already may be stored twice)", "err", s.badCursor)
	}
	if torn > 0 {
		a.l.Warn("the audit spill file ended in a line cut short (a crash while writing it); cut off", "bytes", torn, "spill", dir)
	}
	a.qmu.Lock()
	defer a.qmu.Unlock()
	a.spill = s
	a.spilled.Store(int64(s.waiting))
	if s.waiting > 0 {
		a.l.Warn("audit records spilled by an earlier run wait for the stream; replaying them in order", "records", s.waiting, "spill", dir)
		a.wakeDrain()
	}
	return nil
}

// drain appends the queued records, then the spilled ones, in order,
// until Close.
func (a *Recorder) drain() {
	defer close(a.done)
	backoff := spillRetryMin
	for {
		a.qmu.Lock()
		switch {
		case len(a.queue) > 0:
			// Queued records are older than spilled ones: first.
			p := a.queue[0]
			a.queue = a.queue[1:]
			a.inflight, a.inflightSpilled = &p, false
			a.qmu.Unlock()
			a.write(p)
		case a.spilled.Load() > 0:
			closed := a.closed
			a.qmu.Unlock()
			if closed && a.ctx.Err() != nil {
				return // the grace is over: the next start replays the rest
			}
			if a.replayOne() {
				backoff = spillRetryMin
				continue
			}
			// The stream does not take records yet: try again later.
			t := time.NewTimer(backoff)
			select {
			case <-a.ctx.Done():
			case <-t.C:
			}
			t.Stop()
			backoff = min(2*backoff, spillRetryMax)
		case a.closed:
			a.qmu.Unlock()
			return
		default:
			a.qmu.Unlock()
			<-a.wake
		}
	}
}

// How long the drain waits between two tries to replay the spill while
// the stream does not take records.
const (
	spillRetryMin = 100 * time.Millisecond
	spillRetryMax = 5 * time.Second
)

// write appends a queued record, the one in flight. One the stream does
// not take within spillAfter goes to the spill, with the queue behind it.
func (a *Recorder) write(p pending) {
	ctx, cancel := context.WithTimeout(a.ctx, a.spillAfter)
	_, err := a.log.appendPrepared(ctx, p)
	cancel()
	a.qmu.Lock()
	defer a.qmu.Unlock()
	spilled := a.inflightSpilled
	a.inflight, a.inflightSpilled = nil, false
	// Counted as queued until here, so that a QueueLen of 0 means in the
	// stream.
	defer a.countLocked()
	switch {
	case err == nil && spilled:
		// A full queue spilled it while it was being appended: it is the
		// spill's first record, and in the stream already.
		a.skipFirstLocked(p)
	case err == nil, spilled:
		// Stored; or not, and first in the spill.
	case errors.Is(err, errUnsealable), a.spill == nil:
		a.reportLost(p.e, p, err)
	default:
		if a.spilled.Load() == 0 {
			a.inflight = &p
			a.startSpillLocked(err)
			a.inflight, a.inflightSpilled = nil, false
		} else {
			a.spillLocked(p) // cannot happen: records spill only after it
		}
		a.syncLocked()
	}
}

// skipFirstLocked moves the spill's cursor past its first record, p,
// which is in the stream already. qmu is held.
func (a *Recorder) skipFirstLocked(p pending) {
	first, end, err := a.spill.next()
	if err != nil || first.msgID != p.msgID {
		return // replayed, it is recognised by its message id
	}
	a.advanceLocked(end)
}

// replayBatch is how many spilled records one replay sends at once.
const replayBatch = 64

// replayOne appends the oldest spilled records, up to replayBatch; false
// when the stream took none of them (they stay first in the spill).
func (a *Recorder) replayOne() bool {
	// Only the drain reads the spill and moves its cursor; writers append
	// after the cursor, under qmu.
	a.qmu.Lock()
	var ps []pending
	var ends []int64
	off, waiting := a.spill.cursor, int(a.spilled.Load())
	p, end, err := a.spill.nextAt(off)
	for err == nil {
		ps, ends, off = append(ps, p), append(ends, end), end
		if len(ps) == min(replayBatch, waiting) {
			break
		}
		p, end, err = a.spill.nextAt(off)
	}
	a.qmu.Unlock()
	if len(ps) == 0 {
		a.l.Error("AUDIT RECORD LOST: a line of the audit spill file is damaged; skipped", "err", err)
		a.lost()
		a.qmu.Lock()
		a.advanceLocked(end)
		a.qmu.Unlock()
		return true
	}
	ctx, cancel := context.WithTimeout(a.ctx, a.spillAfter)
	n, err := a.log.appendPrepared(ctx, ps...)
	cancel()
	if err != nil && errors.Is(err, errUnsealable) {
		a.reportLost(ps[n].e, ps[n], err)
		n++ // past it
	}
	a.qmu.Lock()
	for _, end := range ends[:n] {
		a.advanceLocked(end)
	}
	a.qmu.Unlock()
	return n > 0
}

// advanceLocked moves the spill's cursor past a record ending at end. qmu
// is held.
func (a *Recorder) advanceLocked(end int64) {
	if err := a.spill.advance(end); err != nil {
		a.l.Error("could not move the audit spill file's cursor: records replayed since may be replayed again at the next start", "err", err)
	}
	if a.spilled.Add(-1) == 0 {
		a.l.Info("the audit spill file is replayed: every spilled record is in the stream")
	}
}

// Close writes what is queued and spilled, waiting at most
// auditCloseGrace (records the stream does not take meanwhile go to the
// spill), and stops the queue; what is left in the spill is replayed at
// the next start. Records reported after Close are lost, loudly.
func (a *Recorder) Close() {
	a.qmu.Lock()
	a.closed = true
	a.wakeDrain()
	a.qmu.Unlock()
	t := time.AfterFunc(auditCloseGrace, a.cancel)
	<-a.done
	t.Stop()
	a.cancel()
	if a.spill != nil {
		if n := a.spilled.Load(); n > 0 {
			a.l.Warn("audit records are left in the spill file; the next start replays them", "records", n, "spill", a.spill.dir)
		}
		if err := a.spill.close(); err != nil {
			a.l.Error("closing the audit spill file", "err", err)
		}
	}
	if err := a.log.Close(); err != nil {
		a.l.Error("could not write the audit checkpoint at shutdown", "err", err)
	}
}

// reportLost logs a record that could not be appended nor spilled, at
// error level with its content (data: the entry's payload or the pending
// record), not dropped silently.
func (a *Recorder) reportLost(e Entry, data any, err error) {
	var content string
	switch d := data.(type) {
	case pending:
		content = string(d.data)
	case Entry:
		b, _ := json.Marshal(d.Data)
		content = string(b)
	}
	a.l.Error("AUDIT RECORD LOST: could not append to the audit log", "kind", e.Kind, "event", e.EventID, "action", e.ActionID, "err", err, "record", content)
	a.lost()
}

func (a *Recorder) lost() {
	if f := a.onLost.Load(); f != nil {
		(*f)()
	}
}

// SetOnLost makes f hear every record that could not be appended. It may
// be called while records are being written. f may run while the
// Recorder's queue is locked: it must return quickly and report no audit
// record itself (the engine's counts a metric and starts an alert in a
// goroutine).
func (a *Recorder) SetOnLost(f func()) { a.onLost.Store(&f) }

// QueueLen is how many records wait for the stream, in the queue and in
// the spill: the audit log's lag.
func (a *Recorder) QueueLen() int { return int(a.queued.Load() + a.spilled.Load()) }

// Spilled is how many of them wait in the spill file.
func (a *Recorder) Spilled() int { return int(a.spilled.Load()) }

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
