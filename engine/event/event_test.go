package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// baseFields is a valid event as ordered key/raw-value pairs, for building test input.
var baseFields = [][2]string{
	{"id", `"evt-1"`},
	{"source", `"custom"`},
	{"chain_id", `1`},
	{"severity", `"high"`},
	{"confidence", `0.5`},
	{"alert_type", `"exploit"`},
	{"protocol", `"demo-vault"`},
	{"timestamp", `"2026-11-25T12:00:00Z"`},
}

// with returns baseFields as a JSON object with key set to raw (added at the end if
// new), or removed if raw is "".
func with(key, raw string) string {
	var b strings.Builder
	b.WriteByte('{')
	found := false
	sep := ""
	write := func(k, v string) {
		b.WriteString(sep + `"` + k + `":` + v)
		sep = ","
	}
	for _, kv := range baseFields {
		if kv[0] == key {
			found = true
			if raw != "" {
				write(key, raw)
			}
			continue
		}
		write(kv[0], kv[1])
	}
	if !found && raw != "" {
		write(key, raw)
	}
	b.WriteByte('}')
	return b.String()
}

func validEvent() Event {
	h := common.HexToHash("0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0")
	return Event{
		ID:         "evt-1",
		Source:     "custom",
		ChainID:    1,
		Severity:   SeverityHigh,
		Confidence: 0.5,
		AlertType:  "exploit",
		Protocol:   "demo-vault",
		Addresses:  []common.Address{common.HexToAddress("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")},
		TxHash:     &h,
		Block:      21306058,
		Timestamp:  time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		Metadata:   map[string]any{"value": json.Number("434924400")},
	}
}

