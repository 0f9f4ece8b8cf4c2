package adapt

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// Errors returned by Adapt, Verify and Translate, always wrapped with the specifics
// (which header, which alert, which value) by %w: match them with errors.Is. StatusCode
// maps each to the HTTP status an ingress answers with.
var (
	// ErrMissingSignature: the payload carries no authentication where the route
	// requires it (no signature header, no timestamp header, no Authorization bearer
	// token, no digitalSignature field, no shared-secret header).
	ErrMissingSignature = errors.New("adapt: missing signature")

	// ErrBadSignature: the signature, token or shared secret is present but does not
	// verify: a changed byte, a wrong key, a malformed token.
	ErrBadSignature = errors.New("adapt: bad signature")

	// ErrUnknownSigner: a secp256k1 signature (Forta) verifies, but its signer is not
	// one of the route's pinned scanner addresses. It wraps ErrBadSignature.
	ErrUnknownSigner = fmt.Errorf("%w: signer not allowed", ErrBadSignature)

	// ErrBadTimestamp: the authenticated timestamp (a header or a signed field) is
	// present but is not a time.
	ErrBadTimestamp = errors.New("adapt: bad timestamp")

	// ErrStaleTimestamp: the authenticated timestamp is older than the route's window,
	// or a token has expired: possibly a replay.
	ErrStaleTimestamp = errors.New("adapt: stale timestamp")

	// ErrFutureTimestamp: the authenticated timestamp is further in the future than the
	// route's window, or a token is not valid yet.
	ErrFutureTimestamp = errors.New("adapt: timestamp in the future")

	// ErrTooLarge: the body is larger than MaxBodySize; nothing else was looked at.
	ErrTooLarge = fmt.Errorf("adapt: body larger than %d bytes", MaxBodySize)

	// ErrTooManyAlerts: the payload holds more than the route's MaxAlerts alerts.
	ErrTooManyAlerts = errors.New("adapt: too many alerts in one payload")

	// ErrMalformed: the authenticated payload is not one of the vendor's known shapes,
	// or lacks a field that cannot be defaulted (an alert id, a chain id).
	ErrMalformed = errors.New("adapt: malformed payload")

	// ErrNotActionable: the payload is authentic and well-formed but carries no alert
	// to act on: a Tenderly TEST delivery, a Forta batch with metrics only, a labels
	// response. An ingress acknowledges it (200) and does not act on it.
	ErrNotActionable = errors.New("adapt: no actionable alert")

	// ErrUnknownProtocol: the alert's addresses match no registry contract (or match
	// contracts of several protocols) and the route has no default protocol.
	ErrUnknownProtocol = errors.New("adapt: unknown protocol")

	// ErrUnknownChain: the alert names no chain firebreak knows and the route has no
	// default chain id.
	ErrUnknownChain = errors.New("adapt: unknown chain")

	// ErrUnknownSeverity: the vendor's severity is not in the route's severity map nor
	// in the vendor's defaults, and the route has no default severity.
	ErrUnknownSeverity = errors.New("adapt: unknown severity")

	// ErrConfig: the route itself is unusable (unknown adapter, missing secret or key,
	// invalid default). Returned by Route.Validate, and by Adapt before any work.
	ErrConfig = errors.New("adapt: invalid route")
)

// PartialError is returned, together with the events that adapted, when some alerts of
// a batch (a Forta AlertBatch, a list of signed alerts, a Hypernative alerts response)
// failed and at least one succeeded. Authentication is never partial: it covers the
// whole payload and fails it whole. Errors.Is on a *PartialError matches the errors of
// its alerts.
type PartialError struct {
	// Total is the number of alerts in the payload.
	Total int
	// Failed holds one error per alert that did not adapt, each naming the alert's
	// index in the payload.
	Failed []error
}

// Error says how many alerts failed and why the first did.
func (e *PartialError) Error() string {
	if len(e.Failed) == 0 {
		return "adapt: all alerts adapted"
	}
	return fmt.Sprintf("adapt: %d of %d alerts did not adapt, first: %v", len(e.Failed), e.Total, e.Failed[0])
}

// Unwrap returns the errors of the alerts that failed.
func (e *PartialError) Unwrap() []error { return e.Failed }

// StatusCode returns the HTTP status an ingress answers for the outcome of Adapt:
//
//	nil, a *PartialError (events to store)          200 OK
//	ErrNotActionable (Tenderly TEST, no alert)      200 OK, nothing to act on
//	ErrMissingSignature, ErrBadSignature,
//	ErrUnknownSigner, ErrBadTimestamp,
//	ErrStaleTimestamp, ErrFutureTimestamp           401 Unauthorized
//	ErrTooLarge, ErrTooManyAlerts                   413 Content Too Large
//	ErrMalformed                                    400 Bad Request
//	ErrUnknownProtocol, ErrUnknownChain,
//	ErrUnknownSeverity, event.ErrInvalid            422 Unprocessable Entity
//	ErrConfig and anything else                     500 Internal Server Error
//
// Authentication is checked first, so an unauthenticated request never learns whether
// its payload would have adapted.
func StatusCode(err error) int {
	var pe *PartialError
	switch {
	case err == nil, errors.As(err, &pe):
		return http.StatusOK
	case errors.Is(err, ErrNotActionable):
		return http.StatusOK
	case errors.Is(err, ErrMissingSignature), errors.Is(err, ErrBadSignature),
		errors.Is(err, ErrBadTimestamp), errors.Is(err, ErrStaleTimestamp),
		errors.Is(err, ErrFutureTimestamp):
		return http.StatusUnauthorized
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrTooManyAlerts):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, ErrUnknownProtocol), errors.Is(err, ErrUnknownChain),
		errors.Is(err, ErrUnknownSeverity), errors.Is(err, event.ErrInvalid):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// Reason returns a short, stable, machine-readable reason for err, for a dead letter's
// header or a metric label: "missing-signature", "bad-signature", "unknown-signer",
// "bad-timestamp", "stale-timestamp", "future-timestamp", "too-large",
// "too-many-alerts", "malformed", "not-actionable", "unknown-protocol",
// "unknown-chain", "unknown-severity", "invalid-event", "partial", "config" or
// "internal"; "" for nil.
func Reason(err error) string {
	var pe *PartialError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &pe):
		return "partial"
	case errors.Is(err, ErrUnknownSigner):
		return "unknown-signer"
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "internal"
}

var reasons = []struct {
	err  error
	name string
}{
	{ErrMissingSignature, "missing-signature"},
	{ErrBadSignature, "bad-signature"},
	{ErrBadTimestamp, "bad-timestamp"},
	{ErrStaleTimestamp, "stale-timestamp"},
	{ErrFutureTimestamp, "future-timestamp"},
	{ErrTooLarge, "too-large"},
	{ErrTooManyAlerts, "too-many-alerts"},
	{ErrMalformed, "malformed"},
	{ErrNotActionable, "not-actionable"},
	{ErrUnknownProtocol, "unknown-protocol"},
	{ErrUnknownChain, "unknown-chain"},
	{ErrUnknownSeverity, "unknown-severity"},
	{event.ErrInvalid, "invalid-event"},
	{ErrConfig, "config"},
}

// errorf wraps sentinel with a message built from format and args.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

// maxQuoted is how many bytes of untrusted input an error quotes at most.
const maxQuoted = 48

// q quotes a prefix of untrusted s for an error message.
func q(s string) string {
	if len(s) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	n := maxQuoted
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return fmt.Sprintf("%q...", s[:n])
}
