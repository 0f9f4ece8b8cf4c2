package vault

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/firebreak-dev/firebreak/signer"
)

// Errors of this package, in addition to those of package signer
// (signer.ErrNoKey, signer.ErrBadKey, signer.ErrUnavailable,
// signer.ErrWrongSignature), which it returns wrapped.
var (
	// ErrAuth means Vault refused the credentials: permission denied, an
	// invalid or expired token, or a failed AppRole or Kubernetes login.
	ErrAuth = errors.New("vault: permission denied or invalid credentials")
	// ErrSealed means Vault is sealed. It always comes together with
	// signer.ErrUnavailable: an operator can unseal it and the same Signer
	// works again.
	ErrSealed = errors.New("vault: Vault is sealed")
)

// vaultError is an error of a Vault request: a short message, the sentinel
// it is a kind of (errors.Is), and the error of the API client (errors.As
// finds *api.ResponseError there).
type vaultError struct {
	op    string
	kinds []error
	msg   string
	cause error
}

func (e *vaultError) Error() string {
	return "vault: " + e.op + ": " + e.msg
}

func (e *vaultError) Unwrap() []error {
	return append(append([]error(nil), e.kinds...), e.cause)
}

// classify turns an error of the Vault API client into one of this
// package's or package signer's sentinel errors. It is the only place that
// looks at Vault's status codes and messages. op says what was being done
// ("signing a digest with key k"); addr is Vault's address.
func classify(op, addr string, err error) error {
	if err == nil {
		return nil
	}
	var re *api.ResponseError
	if errors.As(err, &re) {
		said := vaultSaid(re)
		e := &vaultError{op: op, cause: err}
		switch {
		case re.StatusCode == http.StatusForbidden || re.StatusCode == http.StatusUnauthorized:
			e.kinds = []error{ErrAuth}
			e.msg = fmt.Sprintf("%s (Vault answered %d: %s)", bare(ErrAuth), re.StatusCode, said)
		case re.StatusCode == http.StatusServiceUnavailable && strings.Contains(strings.ToLower(said), "sealed"):
			e.kinds = []error{ErrSealed, signer.ErrUnavailable}
			e.msg = fmt.Sprintf("Vault at %s is sealed; unseal it and retry (Vault answered %d: %s)", addr, re.StatusCode, said)
		case re.StatusCode == http.StatusNotFound && strings.Contains(said, "no handler for route"):
			// The secrets engine itself is missing: Vault is being restored
			// or restarted, or the mount moved. New checks the mount at
			// start, so here it is worth waiting for, unlike a missing key.
			e.kinds = []error{signer.ErrUnavailable}
			e.msg = fmt.Sprintf("%s: nothing is mounted at this path in Vault at %s (Vault answered %d: %s)", bare(signer.ErrUnavailable), addr, re.StatusCode, said)
		case re.StatusCode == http.StatusNotFound:
			e.kinds = []error{signer.ErrNoKey}
			e.msg = fmt.Sprintf("%s (Vault answered %d: %s)", bare(signer.ErrNoKey), re.StatusCode, said)
		case re.StatusCode >= 500:
			e.kinds = []error{signer.ErrUnavailable}
			e.msg = fmt.Sprintf("%s: Vault at %s answered %d: %s", bare(signer.ErrUnavailable), addr, re.StatusCode, said)
		default:
			e.msg = fmt.Sprintf("Vault answered %d: %s", re.StatusCode, said)
		}
		return e
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("vault: %s: %w", op, err)
	}
	// Anything else failed before Vault could answer: connection refused,
	// timeout, DNS, TLS.
	return &vaultError{
		op:    op,
		kinds: []error{signer.ErrUnavailable},
		msg:   fmt.Sprintf("%s: Vault at %s is unreachable: %s", bare(signer.ErrUnavailable), addr, transportCause(err)),
		cause: err,
	}
}

// vaultSaid is the error text of a Vault answer on one line: Vault's
// multi-error format ("2 errors occurred:\n\t* permission denied\n\t*
// invalid token") becomes "permission denied; invalid token".
func vaultSaid(re *api.ResponseError) string {
	var parts []string
	for _, e := range re.Errors {
		for _, line := range strings.Split(e, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasSuffix(line, " occurred:") {
				continue
			}
			parts = append(parts, strings.TrimPrefix(line, "* "))
		}
	}
	if len(parts) == 0 {
		return http.StatusText(re.StatusCode)
	}
	return strings.Join(parts, "; ")
}

// bare is the text of a sentinel without its package prefix, for messages
// that already start with "vault: ".
func bare(err error) string {
	s := err.Error()
	for _, p := range []string{"vault: ", "signer: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// transportCause is the innermost useful text of a transport error, without
// the URL that *url.Error repeats.
func transportCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// retryPolicy is the API client's CheckRetry: retry connection errors and
// 5xx answers (but 501 Not Implemented), never a 4xx, never after the
// context is done, never a TLS verification failure.
func retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var (
			certErr    *tls.CertificateVerificationError
			unknownCA  x509.UnknownAuthorityError
			hostnameEr x509.HostnameError
		)
		if errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostnameEr) {
			return false, err
		}
		return true, nil
	}
	if resp == nil {
		return false, nil
	}
	return resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented, nil
}
