// Package event defines Event, the one detection event that flows through firebreak,
// and its strict JSON form.
//
// An Event says that a detector saw something on a chain that may call for containment:
// which detector (Source), on which chain, how severe and how sure it is, what kind of
// alert it is, which registered protocol is affected, and the addresses (with the role
// each plays: attacker, victim, contract, related), transaction and block involved. Every
// detector adapter (native JSON, Forta, OpenZeppelin Monitor, Tenderly, Hypernative,
// Sec3, custom bots) produces an Event; nothing downstream of ingest sees a detector's
// own payload, only its hash (RawSHA256).
//
// Decode is the only way JSON becomes an Event: it rejects anything that is not exactly
// one valid event (see Decode). Validate applies the same checks to an Event built in Go.
// Encode writes the canonical JSON that Decode accepts, and Input gives the event as the
// plain map the policy engine evaluates.
package event

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
)

// Limits enforced by Decode and Validate.
const (
	// MaxSize is the largest encoded event Decode accepts, in bytes.
	MaxSize = 64 << 10

	// MaxIDLen is the longest ID, in bytes.
	MaxIDLen = 200

	// MaxNameLen is the longest Source, AlertType and Protocol, in bytes.
	MaxNameLen = 64

	// MaxMetadataKeys is the largest number of top-level keys in Metadata.
	MaxMetadataKeys = 64

	// MaxMetadataDepth is the deepest nesting of objects and arrays in Metadata,
	// counting Metadata itself as depth 1.
	MaxMetadataDepth = 32

	// MaxTitleLen is the longest Title, in bytes.
	MaxTitleLen = 200

	// MaxRuleIDLen is the longest RuleID, in bytes.
	MaxRuleIDLen = 200

	// MaxRoleAddresses is the largest number of addresses in one role of AddressRoles.
	MaxRoleAddresses = 64
)

// The roles an address can play in AddressRoles.
const (
	// RoleAttacker marks an address acting against the protocol: an exploiter's EOA or
	// contract, a drainer, a scammer.
	RoleAttacker = "attacker"

	// RoleVictim marks an address being attacked: the protocol's contract that is being
	// drained, a user's wallet that was phished.
	RoleVictim = "victim"

	// RoleContract marks a contract the detection is about (a monitored contract, the
	// target of the transaction) without saying it is under attack.
	RoleContract = "contract"

	// RoleRelated marks any other address the detector named.
	RoleRelated = "related"
)

// Roles lists the roles of AddressRoles in their canonical order.
var Roles = [...]string{RoleAttacker, RoleVictim, RoleContract, RoleRelated}

// isRole reports whether s is one of Roles.
func isRole(s string) bool {
	for _, r := range Roles {
		if r == s {
			return true
		}
	}
	return false
}

