package audit

import (
	"errors"
	"fmt"
)

// Errors of this package.
var (
	// ErrBroken means the chain does not verify; the error is a
	// *BrokenError naming the first bad record.
	ErrBroken = errors.New("audit: chain broken")
	// ErrMalformed means a record is not a well-formed canonical record.
	ErrMalformed = errors.New("audit: malformed record")
	// ErrNotFound means no record has the requested sequence number or
	// event id.
	ErrNotFound = errors.New("audit: not found")
	// ErrKey means an audit key could not be parsed.
	ErrKey = errors.New("audit: bad key")
	// ErrAppend means a record could not be appended, after retrying.
	ErrAppend = errors.New("audit: append failed")
	// ErrCheckpointMismatch means the audit stream does not hold the
	// record the checkpoint names: it is missing, shorter, or holds
	// another record there. The error is a *CheckpointError.
	ErrCheckpointMismatch = errors.New("audit: the stream does not match the checkpoint")
	// ErrFull means the audit stream (or the account's storage) has no
	// room for another record; nothing was dropped to make room. Appends
	// wrap it with ErrAppend.
	ErrFull = errors.New("audit: the audit stream is full")
	// ErrCheckpoint means a checkpoint file could not be read as one.
	ErrCheckpoint = errors.New("audit: bad checkpoint")
)

// BrokenError names the first record at which verification failed. Seq
// is the sequence number the record at that place should have had.
type BrokenError struct {
	Seq    uint64
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit: chain broken at record %d: %s", e.Seq, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBroken) true.
func (e *BrokenError) Unwrap() error { return ErrBroken }
