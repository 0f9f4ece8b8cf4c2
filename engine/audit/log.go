package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// Names of the JetStream resources this package owns.
const (
	Stream        = "FIREBREAK_AUDIT"
	SubjectPrefix = "audit."
	// noEvent is the event key of records about no particular event.
	noEvent = "none"
)

// Subject is where a record about eventID of kind k is stored:
// audit.<event key>.<kind>, with the event key of ingest.EventKey (event
// ids are free text, subject tokens are not).
func Subject(eventID string, k Kind) string {
	return eventFilter(eventID) + "." + string(k)
}

func eventFilter(eventID string) string {
	key := noEvent
	if eventID != "" {
		key = ingest.EventKey(eventID)
	}
	return SubjectPrefix + key
}

// EnsureStream creates the audit stream, or checks and updates it. Delete
// and purge are denied by the server; nothing expires.
func EnsureStream(ctx context.Context, js jetstream.JetStream, replicas int) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        Stream,
		Description: "firebreak's hash-chained audit log (audit.<event key>.<kind>); append-only",
		Subjects:    []string{SubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		Retention:   jetstream.LimitsPolicy,
		DenyDelete:  true,
		DenyPurge:   true,
		// The window in which a retried append is recognised by its
		// message id instead of being stored twice.
		Duplicates: 2 * time.Minute,
		MaxMsgSize: maxRecordSize,
	})
	if err != nil {
		return nil, fmt.Errorf("audit: creating stream %s: %w", Stream, err)
	}
	return s, nil
}

// Options configure a Log.
type Options struct {
	// Replicas of the audit stream.
	Replicas int
	// Key, when set, signs every record.
	Key ed25519.PrivateKey
	// Secrets are strings that must never appear in a record (signer keys,
	// RPC URLs carrying API tokens): every occurrence in a payload string
	// becomes Redacted.
	Secrets []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RetryFor bounds how long Append keeps retrying while NATS does not
	// answer; RetryDelay is the first pause, doubled up to two seconds.
	RetryFor, RetryDelay time.Duration
}

// DefaultOptions are the defaults: one replica, unsigned, thirty seconds
// of retries.
func DefaultOptions() Options {
	return Options{Replicas: 1, RetryFor: 30 * time.Second, RetryDelay: 50 * time.Millisecond}
}

// Log appends records to the audit stream. It is safe for concurrent use;
// appends are serialised, and several Logs (engine replicas) may append to
// one stream.
type Log struct {
	js   jetstream.JetStream
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	loaded   bool
	lastSeq  uint64
	lastHash string
}

