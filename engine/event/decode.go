package event

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
)

// Decode parses one event from its JSON form and validates it.
//
// The input must be exactly one JSON object of at most MaxSize bytes of UTF-8, optionally
// surrounded by JSON whitespace. Keys match the field names exactly (case-sensitive);
// unknown and duplicated keys are rejected. Each field must have its JSON type (strings,
// numbers; chain_id and block integers; addresses an array of strings; address_roles an
// object of arrays of strings; metadata an object), required fields must be present,
// and the values must pass Validate's checks. null counts as absent for the optional
// fields (title, rule_id, addresses, address_roles, tx_hash, block, metadata,
// raw_sha256) and is a type error for the required ones. An empty title or rule_id, an
// empty addresses array, an empty metadata or address_roles object and a role with an
// empty array decode as absent (the zero value), as Encode would omit them.
//
// Errors: ErrTooLarge for input over MaxSize, or whose canonical encoding would be (see
// Encode; only input of more than MaxSize/4 bytes is checked for that); a *FieldError naming the first invalid
// field, in the order Validate documents; otherwise an error that wraps ErrInvalid and,
// for malformed JSON, gives the byte offset. Every error matches ErrInvalid.
func Decode(data []byte) (Event, error) {
	if len(data) > MaxSize {
		return Event{}, fmt.Errorf("%w: got %d bytes", ErrTooLarge, len(data))
	}
	if len(trimJSONSpace(data)) == 0 {
		return Event{}, invalidf("empty input")
	}
	if !utf8.Valid(data) {
		return Event{}, invalidf("input is not valid UTF-8 (at byte offset %d)", invalidUTF8At(data))
	}

	raws, err := split(data)
	if err != nil {
		return Event{}, err
	}
	var e Event
	for f := range numFields {
		raw := raws[f]
		if raw == nil {
			if f.required() {
				return Event{}, &FieldError{Field: f.String(), Reason: "is required"}
			}
			continue
		}
		if fe := e.parse(f, raw); fe != nil {
			return Event{}, fe
		}
		if fe := e.check(f); fe != nil {
			return Event{}, fe
		}
	}
	// The canonical encoding can be longer than the input: encoding/json always escapes
	// U+2028 and U+2029 (3 bytes become 6). It is at most about twice as long, so only
	// large input can encode to more than MaxSize; reject it here rather than accept an
	// event that Encode (and so the audit log) would refuse.
	if len(data) > mayOutgrowSize {
		if _, err := e.Encode(); err != nil {
			return Event{}, err
		}
	}
	return e, nil
}

// mayOutgrowSize is the input size above which Decode checks that the canonical
// encoding fits in MaxSize. Below it, the encoding (at most twice the input plus a few
// bytes of number formatting) always fits.
const mayOutgrowSize = MaxSize / 4

// UnmarshalJSON decodes e with Decode.
func (e *Event) UnmarshalJSON(data []byte) error {
	d, err := Decode(data)
	if err != nil {
		return err
	}
	*e = d
	return nil
}

// split reads the top-level object of data and returns the raw value of each field,
// nil for absent fields. It rejects everything that is not one object with known,
// distinct keys and nothing after it.
//
// data is first checked with json.Valid, which allocates nothing; the object is then
// walked with the light scanner below, which relies on that validity. The values are
// sub-slices of data.
func split(data []byte) ([numFields][]byte, error) {
	var raws [numFields][]byte
	if !json.Valid(data) {
		return raws, syntaxError(data)
	}
	i := skipSpace(data, 0)
	if data[i] != '{' {
		return raws, invalidf("must be a JSON object, got %s", kind(data[i:]))
	}
	i = skipSpace(data, i+1)
	for data[i] == '"' {
		end := stringEnd(data, i)
		key, _ := jsonString(data[i:end])
		f, ok := fieldByName(key)
		if !ok {
			t, _ := truncate(key)
			return raws, &FieldError{Field: t, Reason: "unknown field"}
		}
		if raws[f] != nil {
			return raws, &FieldError{Field: key, Reason: "duplicate field"}
		}
		i = skipSpace(data, end) // at ':'
		i = skipSpace(data, i+1) // at the value
		end = valueEnd(data, i)
		raws[f] = data[i:end]
		i = skipSpace(data, end) // at ',' or '}'
		if data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return raws, nil
}

// syntaxError explains why data, which json.Valid rejected, is not one JSON value: data
// after a complete value, or malformed JSON at the 0-based offset of the offending byte
// (the input length for input that ends too early). It wraps ErrInvalid and, for
// malformed JSON, the *json.SyntaxError.
func syntaxError(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var first json.RawMessage
	if err := dec.Decode(&first); err == nil {
		off := dec.InputOffset()
		rest := trimJSONSpace(data[off:])
		return invalidf("trailing data after the JSON value at byte offset %d", len(data)-len(rest))
	}
	var raw json.RawMessage
	err := json.Unmarshal(data, &raw)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se) && se.Offset >= int64(len(data)):
		return fmt.Errorf("%w: malformed JSON at byte offset %d: %w", ErrInvalid, len(data), se)
	case errors.As(err, &se) && se.Offset > 0:
		return fmt.Errorf("%w: malformed JSON at byte offset %d: %w", ErrInvalid, se.Offset-1, se)
	case err != nil:
		t, _ := truncate(err.Error())
		return invalidf("malformed JSON: %s", t)
	}
	return invalidf("malformed JSON")
}

