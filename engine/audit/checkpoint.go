package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// CheckpointFile is the checkpoint's name in the engine's data folder.
const CheckpointFile = "audit-checkpoint.json"

// Checkpoint is the newest record a Log knows to be stored: its sequence
// number and hash. A Log with Options.CheckpointPath keeps it in a file
// and refuses, when it opens, a stream that does not hold that record
// (deleted and recreated, truncated, replaced). It only ever names a
// record the server confirmed stored; it may lag behind the stream.
type Checkpoint struct {
	Stream string `json:"stream"`
	Seq    uint64 `json:"seq"`
	Hash   string `json:"hash"`
	// FirstSeq is the first record the stream held (0 means 1) and
	// Deleted how many were missing inside it, when the Log opened: a
	// stream that has since lost older records is refused too.
	FirstSeq  uint64    `json:"first_seq,omitempty"`
	Deleted   int       `json:"deleted,omitempty"`
	WrittenAt time.Time `json:"written_at,omitzero"`
}

// maxCheckpointSize bounds what LoadCheckpoint reads.
const maxCheckpointSize = 4 << 10

// LoadCheckpoint reads a checkpoint file. A missing file is an error
// wrapping fs.ErrNotExist; a file that is not a checkpoint wraps
// ErrCheckpoint.
func LoadCheckpoint(path string) (Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: reading the checkpoint: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCheckpointSize+1))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: reading the checkpoint %s: %w", path, err)
	}
	var cp Checkpoint
	if len(b) > maxCheckpointSize {
		return cp, fmt.Errorf("%w: %s is larger than %d bytes", ErrCheckpoint, path, maxCheckpointSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&cp); err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %s: %w", ErrCheckpoint, path, err)
	}
	if err := cp.validate(); err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %s: %w", ErrCheckpoint, path, err)
	}
	return cp, nil
}

func (cp Checkpoint) validate() error {
	switch {
	case cp.Stream != Stream:
		return fmt.Errorf("it is the checkpoint of stream %q, not %s", cp.Stream, Stream)
	case !isHex64(cp.Hash):
		return fmt.Errorf("hash %q is not 64 lowercase hex digits", cp.Hash)
	case cp.Seq == 0 && cp.Hash != genesis:
		return fmt.Errorf("record 0 with hash %s: only an empty log has record 0, and its hash is 64 zeros", cp.Hash)
	case cp.FirstSeq > cp.Seq+1 || cp.Deleted < 0:
		return fmt.Errorf("first record %d and %d missing do not fit a log of %d records", cp.FirstSeq, cp.Deleted, cp.Seq)
	}
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// SaveCheckpoint writes cp to path atomically, mode 0600: a temporary file
// in the same folder, written, synced and renamed over path, so a reader
// (or a crash) sees the old checkpoint or the new one, never part of one.
func SaveCheckpoint(path string, cp Checkpoint) (err error) {
	if err := cp.validate(); err != nil {
		return fmt.Errorf("%w: not saving it: %w", ErrCheckpoint, err)
	}
	b, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("audit: encoding the checkpoint: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file 0600 already; say so whatever the umask.
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	// The rename is durable once the folder is synced; not every system
	// can sync a folder, and the new file is complete either way.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// CheckpointError says why a stream does not hold the checkpoint. It
// wraps ErrCheckpointMismatch.
type CheckpointError struct {
	// Path is the checkpoint file; Checkpoint what it holds.
	Path       string
	Checkpoint Checkpoint
	// Found says what the stream holds instead.
	Found string
}

func (e *CheckpointError) Error() string {
	at := ""
	if !e.Checkpoint.WrittenAt.IsZero() {
		at = ", written " + e.Checkpoint.WrittenAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("audit: the audit stream %s does not hold the record the checkpoint %s names (record %d, hash %s%s): %s. "+
		"The stream was deleted and recreated, truncated or replaced, or the engine points at another NATS than before. "+
		"Check it against an export and a head kept elsewhere (firebreak audit verify --expect-head); "+
		"to start anyway, with the override on record, use firebreak serve --accept-audit-reset",
		Stream, e.Path, e.Checkpoint.Seq, e.Checkpoint.Hash, at, e.Found)
}

// Unwrap makes errors.Is(err, ErrCheckpointMismatch) true.
func (e *CheckpointError) Unwrap() error { return ErrCheckpointMismatch }

// checkpointer keeps a Log's checkpoint: in memory after every append,
// in the file from a goroutine that coalesces (at most one write per
// interval, however many records), and once more on close.
type checkpointer struct {
	path  string
	every time.Duration
	now   func() time.Time
	log   *slog.Logger

	mu sync.Mutex
	// head is the newest record known stored; frozen stops it moving (the
	// stream lost it while the Log ran: the file must keep the old claim).
	head   Checkpoint
	frozen bool

	// writeMu serialises writes; written is what the file holds.
	writeMu sync.Mutex
	written Checkpoint

	kick      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

func newCheckpointer(path string, every time.Duration, now func() time.Time, log *slog.Logger) *checkpointer {
	return &checkpointer{
		path: path, every: every, now: now, log: log,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
}

// current is the head as the checkpoint holds it in memory.
func (c *checkpointer) current() Checkpoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.head
}

// reset sets the head, whatever it was, and the stream's first record and
// count of missing ones: at open, once the stream was checked (or the
// mismatch accepted).
func (c *checkpointer) reset(seq uint64, hash string, first uint64, deleted int) {
	c.mu.Lock()
	c.head = Checkpoint{Stream: Stream, Seq: seq, Hash: hash, FirstSeq: min(max(first, 1), seq+1), Deleted: max(deleted, 0)}
	c.mu.Unlock()
}

// note records that the record seq with hash is stored. Only a newer
// record moves the head; the writer is woken without waiting for it.
func (c *checkpointer) note(seq uint64, hash string) {
	c.mu.Lock()
	moved := !c.frozen && seq > c.head.Seq
	if moved {
		c.head.Seq, c.head.Hash = seq, hash
	}
	c.mu.Unlock()
	if moved {
		select {
		case c.kick <- struct{}{}:
		default: // a write is due already; it will take this head
		}
	}
}

// freeze stops the head moving; it reports whether it was moving.
func (c *checkpointer) freeze() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	was := !c.frozen
	c.frozen = true
	return was
}

func (c *checkpointer) isFrozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen
}

// flush writes the head to the file unless the file holds it already.
func (c *checkpointer) flush() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	cp := c.current()
	if cp.Stream == "" || (cp.Seq == c.written.Seq && cp.Hash == c.written.Hash && c.written.Stream != "") {
		return nil
	}
	cp.WrittenAt = c.now().UTC()
	if err := SaveCheckpoint(c.path, cp); err != nil {
		return err
	}
	c.written = cp
	return nil
}

// run writes the checkpoint when appends moved it, at most once per
// interval, until close.
func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTimer(c.every)
	t.Stop() // since Go 1.23, a stopped timer delivers nothing stale
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		if err := c.flush(); err != nil {
			c.log.Error("could not write the audit checkpoint; it lags behind the log until a write succeeds", "path", c.path, "err", err)
		}
		t.Reset(c.every)
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
	}
}

// close stops the writer and writes the head a last time.
func (c *checkpointer) close() error {
	c.closeOnce.Do(func() {
		close(c.stop)
		<-c.done
		c.closeErr = c.flush()
	})
	return c.closeErr
}