// NewLog ensures the audit stream exists and reads its tail.
func NewLog(ctx context.Context, js jetstream.JetStream, opts Options, log *slog.Logger) (*Log, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = 50 * time.Millisecond
	}
	var secrets []string
	for _, s := range opts.Secrets {
		// Short strings would redact ordinary words and numbers.
		if len(s) >= 8 {
			secrets = append(secrets, s)
		}
	}
	opts.Secrets = secrets
	if _, err := EnsureStream(ctx, js, opts.Replicas); err != nil {
		return nil, err
	}
	l := &Log{js: js, opts: opts, log: log}
	if err := l.loadTail(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// PublicKey is the key that verifies this log's signatures, nil when
// records are not signed.
func (l *Log) PublicKey() ed25519.PublicKey {
	if l.opts.Key == nil {
		return nil
	}
	return l.opts.Key.Public().(ed25519.PublicKey)
}

// Append adds a record for e at the end of the chain and returns it as
// stored. A concurrent writer that appended first is followed, not
// forked; an unreachable server is retried for Options.RetryFor. An
// error wraps ErrAppend and means the record is not in the log.
func (l *Log) Append(ctx context.Context, e Entry) (Record, error) {
	p, err := l.prepare(e)
	if err != nil {
		return Record{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appendLocked(ctx, p)
}

// pending is an entry ready to append: its payload encoded once and its
// message id fixed for every attempt, so that a publish that reached the
// server but whose answer was lost is recognised as a duplicate on retry.
type pending struct {
	e       Entry
	data    []byte
	subject string
	msgID   string
}

func (l *Log) prepare(e Entry) (pending, error) {
	if !e.Kind.Valid() {
		return pending{}, fmt.Errorf("%w: kind %q is not 1 to 32 of [a-z0-9_-]", ErrAppend, e.Kind)
	}
	data, err := encodeData(e.Data, l.opts.Secrets)
	if err != nil {
		return pending{}, fmt.Errorf("%w: encoding the %s payload: %w", ErrAppend, e.Kind, err)
	}
	var idb [16]byte
	_, _ = rand.Read(idb[:])
	return pending{e: e, data: data, subject: Subject(e.EventID, e.Kind), msgID: "audit-" + hex.EncodeToString(idb[:])}, nil
}

// appendLocked appends p with retries; l.mu is held.
func (l *Log) appendLocked(ctx context.Context, p pending) (Record, error) {
	e, data, subject, msgID := p.e, p.data, p.subject, p.msgID
	deadline := l.opts.Now().Add(l.opts.RetryFor)
	delay := l.opts.RetryDelay
	var last error
	for attempt := 1; ; attempt++ {
		rec, retry, err := l.try(ctx, e, data, subject, msgID)
		if err == nil {
			return rec, nil
		}
		last = err
		if !retry {
			break
		}
		if errors.Is(err, errConflict) && attempt < 1000 {
			continue // another writer moved the tail: append after it now
		}
		if ctx.Err() != nil || !l.opts.Now().Before(deadline) {
			break
		}
		l.log.Warn("audit append failed; retrying", "kind", e.Kind, "attempt", attempt, "err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
	if ctx.Err() != nil {
		last = fmt.Errorf("%w (%w)", last, ctx.Err())
	}
	return Record{}, fmt.Errorf("%w: %s record of event %q: %w", ErrAppend, e.Kind, e.EventID, last)
}

var errConflict = errors.New("audit: another writer appended first")

// try makes one append attempt after the known tail. retry says whether
// another attempt may succeed.
func (l *Log) try(ctx context.Context, e Entry, data []byte, subject, msgID string) (Record, bool, error) {
	if !l.loaded {
		if err := l.loadTail(ctx); err != nil {
			return Record{}, true, err
		}
	}
	rec, body, err := l.seal(e, data, l.lastSeq+1, l.lastHash)
	if err != nil {
		return rec, false, err
	}
	ack, err := l.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: body},
		jetstream.WithMsgID(msgID), jetstream.WithExpectStream(Stream), jetstream.WithExpectLastSequence(l.lastSeq))
	if err != nil {
		// Whatever happened, the tail is re-read before the next attempt.
		l.loaded = false
		if isWrongLastSeq(err) {
			return rec, true, errConflict
		}
		return rec, true, fmt.Errorf("publishing to %s: %w", subject, err)
	}
	if ack.Duplicate || ack.Sequence != rec.Seq {
		// An earlier attempt of this very append was stored: return that.
		l.loaded = false
		msg, err := l.getMsg(ctx, ack.Sequence)
		if err != nil {
			return rec, true, err
		}
		stored, err := ParseRecord(msg.Data)
		if err != nil {
			return rec, false, fmt.Errorf("reading back record %d: %w", ack.Sequence, err)
		}
		return stored, false, nil
	}
	l.lastSeq, l.lastHash = rec.Seq, rec.Hash
	return rec, false, nil
}

// seal makes the record of e at seq after prev, and its stored bytes.
func (l *Log) seal(e Entry, data []byte, seq uint64, prev string) (Record, []byte, error) {
	rec := Record{
		Seq: seq, Prev: prev, Time: l.opts.Now().UTC(), Kind: e.Kind,
		EventID: e.EventID, Protocol: e.Protocol, ActionID: e.ActionID, Data: data,
	}
	if err := rec.seal(l.opts.Key); err != nil {
		return rec, nil, err
	}
	body, err := rec.Encode()
	if err != nil {
		return rec, nil, fmt.Errorf("encoding record: %w", err)
	}
	if len(body) > maxRecordSize {
		return rec, nil, fmt.Errorf("the %s record is %d bytes, more than %d", e.Kind, len(body), maxRecordSize)
	}
	return rec, body, nil
}

// AppendAll appends entries in order, as one Append after another would,
// in one round trip to the server while no other writer appends: all are
// published at once, each expecting the one before it at the tail.
// Whatever does not come back stored as sealed (another writer appended
// in between, an answer lost or late, the server away) is appended again
// one by one, with the same message ids, so nothing is stored twice. On
// error the records stored before the failing entry are returned with it.
func (l *Log) AppendAll(ctx context.Context, entries ...Entry) ([]Record, error) {
	ps := make([]pending, len(entries))
	for i, e := range entries {
		var err error
		if ps[i], err = l.prepare(e); err != nil {
			return nil, err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Record
	if len(ps) > 1 && (l.loaded || l.loadTail(ctx) == nil) {
		out = l.publishAll(ctx, ps)
	}
	for _, p := range ps[len(out):] {
		rec, err := l.appendLocked(ctx, p)
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// publishAllWait bounds the wait for the answers to one AppendAll before
// the entries not confirmed are appended one by one.
const publishAllWait = 2 * time.Second

// publishAll publishes ps at once after the known tail and returns the
// records of the leading entries stored exactly as sealed; l.mu is held.
func (l *Log) publishAll(ctx context.Context, ps []pending) []Record {
	seq, prev := l.lastSeq, l.lastHash
	recs := make([]Record, 0, len(ps))
	futures := make([]jetstream.PubAckFuture, 0, len(ps))
	for i, p := range ps {
		rec, body, err := l.seal(p.e, p.data, seq+1, prev)
		if err != nil {
			break // appended alone, it fails with its own error
		}
		opts := []jetstream.PublishOpt{jetstream.WithMsgID(p.msgID), jetstream.WithExpectStream(Stream), jetstream.WithExpectLastSequence(seq)}
		if i > 0 {
			// The sequence alone is not enough: had another writer slipped
			// in before the first of the batch, the second would find the
			// sequence it expects, under a record that is not its prev.
			opts = append(opts, jetstream.WithExpectLastMsgID(ps[i-1].msgID))
		}
		f, err := l.js.PublishMsgAsync(&nats.Msg{Subject: p.subject, Data: body}, opts...)
		if err != nil {
			break
		}
		recs, futures = append(recs, rec), append(futures, f)
		seq, prev = rec.Seq, rec.Hash
	}
	wait, cancel := context.WithTimeout(ctx, publishAllWait)
	defer cancel()
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			if !ack.Duplicate && ack.Sequence == recs[i].Seq {
				l.lastSeq, l.lastHash = recs[i].Seq, recs[i].Hash
				continue
			}
		case <-f.Err():
		case <-wait.Done():
		}
		// From here on the tail is not known: read again before the
		// next publish.
		l.loaded = false
		return recs[:i]
	}
	return recs
}

// loadTail reads the last record to append after it.
func (l *Log) loadTail(ctx context.Context) error {
	s, err := l.js.Stream(ctx, Stream)
	if err != nil {
		return fmt.Errorf("audit: opening stream %s: %w", Stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return fmt.Errorf("audit: reading stream %s: %w", Stream, err)
	}
	seq, hash := info.State.LastSeq, genesis
	if seq > 0 {
		msg, err := l.getMsg(ctx, seq)
		if err != nil {
			return err
		}
		rec, err := ParseRecord(msg.Data)
		if err != nil || rec.Seq != seq {
			// The chain is broken here already and verify will say so;
			// chaining on to the stored bytes keeps what follows checkable.
			sum := sha256.Sum256(msg.Data)
			hash = hex.EncodeToString(sum[:])
			l.log.Error("the last audit record is not a valid record; appending after it anyway", "seq", seq, "err", err)
		} else {
			hash = rec.Hash
		}
	}
	l.lastSeq, l.lastHash, l.loaded = seq, hash, true
	return nil
}

func (l *Log) getMsg(ctx context.Context, seq uint64) (*jetstream.RawStreamMsg, error) {
	s, err := l.js.Stream(ctx, Stream)
	if err != nil {
		return nil, fmt.Errorf("audit: opening stream %s: %w", Stream, err)
	}
	msg, err := s.GetMsg(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("audit: reading record %d: %w", seq, err)
	}
	return msg, nil
}

// isWrongLastSeq is the one place that classifies the server's answer to
// a conflicting append. Replicated streams answer with another code.
func isWrongLastSeq(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}