func TestDecodeRejects(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		name  string
		input string
		field string // "" for errors about the input as a whole
		want  string // substring of the message
	}{
		{"empty", ``, "", "empty input"},
		{"whitespace only", " \n\t ", "", "empty input"},
		{"not an object", `[1,2]`, "", "must be a JSON object, got array"},
		{"string", `"id"`, "", "must be a JSON object, got string"},
		{"null", `null`, "", "must be a JSON object, got null"},
		{"syntax error", `{"id": "evt-1",}`, "", "malformed JSON at byte offset"},
		{"truncated", `{"id": "evt-1"`, "", "malformed JSON at byte offset 14: unexpected end of JSON input"},
		{"truncated in value", `{"id": "evt`, "", "malformed JSON at byte offset 11: unexpected end of JSON input"},
		{"open brace only", `{`, "", "unexpected end of JSON input"},
		{"non-string key", `{1:2}`, "", "malformed JSON at byte offset 1"},
		{"too deep", `{"metadata":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "", "exceeded max depth"},
		{"trailing object", with("id", `"evt-1"`) + `{}`, "", "trailing data"},
		{"trailing garbage", with("id", `"evt-1"`) + ` x`, "", "trailing data"},
		{"invalid utf-8", with("id", "\"evt-\xff\""), "", "not valid UTF-8"},
		{"unknown field", with("summary", `"x"`), "summary", "unknown field"},
		{"case-insensitive match is unknown", with("ID", `"x"`), "ID", "unknown field"},
		{"duplicate field", `{"id":"a","id":"b"}`, "id", "duplicate field"},

		{"missing id", with("id", ""), "id", "is required"},
		{"id null", with("id", `null`), "id", "must be a string, got null"},
		{"id number", with("id", `7`), "id", "must be a string, got number"},
		{"id empty", with("id", `""`), "id", "is required"},
		{"id with space", with("id", `"evt 1"`), "id", "without spaces"},
		{"id with newline", with("id", `"evt\n1"`), "id", `'\n' at byte 3`},
		{"id non-ascii", with("id", `"évt"`), "id", "printable ASCII"},
		{"id too long", with("id", `"`+strings.Repeat("x", 201)+`"`), "id", "at most 200 bytes"},

		{"missing source", with("source", ""), "source", "is required"},
		{"source upper-case", with("source", `"Forta"`), "source", `must match [a-z0-9._-]{1,64}, got "Forta"`},
		{"source too long", with("source", `"`+long+`"`), "source", "at most 64"},
		{"source object", with("source", `{}`), "source", "got object"},

		{"missing chain_id", with("chain_id", ""), "chain_id", "is required"},
		{"chain_id zero", with("chain_id", `0`), "chain_id", "greater than 0"},
		{"chain_id negative", with("chain_id", `-1`), "chain_id", "got -1"},
		{"chain_id fraction", with("chain_id", `1.5`), "chain_id", "got 1.5"},
		{"chain_id exponent", with("chain_id", `1e3`), "chain_id", "got 1e3"},
		{"chain_id overflow", with("chain_id", `18446744073709551616`), "chain_id", "fits in 64 bits"},
		{"chain_id string", with("chain_id", `"1"`), "chain_id", "got string"},

		{"missing severity", with("severity", ""), "severity", "is required"},
		{"severity upper-case", with("severity", `"CRITICAL"`), "severity", `got "CRITICAL"`},
		{"severity unknown", with("severity", `"severe"`), "severity", "one of info, low, medium, high, critical"},
		{"severity number", with("severity", `4`), "severity", "got number"},

		{"missing confidence", with("confidence", ""), "confidence", "is required"},
		{"confidence above 1", with("confidence", `1.7`), "confidence", "must be between 0 and 1, got 1.7"},
		{"confidence negative", with("confidence", `-0.1`), "confidence", "got -0.1"},
		{"confidence overflow", with("confidence", `1e400`), "confidence", "got 1e400"},
		{"confidence string", with("confidence", `"0.5"`), "confidence", "got string"},
		{"confidence null", with("confidence", `null`), "confidence", "got null"},

		{"missing alert_type", with("alert_type", ""), "alert_type", "is required"},
		{"alert_type with space", with("alert_type", `"compromised key"`), "alert_type", "must match"},

		{"missing protocol", with("protocol", ""), "protocol", "is required"},
		{"protocol slash", with("protocol", `"aave/v3"`), "protocol", "must match"},

		{"addresses object", with("addresses", `{}`), "addresses", "must be an array"},
		{"addresses string", with("addresses", `"0x2439243727ac7d0bbfa962b6f21ca47a72eeb347"`), "addresses", "must be an array"},
		{"address short", with("addresses", `["0x2439243727ac7d0bbfa962b6f21ca47a72eeb347","0x1234"]`), "addresses[1]", "20-byte hex address"},
		{"address non-hex", with("addresses", `["0x2439243727ac7d0bbfa962b6f21ca47a72eeb347","0x2439243727ac7d0bbfa962b6f21ca47a72eeb347","0xg439243727ac7d0bbfa962b6f21ca47a72eeb347"]`), "addresses[2]", "hex address"},
		{"address without 0x", with("addresses", `["2439243727ac7d0bbfa962b6f21ca47a72eeb347aa"]`), "addresses[0]", "0x-prefixed"},
		{"address 0X", with("addresses", `["0X2439243727ac7d0bbfa962b6f21ca47a72eeb347"]`), "addresses[0]", "0x-prefixed"},
		{"address bad checksum", with("addresses", `["0xa0B86991c6218b36c1d19D4a2e9Eb0cE3606eB48"]`), "addresses[0]", "EIP-55"},
		{"address number", with("addresses", `[1]`), "addresses[0]", "must be a string, got number"},
		{"address null", with("addresses", `[null]`), "addresses[0]", "got null"},

		{"tx_hash short", with("tx_hash", `"0xa39d"`), "tx_hash", "32-byte hex hash"},
		{"tx_hash number", with("tx_hash", `1`), "tx_hash", "got number"},

		{"block negative", with("block", `-1`), "block", "non-negative integer"},
		{"block string", with("block", `"0x1451aca"`), "block", "got string"},

		{"missing timestamp", with("timestamp", ""), "timestamp", "is required"},
		{"timestamp unix number", with("timestamp", `1764072000`), "timestamp", "got number"},
		{"timestamp not rfc3339", with("timestamp", `"2026-11-25 12:00:00"`), "timestamp", "RFC 3339"},
		{"timestamp no zone", with("timestamp", `"2026-11-25T12:00:00"`), "timestamp", "RFC 3339"},
		{"timestamp zero", with("timestamp", `"0001-01-01T00:00:00Z"`), "timestamp", "is required"},
		{"timestamp year 10000 in UTC", with("timestamp", `"9999-12-31T23:59:59-01:00"`), "timestamp", "years 1 and 9999"},

		{"metadata array", with("metadata", `[]`), "metadata", "must be an object, got array"},
		{"metadata string", with("metadata", `"k=v"`), "metadata", "got string"},
		{"metadata too many keys", with("metadata", manyKeys(MaxMetadataKeys+1)), "metadata", "at most 64 keys, got 65"},
		{"metadata too deep", with("metadata", `{"a":`+strings.Repeat("[", MaxMetadataDepth)+strings.Repeat("]", MaxMetadataDepth)+`}`), "metadata", "nested deeper than 32"},

		{"first field in fixed order wins", `{"timestamp":1,"confidence":7,"id":""}`, "id", "is required"},
		{"type error before later range error", `{"protocol":"x","chain_id":0,"id":3}`, "id", "must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode([]byte(tt.input))
			if err == nil {
				t.Fatalf("Decode(%s) = %+v, want error", tt.input, e)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q does not match ErrInvalid", err)
			}
			if !reflect.DeepEqual(e, Event{}) {
				t.Errorf("Decode returned a non-zero Event with an error: %+v", e)
			}
			var fe *FieldError
			if errors.As(err, &fe) {
				if fe.Field != tt.field {
					t.Errorf("field = %q, want %q (error %q)", fe.Field, tt.field, err)
				}
			} else if tt.field != "" {
				t.Errorf("error %q is not a *FieldError, want field %q", err, tt.field)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strings.Repeat("x", i) + `":1`)
	}
	b.WriteByte('}')
	return b.String()
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, e Event)
	}{
		{"minimal", with("id", `"evt-1"`), func(t *testing.T, e Event) {
			if e.Addresses != nil || e.TxHash != nil || e.Block != 0 || e.Metadata != nil {
				t.Errorf("optional fields set: %+v", e)
			}
		}},
		{"surrounding whitespace", " \n" + with("id", `"evt-1"`) + "\r\n\t ", nil},
		{"escaped key and value", strings.Replace(with("id", `"evt\u002d1"`), `"source"`, `"sour\u0063e"`, 1), func(t *testing.T, e Event) {
			if e.ID != "evt-1" || e.Source != "custom" {
				t.Errorf("got id %q source %q", e.ID, e.Source)
			}
		}},
		{"confidence bounds", with("confidence", `1`), func(t *testing.T, e Event) {
			if e.Confidence != 1 {
				t.Errorf("confidence = %v", e.Confidence)
			}
		}},
		{"confidence zero", with("confidence", `0`), nil},
		{"null optionals", with("addresses", `null`)[:len(with("addresses", `null`))-1] + `,"tx_hash":null,"block":null,"metadata":null}`, func(t *testing.T, e Event) {
			if e.Addresses != nil || e.TxHash != nil || e.Block != 0 || e.Metadata != nil {
				t.Errorf("optional fields set: %+v", e)
			}
		}},
		{"empty optionals are nil", with("addresses", `[]`)[:len(with("addresses", `[]`))-1] + `,"metadata":{}}`, func(t *testing.T, e Event) {
			if e.Addresses != nil || e.Metadata != nil {
				t.Errorf("empty addresses/metadata not nil: %#v %#v", e.Addresses, e.Metadata)
			}
		}},
		{"addresses lower, upper, checksummed", with("addresses", `["0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","0xA0B86991C6218B36C1D19D4A2E9EB0CE3606EB48","0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"]`), func(t *testing.T, e Event) {
			want := common.HexToAddress("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")
			for i, a := range e.Addresses {
				if a != want {
					t.Errorf("addresses[%d] = %s", i, a)
				}
			}
		}},
		{"timestamp offset becomes UTC", with("timestamp", `"2026-11-25T13:00:00.5+01:00"`), func(t *testing.T, e Event) {
			want := time.Date(2026, 11, 25, 12, 0, 0, 5e8, time.UTC)
			if !e.Timestamp.Equal(want) || e.Timestamp.Location() != time.UTC {
				t.Errorf("timestamp = %v, want %v", e.Timestamp, want)
			}
		}},
		{"metadata numbers keep their text", with("metadata", `{"wei":115792089237316195423570985008687907853269984665640564039457584007913129639935,"f":1.50}`), func(t *testing.T, e Event) {
			if got := e.Metadata["wei"]; got != json.Number("115792089237316195423570985008687907853269984665640564039457584007913129639935") {
				t.Errorf("wei = %#v", got)
			}
			if got := e.Metadata["f"]; got != json.Number("1.50") {
				t.Errorf("f = %#v", got)
			}
		}},
		{"metadata at max keys and depth", with("metadata", manyKeys(MaxMetadataKeys)), nil},
		{"metadata at max depth", with("metadata", `{"a":`+strings.Repeat("[", MaxMetadataDepth-1)+strings.Repeat("]", MaxMetadataDepth-1)+`}`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode([]byte(tt.input))
			if err != nil {
				t.Fatalf("Decode(%s): %v", tt.input, err)
			}
			if err := e.Validate(); err != nil {
				t.Errorf("Validate after Decode: %v", err)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
			assertRoundTrip(t, e)
		})
	}
}

