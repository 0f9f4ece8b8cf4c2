package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
)

// access decides who may read the console and who may halt and resume.
type access struct {
	// read and operator are the tokens' SHA-256 digests (comparing digests
	// in constant time hides the tokens' lengths too); nil: no such token.
	read, operator []byte
	// loopbackOnly: no read token, so only requests naming a loopback host
	// are served (a DNS name rebound to 127.0.0.1 is not).
	loopbackOnly bool
}

func newAccess(read, operator string) access {
	a := access{loopbackOnly: read == ""}
	if read != "" {
		a.read = digest(read)
	}
	switch {
	case operator != "":
		a.operator = digest(operator)
	case read != "":
		// No separate operator token: the read token may halt and resume,
		// still only as a bearer token.
		a.operator = a.read
	}
	return a
}

func digest(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}

// matches compares a presented token with a digest in constant time.
func matches(token string, want []byte) bool {
	if want == nil || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare(digest(token), want) == 1
}

// bearer is the request's bearer token, "" when it has none.
func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// basicPassword is the password of the request's basic credentials (any
// user name), "" when it has none.
func basicPassword(r *http.Request) string {
	scheme, enc, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return ""
	}
	_, pass, _ := strings.Cut(string(raw), ":")
	return pass
}

// canRead: the read token (or the operator's) as a bearer token or as
// basic auth's password; without a read token, a loopback Host.
func (a access) canRead(r *http.Request) bool {
	if a.loopbackOnly {
		return loopbackHost(r.Host)
	}
	for _, tok := range []string{bearer(r), basicPassword(r)} {
		if matches(tok, a.read) || matches(tok, a.operator) {
			return true
		}
	}
	return false
}

// canOperate: the operator token as a bearer token, which a browser never
// sends by itself (basic credentials and cookies it does).
func (a access) canOperate(r *http.Request) bool {
	if a.loopbackOnly && !loopbackHost(r.Host) {
		return false
	}
	return matches(bearer(r), a.operator)
}

// operable reports whether anyone can halt and resume here.
func (a access) operable() bool { return a.operator != nil }

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
