package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// wireEvent is the canonical JSON form of an Event.
type wireEvent struct {
	ID           string              `json:"id"`
	Source       string              `json:"source"`
	ChainID      uint64              `json:"chain_id"`
	Severity     string              `json:"severity"`
	Confidence   float64             `json:"confidence"`
	AlertType    string              `json:"alert_type"`
	Protocol     string              `json:"protocol"`
	Title        string              `json:"title,omitempty"`
	RuleID       string              `json:"rule_id,omitempty"`
	Addresses    []string            `json:"addresses,omitempty"`
	AddressRoles map[string][]string `json:"address_roles,omitempty"`
	TxHash       string              `json:"tx_hash,omitempty"`
	Block        uint64              `json:"block,omitempty"`
	Timestamp    string              `json:"timestamp"`
	Metadata     map[string]any      `json:"metadata,omitempty"`
	RawSHA256    string              `json:"raw_sha256,omitempty"`
}

// Encode validates e and returns its canonical JSON: one compact object with the fields
// in declaration order, optional fields omitted when empty, addresses in EIP-55 form,
// tx_hash in lower-case hex, the timestamp in UTC as RFC3339Nano, metadata and
// address_roles keys sorted and no HTML escaping. Decode accepts the result; for an Event that came from Decode,
// Decode(Encode(e)) equals e.
//
// It returns Validate's error for an invalid event, and an error wrapping ErrTooLarge if
// the encoding is larger than MaxSize.
func (e Event) Encode() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	w := wireEvent{
		ID:         e.ID,
		Source:     e.Source,
		ChainID:    e.ChainID,
		Severity:   string(e.Severity),
		Confidence: e.Confidence,
		AlertType:  e.AlertType,
		Protocol:   e.Protocol,
		Title:      e.Title,
		RuleID:     e.RuleID,
		Block:      e.Block,
		Timestamp:  e.Timestamp.UTC().Format(time.RFC3339Nano),
		Metadata:   e.Metadata,
		RawSHA256:  e.RawSHA256,
	}
	if len(e.Addresses) > 0 {
		w.Addresses = hexStrings(e.Addresses)
	}
	if len(e.AddressRoles) > 0 {
		w.AddressRoles = make(map[string][]string, len(e.AddressRoles))
		for role, list := range e.AddressRoles {
			w.AddressRoles[role] = hexStrings(list)
		}
	}
	if e.TxHash != nil {
		w.TxHash = e.TxHash.Hex()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(out) > MaxSize {
		return nil, fmt.Errorf("%w: encoding is %d bytes", ErrTooLarge, len(out))
	}
	return out, nil
}

// hexStrings returns addrs in EIP-55 form.
func hexStrings(addrs []common.Address) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.Hex()
	}
	return out
}

// MarshalJSON encodes e with Encode, so an invalid Event cannot be marshaled.
func (e Event) MarshalJSON() ([]byte, error) { return e.Encode() }