func TestDecodeTooLarge(t *testing.T) {
	data := []byte(with("metadata", `{"pad":"`+strings.Repeat("x", MaxSize)+`"}`))
	_, err := Decode(data)
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrTooLarge wrapping ErrInvalid", err)
	}
	// Exactly MaxSize is fine.
	pad := MaxSize - len(with("metadata", `{"pad":""}`))
	data = []byte(with("metadata", `{"pad":"`+strings.Repeat("x", pad)+`"}`))
	if len(data) != MaxSize {
		t.Fatalf("test input is %d bytes", len(data))
	}
	if _, err := Decode(data); err != nil {
		t.Fatalf("Decode of exactly MaxSize bytes: %v", err)
	}
}

// TestDecodeRejectsWhatEncodeWouldNot covers input that fits in MaxSize but whose
// canonical encoding would not: encoding/json writes U+2028 as the 6-byte "\u2028".
func TestDecodeRejectsWhatEncodeWouldNot(t *testing.T) {
	for _, tt := range []struct {
		name string
		char string // one U+2028 in the input
		n    int
	}{
		{"raw U+2028", "\u2028", 20000},     // 3 bytes in, 6 out
		{"escaped U+2028", `\u2028`, 10000}, // 6 bytes in, 6 out: fits
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(with("metadata", `{"x":"`+strings.Repeat(tt.char, tt.n)+`"}`))
			if len(data) > MaxSize {
				t.Fatalf("test input is %d bytes", len(data))
			}
			e, err := Decode(data)
			if len(tt.char) == 3 {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("Decode = %v, want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertRoundTrip(t, e)
		})
	}
}

