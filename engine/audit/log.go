package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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

// EnsureStream creates the audit stream, or checks and updates it, with
// no size limit. Delete and purge are denied by the server; nothing
// expires.
func EnsureStream(ctx context.Context, js jetstream.JetStream, replicas int) (jetstream.Stream, error) {
	return ensureStream(ctx, js, StreamConfig(replicas, 0))
}

// StreamConfig is the audit stream's configuration. maxBytes, when above
// 0, bounds the stream; a full stream then refuses appends (discard new:
// ErrFull), it never drops its oldest records to make room.
func StreamConfig(replicas int, maxBytes int64) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        Stream,
		Description: "firebreak's hash-chained audit log (audit.<event key>.<kind>); append-only",
		Subjects:    []string{SubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		Retention:   jetstream.LimitsPolicy,
		DenyDelete:  true,
		DenyPurge:   true,
		// Whatever limit is reached, the new record is refused: the server
		// never removes old ones to make room (with discard old it would,
		// silently, and deny delete would not stop it).
		Discard:  jetstream.DiscardNew,
		MaxBytes: max(maxBytes, 0),
		// The window in which a retried append is recognised by its
		// message id instead of being stored twice.
		Duplicates: 2 * time.Minute,
		MaxMsgSize: maxRecordSize,
	}
}

func ensureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, cfg)
	for try := 1; err != nil && isStoreBusy(err) && try < 20 && ctx.Err() == nil; try++ {
		// A stream deleted a moment ago may still be removing its store.
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
		s, err = js.CreateOrUpdateStream(ctx, cfg)
	}
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

	// CheckpointPath, when set, is the file where the Log keeps its
	// Checkpoint: CheckpointFile in the engine's data folder, one file per
	// Log. NewLog then refuses a stream that does not hold the record the
	// checkpoint names (missing, shorter, another record there) with a
	// *CheckpointError, and a checkpoint that cannot be read with
	// ErrCheckpoint. Empty: no checkpoint, nothing checked.
	CheckpointPath string
	// AcceptReset opens the log even so (firebreak serve
	// --accept-audit-reset). The first record appended is then a
	// KindCheckpointOverride naming the old checkpoint and what the
	// stream held instead; with a stream that holds the checkpoint it
	// changes nothing.
	AcceptReset bool
	// MaxBytes, when above 0, bounds the audit stream. A full stream
	// refuses appends (ErrFull) and keeps every record; Usage says how
	// close it is. 0: no limit of its own.
	MaxBytes int64
	// CheckpointEvery is the least time between two writes of the
	// checkpoint file, however many records are appended: the file lags
	// the log by about that much (never leads it). Default one second.
	CheckpointEvery time.Duration
}

// DefaultOptions are the defaults: one replica, unsigned, thirty seconds
// of retries, no checkpoint.
func DefaultOptions() Options {
	return Options{Replicas: 1, RetryFor: 30 * time.Second, RetryDelay: 50 * time.Millisecond, CheckpointEvery: time.Second}
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

	// firstSeq and gaps are the stream's first sequence and the number of
	// records missing inside it, as loadTail last read them.
	firstSeq uint64
	gaps     int

	// cp keeps the checkpoint; nil without Options.CheckpointPath.
	cp *checkpointer
	// notice is a record to append before the next one: the stream lost
	// this Log's head while it ran (KindStreamReplaced).
	notice *pending
}

