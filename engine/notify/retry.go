package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors of this package, matched with errors.Is.
var (
	// ErrStatus wraps every *HTTPError: the service answered, but not with
	// a success.
	ErrStatus = errors.New("notify: the service refused the message")
	// ErrUnreachable wraps a failure to reach the service at all (DNS,
	// connection refused, reset, timeout).
	ErrUnreachable = errors.New("notify: the service could not be reached")
	// ErrBadURL means a configured URL does not parse; the URL is not
	// repeated, it may hold a token.
	ErrBadURL = errors.New("notify: the configured URL is not valid")
)

// CheckStatus is the retry rule for an HTTP answer, shared by every
// integration: a 2xx is delivered (ok); 429 (rate limited) and 5xx may
// succeed later (retry); any other status will not, whatever the number
// of attempts (neither). Network errors, which have no status, are always
// retried (see Post).
func CheckStatus(code int) (ok, retry bool) {
	switch {
	case code >= 200 && code < 300:
		return true, false
	case code == http.StatusTooManyRequests, code >= 500 && code < 600:
		return false, true
	}
	return false, false
}

// HTTPError is a service's answer that is not a success.
type HTTPError struct {
	StatusCode int
	// Body is the start of the answer, scrubbed of the channel's secrets.
	Body string
	// RetryAfter is the service's Retry-After (or its own rate-limit
	// field), zero when it gave none.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("HTTP %d: %s", e.StatusCode, e.Body)
}

// Unwrap makes errors.Is(err, ErrStatus) hold.
func (e *HTTPError) Unwrap() error { return ErrStatus }

// RetryAfter is the wait a service asked for before the next attempt,
// if err carries one (an *HTTPError with RetryAfter set).
func RetryAfter(err error) (time.Duration, bool) {
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > 0 {
		return he.RetryAfter, true
	}
	return 0, false
}

// maxBody bounds what is read of an answer; maxShown what an error shows.
const (
	maxBody  = 64 << 10
	maxShown = 256
)

// Response is a service's answer to Post, for the integrations that read
// more than its status (Telegram's "ok", Slack's "ok" body).
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Post sends body to url with the headers and classifies the outcome:
// (resp, false, nil) on a 2xx; otherwise an error wrapping ErrStatus (an
// *HTTPError) or ErrUnreachable, and whether a later attempt may succeed.
// Nothing in the error shows the URL or any other of the secrets.
func Post(ctx context.Context, c *http.Client, u Secret, header http.Header, body []byte, secrets ...Secret) (resp Response, retry bool, err error) {
	secrets = append(secrets, u)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.Reveal(), bytes.NewReader(body))
	if err != nil {
		return resp, false, ErrBadURL
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "firebreak")
	hr, err := c.Do(req)
	if err != nil {
		retry := netRetry(err)
		return resp, retry, fmt.Errorf("%w: %s", ErrUnreachable, Scrub(netReason(err), secrets...))
	}
	defer hr.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(hr.Body, maxBody))
	resp = Response{StatusCode: hr.StatusCode, Header: hr.Header, Body: data}
	ok, retry := CheckStatus(hr.StatusCode)
	if ok {
		return resp, false, nil
	}
	return resp, retry, StatusError(resp, 0, secrets...)
}

// StatusError is the *HTTPError of resp: its status, the start of its
// body scrubbed of secrets, and the Retry-After it carried (or after,
// when the service says it elsewhere).
func StatusError(resp Response, after time.Duration, secrets ...Secret) *HTTPError {
	if after == 0 {
		after = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return &HTTPError{StatusCode: resp.StatusCode, Body: Scrub(shorten(string(resp.Body), maxShown), secrets...), RetryAfter: after}
}

// netReason is a transport error without the request URL that
// *url.Error adds to it.
func netReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// netRetry tells transport failures that may pass (every network error)
// from those that will not: a certificate that does not verify.
func netRetry(err error) bool {
	var (
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return false
	}
	return true
}

// NewHTTPClient is the client integrations use when given none: no
// redirect is followed (a 3xx is an answer that retrying will not change:
// a webhook that moved is configuration to fix, and the body should not
// follow it elsewhere), connection set-up is bounded, and each attempt's
// deadline comes from its context.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 30 * time.Second
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 && s < 86400 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Truncate cuts s to at most n runes, marking the cut with "…": for the
// limits each service puts on its fields.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(n-1, 0)]) + "…"
}
