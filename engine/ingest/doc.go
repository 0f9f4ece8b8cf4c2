// Package ingest brings detection events into firebreak.
//
// Detectors publish events to the JetStream stream DETECTIONS on subjects
// detections.<source>. A durable pull consumer hands each message to the
// engine's handler exactly as the design asks:
//
//   - with sources configured, a Verifier authenticates each message before
//     it is parsed (the subject names a configured source; a source with
//     ed25519 keys signs the exact message bytes, HeaderSignature) and
//     checks the decoded event (its source is the subject's, its timestamp
//     is fresh); a refused message is dead-lettered with its code
//     (HeaderDeadCode) and reason, and nothing is acted on;
//   - a message that does not decode into a valid event is republished to
//     detections.dead with the reason in its headers and terminated, never
//     retried and never dropped silently;
//   - an event whose id was already handled is acknowledged without acting
//     again;
//   - a message is acknowledged only after the handler returned, that is
//     after the decision and the action intents were durably recorded; a
//     transient failure is retried with a growing delay for as long as the
//     event is younger than MaxEventAge, then dead-lettered as stale;
//   - messages are handled by a bounded pool of lanes chosen by protocol
//     (lanes.go): one protocol's events in arrival order, other protocols
//     meanwhile, each held message kept in progress with the server;
//   - dead letters are read back (ListDeadLetters, ReadDeadLetter) and
//     replayed by the engine on an operator's request (Replayer), marked
//     with the engine's MAC so freshness is measured at the original's
//     arrival.
//
// With no NATS URL configured the engine runs an embedded nats-server with
// JetStream stored in its data folder (see StartEmbedded). Nobody connects
// to it anonymously: every client is an identity of the store in
// <data>/nats-identities (an nkey with a role: engine, detector per source,
// operator, reader; CreateIdentity) and gets exactly its role's permissions
// (Permissions, from the one table in permissions.go). The engine dials in
// process with its own key; everyone else dials with DialWith and a seed
// file, and an external NATS is configured with the same table
// (docs/nats.md).
package ingest
