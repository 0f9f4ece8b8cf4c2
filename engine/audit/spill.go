package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SpillDir is the folder, inside the engine's data folder, holding the
// records the Recorder could not queue or append: SpillFile, one JSON
// record per line, and SpillCursor, how much of it is replayed.
const (
	SpillDir    = "audit-spill"
	SpillFile   = "records.jsonl"
	SpillCursor = "replayed"
)

// spillCursorEvery is how many replayed records may go by between two
// writes of the cursor file. A crash in between replays them again; a
// restart within the stream's duplicate window (two minutes) recognises
// them by their message ids and stores nothing twice.
const spillCursorEvery = 64

// maxSpillLine bounds one line of the spill file: a record's payload is
// at most maxRecordSize, and its other fields are short.
const maxSpillLine = 2*maxRecordSize + 4096

// Errors of the spill.
var (
	// ErrSpill means the spill file cannot be written or read.
	ErrSpill = errors.New("audit: spill file")
	// errUnsealable: the record can never be appended (too large to
	// store); retrying or spilling it would change nothing.
	errUnsealable = errors.New("the record cannot be sealed")
)

// spilledRecord is a record as the spill file keeps it: the entry with its
// payload already encoded and redacted (no secret reaches the disk), and
// the message id every attempt to append it uses.
type spilledRecord struct {
	Kind      Kind            `json:"kind"`
	EventID   string          `json:"event_id,omitempty"`
	Protocol  string          `json:"protocol,omitempty"`
	ActionID  string          `json:"action_id,omitempty"`
	Data      json.RawMessage `json:"data"`
	MsgID     string          `json:"msg_id"`
	SpilledAt time.Time       `json:"spilled_at"`
}

// spillLine is one line of the spill file: the record and the hex SHA-256
// of its bytes, so that a line damaged on disk is told from a record.
type spillLine struct {
	Sum string          `json:"sha256"`
	Rec json.RawMessage `json:"record"`
}

func (r spilledRecord) pending() pending {
	return pending{
		e:    Entry{Kind: r.Kind, EventID: r.EventID, Protocol: r.Protocol, ActionID: r.ActionID},
		data: []byte(r.Data), subject: Subject(r.EventID, r.Kind), msgID: r.MsgID,
	}
}

// encodeSpillLine is p as one line of the spill file, newline included.
func encodeSpillLine(p pending, now time.Time) ([]byte, error) {
	rec, err := json.Marshal(spilledRecord{
		Kind: p.e.Kind, EventID: p.e.EventID, Protocol: p.e.Protocol, ActionID: p.e.ActionID,
		Data: json.RawMessage(p.data), MsgID: p.msgID, SpilledAt: now.UTC(),
	})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(rec)
	line, err := json.Marshal(spillLine{Sum: hex.EncodeToString(sum[:]), Rec: rec})
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}

// decodeSpillLine parses one line (without its newline) and checks its
// checksum and content.
func decodeSpillLine(line []byte) (pending, error) {
	var l spillLine
	if err := json.Unmarshal(line, &l); err != nil {
		return pending{}, fmt.Errorf("not a spill line: %w", err)
	}
	sum := sha256.Sum256(l.Rec)
	if hex.EncodeToString(sum[:]) != l.Sum {
		return pending{}, errors.New("checksum mismatch")
	}
	var r spilledRecord
	if err := json.Unmarshal(l.Rec, &r); err != nil {
		return pending{}, fmt.Errorf("decoding the record: %w", err)
	}
	if !r.Kind.Valid() || r.MsgID == "" || !json.Valid(r.Data) {
		return pending{}, fmt.Errorf("invalid record (kind %.32q)", r.Kind)
	}
	return r.pending(), nil
}

// spill is the append-only file of records waiting for the stream. Lines
// before the cursor are in the stream; the file is emptied once every line
// is. It is not safe for concurrent use: the Recorder serialises it.
type spill struct {
	dir  string
	f    *os.File
	size int64 // bytes in the file
	// cursor is where the next record to replay starts; saved is the
	// cursor as the cursor file holds it, unsaved how many records were
	// replayed since.
	cursor, saved int64
	unsaved       int
	waiting       int // complete lines after the cursor
	// badCursor is why the cursor file could not be read at open (the
	// file is then replayed from its start).
	badCursor error
}

// openSpill opens (creating) the spill in dir and counts the records an
// earlier run left. A last line cut short (a crash while writing it) is
// cut off: nothing waited on it.
func openSpill(dir string) (*spill, int64, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, 0, fmt.Errorf("%w: creating %s: %w", ErrSpill, dir, err)
	}
	path := filepath.Join(dir, SpillFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrSpill, err)
	}
	s := &spill{dir: dir, f: f}
	if s.cursor, err = readCursor(filepath.Join(dir, SpillCursor)); err != nil {
		// Refusing to start would keep every pause off the chain: the
		// file is replayed from its start, and what the stream holds
		// already is recognised by its message id within its window.
		s.badCursor, s.cursor = err, 0
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%w: %w", ErrSpill, err)
	}
	s.size = info.Size()
	s.saved = s.cursor
	if s.cursor > s.size {
		// The file was emptied once all of it was replayed, and the run
		// stopped before the cursor said so.
		s.cursor = 0
	}
	// Count the complete lines after the cursor.
	r := bufio.NewReaderSize(io.NewSectionReader(f, s.cursor, s.size-s.cursor), 64<<10)
	end, n := s.cursor, int64(0)
	for {
		chunk, err := r.ReadSlice('\n')
		n += int64(len(chunk))
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // a line longer than the buffer: read on to its end
		}
		if err == nil {
			end, n = end+n, 0
			s.waiting++
			continue
		}
		if !errors.Is(err, io.EOF) {
			f.Close()
			return nil, 0, fmt.Errorf("%w: reading %s: %w", ErrSpill, path, err)
		}
		break
	}
	torn := s.size - end
	if torn > 0 {
		if err := f.Truncate(end); err != nil {
			f.Close()
			return nil, 0, fmt.Errorf("%w: cutting the torn last line of %s: %w", ErrSpill, path, err)
		}
		s.size = end
	}
	return s, torn, nil
}

