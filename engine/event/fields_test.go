package event

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// Tests of the optional fields that vendor adapters fill: title, rule_id,
// address_roles and raw_sha256.

const (
	attacker = "0x2439243727ac7d0bbfa962b6f21ca47a72eeb347"
	victim   = "0xba12222222228d8ba445958a75a0704d566bf2c8"
	other    = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
	sha      = "9f2c4a1e0b6d3f8a7c5e2b1d4f6a8c0e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a"
)

// withAddrs is with() plus an addresses list of attacker and victim.
func withAddrs(key, raw string) string {
	base := with("addresses", `["`+attacker+`","`+victim+`"]`)
	return strings.TrimSuffix(base, "}") + `,"` + key + `":` + raw + `}`
}

func TestDecodeRejectsVendorFields(t *testing.T) {
	tests := []struct {
		name  string
		input string
		field string
		want  string
	}{
		{"title number", with("title", `7`), "title", "must be a string, got number"},
		{"title too long", with("title", `"`+strings.Repeat("t", MaxTitleLen+1)+`"`), "title", "at most 200 bytes, got 201"},
		{"title newline", with("title", `"Vault\ndrained"`), "title", `printable text, got '\n' at byte 5`},
		{"title tab", with("title", `"a\tb"`), "title", "printable text"},
		{"title zero width joiner", with("title", `"a\u200db"`), "title", "printable text"},
		{"title DEL", with("title", `"a\u007fb"`), "title", "printable text"},
		{"rule_id object", with("rule_id", `{}`), "rule_id", "must be a string, got object"},
		{"rule_id too long", with("rule_id", `"`+strings.Repeat("r", MaxRuleIDLen+1)+`"`), "rule_id", "at most 200 bytes"},
		{"rule_id control", with("rule_id", `"A\u0000"`), "rule_id", "printable text"},

		{"address_roles array", withAddrs("address_roles", `[]`), "address_roles", "must be an object of address lists, got array"},
		{"address_roles unknown role", withAddrs("address_roles", `{"exploiter":["`+attacker+`"]}`), "address_roles", `unknown role "exploiter"`},
		{"address_roles role is case-sensitive", withAddrs("address_roles", `{"Attacker":["`+attacker+`"]}`), "address_roles", `unknown role "Attacker"`},
		{"address_roles duplicate role", withAddrs("address_roles", `{"victim":["`+victim+`"],"victim":["`+victim+`"]}`), "address_roles.victim", "duplicate role"},
		{"address_roles role not an array", withAddrs("address_roles", `{"victim":"`+victim+`"}`), "address_roles.victim", "must be an array of addresses, got string"},
		{"address_roles bad address", withAddrs("address_roles", `{"victim":["`+victim+`","0x12"]}`), "address_roles.victim[1]", "20-byte hex address"},
		{"address_roles number", withAddrs("address_roles", `{"victim":[1]}`), "address_roles.victim[0]", "must be a string, got number"},
		{"address_roles bad checksum", withAddrs("address_roles", `{"victim":["0xBa12222222228d8ba445958a75a0704d566bf2c8"]}`), "address_roles.victim[0]", "EIP-55"},
		{"address_roles not in addresses", withAddrs("address_roles", `{"related":["`+other+`"]}`), "address_roles.related[0]", "is not in addresses"},
		{"address_roles without addresses", with("address_roles", `{"attacker":["`+attacker+`"]}`), "address_roles.attacker[0]", "is not in addresses"},
		{"address_roles duplicate address", withAddrs("address_roles", `{"attacker":["`+attacker+`","0x2439243727AC7D0BBFA962B6F21CA47A72EEB347"]}`), "address_roles.attacker[1]", "duplicate address"},
		{"address_roles too many", with("addresses", manyAddrs(MaxRoleAddresses+1))[:len(with("addresses", manyAddrs(MaxRoleAddresses+1)))-1] + `,"address_roles":{"related":` + manyAddrs(MaxRoleAddresses+1) + `}}`, "address_roles.related", "at most 64 addresses, got 65"},
		{"address_roles checked in canonical role order", withAddrs("address_roles", `{"related":["`+other+`"],"attacker":["`+other+`"]}`), "address_roles.attacker[0]", "is not in addresses"},

		{"raw_sha256 empty", with("raw_sha256", `""`), "raw_sha256", "64 lower-case hex digits"},
		{"raw_sha256 upper-case", with("raw_sha256", `"`+strings.ToUpper(sha)+`"`), "raw_sha256", "64 lower-case hex digits"},
		{"raw_sha256 0x-prefixed", with("raw_sha256", `"0x`+sha[2:]+`"`), "raw_sha256", "64 lower-case hex digits"},
		{"raw_sha256 short", with("raw_sha256", `"`+sha[:63]+`"`), "raw_sha256", "64 lower-case hex digits"},
		{"raw_sha256 number", with("raw_sha256", `1`), "raw_sha256", "must be a string"},

		{"title checked before addresses", `{"id":"e","source":"s","chain_id":1,"severity":"low","confidence":0,"alert_type":"a","protocol":"p","addresses":[1],"title":"\u0001"}`, "title", "printable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.input))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Decode = %v, want a *FieldError for %q", err, tt.field)
			}
			if fe.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not match ErrInvalid", err)
			}
		})
	}
}

