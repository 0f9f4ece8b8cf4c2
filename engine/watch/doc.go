// Package watch is firebreak's own detector, for teams without a vendor (the
// ingest step's first-party source): it follows each chain's head and, per
// protocol, evaluates rules over every new block, publishing what they find
// as native detection events to detections.<source> on JetStream, where the
// engine consumes them like any other detector's.
//
// Three kinds of rule read the logs of the block and a few balances:
//
//   - outflow: a contract's ETH or ERC-20 balance fell by a threshold or
//     more (wei, or a percentage of the balance at the start of the window)
//     within N blocks: an "anomalous-outflow" event with the amount and the
//     window in its metadata, or an "exploit" at critical severity above a
//     second threshold;
//   - event: a log with a given signature whose arguments meet conditions
//     (RoleGranted to an account not in the registry, Upgraded,
//     OwnershipTransferred, a sweep to a stranger), with the alert type and
//     severity the rule names;
//   - call_revert_burst: several reverted calls straight to one contract
//     from one sender within N blocks: attack attempts.
//
// A rule fires once per condition: when it becomes true, not again while it
// stays true. Whether it fires at block b depends only on the blocks up to
// b within its window, and a restarted watcher re-reads that window before
// it goes on, so it reports what an uninterrupted one would have.
//
// Each event's id derives from (source, chain, protocol, rule, block, tx)
// and is the JetStream message id (Nats-Msg-Id), so publishing a block
// again never reports anything twice: the stream and the engine's
// processed-events bucket both drop the repeat. The cursor (the last block
// processed, with its hash) is kept per source and chain in the KV bucket
// FIREBREAK_WATCH and written after the block's events are acknowledged:
// a restart neither skips nor double-reports a block. Heads are pushed over
// a WebSocket when one is configured, polled otherwise; an RPC or NATS
// outage is waited out with backoff and the watcher resumes from its
// cursor. A reorg seen at the head is followed back to the fork point and
// the new branch evaluated. Stats reports the lag (head - cursor) per chain.
//
// Events may carry a detector signature: with a SignFunc, every message has
// the signature of its exact bytes in the Firebreak-Signature header.
package watch
