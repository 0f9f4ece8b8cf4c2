package event

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Errors returned by Decode, Validate and Encode. All of them, and every *FieldError,
// match ErrInvalid with errors.Is: input rejected for any reason is invalid input.
var (
	// ErrInvalid is matched by every error that rejects an event: malformed JSON, a
	// missing, unknown, duplicated or invalid field, trailing data, or too large input.
	ErrInvalid = errors.New("event: invalid")

	// ErrTooLarge is returned for input larger than MaxSize bytes (Decode) or an event
	// whose encoding would be (Encode). It wraps ErrInvalid.
	ErrTooLarge = fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxSize)
)

// FieldError reports the first invalid field of an event. Field is the JSON name of the
// field, with an index for an element of a list ("addresses[2]"), or the offending key
// for an unknown or duplicated field. Reason says what is wrong. Reason quotes at most a
// short prefix of the input, never all of it.
//
// A *FieldError unwraps to ErrInvalid.
type FieldError struct {
	Field  string
	Reason string
}

// Error returns, for example, `event: field "confidence": must be between 0 and 1, got 1.7`.
func (e *FieldError) Error() string {
	return "event: field " + strconv.Quote(e.Field) + ": " + e.Reason
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// invalidf returns an error wrapping ErrInvalid for input that is wrong as a whole.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// maxQuoted is how many bytes of input an error message quotes at most.
const maxQuoted = 40

// truncate cuts s to at most maxQuoted bytes, at a rune boundary, and reports whether it
// did.
func truncate(s string) (string, bool) {
	if len(s) <= maxQuoted {
		return s, false
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// quote quotes a prefix of s for an error message, marking a cut with "...".
func quote(s string) string {
	t, cut := truncate(s)
	if cut {
		return strconv.Quote(t) + "..."
	}
	return strconv.Quote(t)
}

// literal returns a prefix of a JSON literal (a number) for an error message.
func literal(b []byte) string {
	t, cut := truncate(string(b))
	if cut {
		return t + "..."
	}
	return t
}