func manyAddrs(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		var a common.Address
		a[18], a[19] = byte(i>>8), byte(i)
		a[0] = 1
		b.WriteString(`"` + strings.ToLower(a.Hex()) + `"`)
	}
	b.WriteByte(']')
	return b.String()
}

func TestDecodeAcceptsVendorFields(t *testing.T) {
	in := withAddrs("address_roles", `{"victim":["0xBA12222222228d8Ba445958a75a0704d566BF2C8"],"contract":[],"attacker":["`+attacker+`","`+victim+`"]}`)
	in = strings.TrimSuffix(in, "}") + `,"title":"Attack on 🔴 vault (ש)","rule_id":"ATTACK-DETECTOR-2","raw_sha256":"` + sha + `"}`
	e, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]common.Address{
		RoleAttacker: {common.HexToAddress(attacker), common.HexToAddress(victim)},
		RoleVictim:   {common.HexToAddress(victim)},
	}
	if !reflect.DeepEqual(e.AddressRoles, want) {
		t.Errorf("AddressRoles = %v, want %v (an empty role is dropped)", e.AddressRoles, want)
	}
	if e.Title != "Attack on 🔴 vault (ש)" || e.RuleID != "ATTACK-DETECTOR-2" || e.RawSHA256 != sha {
		t.Errorf("title %q rule_id %q raw_sha256 %q", e.Title, e.RuleID, e.RawSHA256)
	}
	assertRoundTrip(t, e)

	// Empty and null optional fields decode as absent.
	for _, raw := range []string{
		with("title", `""`), with("title", `null`), with("rule_id", `""`), with("rule_id", `null`),
		with("address_roles", `{}`), with("address_roles", `null`), with("address_roles", `{"victim":[]}`),
		with("raw_sha256", `null`),
	} {
		e, err := Decode([]byte(raw))
		if err != nil {
			t.Fatalf("Decode(%s): %v", raw, err)
		}
		if e.Title != "" || e.RuleID != "" || e.AddressRoles != nil || e.RawSHA256 != "" {
			t.Errorf("Decode(%s) set an optional field: %+v", raw, e)
		}
	}
}