// Event is one detection, normalised from whatever the detector sent.
//
// The JSON form is the one Encode writes and Decode reads; Event's MarshalJSON and
// UnmarshalJSON use them, so an Event embedded in another JSON document (an audit record,
// a dead-letter message) has the same strict, canonical form.
type Event struct {
	// ID identifies the event for deduplication: 1 to MaxIDLen bytes of printable ASCII
	// without spaces (for example a Forta alert hash or a webhook delivery UUID).
	ID string `json:"id"`

	// Source names the detector: "forta", "oz-monitor", "tenderly", "custom", ...
	// It matches [a-z0-9._-]{1,64}.
	Source string `json:"source"`

	// ChainID is the EIP-155 chain id of the chain the detection is about. Required, > 0.
	ChainID uint64 `json:"chain_id"`

	// Severity is the detector's severity, one of the five Severity constants.
	Severity Severity `json:"severity"`

	// Confidence is the detector's confidence, a finite number from 0 to 1 inclusive.
	// Decode requires it to be present; 0 is a valid value.
	Confidence float64 `json:"confidence"`

	// AlertType classifies the detection: "exploit", "compromised-key",
	// "anomalous-outflow", "phishing-drainer", ... It matches [a-z0-9._-]{1,64}.
	AlertType string `json:"alert_type"`

	// Protocol is the registry name of the affected protocol. It matches [a-z0-9._-]{1,64}.
	Protocol string `json:"protocol"`

	// Title is the detector's human-readable name for the alert, optional: at most
	// MaxTitleLen bytes of printable UTF-8 (letters, marks, numbers, punctuation, symbols
	// and the ASCII space; no control or format characters).
	Title string `json:"title,omitempty"`

	// RuleID is the detector's identifier of the rule or bot that fired (a Forta alert
	// id such as "ATTACK-DETECTOR-2", a monitor name, a Hypernative risk type), optional:
	// at most MaxRuleIDLen bytes of printable UTF-8, as Title. It names the kind of
	// alert, not this occurrence of it (that is ID).
	RuleID string `json:"rule_id,omitempty"`

	// Addresses involved, optional. In JSON each is a 0x-prefixed 40-digit hex string,
	// all lower-case, all upper-case, or mixed-case with a valid EIP-55 checksum; Encode
	// writes the EIP-55 form.
	Addresses []common.Address `json:"addresses,omitempty"`

	// AddressRoles says which role some of the Addresses play, optional: a map from a
	// role (RoleAttacker, RoleVictim, RoleContract, RoleRelated; no other key) to 1 to
	// MaxRoleAddresses distinct addresses, each of which must also be in Addresses. An
	// address may appear under several roles. In JSON an object of arrays of addresses
	// written as in Addresses; a role with an empty array decodes as absent.
	AddressRoles map[string][]common.Address `json:"address_roles,omitempty"`

	// TxHash of the transaction that triggered the detection, optional.
	TxHash *common.Hash `json:"tx_hash,omitempty"`

	// Block number of the detection, optional (0 means unknown).
	Block uint64 `json:"block,omitempty"`

	// Timestamp of the detection, required. In JSON an RFC 3339 string; Decode converts
	// it to UTC and Encode writes it in UTC with RFC3339Nano.
	Timestamp time.Time `json:"timestamp"`

	// Metadata is free-form detector data: a JSON object with at most MaxMetadataKeys
	// keys, nested at most MaxMetadataDepth deep. Decode yields the values encoding/json
	// yields for `any` with UseNumber: nil, bool, string, json.Number, []any and
	// map[string]any, so numbers keep their exact text (uint256 amounts survive) and
	// round-trip. An Event built in Go may also use float64 (finite), int, int64, uint64,
	// []string and map[string]string: the types the policy engine converts directly.
	Metadata map[string]any `json:"metadata,omitempty"`

	// RawSHA256 is the SHA-256 of the detector's raw payload bytes as received, optional:
	// 64 lower-case hex digits. It ties the event to the payload kept in the audit record.
	RawSHA256 string `json:"raw_sha256,omitempty"`
}

// field is a JSON field of Event, in the order in which Decode and Validate check them.
type field int

const (
	fieldID field = iota
	fieldSource
	fieldChainID
	fieldSeverity
	fieldConfidence
	fieldAlertType
	fieldProtocol
	fieldTitle
	fieldRuleID
	fieldAddresses
	fieldAddressRoles
	fieldTxHash
	fieldBlock
	fieldTimestamp
	fieldMetadata
	fieldRawSHA256
	numFields
)

var fieldNames = [numFields]string{
	fieldID:           "id",
	fieldSource:       "source",
	fieldChainID:      "chain_id",
	fieldSeverity:     "severity",
	fieldConfidence:   "confidence",
	fieldAlertType:    "alert_type",
	fieldProtocol:     "protocol",
	fieldTitle:        "title",
	fieldRuleID:       "rule_id",
	fieldAddresses:    "addresses",
	fieldAddressRoles: "address_roles",
	fieldTxHash:       "tx_hash",
	fieldBlock:        "block",
	fieldTimestamp:    "timestamp",
	fieldMetadata:     "metadata",
	fieldRawSHA256:    "raw_sha256",
}

func (f field) String() string { return fieldNames[f] }

// required reports whether Decode rejects input that lacks the field.
func (f field) required() bool {
	switch f {
	case fieldTitle, fieldRuleID, fieldAddresses, fieldAddressRoles, fieldTxHash, fieldBlock, fieldMetadata, fieldRawSHA256:
		return false
	}
	return true
}

// fieldByName maps a JSON key to its field; the match is exact (case-sensitive).
func fieldByName(name string) (field, bool) {
	for f, n := range fieldNames {
		if n == name {
			return field(f), true
		}
	}
	return 0, false
}

// Validate checks e and returns nil or the *FieldError of the first invalid field.
//
// Fields are checked in a fixed order, so the error is deterministic: id, source,
// chain_id, severity, confidence, alert_type, protocol, title, rule_id, address_roles,
// timestamp, metadata, raw_sha256. (Addresses, TxHash and Block cannot hold an invalid
// value once in Go; Decode checks their JSON form, in their declaration order, between
// rule_id and timestamp.) An invalid address role is reported with its element, for
// example "address_roles.victim[1]".
//
// Decode calls Validate's checks, so a decoded Event is always valid.
func (e Event) Validate() error {
	for f := range numFields {
		if fe := e.check(f); fe != nil {
			return fe
		}
	}
	return nil
}