// The light scanner: index arithmetic over data already known to be valid JSON.

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that starts at data[i].
func stringEnd(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// valueEnd returns the index just past the value that starts at data[i].
func valueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				i = stringEnd(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(data) && !isSpace(data[i]) && data[i] != ',' && data[i] != '}' && data[i] != ']' {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// parse decodes the raw JSON value of field f into e, checking its JSON type and form.
// The value is known to be syntactically valid JSON.
func (e *Event) parse(f field, raw []byte) *FieldError {
	fail := func(reason string) *FieldError { return &FieldError{Field: f.String(), Reason: reason} }
	isNull := string(raw) == "null"
	if isNull && !f.required() {
		return nil
	}
	switch f {
	case fieldID, fieldSource, fieldSeverity, fieldAlertType, fieldProtocol, fieldTitle, fieldRuleID, fieldRawSHA256:
		s, ok := jsonString(raw)
		if !ok {
			return fail("must be a string, got " + kind(raw))
		}
		switch f {
		case fieldTitle:
			e.Title = s
		case fieldRuleID:
			e.RuleID = s
		case fieldRawSHA256:
			if s == "" {
				return fail("must be 64 lower-case hex digits, got \"\"")
			}
			e.RawSHA256 = s
		case fieldID:
			e.ID = s
		case fieldSource:
			e.Source = s
		case fieldSeverity:
			e.Severity = Severity(s)
		case fieldAlertType:
			e.AlertType = s
		case fieldProtocol:
			e.Protocol = s
		}

	case fieldChainID, fieldBlock:
		want := "must be an integer greater than 0"
		if f == fieldBlock {
			want = "must be a non-negative integer"
		}
		if kind(raw) != "number" {
			return fail(want + ", got " + kind(raw))
		}
		n, err := strconv.ParseUint(string(raw), 10, 64)
		if err != nil {
			return fail(want + " that fits in 64 bits, got " + literal(raw))
		}
		if f == fieldChainID {
			e.ChainID = n
		} else {
			e.Block = n
		}

	case fieldConfidence:
		if kind(raw) != "number" {
			return fail("must be a number between 0 and 1, got " + kind(raw))
		}
		c, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return fail("must be between 0 and 1, got " + literal(raw))
		}
		e.Confidence = c

	case fieldAddresses:
		if kind(raw) != "array" {
			return fail("must be an array of addresses, got " + kind(raw))
		}
		addrs, fe := parseAddressList("addresses", raw)
		if fe != nil {
			return fe
		}
		e.Addresses = addrs // nil for [], as absent: Encode omits an empty list

	case fieldAddressRoles:
		if kind(raw) != "object" {
			return fail("must be an object of address lists, got " + kind(raw))
		}
		var roles map[string][]common.Address
		for i := skipSpace(raw, 1); raw[i] == '"'; {
			end := stringEnd(raw, i)
			role, _ := jsonString(raw[i:end])
			i = skipSpace(raw, end) // at ':'
			i = skipSpace(raw, i+1) // at the value
			end = valueEnd(raw, i)
			val := raw[i:end]
			if i = skipSpace(raw, end); raw[i] == ',' {
				i = skipSpace(raw, i+1)
			}
			if !isRole(role) {
				return fail("unknown role " + quote(role) + ": must be one of attacker, victim, contract, related")
			}
			field := "address_roles." + role
			if _, dup := roles[role]; dup {
				return &FieldError{Field: field, Reason: "duplicate role"}
			}
			if kind(val) != "array" {
				return &FieldError{Field: field, Reason: "must be an array of addresses, got " + kind(val)}
			}
			list, fe := parseAddressList(field, val)
			if fe != nil {
				return fe
			}
			if roles == nil {
				roles = make(map[string][]common.Address, len(Roles))
			}
			roles[role] = list // nil for []: dropped below
		}
		for role, list := range roles {
			if len(list) == 0 {
				delete(roles, role)
			}
		}
		if len(roles) > 0 {
			e.AddressRoles = roles
		}

	case fieldTxHash:
		s, ok := jsonString(raw)
		if !ok {
			return fail("must be a string, got " + kind(raw))
		}
		var h common.Hash
		if !parseHex(s, h[:]) {
			return fail("must be a 0x-prefixed 32-byte hex hash, got " + quote(s))
		}
		e.TxHash = &h

	case fieldTimestamp:
		s, ok := jsonString(raw)
		if !ok {
			return fail("must be an RFC 3339 time string, got " + kind(raw))
		}
		var t time.Time
		if err := t.UnmarshalText([]byte(s)); err != nil {
			return fail("must be an RFC 3339 time, got " + quote(s))
		}
		e.Timestamp = t.UTC()

	case fieldMetadata:
		if kind(raw) != "object" {
			return fail("must be an object, got " + kind(raw))
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return fail("must be an object")
		}
		if len(m) > 0 {
			e.Metadata = m
		}
	}
	return nil
}

// parseAddressList parses raw, a JSON array known to be valid, as a list of addresses;
// field names the list in errors. It returns nil for an empty array.
func parseAddressList(field string, raw []byte) ([]common.Address, *FieldError) {
	var addrs []common.Address
	for i, n := skipSpace(raw, 1), 0; raw[i] != ']'; n++ {
		end := valueEnd(raw, i)
		el := raw[i:end]
		if i = skipSpace(raw, end); raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		s, ok := jsonString(el)
		if !ok {
			return nil, &FieldError{Field: field + "[" + strconv.Itoa(n) + "]", Reason: "must be a string, got " + kind(el)}
		}
		var a common.Address
		if reason := parseAddress(s, &a); reason != "" {
			return nil, &FieldError{Field: field + "[" + strconv.Itoa(n) + "]", Reason: reason}
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// jsonString decodes raw if it is a JSON string.
func jsonString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true // no escapes: the common case, one allocation
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// kind names the JSON type of a valid JSON value.
func kind(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// tokenKind names the JSON type of a token from json.Decoder.Token.
func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "array"
		}
		return "delimiter " + strconv.QuoteRune(rune(t))
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "number"
}

// parseAddress parses a 0x-prefixed 40-digit hex address into a. A mixed-case address
// must carry a valid EIP-55 checksum.
func parseAddress(s string, a *common.Address) string {
	if !parseHex(s, a[:]) {
		return "must be a 0x-prefixed 20-byte hex address, got " + quote(s)
	}
	var lower, upper bool
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'f':
			lower = true
		case 'A' <= c && c <= 'F':
			upper = true
		}
	}
	if lower && upper && a.Hex() != s {
		return "has an invalid EIP-55 checksum: " + quote(s)
	}
	return ""
}

// parseHex decodes s, "0x" followed by exactly 2*len(dst) hex digits, into dst.
func parseHex(s string, dst []byte) bool {
	if len(s) != 2+2*len(dst) || s[0] != '0' || s[1] != 'x' {
		return false
	}
	_, err := hex.Decode(dst, []byte(s[2:]))
	return err == nil
}

// trimJSONSpace removes JSON whitespace (space, tab, LF, CR) from both ends of b.
func trimJSONSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// invalidUTF8At returns the offset of the first invalid UTF-8 sequence in b.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}
