package adapt

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Vendor payloads are read tolerantly: decoded into plain JSON values (numbers kept as
// json.Number) and searched by field name with a case- and separator-insensitive
// match, so "alertId", "alert_id" and "AlertID" are the same field, and a value
// documented as a string may be a number.

// obj is a decoded JSON object.
type obj map[string]any

// decodeJSON decodes data, which must be exactly one JSON value.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errorf(ErrMalformed, "not JSON: %s", shortErr(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errorf(ErrMalformed, "trailing data after the JSON value")
	}
	return v, nil
}

// decodeObject decodes data as one JSON object.
func decodeObject(data []byte) (obj, error) {
	v, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	o, ok := asObj(v)
	if !ok {
		return nil, errorf(ErrMalformed, "must be a JSON object, got %s", jsonKind(v))
	}
	return o, nil
}

// shortErr is err's message, cut for an error that may quote input.
func shortErr(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

func asObj(v any) (obj, bool) {
	m, ok := v.(map[string]any)
	return obj(m), ok
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "value"
}

// normKey folds a field name for matching: lower-case, without '_', '-' and ' '.
func normKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c == '-' || c == ' ':
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// keyEq reports whether a and b are equal once folded by normKey, without allocating.
func keyEq(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && (a[i] == '_' || a[i] == '-' || a[i] == ' ') {
			i++
		}
		for j < len(b) && (b[j] == '_' || b[j] == '-' || b[j] == ' ') {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		ca, cb := a[i], b[j]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
		i++
		j++
	}
}

// get returns the first of names that o has with a non-null value: an exact key first,
// then a key equal once folded by normKey (the smallest such key, for determinism).
func (o obj) get(names ...string) any {
	for _, n := range names {
		if v, ok := o[n]; ok && v != nil {
			return v
		}
	}
	for _, n := range names {
		var best string
		var found any
		for k, v := range o {
			if v != nil && keyEq(k, n) && (found == nil || k < best) {
				best, found = k, v
			}
		}
		if found != nil {
			return found
		}
	}
	return nil
}

// has reports whether o has any of names, even with a null value.
func (o obj) has(names ...string) bool {
	for _, n := range names {
		if _, ok := o[n]; ok {
			return true
		}
		for k := range o {
			if keyEq(k, n) {
				return true
			}
		}
	}
	return false
}

// str returns the field as text: a string as is, a number or boolean as its JSON text,
// "" for anything else.
func (o obj) str(names ...string) string { return text(o.get(names...)) }

// sub returns the field if it is an object.
func (o obj) sub(names ...string) obj {
	m, _ := asObj(o.get(names...))
	return m
}

// list returns the field if it is an array.
func (o obj) list(names ...string) []any {
	l, _ := o.get(names...).([]any)
	return l
}

// text returns a scalar JSON value as text.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// toUint reads a non-negative integer: a JSON number, or a string in decimal or
// 0x-prefixed hex.
func toUint(v any) (uint64, bool) {
	s := strings.TrimSpace(text(v))
	if s == "" {
		return 0, false
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		n, err := strconv.ParseUint(s[2:], 16, 64)
		return n, err == nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err == nil {
		return n, true
	}
	// A float with an integral value (1.0, 1e3), as some JSON encoders write.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f > 1<<53 {
		return 0, false
	}
	return uint64(f), true
}

// toTime reads a time: an RFC 3339 string (with or without fractional seconds), or a
// Unix time in seconds or milliseconds as a number or a string of digits.
func toTime(v any) (time.Time, bool) {
	s := strings.TrimSpace(text(v))
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return validTime(t)
	}
	if n, ok := toUint(v); ok {
		return unixTime(n)
	}
	return time.Time{}, false
}

// unixTime reads n as Unix seconds, or as milliseconds when it is too large to be
// seconds before the year 5138.
func unixTime(n uint64) (time.Time, bool) {
	if n > 1<<53 {
		return time.Time{}, false
	}
	if n >= 1e11 {
		return validTime(time.UnixMilli(int64(n)).UTC())
	}
	return validTime(time.Unix(int64(n), 0).UTC())
}

// validTime keeps t only within the years an Event accepts.
func validTime(t time.Time) (time.Time, bool) {
	t = t.UTC()
	if t.IsZero() || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// toAddress reads a 0x-prefixed 40-digit hex address in any case: vendors send
// lower-case, checksummed and wrongly cased addresses alike.
func toAddress(s string) (common.Address, bool) {
	s = strings.TrimSpace(s)
	var a common.Address
	if len(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return a, false
	}
	if _, err := hex.Decode(a[:], []byte(s[2:])); err != nil {
		return a, false
	}
	return a, true
}

// toHash reads a 0x-prefixed 64-digit hex hash.
func toHash(s string) (common.Hash, bool) {
	s = strings.TrimSpace(s)
	var h common.Hash
	if len(s) != 66 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return h, false
	}
	if _, err := hex.Decode(h[:], []byte(s[2:])); err != nil {
		return h, false
	}
	return h, true
}

// addressesIn returns the addresses in v: a string holding one or more addresses
// separated by commas or spaces, a list of such strings, or a list of objects with an
// "address" field.
func addressesIn(v any) []common.Address {
	var out []common.Address
	switch v := v.(type) {
	case string:
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }) {
			if a, ok := toAddress(f); ok {
				out = append(out, a)
			}
		}
	case []any:
		for i, e := range v {
			if i >= maxScan {
				break
			}
			if o, ok := asObj(e); ok {
				if a, ok := toAddress(o.str("address")); ok {
					out = append(out, a)
				}
				continue
			}
			out = append(out, addressesIn(text(e))...)
		}
	}
	return out
}

// maxScan bounds how many elements of one vendor list are looked at for addresses.
const maxScan = 1024

// textAddresses finds the 0x-prefixed 40-digit hex tokens in free text (template
// messages), skipping longer hex runs such as transaction hashes.
func textAddresses(s string) []common.Address {
	var out []common.Address
	for _, tok := range hexTokens(s) {
		if a, ok := toAddress(tok); ok {
			out = append(out, a)
		}
	}
	return out
}

// textHashes finds the 0x-prefixed 64-digit hex tokens in free text.
func textHashes(s string) []common.Hash {
	var out []common.Hash
	for _, tok := range hexTokens(s) {
		if h, ok := toHash(tok); ok {
			out = append(out, h)
		}
	}
	return out
}

// hexTokens returns the maximal runs "0x" + hex digits in s.
func hexTokens(s string) []string {
	var out []string
	for i := 0; i+1 < len(s) && len(out) < maxScan; i++ {
		if s[i] != '0' || (s[i+1] != 'x' && s[i+1] != 'X') || (i > 0 && isHexDigit(s[i-1])) {
			continue
		}
		j := i + 2
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
		if j-i > 2 {
			out = append(out, s[i:j])
		}
		i = j - 1
	}
	return out
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