// check validates one field of e.
func (e *Event) check(f field) *FieldError {
	var reason string
	switch f {
	case fieldID:
		reason = checkID(e.ID)
	case fieldSource:
		reason = checkName(e.Source)
	case fieldChainID:
		if e.ChainID == 0 {
			reason = "must be greater than 0"
		}
	case fieldSeverity:
		switch {
		case e.Severity == "":
			reason = "is required"
		case !e.Severity.Valid():
			reason = "must be one of info, low, medium, high, critical, got " + quote(string(e.Severity))
		}
	case fieldConfidence:
		if !(e.Confidence >= 0 && e.Confidence <= 1) { // also catches NaN
			reason = "must be between 0 and 1, got " + strconv.FormatFloat(e.Confidence, 'g', -1, 64)
		}
	case fieldAlertType:
		reason = checkName(e.AlertType)
	case fieldProtocol:
		reason = checkName(e.Protocol)
	case fieldTitle:
		reason = checkText(e.Title, MaxTitleLen)
	case fieldRuleID:
		reason = checkText(e.RuleID, MaxRuleIDLen)
	case fieldAddressRoles:
		return checkRoles(e.AddressRoles, e.Addresses)
	case fieldRawSHA256:
		if e.RawSHA256 != "" && !isLowerHex(e.RawSHA256, 64) {
			reason = "must be 64 lower-case hex digits, got " + quote(e.RawSHA256)
		}
	case fieldTimestamp:
		switch y := e.Timestamp.UTC().Year(); {
		case e.Timestamp.IsZero():
			reason = "is required"
		case y < 1 || y > 9999:
			reason = "must be between years 1 and 9999, got year " + strconv.Itoa(y)
		}
	case fieldMetadata:
		reason = checkMetadata(e.Metadata)
	}
	if reason == "" {
		return nil
	}
	return &FieldError{Field: f.String(), Reason: reason}
}

func checkID(id string) string {
	switch {
	case id == "":
		return "is required"
	case len(id) > MaxIDLen:
		return "must be at most " + strconv.Itoa(MaxIDLen) + " bytes, got " + strconv.Itoa(len(id))
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			r, _ := utf8.DecodeRuneInString(id[i:])
			return "must be printable ASCII without spaces, got " + strconv.QuoteRune(r) + " at byte " + strconv.Itoa(i)
		}
	}
	return ""
}

// checkName checks a [a-z0-9._-]{1,64} name.
func checkName(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > MaxNameLen:
		return "must be at most " + strconv.Itoa(MaxNameLen) + " characters, got " + strconv.Itoa(len(s)) + " bytes"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "must match [a-z0-9._-]{1,64}, got " + quote(s)
		}
	}
	return ""
}

// checkText checks an optional free-text field: at most max bytes of printable UTF-8.
func checkText(s string, max int) string {
	if len(s) > max {
		return "must be at most " + strconv.Itoa(max) + " bytes, got " + strconv.Itoa(len(s))
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return "is not valid UTF-8 at byte " + strconv.Itoa(i)
			}
		}
		if !unicode.IsPrint(r) {
			return "must be printable text, got " + strconv.QuoteRune(r) + " at byte " + strconv.Itoa(i)
		}
	}
	return ""
}

