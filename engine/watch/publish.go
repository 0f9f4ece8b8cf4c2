package watch

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// SubjectPrefix is where detectors publish (engine/ingest's SubjectPrefix;
// a test keeps the two equal).
const SubjectPrefix = "detections."

// SignatureHeader carries a detector's signature of the message's exact
// bytes.
const SignatureHeader = "Firebreak-Signature"

// SignFunc signs an encoded event and returns the value of its
// SignatureHeader.
type SignFunc func(data []byte) (string, error)

// Ed25519Signer signs with key: the header is the standard base64 of the
// ed25519 signature of the event's bytes.
func Ed25519Signer(key ed25519.PrivateKey) SignFunc {
	return func(data []byte) (string, error) {
		return base64.StdEncoding.EncodeToString(ed25519.Sign(key, data)), nil
	}
}

// LoadSigningKey reads the detector's ed25519 key from a file holding its
// 32-byte seed as 64 hex digits (watch.signing_key_file).
func LoadSigningKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(data)), "0x"))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: %s does not hold a 32-byte ed25519 seed as 64 hex digits", ErrConfig, path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// EventID is the id of the event a rule makes at a block for a
// transaction (zero: none): the same inputs always give the same id, so a
// block published twice is deduplicated.
func EventID(source string, chainID uint64, protocol, rule string, block uint64, tx common.Hash) string {
	t := "-"
	if tx != (common.Hash{}) {
		t = tx.Hex()
	}
	id := fmt.Sprintf("%s:%d:%s:%s:%d:%s", source, chainID, protocol, rule, block, t)
	if len(id) > event.MaxIDLen {
		sum := sha256.Sum256([]byte(id))
		id = source + ":" + hex.EncodeToString(sum[:])
	}
	return id
}

// Detection is one event the watcher published.
type Detection struct {
	Event event.Event
	// Protocol, Rule and Kind name the rule that fired.
	Protocol, Rule, Kind string
	// Block is the block it fired at; Tx the transaction it is about
	// (zero when none is known).
	Block uint64
	Tx    common.Hash
	// DetectedAt is when the rule fired (the block read and evaluated),
	// PublishedAt when JetStream acknowledged the event; Duplicate is set
	// when the stream already had an event with its id.
	DetectedAt  time.Time
	PublishedAt time.Time
	Duplicate   bool
}

// publisher sends events to detections.<source>.
type publisher struct {
	js      jetstream.JetStream
	subject string
	sign    SignFunc
}

// publish sends ev with its id as the message id, signed when a SignFunc is
// set.
func (p *publisher) publish(ctx context.Context, ev event.Event) (*jetstream.PubAck, error) {
	data, err := ev.Encode()
	if err != nil {
		return nil, fmt.Errorf("watch: encoding event %s: %w", ev.ID, err)
	}
	msg := nats.NewMsg(p.subject)
	msg.Data = data
	msg.Header.Set(jetstream.MsgIDHeader, ev.ID)
	if p.sign != nil {
		sig, err := p.sign(data)
		if err != nil {
			return nil, fmt.Errorf("watch: signing event %s: %w", ev.ID, err)
		}
		msg.Header.Set(SignatureHeader, sig)
	}
	ack, err := p.js.PublishMsg(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("watch: publishing event %s: %w", ev.ID, err)
	}
	return ack, nil
}

// eventOf makes a finding of rule r at block d an event.
func eventOf(source string, r *ruleBase, d *blockData, f finding, now time.Time) event.Event {
	ev := event.Event{
		ID:         EventID(source, r.chainID, r.protocol, r.name, d.number, f.tx),
		Source:     source,
		ChainID:    r.chainID,
		Severity:   f.severity,
		Confidence: r.confidence,
		AlertType:  f.alertType,
		Protocol:   r.protocol,
		Title:      truncate(f.title, event.MaxTitleLen),
		RuleID:     "watch/" + r.protocol + "/" + r.name,
		Block:      d.number,
		Timestamp:  now.UTC(),
		Metadata:   f.metadata,
	}
	ev.Metadata["block_hash"] = d.hash.Hex()
	if f.tx != (common.Hash{}) {
		tx := f.tx
		ev.TxHash = &tx
	}
	ev.Addresses = []common.Address{r.contract}
	ev.AddressRoles = map[string][]common.Address{event.RoleVictim: {r.contract}}
	if f.attacker != nil && *f.attacker != r.contract {
		ev.Addresses = append([]common.Address{*f.attacker}, ev.Addresses...)
		ev.AddressRoles[event.RoleAttacker] = []common.Address{*f.attacker}
	}
	return ev
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
