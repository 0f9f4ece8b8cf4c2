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
package audit
