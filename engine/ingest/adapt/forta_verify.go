package adapt

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Forta authentication, as forta-core-go does it (security/jwt.go, security/signing.go)
// and forta-node uses it (services/publisher: local-mode webhooks are sent with
// "Authorization: Bearer <CreateScannerJWT(key, {"localMode": "true"})>").
//
// The scanner JWT is a JWT whose header has alg "ETH"; its signature is the 65-byte
// secp256k1 signature [R || S || V], V in {0, 1}, of keccak256(header "." claims)
// (the base64url segments as sent), itself base64url without padding. CreateScannerJWT
// sets sub (the signer's address), iat, nbf (now - 30 s) and exp (now + 30 s). Forta's
// own VerifyScannerJWT accepts any signer equal to sub; here the recovered signer must
// also be one of the route's FortaScanners. The token authenticates the scan node, not
// the body: the body is not part of what it signs.
//
// A signed alert ({alert, signature{signature, algorithm, signer}, chainId, ...}, the
// protocol.SignedAlert message) is signed over alertHash = keccak256(alert.id +
// concat(sorted "k=v" of alert.metadata) + alert.timestamp); the signature (0x-hex, 65
// bytes) is of keccak256(alertHash) (SignBytes hashes its input again), and the signer
// recovered from it must be one of FortaScanners. The hash covers the alert's id
// (which forta-node derives from the finding and the source event), its top-level
// metadata and its timestamp, not the finding's fields themselves.

// verifyForta authenticates a Forta payload: the signatures of signed alerts when the
// body holds them, else the Authorization bearer JWT.
func (r *Route) verifyForta(now time.Time, h http.Header, body []byte) error {
	if signed, ok := signedAlerts(body); ok {
		if len(signed) == 0 {
			return errorf(ErrMissingSignature, "no signed alerts in the payload")
		}
		if len(signed) > r.maxAlerts() {
			return errorf(ErrTooManyAlerts, "%d signed alerts, more than the route's %d", len(signed), r.maxAlerts())
		}
		for i, sa := range signed {
			if err := r.verifySignedAlert(now, sa); err != nil {
				if len(signed) > 1 {
					return fmt.Errorf("signed alert %d of %d: %w", i, len(signed), err)
				}
				return err
			}
		}
		return nil
	}
	auth := strings.TrimSpace(headerValue(h, "Authorization"))
	if auth == "" {
		return errorf(ErrMissingSignature, "no Authorization header and no signed alerts")
	}
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return errorf(ErrBadSignature, "Authorization is not a Bearer token")
	}
	return r.verifyScannerJWT(now, strings.TrimSpace(token))
}

// signedAlerts returns the signed alerts of body: a single SignedAlert, or an
// AlertResponse's alerts list whose elements are SignedAlerts. ok is false when body
// is not of these shapes.
func signedAlerts(body []byte) (list []obj, ok bool) {
	v, err := decodeJSON(body)
	if err != nil {
		return nil, false
	}
	o, isObj := asObj(v)
	if !isObj {
		return nil, false
	}
	if isSignedAlert(o) {
		return []obj{o}, true
	}
	items := o.list("alerts")
	if len(items) == 0 {
		return nil, false
	}
	for _, it := range items {
		sa, isObj := asObj(it)
		if !isObj || !isSignedAlert(sa) {
			return nil, false
		}
		list = append(list, sa)
	}
	return list, true
}

func isSignedAlert(o obj) bool {
	_, hasAlert := asObj(o.get("alert"))
	return hasAlert && o.has("signature")
}

// verifySignedAlert checks one signed alert (see the comment at the top of the file).
func (r *Route) verifySignedAlert(now time.Time, sa obj) error {
	sigObj := sa.sub("signature")
	if sigObj == nil || sigObj.str("signature") == "" {
		return errorf(ErrMissingSignature, "signed alert without a signature")
	}
	a := sa.sub("alert")
	id, ts := a.str("id"), a.str("timestamp")
	if id == "" || ts == "" {
		return errorf(ErrBadSignature, "signed alert without the id or timestamp it signs")
	}
	var kv []string
	for k, v := range a.sub("metadata") {
		s, isStr := v.(string)
		if !isStr {
			return errorf(ErrBadSignature, "signed alert metadata %s is not a string: the signed hash cannot be rebuilt", q(k))
		}
		kv = append(kv, k+"="+s)
	}
	sort.Strings(kv)
	alertHash := crypto.Keccak256([]byte(id + strings.Join(kv, "") + ts))

	sigHex := strings.TrimPrefix(strings.TrimPrefix(sigObj.str("signature"), "0x"), "0X")
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != crypto.SignatureLength {
		return errorf(ErrBadSignature, "signed alert signature is not 65 bytes of hex")
	}
	signer, err := recoverSigner(alertHash, sig)
	if err != nil {
		return err
	}
	if claimed := sigObj.str("signer"); claimed != "" {
		if a, ok := toAddress(claimed); !ok || a != signer {
			return errorf(ErrBadSignature, "signed alert signer %s is not the recovered %s", q(claimed), signer.Hex())
		}
	}
	if err := r.checkScanner(signer); err != nil {
		return err
	}
	t, ok := toTime(ts)
	if !ok {
		return errorf(ErrBadTimestamp, "signed alert timestamp %s is not a time", q(ts))
	}
	return r.checkWindow(now, t, "signed alert timestamp")
}