func TestEncodeCanonicalVendorFields(t *testing.T) {
	e := validEvent()
	e.Metadata = nil
	e.TxHash = nil
	e.Block = 0
	e.Title = "Vault <drained> & paused"
	e.RuleID = "ATTACK-DETECTOR-2"
	e.Addresses = []common.Address{common.HexToAddress(attacker), common.HexToAddress(victim)}
	e.AddressRoles = map[string][]common.Address{
		RoleVictim:   {common.HexToAddress(victim)},
		RoleAttacker: {common.HexToAddress(attacker)},
	}
	e.RawSHA256 = sha
	got, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"evt-1","source":"custom","chain_id":1,"severity":"high","confidence":0.5,` +
		`"alert_type":"exploit","protocol":"demo-vault",` +
		`"title":"Vault <drained> & paused","rule_id":"ATTACK-DETECTOR-2",` +
		`"addresses":["0x2439243727Ac7D0BBfA962B6F21cA47a72eEB347","0xBA12222222228d8Ba445958a75a0704d566BF2C8"],` +
		`"address_roles":{"attacker":["0x2439243727Ac7D0BBfA962B6F21cA47a72eEB347"],"victim":["0xBA12222222228d8Ba445958a75a0704d566BF2C8"]},` +
		`"timestamp":"2026-11-25T12:00:00Z","raw_sha256":"` + sha + `"}`
	if string(got) != want {
		t.Errorf("Encode:\n got %s\nwant %s", got, want)
	}
	back, err := Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, e) {
		t.Errorf("round trip:\n got %#v\nwant %#v", back, e)
	}
}

func TestValidateVendorFields(t *testing.T) {
	a, v, o := common.HexToAddress(attacker), common.HexToAddress(victim), common.HexToAddress(other)
	tests := []struct {
		name   string
		modify func(e *Event)
		field  string
	}{
		{"all set", func(e *Event) {
			e.Title, e.RuleID, e.RawSHA256 = "t", "r", sha
			e.Addresses = []common.Address{a, v}
			e.AddressRoles = map[string][]common.Address{RoleAttacker: {a}, RoleVictim: {v}, RoleRelated: {a, v}}
		}, ""},
		{"empty roles map", func(e *Event) { e.AddressRoles = map[string][]common.Address{} }, ""},
		{"title at max", func(e *Event) { e.Title = strings.Repeat("é", MaxTitleLen/2) }, ""},
		{"title over max", func(e *Event) { e.Title = strings.Repeat("é", MaxTitleLen/2) + "x" }, "title"},
		{"title invalid utf-8", func(e *Event) { e.Title = "a\xffb" }, "title"},
		{"title U+FFFD is printable", func(e *Event) { e.Title = "a\uFFFDb" }, ""},
		{"rule_id line separator", func(e *Event) { e.RuleID = "a\u2028b" }, "rule_id"},
		{"role empty list", func(e *Event) { e.AddressRoles = map[string][]common.Address{RoleVictim: {}} }, "address_roles.victim"},
		{"role unknown key", func(e *Event) { e.AddressRoles = map[string][]common.Address{"owner": {e.Addresses[0]}} }, "address_roles"},
		{"role not in addresses", func(e *Event) { e.AddressRoles = map[string][]common.Address{RoleContract: {o}} }, "address_roles.contract[0]"},
		{"role duplicate", func(e *Event) {
			e.Addresses = []common.Address{a}
			e.AddressRoles = map[string][]common.Address{RoleAttacker: {a, a}}
		}, "address_roles.attacker[1]"},
		{"raw_sha256 bad", func(e *Event) { e.RawSHA256 = "abc" }, "raw_sha256"},
		{"order: protocol before title", func(e *Event) { e.Protocol = ""; e.Title = "\n" }, "protocol"},
		{"order: address_roles before timestamp", func(e *Event) {
			e.AddressRoles = map[string][]common.Address{RoleContract: {o}}
			e.Timestamp = e.Timestamp.AddDate(-3000, 0, 0)
		}, "address_roles.contract[0]"},
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
					t.Fatalf("Encode: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Validate = %v, want field %q", err, tt.field)
			}
		})
	}
}

func TestInputVendorFields(t *testing.T) {
	e := validEvent()
	a := common.HexToAddress(victim)
	e.Title, e.RuleID, e.RawSHA256 = "Title", "RULE-1", sha
	e.Addresses = append(e.Addresses, a)
	e.AddressRoles = map[string][]common.Address{RoleVictim: {a}}
	in := e.Input()
	if in["title"] != "Title" || in["rule_id"] != "RULE-1" || in["raw_sha256"] != sha {
		t.Errorf("Input title/rule_id/raw_sha256 = %v %v %v", in["title"], in["rule_id"], in["raw_sha256"])
	}
	want := map[string]any{"victim": []any{"0xBA12222222228d8Ba445958a75a0704d566BF2C8"}}
	if !reflect.DeepEqual(in["address_roles"], want) {
		t.Errorf("Input address_roles = %#v, want %#v", in["address_roles"], want)
	}
	e.Title, e.RuleID, e.RawSHA256, e.AddressRoles = "", "", "", nil
	for _, k := range []string{"title", "rule_id", "raw_sha256", "address_roles"} {
		if _, ok := e.Input()[k]; ok {
			t.Errorf("Input has %q for an unset field", k)
		}
	}
}
