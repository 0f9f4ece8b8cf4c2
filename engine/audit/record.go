package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what a record is about. Kinds are lowercase words; they are
// the last token of the record's subject.
type Kind string

// The kinds the engine writes, roughly in the order of one incident.
// Kinds not listed here (new submitter states) are written as the
// state's name, and readers show them generically.
const (
	// KindReceived: a valid event reached the engine.
	KindReceived Kind = "received"
	// KindRejected: a message was dead-lettered, with the reason.
	KindRejected Kind = "rejected"
	// KindDuplicate: an event already handled arrived again; nothing done.
	KindDuplicate Kind = "duplicate"
	// KindDecision: what the policies decided, or why they could not.
	KindDecision Kind = "decision"
	// KindGuard: the guard's verdict on one requested action (allowed,
	// refused and why, no-op and why).
	KindGuard Kind = "guard"
	// KindPlanned: an allowed action recorded as an intent to execute.
	KindPlanned Kind = "planned"
	// KindDryRun: the result of a dry-run of an action on a fork.
	KindDryRun Kind = "dryrun"
	// KindApproval: an approval (or refusal) of a decision.
	KindApproval Kind = "approval"
	// KindSigned: a transaction was signed and recorded before broadcast.
	KindSigned Kind = "signed"
	// KindSent: a node accepted the transaction.
	KindSent Kind = "sent"
	// KindBumped: the transaction was replaced by one paying more.
	KindBumped Kind = "bumped"
	// KindWarning: the action is still in flight, with a warning (the fee
	// cap blocks a replacement the market asks for).
	KindWarning Kind = "warning"
	// KindIncluded: a transaction is in a block, waiting for the
	// configured confirmations (repeated as they accrue).
	KindIncluded Kind = "included"
	// KindMined: the transaction is final at the configured confirmations;
	// the receipt says how it went.
	KindMined Kind = "mined"
	// KindConfirmed: the inclusion reached the configured confirmations
	// (for submitters that record it apart from mined).
	KindConfirmed Kind = "confirmed"
	// KindReorged: the block holding the transaction left the chain.
	KindReorged Kind = "reorged"
	// KindFailed: the action could not be executed.
	KindFailed Kind = "failed"
	// KindRefused: a stored action record or approval was quarantined: it
	// failed the check before signing (the allowlist in force, the
	// engine's MAC, its sender) or did not validate when loaded. Nothing
	// was signed for it; the record carries the reason.
	KindRefused Kind = "refused"
	// KindCheckpointOverride: the log was opened although the stream did
	// not hold the record its checkpoint names, because the operator said
	// so (Options.AcceptReset, firebreak serve --accept-audit-reset). It
	// is the first record appended after such a start.
	KindCheckpointOverride Kind = "checkpoint_override"
	// KindStreamReplaced: while appending, the Log found that the stream
	// no longer held the last record it had stored (the stream was
	// deleted and recreated, or replaced, under a running engine).
	KindStreamReplaced Kind = "stream_replaced"
)