// NewLog ensures the audit stream exists and reads its tail. With
// Options.CheckpointPath it first checks that the stream holds the
// checkpoint, and refuses it (a *CheckpointError, ErrCheckpointMismatch)
// unless Options.AcceptReset; it never creates a stream a checkpoint says
// should exist unless told to. Close stops a Log with a checkpoint.
func NewLog(ctx context.Context, js jetstream.JetStream, opts Options, log *slog.Logger) (*Log, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = 50 * time.Millisecond
	}
	if opts.CheckpointEvery <= 0 {
		opts.CheckpointEvery = time.Second
	}
	var secrets []string
	for _, s := range opts.Secrets {
		// Short strings would redact ordinary words and numbers.
		if len(s) >= 8 {
			secrets = append(secrets, s)
		}
	}
	opts.Secrets = secrets
	l := &Log{js: js, opts: opts, log: log}
	var (
		cp       *Checkpoint
		badCP    error
		mismatch *CheckpointError
	)
	if opts.CheckpointPath != "" {
		c, err := LoadCheckpoint(opts.CheckpointPath)
		switch {
		case err == nil:
			cp = &c
		case errors.Is(err, fs.ErrNotExist):
			// The first start with this data folder.
		case errors.Is(err, ErrCheckpoint) && opts.AcceptReset:
			badCP = err
		case errors.Is(err, ErrCheckpoint):
			return nil, fmt.Errorf("%w; to start anyway, with the override on record, use firebreak serve --accept-audit-reset", err)
		default:
			return nil, err
		}
	}
	if cp != nil && cp.Seq > 0 {
		// Refuse before EnsureStream would create an empty stream.
		if _, err := js.Stream(ctx, Stream); errors.Is(err, jetstream.ErrStreamNotFound) {
			mismatch = &CheckpointError{Path: opts.CheckpointPath, Checkpoint: *cp, Found: "the stream does not exist"}
			if !opts.AcceptReset {
				return nil, mismatch
			}
		} else if err != nil {
			return nil, fmt.Errorf("audit: opening stream %s: %w", Stream, err)
		}
	}
	if opts.MaxBytes < 0 {
		return nil, fmt.Errorf("audit: MaxBytes %d is negative (0: no limit)", opts.MaxBytes)
	}
	if _, err := ensureStream(ctx, js, StreamConfig(opts.Replicas, opts.MaxBytes)); err != nil {
		return nil, err
	}
	if err := l.loadTail(ctx); err != nil {
		return nil, err
	}
	if cp != nil && mismatch == nil {
		found, err := l.holds(ctx, *cp, l.firstSeq, l.gaps, l.lastSeq, l.lastHash)
		if err != nil {
			return nil, err
		}
		if found != "" {
			mismatch = &CheckpointError{Path: opts.CheckpointPath, Checkpoint: *cp, Found: found}
			if !opts.AcceptReset {
				return nil, mismatch
			}
		}
	}
	if opts.CheckpointPath == "" {
		return l, nil
	}
	if err := os.MkdirAll(filepath.Dir(opts.CheckpointPath), 0o700); err != nil {
		return nil, fmt.Errorf("audit: the checkpoint's folder: %w", err)
	}
	// WrittenAt is wall time: Options.Now may be a clock only safe under l.mu.
	l.cp = newCheckpointer(opts.CheckpointPath, opts.CheckpointEvery, time.Now, log)
	l.cp.reset(l.lastSeq, l.lastHash, l.firstSeq, l.gaps)
	if cp == nil && badCP == nil && l.lastSeq > 0 {
		log.Warn("no audit checkpoint yet: the stream is taken as it is, and checked against the checkpoint from now on",
			"checkpoint", opts.CheckpointPath, "seq", l.lastSeq, "hash", l.lastHash, "first_seq", l.firstSeq)
	}
	if mismatch != nil || badCP != nil {
		if err := l.recordOverride(ctx, mismatch, badCP); err != nil {
			return nil, err
		}
	}
	// The file exists from the first start on, and no longer holds an
	// overridden claim.
	if err := l.cp.flush(); err != nil {
		return nil, err
	}
	go l.cp.run()
	return l, nil
}

// recordOverride appends the KindCheckpointOverride record of a start
// that accepted a stream not holding the checkpoint (mismatch), or a
// checkpoint it could not read (bad).
func (l *Log) recordOverride(ctx context.Context, mismatch *CheckpointError, bad error) error {
	d := CheckpointOverrideData{
		CheckpointFile: l.opts.CheckpointPath, StreamSeq: l.lastSeq, StreamHash: l.lastHash,
		Reason: "started with the stream as it is although it does not hold the checkpoint (accept reset, firebreak serve --accept-audit-reset)",
	}
	if mismatch != nil {
		d.CheckpointSeq, d.CheckpointHash, d.CheckpointWrittenAt = mismatch.Checkpoint.Seq, mismatch.Checkpoint.Hash, mismatch.Checkpoint.WrittenAt
		d.Found = mismatch.Found
	} else {
		d.Found = "the checkpoint could not be read: " + bad.Error()
	}
	p, err := l.prepare(Entry{Kind: KindCheckpointOverride, Data: d})
	if err != nil {
		return err
	}
	l.mu.Lock()
	rec, err := l.appendLocked(ctx, p)
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("audit: recording the checkpoint override: %w", err)
	}
	l.log.Warn("AUDIT CHECKPOINT OVERRIDDEN: the audit stream does not hold the checkpoint; started anyway as asked, and recorded it",
		"checkpoint", l.opts.CheckpointPath, "checkpoint_seq", d.CheckpointSeq, "checkpoint_hash", d.CheckpointHash,
		"found", d.Found, "record", rec.Seq)
	return nil
}

