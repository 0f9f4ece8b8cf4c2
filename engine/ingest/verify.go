package ingest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// Headers of a signed detection message (docs/SECURITY.md, "Verified
// events").
const (
	// HeaderSignature carries the detached signature of the message's data:
	// "ed25519=" followed by the standard base64 of the 64-byte ed25519
	// signature over the exact bytes of the message data.
	HeaderSignature = "Firebreak-Signature"
	// HeaderKeyID optionally names the key that signed (KeyID); without it
	// every key configured for the source is tried.
	HeaderKeyID = "Firebreak-Key-Id"
	// HeaderDeadCode is set on every dead letter: the Code of a Rejection,
	// or CodeInvalid, CodeRefused or CodeGaveUp.
	HeaderDeadCode = "Firebreak-Dead-Code"
)

// signaturePrefix starts the value of HeaderSignature.
const signaturePrefix = "ed25519="

// Codes of dead letters (HeaderDeadCode). A Rejection's reason starts with
// its code.
const (
	// CodeUnknownSource: the subject names a source that is not in the
	// configured sources (or is not detections.<one token>).
	CodeUnknownSource = "unknown-source"
	// CodeUnsigned: the source signs its events, the message has no
	// signature.
	CodeUnsigned = "unsigned"
	// CodeBadSignature: the signature is malformed or no key of the source
	// verifies it over the message.
	CodeBadSignature = "bad-signature"
	// CodeSourceMismatch: the event's source is not the subject's.
	CodeSourceMismatch = "source-mismatch"
	// CodeStale: the event is older than the maximum event age.
	CodeStale = "stale"
	// CodeFuture: the event is dated more than the allowed skew ahead.
	CodeFuture = "future"
	// CodeInvalid: the message is not a valid event.
	CodeInvalid = "invalid"
	// CodeRefused: the handler refused the event (a permanent error).
	CodeRefused = "refused"
	// CodeGaveUp: transient failures outlasted the deliveries allowed.
	CodeGaveUp = "gave-up"
)

// Rejection is why the Verifier refused a message.
type Rejection struct {
	Code   string
	Detail string
}

func (r *Rejection) Error() string { return r.Code + ": " + r.Detail }

