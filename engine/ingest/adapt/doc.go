// Package adapt is the ingest step's vendor adapters: it turns a detector's webhook
// payload (and its HTTP headers) into firebreak events, after checking that the
// payload is authentic.
//
// A Route says which vendor format a source speaks (Native, Forta, OZMonitor,
// Tenderly, Hypernative, Sec3), how its payloads are authenticated, and how their
// fields map onto an event.Event. Route.Adapt verifies the raw bytes first, as the
// vendor signs them, then translates: zero or more events, or an error matching one of
// the package's sentinels (ErrBadSignature, ErrStaleTimestamp, ErrMalformed,
// ErrNotActionable, ErrUnknownProtocol, ...). StatusCode maps an error to the HTTP
// status an ingress answers with, Reason to a short label for a dead letter.
//
// Adapters are pure functions of (route, now, headers, body): no I/O, no clock, no
// state. They are strict about authenticity and tolerant about shape: field names are
// matched without regard to case and separators, values documented as strings may be
// numbers, metadata may be any JSON, addresses and labels may be missing. Every vendor
// field a policy may want is kept in the event's Metadata, bounded in depth and size.
//
// # Events
//
// Every event gets Source = the route's source, RawSHA256 = SHA-256 of the body, an ID
// "<source>-<vendor alert id>" (a Forta alert hash, a Tenderly delivery UUID, a
// Hypernative risk insight id, a Sec3 alert id; "<source>-sha256-<hex>" when that is
// not a valid ID or the vendor sends no id), so a retried delivery dedupes; Title and
// RuleID from the vendor's alert name and rule id; Addresses and AddressRoles from the
// addresses the vendor names, each with the most specific role it is given (attacker,
// then victim, then contract, then related; the zero address gets none); the
// timestamp the vendor gives, else now; Metadata["adapter"] = the adapter name.
//
// Metadata holds, besides "adapter", what the vendor said that an Event has no field
// for, under snake_case keys: "vendor_alert_id" (the vendor's id of this alert),
// "vendor_severity" (as sent), "description", and per vendor:
//
//   - forta: "finding_type", "bot_id", "scanner" (signed alerts), "forta_protocol",
//     "labels", "related_alerts", "links", "source_alert", "block_hash" and
//     "vendor_metadata" (the finding's own metadata);
//   - oz-monitor: "mode" ("raw" or "template"), "monitor", "network_slug",
//     "matched_on", "matched_on_args", "transaction", "receipt_status", "log_count";
//     in template mode "body";
//   - tenderly: "event_type", "network", "alert", "transaction";
//   - hypernative: "message_id", "category", "status", "chain",
//     "risk_type_description", "stage", "parent_ri_id", "context" (its title → value
//     list as an object), "involved_assets", "other_chain_assets", "custom_agents",
//     "watchlists", "triggered_assets";
//   - sec3: "bot_id", "project", "project_id", "template", "link", "tx", "target",
//     "targets", "args", "archived".
//
// Values are JSON values as sent (numbers as json.Number), strings cut at 2 KiB,
// arrays and objects at 64 elements, nesting at 8 levels; "truncated": true says that
// something was cut, "addresses_dropped" how many addresses beyond MaxAddresses were.
//
// The mappings a team controls, per route: Severities (vendor severity → severity,
// over DefaultSeverities), AlertTypes (vendor alert id, name or category, with '*'
// wildcards → alert type, over DefaultAlertTypes; else the route's AlertType, else
// Unclassified), Contracts (registry contract address → protocol: an alert whose
// victim and contract addresses, or else all its addresses, name exactly one protocol
// gets it; else the route's Protocol, else ErrUnknownProtocol) and Chains (vendor
// chain name → chain id, over DefaultChains).
//
// # Authentication
//
//   - native: X-Signature = hex HMAC-SHA256(Secret, body || X-Timestamp), X-Timestamp
//     in Unix milliseconds within Window: the OpenZeppelin Monitor scheme.
//   - oz-monitor: the same, as openzeppelin-monitor (v1.1+) signs its webhooks.
//   - tenderly: x-tenderly-signature = hex HMAC-SHA256(Secret, body || date header as
//     sent); the date must be within Window.
//   - forta: signed alerts by their secp256k1 signatures, else the webhook's
//     Authorization: Bearer scanner JWT (alg ETH); the recovered signer must be one of
//     FortaScanners; exp, nbf honoured. The JWT does not sign the body (Forta's scheme):
//     it proves the sender is a pinned scan node, and only for the token's short life.
//   - hypernative: digitalSignature = ECDSA P-256/SHA-256 over the data string, with
//     HypernativePublicKey; the risk insight's timestamp must be within Window.
//   - sec3: the shared Secret in SecretHeader, compared in constant time; created_at,
//     when present, within Window.
//
// Comparisons of secrets and MACs are constant-time. Bodies larger than MaxBodySize
// are refused before anything else, payloads of more than MaxAlerts alerts before
// any alert is translated.
package adapt