// TestErrorsDoNotEchoInput checks that hostile input never ends up whole in an error.
func TestErrorsDoNotEchoInput(t *testing.T) {
	big := strings.Repeat("A", 50000)
	inputs := []string{
		with("id", `"`+big+`"`),
		with("source", `"`+big+`"`),
		with(big, `1`),
		with("confidence", "1"+strings.Repeat("0", 50000)),
		with("chain_id", strings.Repeat("9", 50000)),
		with("timestamp", `"`+big+`"`),
		with("addresses", `["0x`+big+`"]`),
		with("tx_hash", `"`+big+`"`),
		with("severity", `"`+strings.Repeat("\x01", 10000)+`"`),
		with("id", `"evt-1"`) + big,
		`{"id":` + big + `}`,
		`{"` + big,
	}
	for i, in := range inputs {
		_, err := Decode([]byte(in))
		if err == nil {
			t.Errorf("input %d: no error", i)
			continue
		}
		if n := len(err.Error()); n > 250 {
			t.Errorf("input %d: error is %d bytes: %.300s", i, n, err)
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("input %d: %v does not match ErrInvalid", i, err)
		}
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	_, err := Decode([]byte(`{"id": "evt-1", "source": x}`))
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a wrapped *json.SyntaxError", err)
	}
	if want := `event: invalid: malformed JSON at byte offset 26: invalid character 'x' looking for beginning of value`; err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
}

