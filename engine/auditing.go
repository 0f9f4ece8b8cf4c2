package engine

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
)

// auditKey reads the configured signing key. Neither the key nor the file
// content ever appears in an error.
func (e *Engine) auditKey() (ed25519.PrivateKey, string, error) {
	a := e.opts.Audit
	var text string
	switch {
	case a.SigningKeyEnv != "":
		v, ok := e.lookupEnv()(a.SigningKeyEnv)
		if !ok {
			return nil, "", config.Errorf("audit.signing_key_env: environment variable %s is not set", a.SigningKeyEnv)
		}
		text = v
	case a.SigningKeyFile != "":
		b, err := os.ReadFile(a.SigningKeyFile)
		if err != nil {
			return nil, "", config.Errorf("audit.signing_key_file: %v", err)
		}
		text = string(b)
	default:
		return nil, "", nil
	}
	key, err := audit.ParsePrivateKey(text)
	if err != nil {
		return nil, "", fmt.Errorf("%w: audit signing key: %w", config.ErrConfig, err)
	}
	return key, strings.TrimSpace(text), nil
}

func (e *Engine) lookupEnv() func(string) (string, bool) { return e.opts.Env() }

// openAudit opens the audit log on js.
func (e *Engine) openAudit(ctx context.Context, js jetstream.JetStream) (*auditor, error) {
	key, keyText, err := e.auditKey()
	if err != nil {
		return nil, err
	}
	opts := audit.DefaultOptions()
	opts.Replicas, opts.Key, opts.Now = e.opts.NATS.Replicas, key, e.now
	opts.Secrets = e.opts.Secrets(keyText)
	if e.opts.Audit.RetryFor > 0 {
		opts.RetryFor = e.opts.Audit.RetryFor
	}
	l, err := audit.NewLog(ctx, js, opts, e.log)
	if err != nil {
		return nil, err
	}
	if pub := l.PublicKey(); pub != nil {
		e.log.Info("audit log signing", "public_key", hex.EncodeToString(pub), "key_id", audit.KeyID(pub))
	}
	a := &auditor{log: l, l: e.log, lastSeen: map[string]record.Record{}, queue: make(chan audit.Entry, auditQueue), done: make(chan struct{})}
	// The queue outlives Run's context so the last changes (a mined
	// transaction at shutdown) are still written; close bounds the wait.
	var cancel context.CancelFunc
	a.ctx, cancel = context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	go a.drain()
	return a, nil
}

// auditQueue is how many records nothing waits on may be queued before
// their producers wait: far more than a burst of incidents produces.
const auditQueue = 4096

// auditCloseGrace bounds how long close waits for queued records.
const auditCloseGrace = 10 * time.Second

