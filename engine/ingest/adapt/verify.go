package adapt

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// verifyHMAC checks the HMAC-SHA256 schemes of OpenZeppelin Monitor and Tenderly (and
// firebreak's native one, which is OZ Monitor's): sigHeader holds the hex
// HMAC-SHA256(Secret, body || tsHeader value as sent), and the time parsed from
// tsHeader must be within the route's window. The signature is checked before the
// time, so a forged request learns nothing about the window.
//
// OpenZeppelin Monitor (src/services/notification/webhook.rs, sign_payload): the
// message is the serialized payload followed by the Unix time in milliseconds, sent
// as X-Timestamp; the signature is lower-case hex in X-Signature. Tenderly (alert
// destinations documentation): x-tenderly-signature is the hex HMAC of the payload
// followed by the timestamp, which receivers read from the date header.
func (r *Route) verifyHMAC(now time.Time, h http.Header, body []byte, sigHeader, tsHeader string, parseTS func(string) (time.Time, bool)) error {
	sig := strings.TrimSpace(headerValue(h, sigHeader))
	ts := headerValue(h, tsHeader)
	switch {
	case sig == "":
		return errorf(ErrMissingSignature, "no %s header", sigHeader)
	case ts == "":
		return errorf(ErrMissingSignature, "no %s header", tsHeader)
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return errorf(ErrBadSignature, "%s is not a hex HMAC-SHA256", sigHeader)
	}
	mac := hmac.New(sha256.New, r.Secret)
	mac.Write(body)
	mac.Write([]byte(ts))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errorf(ErrBadSignature, "%s does not match the body and %s", sigHeader, tsHeader)
	}
	t, ok := parseTS(ts)
	if !ok {
		return errorf(ErrBadTimestamp, "%s %s is not a time", tsHeader, q(ts))
	}
	return r.checkWindow(now, t, tsHeader)
}

// parseMillis reads a Unix time in milliseconds (OZ Monitor's X-Timestamp).
func parseMillis(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return validTime(time.UnixMilli(n))
}

// parseHTTPDate reads Tenderly's date header. Its format is not documented: an HTTP
// date (RFC 1123 and the other forms http.ParseTime reads), RFC 3339, or a Unix time
// in seconds or milliseconds are accepted.
func parseHTTPDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := http.ParseTime(s); err == nil {
		return validTime(t)
	}
	return toTime(s)
}

// verifySec3 checks the shared secret in the route's SecretHeader, in constant time
// (both sides hashed first, so not even the length leaks), then the freshness of the
// alert's created_at when it has one.
func (r *Route) verifySec3(now time.Time, h http.Header, body []byte) error {
	got := headerValue(h, r.SecretHeader)
	if got == "" {
		return errorf(ErrMissingSignature, "no %s header", r.SecretHeader)
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256(r.Secret)
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return errorf(ErrBadSignature, "%s does not hold the route's secret", r.SecretHeader)
	}
	o, err := decodeObject(body)
	if err != nil {
		return err
	}
	created := o.get("created_at", "createdAt")
	if created == nil {
		return nil
	}
	t, ok := toTime(created)
	if !ok {
		return errorf(ErrBadTimestamp, "created_at %s is not a time", q(text(created)))
	}
	return r.checkWindow(now, t, "created_at")
}
