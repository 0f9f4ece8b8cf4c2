// Package console is the web console of a running firebreak, around the
// event's path like engine/observe: what people look at during an
// incident. It serves, from assets built into the binary (no CDN, no build
// step, nothing fetched at run time), one page with the latest events and
// their decisions and reasons, the actions with every attempt, their fees
// and transaction hashes (linked to a block explorer when the chain has
// one), the Safe approvals waiting for owners with their calls decoded, the
// readiness table, the kill switch, and the policies in force. The page is
// rendered on the server, so it reads with scripts off; its script polls
// /api/state every two seconds and, for a person holding the operator
// token, halts and resumes.
//
// Its data comes from the engine's stores, watched rather than polled: the
// FIREBREAK_EVENTS, FIREBREAK_ACTIONS and FIREBREAK_APPROVALS buckets
// (Feed), the kill switch, the policy status and the readiness Checker's
// last report. ReadActions and ReadAction read the actions bucket for
// 'firebreak actions'.
//
// Access: a read token (HTTP basic auth password, or a bearer token), and
// an operator token for halt and resume that is only ever accepted as a
// bearer token in an Authorization header the page's script sets, never
// from a cookie or a credential the browser sends by itself, so another
// site cannot make a visitor's browser halt firebreak. Off loopback the
// console does not start without a read token.
package console