func TestFieldErrorMessage(t *testing.T) {
	_, err := Decode([]byte(with("confidence", `1.7`)))
	if want := `event: field "confidence": must be between 0 and 1, got 1.7`; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "confidence" {
		t.Fatalf("errors.As: %#v", fe)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatal("not ErrInvalid")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(e *Event)
		field  string // "" for valid
	}{
		{"valid", func(e *Event) {}, ""},
		{"valid minimal", func(e *Event) { e.Addresses, e.TxHash, e.Block, e.Metadata = nil, nil, 0, nil }, ""},
		{"zero event reports id first", func(e *Event) { *e = Event{} }, "id"},
		{"id tab", func(e *Event) { e.ID = "a\tb" }, "id"},
		{"id DEL", func(e *Event) { e.ID = "a\x7f" }, "id"},
		{"source empty", func(e *Event) { e.Source = "" }, "source"},
		{"chain_id zero", func(e *Event) { e.ChainID = 0 }, "chain_id"},
		{"severity empty", func(e *Event) { e.Severity = "" }, "severity"},
		{"severity title-case", func(e *Event) { e.Severity = "High" }, "severity"},
		{"confidence NaN", func(e *Event) { e.Confidence = math.NaN() }, "confidence"},
		{"confidence +Inf", func(e *Event) { e.Confidence = math.Inf(1) }, "confidence"},
		{"alert_type upper", func(e *Event) { e.AlertType = "EXPLOIT" }, "alert_type"},
		{"protocol empty", func(e *Event) { e.Protocol = "" }, "protocol"},
		{"timestamp zero", func(e *Event) { e.Timestamp = time.Time{} }, "timestamp"},
		{"timestamp year 10000", func(e *Event) { e.Timestamp = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "timestamp"},
		{"timestamp local zone ok", func(e *Event) { e.Timestamp = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600)) }, ""},
		{"metadata too many keys", func(e *Event) {
			e.Metadata = map[string]any{}
			for i := range MaxMetadataKeys + 1 {
				e.Metadata[strings.Repeat("k", i+1)] = i
			}
		}, "metadata"},
		{"metadata Go types ok", func(e *Event) {
			e.Metadata = map[string]any{"i": 1, "i64": int64(-2), "u64": uint64(3), "f": 1.5, "ss": []string{"a"}, "ms": map[string]string{"a": "b"}, "n": nil, "b": true, "l": []any{"x", json.Number("1")}}
		}, ""},
		{"metadata NaN", func(e *Event) { e.Metadata = map[string]any{"x": math.NaN()} }, "metadata"},
		{"metadata bad json.Number", func(e *Event) { e.Metadata = map[string]any{"x": json.Number("0x10")} }, "metadata"},
		{"metadata unsupported type", func(e *Event) { e.Metadata = map[string]any{"x": struct{}{}} }, "metadata"},
		{"metadata int32 unsupported", func(e *Event) { e.Metadata = map[string]any{"x": int32(1)} }, "metadata"},
		{"metadata invalid utf-8", func(e *Event) { e.Metadata = map[string]any{"x": "\xff"} }, "metadata"},
		{"metadata cycle", func(e *Event) {
			m := map[string]any{}
			m["self"] = m
			e.Metadata = m
		}, "metadata"},
		{"order: source before metadata", func(e *Event) { e.Source = "X"; e.Metadata = map[string]any{"x": struct{}{}} }, "source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEvent()
			tt.modify(&e)
			err := e.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if _, err := e.Encode(); err != nil {
					t.Fatalf("Encode of a valid event: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate = %v, want *FieldError for %q", err, tt.field)
			}
			if fe.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tt.field, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not match ErrInvalid", err)
			}
			if _, encErr := e.Encode(); !reflect.DeepEqual(encErr, err) {
				t.Errorf("Encode error = %v, want Validate's %v", encErr, err)
			}
		})
	}
}