// Valid reports whether k can be a subject token: 1 to 32 of [a-z0-9_-].
func (k Kind) Valid() bool {
	if len(k) == 0 || len(k) > 32 {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// Entry is what a stage appends; the Log adds sequence, time, hashes and
// signature to make it a Record.
type Entry struct {
	Kind     Kind
	EventID  string
	Protocol string
	ActionID string
	// Data is the kind's payload; it is encoded as canonical JSON.
	Data any
}

// Record is one link of the chain, as stored and exported.
type Record struct {
	// Seq is the record's place in the chain, from 1; in the stream it
	// equals the message's stream sequence.
	Seq uint64 `json:"seq"`
	// Prev is the Hash of record Seq-1 (64 zeros for the first record).
	Prev     string    `json:"prev"`
	Time     time.Time `json:"time"`
	Kind     Kind      `json:"kind"`
	EventID  string    `json:"event_id,omitempty"`
	Protocol string    `json:"protocol,omitempty"`
	ActionID string    `json:"action_id,omitempty"`
	// Data is the kind's payload, canonical JSON.
	Data json.RawMessage `json:"data,omitempty"`
	// KeyID names the audit key that signed the record (KeyID of its
	// public key); empty when unsigned.
	KeyID string `json:"key_id,omitempty"`
	// Hash is the hex SHA-256 of the record encoded without Hash and Sig.
	Hash string `json:"hash,omitempty"`
	// Sig is the hex ed25519 signature of the same bytes.
	Sig string `json:"sig,omitempty"`
}

// genesis is the Prev of the first record.
var genesis = strings.Repeat("0", 64)

// maxRecordSize bounds one encoded record; the decision and a signed
// transaction fit many times over.
const maxRecordSize = 256 << 10

// preimage is what Hash and Sig cover: the record without them.
func (r Record) preimage() ([]byte, error) {
	r.Hash, r.Sig = "", ""
	return marshal(r)
}

// marshal is json.Marshal without HTML escaping: records are read by
// people, and "<redacted>" should read as such.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// seal computes Hash, and Sig when key is set.
func (r *Record) seal(key ed25519.PrivateKey) error {
	if key != nil {
		r.KeyID = KeyID(key.Public().(ed25519.PublicKey))
	}
	pre, err := r.preimage()
	if err != nil {
		return fmt.Errorf("%w: encoding record %d: %w", ErrMalformed, r.Seq, err)
	}
	sum := sha256.Sum256(pre)
	r.Hash = hex.EncodeToString(sum[:])
	if key != nil {
		r.Sig = hex.EncodeToString(ed25519.Sign(key, pre))
	}
	return nil
}

// Encode returns the record's canonical form: the bytes stored in the
// stream and written, one per line, to an export.
func (r Record) Encode() ([]byte, error) { return marshal(r) }

// ParseRecord decodes one stored or exported record and checks that it is
// in canonical form and that its Hash matches its content. It does not
// check the chain or the signature (see Verifier).
func ParseRecord(data []byte) (Record, error) {
	var r Record
	if len(data) > maxRecordSize {
		return r, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, len(data), maxRecordSize)
	}
	if !utf8.Valid(data) {
		return r, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if dec.More() {
		return r, fmt.Errorf("%w: data after the record", ErrMalformed)
	}
	if len(r.Data) > 0 {
		canon, err := canonical(r.Data, nil)
		if err != nil {
			return r, fmt.Errorf("%w: data: %w", ErrMalformed, err)
		}
		if !bytes.Equal(canon, r.Data) {
			return r, fmt.Errorf("%w: record %d: data is not in canonical form", ErrMalformed, r.Seq)
		}
	}
	again, err := r.Encode()
	if err != nil {
		return r, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if !bytes.Equal(again, data) {
		return r, fmt.Errorf("%w: record %d is not in canonical form", ErrMalformed, r.Seq)
	}
	pre, err := r.preimage()
	if err != nil {
		return r, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	sum := sha256.Sum256(pre)
	if r.Hash != hex.EncodeToString(sum[:]) {
		return r, fmt.Errorf("%w: record %d: content does not match its hash (altered)", ErrMalformed, r.Seq)
	}
	return r, nil
}

// canonical re-encodes JSON with sorted keys and numbers kept as written,
// replacing every occurrence of a secret in a string with "<redacted>".
func canonical(data []byte, secrets []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	if len(secrets) > 0 {
		v = redact(v, secrets)
	}
	return marshal(v)
}

// encodeData turns a payload into canonical JSON without secrets.
func encodeData(v any, secrets []string) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return canonical(raw, secrets)
}

// Redacted replaces a secret found in a record.
const Redacted = "<redacted>"

func redact(v any, secrets []string) any {
	switch t := v.(type) {
	case string:
		for _, s := range secrets {
			if s != "" && strings.Contains(t, s) {
				t = strings.ReplaceAll(t, s, Redacted)
			}
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[redact(k, secrets).(string)] = redact(x, secrets)
		}
		return out
	case []any:
		for i := range t {
			t[i] = redact(t[i], secrets)
		}
		return t
	default:
		return v
	}
}