// checkRoles checks AddressRoles against the event's Addresses.
func checkRoles(roles map[string][]common.Address, addrs []common.Address) *FieldError {
	if len(roles) == 0 {
		return nil
	}
	in := make(map[common.Address]struct{}, len(addrs))
	for _, a := range addrs {
		in[a] = struct{}{}
	}
	// Report unknown keys first, in sorted order, then the roles in canonical order.
	var unknown []string
	for k := range roles {
		if !isRole(k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return &FieldError{Field: "address_roles", Reason: "unknown role " + quote(unknown[0]) + ": must be one of attacker, victim, contract, related"}
	}
	for _, role := range Roles {
		list, ok := roles[role]
		if !ok {
			continue
		}
		field := "address_roles." + role
		switch {
		case len(list) == 0:
			return &FieldError{Field: field, Reason: "must not be empty"}
		case len(list) > MaxRoleAddresses:
			return &FieldError{Field: field, Reason: "must have at most " + strconv.Itoa(MaxRoleAddresses) + " addresses, got " + strconv.Itoa(len(list))}
		}
		seen := make(map[common.Address]struct{}, len(list))
		for i, a := range list {
			el := field + "[" + strconv.Itoa(i) + "]"
			if _, dup := seen[a]; dup {
				return &FieldError{Field: el, Reason: "duplicate address " + a.Hex()}
			}
			seen[a] = struct{}{}
			if _, ok := in[a]; !ok {
				return &FieldError{Field: el, Reason: "address " + a.Hex() + " is not in addresses"}
			}
		}
	}
	return nil
}

// isLowerHex reports whether s is exactly n lower-case hex digits.
func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func checkMetadata(m map[string]any) string {
	if len(m) > MaxMetadataKeys {
		return "must have at most " + strconv.Itoa(MaxMetadataKeys) + " keys, got " + strconv.Itoa(len(m))
	}
	return checkValue(m, 0)
}

// checkValue checks that v is a JSON value Encode can write and Input can hand to the
// policy engine. depth is the number of containers v is nested in.
func checkValue(v any, depth int) string {
	switch v := v.(type) {
	case nil, bool, int, int64, uint64:
		return ""
	case string:
		if !utf8.ValidString(v) {
			return "string " + quote(v) + " is not valid UTF-8"
		}
	case json.Number:
		if !isJSONNumber(string(v)) {
			return "json.Number " + quote(string(v)) + " is not a JSON number"
		}
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "number " + strconv.FormatFloat(v, 'g', -1, 64) + " is not finite"
		}
	case map[string]any:
		if depth >= MaxMetadataDepth {
			return "must not be nested deeper than " + strconv.Itoa(MaxMetadataDepth) + " levels"
		}
		for k, e := range v {
			if !utf8.ValidString(k) {
				return "key " + quote(k) + " is not valid UTF-8"
			}
			if r := checkValue(e, depth+1); r != "" {
				return r
			}
		}
	case []any:
		if depth >= MaxMetadataDepth {
			return "must not be nested deeper than " + strconv.Itoa(MaxMetadataDepth) + " levels"
		}
		for _, e := range v {
			if r := checkValue(e, depth+1); r != "" {
				return r
			}
		}
	case []string:
		if depth >= MaxMetadataDepth {
			return "must not be nested deeper than " + strconv.Itoa(MaxMetadataDepth) + " levels"
		}
		for _, s := range v {
			if !utf8.ValidString(s) {
				return "string " + quote(s) + " is not valid UTF-8"
			}
		}
	case map[string]string:
		if depth >= MaxMetadataDepth {
			return "must not be nested deeper than " + strconv.Itoa(MaxMetadataDepth) + " levels"
		}
		for k, s := range v {
			if !utf8.ValidString(k) || !utf8.ValidString(s) {
				return "key " + quote(k) + " or its value is not valid UTF-8"
			}
		}
	default:
		return fmt.Sprintf("unsupported value type %T", v)
	}
	return ""
}

// isJSONNumber reports whether s is a number as RFC 8259 defines it.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}

// Input returns the event as a plain JSON-like map for the policy engine (OPA input).
//
// The keys are the JSON field names; optional fields are present only when set, as in
// Encode's output. Values: strings for id, source, severity, alert_type, protocol,
// title, rule_id and raw_sha256; uint64 for chain_id and block; float64 for confidence;
// addresses as []any of EIP-55 checksummed hex strings; address_roles as a
// map[string]any from role to such an []any; tx_hash as 0x-prefixed lower-case hex;
// timestamp as an RFC3339Nano string in UTC, plus "timestamp_unix", the timestamp in
// Unix seconds as an int64. Metadata is the event's own map, not a copy: callers must
// not modify it.
func (e Event) Input() map[string]any {
	m := make(map[string]any, 17)
	m["id"] = e.ID
	m["source"] = e.Source
	m["chain_id"] = e.ChainID
	m["severity"] = string(e.Severity)
	m["confidence"] = e.Confidence
	m["alert_type"] = e.AlertType
	m["protocol"] = e.Protocol
	if e.Title != "" {
		m["title"] = e.Title
	}
	if e.RuleID != "" {
		m["rule_id"] = e.RuleID
	}
	if len(e.Addresses) > 0 {
		m["addresses"] = hexList(e.Addresses)
	}
	if len(e.AddressRoles) > 0 {
		roles := make(map[string]any, len(e.AddressRoles))
		for role, list := range e.AddressRoles {
			roles[role] = hexList(list)
		}
		m["address_roles"] = roles
	}
	if e.TxHash != nil {
		m["tx_hash"] = e.TxHash.Hex()
	}
	if e.Block != 0 {
		m["block"] = e.Block
	}
	m["timestamp"] = e.Timestamp.UTC().Format(time.RFC3339Nano)
	m["timestamp_unix"] = e.Timestamp.Unix()
	if len(e.Metadata) > 0 {
		m["metadata"] = e.Metadata
	}
	if e.RawSHA256 != "" {
		m["raw_sha256"] = e.RawSHA256
	}
	return m
}

// hexList returns addrs as EIP-55 hex strings in an []any.
func hexList(addrs []common.Address) []any {
	out := make([]any, len(addrs))
	for i, a := range addrs {
		out[i] = a.Hex()
	}
	return out
}