// assertRoundTrip checks that a decoded event survives Encode and Decode unchanged.
func assertRoundTrip(t *testing.T, e Event) {
	t.Helper()
	data, err := e.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode(Encode(e)): %v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, e) {
		t.Fatalf("round trip changed the event:\n got %#v\nwant %#v\njson %s", back, e, data)
	}
	again, err := back.Encode()
	if err != nil || !bytes.Equal(again, data) {
		t.Fatalf("Encode is not stable: %s\n%s (%v)", data, again, err)
	}
}

func TestFixtures(t *testing.T) {
	// The field each invalid fixture must be rejected for; "" for a whole-input error.
	invalid := map[string]string{
		"invalid_address.json":               "addresses[2]",
		"invalid_chain_id_string.json":       "chain_id",
		"invalid_confidence.json":            "confidence",
		"invalid_duplicate_key.json":         "severity",
		"invalid_missing_timestamp.json":     "timestamp",
		"invalid_severity_uppercase.json":    "severity",
		"invalid_trailing_data.json":         "",
		"invalid_truncated.json":             "",
		"invalid_unknown_field.json":         "summary",
		"invalid_role_not_in_addresses.json": "address_roles.victim[0]",
		"invalid_unknown_role.json":          "address_roles",
		"invalid_raw_sha256_upper.json":      "raw_sha256",
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	seen := 0
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Decode(data)
			want, isInvalid := invalid[name]
			if !isInvalid {
				if strings.HasPrefix(name, "invalid_") {
					t.Fatalf("fixture %s has no expected field in the test table", name)
				}
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				assertRoundTrip(t, e)
				return
			}
			seen++
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Decode = %v, want ErrInvalid", err)
			}
			var fe *FieldError
			switch {
			case errors.As(err, &fe) && fe.Field != want:
				t.Errorf("field = %q, want %q (%v)", fe.Field, want, err)
			case fe == nil && want != "":
				t.Errorf("error %v is not a *FieldError for %q", err, want)
			}
		})
	}
	if seen != len(invalid) {
		t.Errorf("found %d of the %d invalid fixtures", seen, len(invalid))
	}
}

func TestFixtureContents(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "low_severity.json"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	h := common.HexToHash("0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0")
	want := Event{
		ID:         "oz-monitor/ethereum_mainnet/0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0/0",
		Source:     "oz-monitor",
		ChainID:    1,
		Severity:   SeverityLow,
		Confidence: 0.3,
		AlertType:  "anomalous-outflow",
		Protocol:   "demo-vault",
		Addresses:  []common.Address{common.HexToAddress("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")},
		TxHash:     &h,
		Block:      21306058,
		Timestamp:  time.Date(2024, 11, 30, 8, 14, 23, 0, time.UTC),
		Metadata: map[string]any{
			"monitor":          "Large Transfer of USDC Token",
			"signature":        "transfer(address,uint256)",
			"value":            json.Number("434924400"),
			"threshold":        json.Number("10000000000"),
			"total_supply_wei": json.Number("115792089237316195423570985008687907853269984665640564039457584007913129639935"),
			"networks":         []any{"ethereum_mainnet"},
			"paused":           false,
			"expression":       nil,
		},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got  %#v\nwant %#v", e, want)
	}
}

func TestEncodeCanonical(t *testing.T) {
	e := validEvent()
	e.Timestamp = time.Date(2026, 11, 25, 13, 0, 0, 123000000, time.FixedZone("CET", 3600))
	e.Metadata = map[string]any{"z": "<&>", "a": json.Number("1.50"), "m": 2, "f": 0.25}
	got, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"evt-1","source":"custom","chain_id":1,"severity":"high","confidence":0.5,` +
		`"alert_type":"exploit","protocol":"demo-vault",` +
		`"addresses":["0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"],` +
		`"tx_hash":"0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0",` +
		`"block":21306058,"timestamp":"2026-11-25T12:00:00.123Z",` +
		`"metadata":{"a":1.50,"f":0.25,"m":2,"z":"<&>"}}`
	if string(got) != want {
		t.Errorf("Encode:\n got %s\nwant %s", got, want)
	}
}

func TestEncodeTooLarge(t *testing.T) {
	e := validEvent()
	e.Metadata = map[string]any{"pad": strings.Repeat("x", MaxSize)}
	if _, err := e.Encode(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Encode = %v, want ErrTooLarge", err)
	}
}

func TestJSONMarshalers(t *testing.T) {
	type record struct {
		Seq   int   `json:"seq"`
		Event Event `json:"event"`
	}
	in := record{Seq: 7, Event: validEvent()}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"addresses":["0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"]`)) {
		t.Errorf("embedded event is not in canonical form: %s", data)
	}
	var out record
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("got %#v\nwant %#v", out, in)
	}

	// Strict decoding applies inside other documents too.
	err = json.Unmarshal([]byte(`{"seq":1,"event":`+with("extra", `1`)+`}`), &out)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "extra" {
		t.Errorf("Unmarshal = %v, want unknown field error", err)
	}
	bad := validEvent()
	bad.Confidence = 2
	if _, err := json.Marshal(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("Marshal of an invalid event = %v, want ErrInvalid", err)
	}
}