func reject(code, format string, args ...any) error {
	return &Rejection{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// Source is how the events of one source (detections.<source>) are
// authenticated.
type Source struct {
	// Keys are the detector's ed25519 public keys: every message must carry
	// a signature one of them verifies. None means the NATS identity that
	// may publish on the subject is the authentication (verify: none).
	Keys []ed25519.PublicKey
}

// VerifyOptions configure a Verifier.
type VerifyOptions struct {
	// Sources by name; a message on any other subject is refused.
	Sources map[string]Source
	// MaxAge and MaxSkew bound an event's timestamp: not older than MaxAge,
	// not more than MaxSkew ahead of Now.
	MaxAge, MaxSkew time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verifier authenticates detection messages from the configured sources:
// the subject names a known source, a signing source's signature verifies
// over the exact bytes, the event's source is the subject's, and the event
// is fresh. A replay of a message that passed is the same event id, which
// the consumer's deduplication recognises: it is audited as a duplicate
// and not acted on again. It is safe for concurrent use.
type Verifier struct {
	sources         map[string]Source
	maxAge, maxSkew time.Duration
	now             func() time.Time
}

// NewVerifier returns a Verifier over opts.
func NewVerifier(opts VerifyOptions) *Verifier {
	v := &Verifier{sources: opts.Sources, maxAge: opts.MaxAge, maxSkew: opts.MaxSkew, now: opts.Now}
	if v.now == nil {
		v.now = time.Now
	}
	return v
}

// sourceOf is the source a subject names: detections.<one token>.
func sourceOf(subject string) (string, bool) {
	name, ok := strings.CutPrefix(subject, SubjectPrefix)
	return name, ok && name != "" && !strings.Contains(name, ".")
}

// Message checks what is checked before the message is parsed: the
// subject names a configured source and, when the source signs, one of its
// keys verifies the signature over data.
func (v *Verifier) Message(subject string, h nats.Header, data []byte) error {
	name, ok := sourceOf(subject)
	if !ok {
		return reject(CodeUnknownSource, "subject %q is not detections.<source>", subject)
	}
	src, ok := v.sources[name]
	if !ok {
		return reject(CodeUnknownSource, "source %q is not configured (sources.%s)", name, name)
	}
	if len(src.Keys) == 0 {
		return nil
	}
	raw := h.Get(HeaderSignature)
	if raw == "" {
		return reject(CodeUnsigned, "source %q signs its events and the message has no %s header", name, HeaderSignature)
	}
	b64, ok := strings.CutPrefix(raw, signaturePrefix)
	if !ok {
		return reject(CodeBadSignature, "%s is not %q followed by base64", HeaderSignature, signaturePrefix)
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		sig, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil || len(sig) != ed25519.SignatureSize {
		return reject(CodeBadSignature, "%s does not hold a %d-byte base64 signature", HeaderSignature, ed25519.SignatureSize)
	}
	keyID := h.Get(HeaderKeyID)
	tried := 0
	for _, k := range src.Keys {
		if keyID != "" && KeyID(k) != keyID {
			continue
		}
		tried++
		if ed25519.Verify(k, data, sig) {
			return nil
		}
	}
	if tried == 0 {
		return reject(CodeBadSignature, "key %q is not one of source %q's public keys", keyID, name)
	}
	return reject(CodeBadSignature, "no public key of source %q verifies the signature over the message", name)
}

// Event checks the decoded event: its source is the subject's, and its
// timestamp is within the maximum age and skew of now.
func (v *Verifier) Event(subject string, ev event.Event) error {
	if name, _ := sourceOf(subject); ev.Source != name {
		return reject(CodeSourceMismatch, "the event's source %q is not the subject's %q", ev.Source, name)
	}
	now := v.now()
	switch {
	case v.maxAge > 0 && ev.Timestamp.Before(now.Add(-v.maxAge)):
		return reject(CodeStale, "the event is dated %s, %s ago, more than the maximum age %s", ev.Timestamp.UTC().Format(time.RFC3339), now.Sub(ev.Timestamp).Round(time.Second), v.maxAge)
	case ev.Timestamp.After(now.Add(v.maxSkew)):
		return reject(CodeFuture, "the event is dated %s, %s ahead of this engine's clock (at most %s allowed)", ev.Timestamp.UTC().Format(time.RFC3339), ev.Timestamp.Sub(now).Round(time.Second), v.maxSkew)
	}
	return nil
}

// KeyID names a detector's public key in HeaderKeyID: the first 8 bytes of
// its SHA-256, in hex (as audit keys are named).
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// SignatureHeader is the value of HeaderSignature for data signed with key.
func SignatureHeader(key ed25519.PrivateKey, data []byte) string {
	return signaturePrefix + base64.StdEncoding.EncodeToString(ed25519.Sign(key, data))
}

// ErrDetectorKey means a detector signing key could not be read; the
// message never holds the key.
var ErrDetectorKey = errors.New("ingest: detector key")

// ParseDetectorKey reads a detector's signing key: the 32-byte ed25519
// seed in hex, as GenerateDetectorKey writes it.
func ParseDetectorKey(text string) (ed25519.PrivateKey, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(text), "0x"))
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrDetectorKey)
	}
	if len(b) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: %d bytes, want a %d-byte ed25519 seed", ErrDetectorKey, len(b), ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(b), nil
}

// GenerateDetectorKey makes a detector key pair: the hex seed for the
// detector to keep, and the public key for sources.<name>.public_keys.
func GenerateDetectorKey() (seedHex string, pub ed25519.PublicKey, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrDetectorKey, err)
	}
	return hex.EncodeToString(priv.Seed()), pub, nil
}

// PublishSigned is Publish with the event's encoding signed with key
// (HeaderSignature and HeaderKeyID); a nil key publishes unsigned.
func PublishSigned(ctx context.Context, js jetstream.JetStream, ev event.Event, key ed25519.PrivateKey) (*jetstream.PubAck, error) {
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	if SubjectPrefix+ev.Source == DeadSubject {
		return nil, ErrReservedSource
	}
	data, err := ev.Encode()
	if err != nil {
		return nil, err
	}
	msg := &nats.Msg{Subject: SubjectPrefix + ev.Source, Data: data, Header: nats.Header{}}
	if key != nil {
		msg.Header.Set(HeaderSignature, SignatureHeader(key, data))
		msg.Header.Set(HeaderKeyID, KeyID(key.Public().(ed25519.PublicKey)))
	}
	ack, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(ev.ID))
	if err != nil {
		return nil, fmt.Errorf("ingest: publishing event %q: %w", ev.ID, err)
	}
	return ack, nil
}