// auditor turns what the pipeline, the consumer and the submitter do into
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
type auditor struct {
	log *audit.Log
	l   *slog.Logger

	mu sync.Mutex
	// lastSeen is each unfinished action's last recorded change.
	lastSeen map[string]record.Record

	queue  chan audit.Entry
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// decided records what the engine saw and decided about ev, before any
// intent is recorded.
func (a *auditor) decided(ctx context.Context, out decide.Outcome) error {
	ev := out.Event
	entry := func(k audit.Kind, data any) audit.Entry {
		return audit.Entry{Kind: k, EventID: ev.ID, Protocol: ev.Protocol, Data: data}
	}
	entries := []audit.Entry{entry(audit.KindReceived, audit.ReceivedData{Event: ev, ReceivedAt: out.ReceivedAt.UTC()})}
	d := audit.DecisionData{Decision: out.Decision, Error: out.DecisionError}
	if out.Decision != nil {
		d.DecisionID = decisionID(ev.ID, out.Decision.Revision)
	}
	entries = append(entries, entry(audit.KindDecision, d))
	for i, act := range out.Actions {
		entries = append(entries, entry(audit.KindGuard, audit.GuardData{Index: i, Verdict: act.Verdict}))
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

// planned records an intent; already means an earlier delivery recorded
// it.
func (a *auditor) planned(ctx context.Context, in record.Intent, already bool) error {
	_, err := a.log.Append(ctx, audit.Entry{
		Kind: audit.KindPlanned, EventID: in.EventID, Protocol: in.Protocol, ActionID: in.ID,
		Data: audit.PlannedData{Intent: in, AlreadyRecorded: already},
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
func (a *auditor) Approved(ctx context.Context, ap safe.Approval, in record.Intent) {
	d := ApprovalData{ApprovalID: ap.ID, Safe: ap.Safe.Hex(), SafeNonce: ap.Tx.Nonce, SafeTxHash: ap.Hash.Hex(), Threshold: ap.Threshold, Reason: ap.Reason}
	for _, sig := range ap.Signatures {
		d.SignedBy = append(d.SignedBy, sig.Owner.Hex())
	}
	a.mustAppend(ctx, audit.Entry{Kind: audit.KindApproval, EventID: ap.EventID, Protocol: ap.Protocol, ActionID: ap.ID, Data: d})
	a.mustAppend(ctx, audit.Entry{Kind: audit.KindPlanned, EventID: in.EventID, Protocol: in.Protocol, ActionID: in.ID, Data: audit.PlannedData{Intent: in}})
}

// Rejected implements ingest.Observer.
func (a *auditor) Rejected(ctx context.Context, subject string, streamSeq uint64, data []byte, reason string) {
	sum := sha256.Sum256(data)
	a.mustAppend(ctx, audit.Entry{
		Kind: audit.KindRejected, EventID: probeEventID(data),
		Data: audit.RejectedData{Subject: subject, StreamSeq: streamSeq, Reason: reason, SHA256: hex.EncodeToString(sum[:]), Size: len(data)},
	})
}

// Duplicate implements ingest.Observer.
func (a *auditor) Duplicate(ctx context.Context, ev event.Event) {
	a.mustAppend(ctx, audit.Entry{Kind: audit.KindDuplicate, EventID: ev.ID, Protocol: ev.Protocol, Data: audit.ReceivedData{Event: ev}})
}

// actionChanged is the submitter's OnChange: one record per persisted
// change of an action. The kind comes from the state and from what moved
// since the last change (a new bump, a new reorg, a new warning); states
// the submitter adds later are recorded under their own name.
func (a *auditor) actionChanged(ctx context.Context, rec record.Record) {
	a.mu.Lock()
	prev, seen := a.lastSeen[rec.ID]
	kind := actionKind(rec.State)
	switch {
	case seen && rec.Reorgs > prev.Reorgs:
		kind = audit.KindReorged
	case seen && rec.Bumps > prev.Bumps, seen && rec.TxHash != nil && prev.TxHash != nil && *rec.TxHash != *prev.TxHash &&
		(rec.State == record.Signed || rec.State == record.Sent):
		kind = audit.KindBumped
	case rec.Warning != "" && rec.Warning != prev.Warning:
		kind = audit.KindWarning
	}
	if rec.State.Final() {
		delete(a.lastSeen, rec.ID)
	} else {
		a.lastSeen[rec.ID] = rec
	}
	a.mu.Unlock()
	a.mustAppend(ctx, audit.Entry{Kind: kind, EventID: rec.EventID, Protocol: rec.Protocol, ActionID: rec.ID, Data: audit.ActionData{Action: rec}})
}

func actionKind(s record.State) audit.Kind {
	switch s {
	case record.Signed:
		return audit.KindSigned
	case record.Sent:
		return audit.KindSent
	case record.Included:
		return audit.KindIncluded
	case record.Mined:
		return audit.KindMined
	case record.Failed:
		return audit.KindFailed
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
	return audit.Kind(k[:min(len(k), 32)])
}

// mustAppend queues a record nothing waits on, in order.
func (a *auditor) mustAppend(_ context.Context, en audit.Entry) {
	a.queue <- en
}

func (a *auditor) drain() {
	defer close(a.done)
	for en := range a.queue {
		a.appendOrReport(en)
	}
}

// close writes what is queued, waiting at most auditCloseGrace, and stops
// the queue. Nothing may be queued after close.
func (a *auditor) close() {
	close(a.queue)
	t := time.AfterFunc(auditCloseGrace, a.cancel)
	<-a.done
	t.Stop()
	a.cancel()
}

// appendOrReport appends en; a record it cannot append is logged in full,
// at error level, not dropped silently.
func (a *auditor) appendOrReport(en audit.Entry) {
	if _, err := a.log.Append(a.ctx, en); err != nil {
		data, _ := json.Marshal(en.Data)
		a.l.Error("AUDIT RECORD LOST: could not append to the audit log", "kind", en.Kind, "event", en.EventID, "action", en.ActionID, "err", err, "record", string(data))
	}
}

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