func TestInput(t *testing.T) {
	e := validEvent()
	e.Timestamp = time.Date(2026, 11, 25, 13, 0, 0, 5, time.FixedZone("CET", 3600))
	got := e.Input()
	want := map[string]any{
		"id":             "evt-1",
		"source":         "custom",
		"chain_id":       uint64(1),
		"severity":       "high",
		"confidence":     0.5,
		"alert_type":     "exploit",
		"protocol":       "demo-vault",
		"addresses":      []any{"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
		"tx_hash":        "0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0",
		"block":          uint64(21306058),
		"timestamp":      "2026-11-25T12:00:00.000000005Z",
		"timestamp_unix": int64(1795608000),
		"metadata":       map[string]any{"value": json.Number("434924400")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Input:\n got %#v\nwant %#v", got, want)
	}

	// Optional fields are absent when unset, as in the JSON.
	e.Addresses, e.TxHash, e.Block, e.Metadata = nil, nil, 0, nil
	for _, k := range []string{"addresses", "tx_hash", "block", "metadata"} {
		if _, ok := e.Input()[k]; ok {
			t.Errorf("Input has %q for an unset field", k)
		}
	}
}

// TestInputMatchesJSON checks that Input is what a policy would see if it read the
// canonical JSON (with numbers as json.Number), plus timestamp_unix.
func TestInputMatchesJSON(t *testing.T) {
	for _, name := range []string{"critical_exploit.json", "low_severity.json", "attack_with_roles.json"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			e, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := e.Encode()
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(enc))
			dec.UseNumber()
			var fromJSON map[string]any
			if err := dec.Decode(&fromJSON); err != nil {
				t.Fatal(err)
			}
			in := e.Input()
			if _, ok := in["timestamp_unix"].(int64); !ok {
				t.Errorf("timestamp_unix = %#v, want int64", in["timestamp_unix"])
			}
			delete(in, "timestamp_unix")
			if len(in) != len(fromJSON) {
				t.Errorf("Input keys %d, JSON keys %d", len(in), len(fromJSON))
			}
			for k, v := range fromJSON {
				got := in[k]
				if n, ok := v.(json.Number); ok && k != "metadata" {
					if s := jsonNumberText(got); s != string(n) {
						t.Errorf("%s: Input %#v, JSON %s", k, got, n)
					}
					continue
				}
				if !reflect.DeepEqual(got, v) {
					t.Errorf("%s: Input %#v, JSON %#v", k, got, v)
				}
			}
		})
	}
}

func jsonNumberText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSeverity(t *testing.T) {
	order := []Severity{SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}
	for i, s := range order {
		if s.Rank() != i {
			t.Errorf("%s.Rank() = %d, want %d", s, s.Rank(), i)
		}
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		for j, min := range order {
			if got, want := s.AtLeast(min), i >= j; got != want {
				t.Errorf("%s.AtLeast(%s) = %v, want %v", s, min, got, want)
			}
		}
	}
	for _, bad := range []Severity{"", "CRITICAL", "High", "severe"} {
		if bad.Rank() != -1 || bad.Valid() {
			t.Errorf("%q: Rank %d Valid %v", bad, bad.Rank(), bad.Valid())
		}
		if bad.AtLeast(SeverityInfo) || SeverityCritical.AtLeast(bad) {
			t.Errorf("%q passes a threshold", bad)
		}
	}
}