// recoverSigner returns the address that signed keccak256(message) with sig, as
// forta-core-go's VerifySignature recovers it.
func recoverSigner(message, sig []byte) (common.Address, error) {
	pub, err := crypto.SigToPub(crypto.Keccak256(message), sig)
	if err != nil || pub == nil {
		return common.Address{}, errorf(ErrBadSignature, "no signer can be recovered from the signature")
	}
	return crypto.PubkeyToAddress(*pub), nil
}

func (r *Route) checkScanner(signer common.Address) error {
	if !slices.Contains(r.FortaScanners, signer) {
		return errorf(ErrUnknownSigner, "scanner %s is not one of the route's %d", signer.Hex(), len(r.FortaScanners))
	}
	return nil
}

// maxJWTLen bounds the token looked at.
const maxJWTLen = 8 << 10

// verifyScannerJWT checks a Forta scanner JWT (see the comment at the top of the file):
// alg ETH, the signature recovers to a pinned scanner equal to sub, exp is in the
// future but no further than the route's window, nbf and iat are not in the future.
func (r *Route) verifyScannerJWT(now time.Time, token string) error {
	if len(token) > maxJWTLen {
		return errorf(ErrBadSignature, "token longer than %d bytes", maxJWTLen)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errorf(ErrBadSignature, "token is not three dot-separated parts")
	}
	headerJSON, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	claimsJSON, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return errorf(ErrBadSignature, "token part is not base64url")
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(headerJSON, &hdr); err != nil {
		return errorf(ErrBadSignature, "token header is not JSON")
	}
	if hdr.Alg != "ETH" {
		return errorf(ErrBadSignature, "token alg %s, want ETH", q(hdr.Alg))
	}
	if len(sig) != crypto.SignatureLength {
		return errorf(ErrBadSignature, "token signature is %d bytes, want 65", len(sig))
	}
	signer, err := recoverSigner([]byte(parts[0]+"."+parts[1]), sig)
	if err != nil {
		return err
	}
	claims, err := decodeObject(claimsJSON)
	if err != nil {
		return errorf(ErrBadSignature, "token claims are not a JSON object")
	}
	sub, ok := toAddress(claims.str("sub"))
	if !ok || sub != signer {
		return errorf(ErrBadSignature, "token sub %s is not its signer %s", q(claims.str("sub")), signer.Hex())
	}
	if err := r.checkScanner(signer); err != nil {
		return err
	}
	claim := func(name string) (time.Time, bool, error) {
		v := claims.get(name)
		if v == nil {
			return time.Time{}, false, nil
		}
		n, ok := v.(json.Number)
		if !ok {
			return time.Time{}, false, errorf(ErrBadTimestamp, "token %s is not a number", name)
		}
		f, err := n.Float64()
		if err != nil || f < 0 || f > 1e11 {
			return time.Time{}, false, errorf(ErrBadTimestamp, "token %s %s is not a Unix time", name, q(string(n)))
		}
		return time.Unix(int64(f), 0), true, nil
	}
	exp, hasExp, err := claim("exp")
	if err != nil {
		return err
	}
	if !hasExp {
		return errorf(ErrBadSignature, "token has no exp: it would never expire")
	}
	if !now.Before(exp) {
		return errorf(ErrStaleTimestamp, "token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	if exp.Sub(now) > r.window() {
		return errorf(ErrFutureTimestamp, "token expires at %s, more than the %s window ahead", exp.UTC().Format(time.RFC3339), r.window())
	}
	for _, name := range []string{"nbf", "iat"} {
		t, has, err := claim(name)
		if err != nil {
			return err
		}
		if has && t.After(now) && (name == "nbf" || t.Sub(now) > r.window()) {
			return errorf(ErrFutureTimestamp, "token %s %s is in the future", name, t.UTC().Format(time.RFC3339))
		}
	}
	return nil
}