// Checkpoint is the newest record this Log knows stored, as its
// checkpoint holds it in memory (the file may lag behind); the zero
// Checkpoint without Options.CheckpointPath.
func (l *Log) Checkpoint() Checkpoint {
	if l.cp == nil {
		return Checkpoint{}
	}
	return l.cp.current()
}

// FlushCheckpoint writes the checkpoint file now if appends moved it.
func (l *Log) FlushCheckpoint() error {
	if l.cp == nil {
		return nil
	}
	return l.cp.flush()
}

// Close stops the checkpoint's writer and writes the checkpoint a last
// time. Call it after the last append; the Log must not be used after.
// Without a checkpoint it does nothing.
func (l *Log) Close() error {
	if l.cp == nil {
		return nil
	}
	return l.cp.close()
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
		if n := l.notice; n != nil && n.msgID != msgID {
			if _, err := l.appendLocked(ctx, *n); err != nil {
				return Record{}, fmt.Errorf("%w: %s record of event %q: the %s record due before it: %w", ErrAppend, e.Kind, e.EventID, n.e.Kind, err)
			}
			l.notice = nil
		}
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
		if l.notice != nil && l.notice.msgID != msgID {
			return Record{}, true, errConflict // the notice goes first
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
		if isFull(err) {
			// A full stream does not empty itself: fail now, loudly.
			return rec, false, fmt.Errorf("%w: publishing to %s: %w", ErrFull, subject, err)
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
		if stored.Seq == ack.Sequence {
			l.noteStored(stored.Seq, stored.Hash)
		}
		return stored, false, nil
	}
	l.lastSeq, l.lastHash = rec.Seq, rec.Hash
	l.noteStored(rec.Seq, rec.Hash)
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
	// A replicated stream gets one publish at a time: its replicas check a
	// batch's expected last message id when they apply it, not when the
	// leader takes it, and one that finds another writer's record there
	// (two engines sharing the log) stops the stream with a "critical write
	// error" until it is repaired. The chaos suite's nats-cluster scenario
	// showed it: every append then failed as "JetStream system temporarily
	// unavailable" for minutes.
	if len(ps) > 1 && l.opts.Replicas <= 1 && (l.loaded || l.loadTail(ctx) == nil) && l.notice == nil {
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
				l.noteStored(recs[i].Seq, recs[i].Hash)
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

// noteStored tells the checkpoint that record seq with hash is stored;
// l.mu is held.
func (l *Log) noteStored(seq uint64, hash string) {
	if l.cp != nil {
		l.cp.note(seq, hash)
	}
}

// loadTail reads the last record to append after it. With a checkpoint,
// once the Log is open, it also checks that the stream still holds the
// checkpoint's record: one that lost it while the Log ran was replaced
// under it (streamReplaced).
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
		var valid bool
		if hash, valid = storedHash(seq, msg.Data); !valid {
			// The chain is broken here already and verify will say so;
			// chaining on to the stored bytes keeps what follows checkable.
			l.log.Error("the last audit record is not a valid record; appending after it anyway", "seq", seq)
		}
	}
	if l.cp != nil && !l.cp.isFrozen() {
		cp := l.cp.current()
		found, err := l.holds(ctx, cp, info.State.FirstSeq, info.State.NumDeleted, seq, hash)
		if err != nil {
			return err
		}
		if found != "" {
			l.streamReplaced(cp, found, seq, hash)
		}
	}
	l.lastSeq, l.lastHash, l.loaded = seq, hash, true
	l.firstSeq, l.gaps = info.State.FirstSeq, info.State.NumDeleted
	l.noteStored(seq, hash)
	return nil
}

// storedHash is the hash the chain continues from after the stored
// message of sequence seq: its record's hash, or the SHA-256 of the
// bytes when they are not a valid record of that sequence (valid false).
func storedHash(seq uint64, data []byte) (hash string, valid bool) {
	if rec, err := ParseRecord(data); err == nil && rec.Seq == seq {
		return rec.Hash, true
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), false
}

// holds says what the stream, from firstSeq to lastSeq with lastHash and
// gaps records missing in between, holds instead of cp's record and the
// records before it: "" when it holds them.
func (l *Log) holds(ctx context.Context, cp Checkpoint, firstSeq uint64, gaps int, lastSeq uint64, lastHash string) (string, error) {
	switch {
	case cp.Seq == 0:
		return "", nil
	case lastSeq == 0:
		return "the stream is empty", nil
	case lastSeq < cp.Seq:
		return fmt.Sprintf("the stream ends at record %d (hash %s), before it", lastSeq, lastHash), nil
	case firstSeq > max(cp.FirstSeq, 1):
		// Records are never deleted: old ones were dropped by a limit
		// with discard old, or the stream was rebuilt without them.
		return fmt.Sprintf("the stream starts at record %d: records %d to %d are gone", firstSeq, max(cp.FirstSeq, 1), min(firstSeq, lastSeq+1)-1), nil
	case gaps > cp.Deleted:
		return fmt.Sprintf("%d records are missing from inside the stream (%d when the checkpoint was made)", gaps, cp.Deleted), nil
	}
	hash := lastHash
	if lastSeq > cp.Seq {
		msg, err := l.getMsg(ctx, cp.Seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Sprintf("the stream, which ends at record %d, has no record %d", lastSeq, cp.Seq), nil
		}
		if err != nil {
			return "", err
		}
		hash, _ = storedHash(cp.Seq, msg.Data)
	}
	if hash != cp.Hash {
		return fmt.Sprintf("its record %d has hash %s (the stream ends at record %d)", cp.Seq, hash, lastSeq), nil
	}
	return "", nil
}

// streamReplaced handles a stream found, while the Log runs, not to hold
// the record the checkpoint names: deleted and recreated, or replaced,
// under a running engine. Appends go on (an audit log that cannot be
// written must not keep a pause off the chain), but loudly: an error is
// logged, the next record appended is a KindStreamReplaced saying what
// was lost, and the checkpoint stops moving, so that the file keeps the
// old head and the next start refuses the stream unless told otherwise.
// l.mu is held.
func (l *Log) streamReplaced(cp Checkpoint, found string, lastSeq uint64, lastHash string) {
	if !l.cp.freeze() {
		return
	}
	cerr := &CheckpointError{Path: l.opts.CheckpointPath, Checkpoint: cp, Found: found}
	l.log.Error("AUDIT STREAM REPLACED while the engine runs: it no longer holds the last record this engine stored; "+
		"appending on, and keeping the checkpoint at the old head so the next start refuses the stream",
		"checkpoint", l.opts.CheckpointPath, "checkpoint_seq", cp.Seq, "checkpoint_hash", cp.Hash, "found", found)
	p, err := l.prepare(Entry{Kind: KindStreamReplaced, Data: CheckpointOverrideData{
		CheckpointFile: l.opts.CheckpointPath, CheckpointSeq: cp.Seq, CheckpointHash: cp.Hash,
		Found: found, StreamSeq: lastSeq, StreamHash: lastHash,
		Reason: "while appending, the stream no longer held the last record this engine stored: " + cerr.Error(),
	}})
	if err == nil {
		l.notice = &p
	}
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

// isStoreBusy: the server could not create the stream's store, as when
// the store of a stream just deleted is still being removed.
func isStoreBusy(err error) bool {
	var apiErr *jetstream.APIError
	const streamCreate = 10049
	return errors.As(err, &apiErr) && apiErr.ErrorCode == streamCreate && strings.Contains(apiErr.Description, "creating store")
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
