// Package audit is firebreak's tamper-evident log of everything the engine
// saw, decided and did.
//
// Every stage appends a Record: an event received or rejected, the
// decision, each guard verdict and planned action, each signed
// transaction, bump, inclusion and failure. A record is canonical JSON
// (fixed field order, object keys sorted, no insignificant space) with a
// sequence number, the SHA-256 of its own content and the hash of the
// record before it, so that changing, removing or reordering any record
// breaks the chain at that record. With an ed25519 audit key each record is
// also signed, so an exported copy can be checked by someone who holds only
// the public key.
//
// Records live in the JetStream stream FIREBREAK_AUDIT, file-backed, with
// delete and purge denied by the server. Each record's subject is
// audit.<event key>.<kind>, so the story of one incident is a subject
// filter on the server, not a scan of the whole log. A Log appends: it
// serialises appends in the process and publishes each with JetStream's
// expected-last-sequence, so a second writer (another goroutine's Log,
// another engine replica) can never fork the chain; on a conflict it
// re-reads the tail and appends after it. A Reader lists, shows, exports and
// verifies; VerifyFile verifies an export.
//
// # Replacing the log is not silent
//
// A hash chain shows what was changed inside it, not that it was cut
// short or swapped for another: the stream itself can be deleted and
// recreated by whoever may use the stream API. Three things catch that.
//
// The checkpoint. With Options.CheckpointPath (CheckpointFile in the
// engine's data folder) the Log keeps a Checkpoint, the sequence number
// and hash of the newest record it knows stored, and the stream's first
// record. It names only records the server confirmed stored, and lags the
// log by at most Options.CheckpointEvery: a goroutine writes it (mode
// 0600, to a temporary file renamed over the old one), at most once per
// interval however many records are appended, and Close writes it a last
// time. NewLog refuses, with a *CheckpointError wrapping
// ErrCheckpointMismatch that names the file, the record and what was found
// instead, a stream that is missing (it is not created), shorter than the
// checkpoint, holds another record at the checkpoint's sequence, or lost
// older records. Options.AcceptReset (firebreak serve --accept-audit-reset)
// opens it anyway, and the first record then appended is a
// KindCheckpointOverride naming the old checkpoint and what the stream
// held. A stream replaced under a running Log is found at the next
// re-read of the tail: the Log logs it at error level, appends a
// KindStreamReplaced first in the new stream, and keeps the old head in
// the checkpoint, so the next start refuses the stream too.
//
// A head kept elsewhere. Reader.Head (firebreak audit head) is the last
// record's sequence number and hash; VerifyOptions.ExpectHead and
// ExpectSeq (firebreak audit verify --expect-head) fail a stream or an
// export that does not hold it: a truncated export, a log replaced along
// with the engine's data folder.
//
// No silent discard. The stream is discard-new: with a size limit
// (Options.MaxBytes) a full stream refuses the next record with ErrFull
// and keeps every record it has. Log.Usage says how full it is, and
// Usage.Level turns that into the alarm the engine raises: warn from
// UsageWarnAt (80%), critical from UsageCriticalAt (95%) of the tighter of
// the stream's limit and the account's storage limit.
//
// Duplicates are recorded by event id and digest (DuplicateData), never
// the whole event, so re-publishing an event does not grow the log by the
// event's size each time.
package audit