func readCursor(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrSpill, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s does not hold a byte offset", ErrSpill, path)
	}
	return n, nil
}

// write appends one record; sync puts it on the disk.
func (s *spill) write(line []byte) error {
	n, err := s.f.Write(line)
	if err != nil {
		// A partial line would break the next one: cut it off.
		_ = s.f.Truncate(s.size)
		return fmt.Errorf("%w: writing %s: %w", ErrSpill, filepath.Join(s.dir, SpillFile), err)
	}
	s.size += int64(n)
	s.waiting++
	return nil
}

// sync flushes what write wrote to the disk.
func (s *spill) sync() error {
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("%w: syncing %s: %w", ErrSpill, filepath.Join(s.dir, SpillFile), err)
	}
	return nil
}

// next reads the record at the cursor and where the one after starts.
func (s *spill) next() (pending, int64, error) { return s.nextAt(s.cursor) }

// nextAt reads the record at off (a line start after the cursor) and
// where the one after starts. A line that does not decode is returned as
// an error with its end, so the caller can report it and go past it.
func (s *spill) nextAt(off int64) (pending, int64, error) {
	r := bufio.NewReaderSize(io.NewSectionReader(s.f, off, min(s.size-off, maxSpillLine)), 64<<10)
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			// No newline within maxSpillLine: a line no writer made.
			return pending{}, s.size, fmt.Errorf("%w: a line of %s at byte %d has no end", ErrSpill, SpillFile, off)
		}
		break
	}
	end := off + int64(len(line))
	p, err := decodeSpillLine(bytes.TrimSuffix(line, []byte{'\n'}))
	if err != nil {
		return pending{}, end, fmt.Errorf("%w: the line of %s at byte %d: %w", ErrSpill, SpillFile, off, err)
	}
	return p, end, nil
}

// advance moves the cursor past a replayed record ending at end. When
// every record is replayed the file is emptied; otherwise the cursor is
// saved every spillCursorEvery records.
func (s *spill) advance(end int64) error {
	s.cursor = end
	s.waiting--
	s.unsaved++
	if s.waiting <= 0 {
		s.waiting = 0
		return s.reset()
	}
	if s.unsaved >= spillCursorEvery {
		return s.saveCursor()
	}
	return nil
}

// reset empties the file once everything in it is in the stream, then
// saves the cursor 0. A crash in between leaves a cursor past the end of
// an empty file, which openSpill reads as 0: nothing is replayed twice.
func (s *spill) reset() error {
	if err := s.f.Truncate(0); err != nil {
		return fmt.Errorf("%w: emptying %s: %w", ErrSpill, SpillFile, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("%w: %w", ErrSpill, err)
	}
	s.size, s.cursor = 0, 0
	return s.saveCursor()
}

// saveCursor writes the cursor file (a temporary file renamed over it).
func (s *spill) saveCursor() error {
	if s.cursor == s.saved {
		s.unsaved = 0
		return nil
	}
	path := filepath.Join(s.dir, SpillCursor)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSpill, err)
	}
	_, err = f.WriteString(strconv.FormatInt(s.cursor, 10) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("%w: saving %s: %w", ErrSpill, path, err)
	}
	s.saved, s.unsaved = s.cursor, 0
	return nil
}

// close saves the cursor and closes the file.
func (s *spill) close() error {
	err := s.saveCursor()
	if cerr := s.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%w: %w", ErrSpill, cerr)
	}
	return err
}

// appendPrepared appends records prepared earlier (queued or spilled),
// in order, with their message ids, in one round trip while no other
// writer appends (as AppendAll), and returns how many are stored. A record
// that can never be stored stops it with an error wrapping errUnsealable;
// any other error means the stream did not take the record in time, and
// it may be tried again.
func (l *Log) appendPrepared(ctx context.Context, ps ...pending) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	if len(ps) > 1 && (l.loaded || l.loadTail(ctx) == nil) && l.notice == nil {
		n = len(l.publishAll(ctx, ps))
	}
	for _, p := range ps[n:] {
		if _, _, err := l.seal(p.e, p.data, l.lastSeq+1, l.lastHash); err != nil {
			return n, fmt.Errorf("%w: %s record of event %q: %w: %w", ErrAppend, p.e.Kind, p.e.EventID, errUnsealable, err)
		}
		if _, err := l.appendLocked(ctx, p); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
