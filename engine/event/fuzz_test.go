package event

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDecode checks, for any input, that Decode does not panic, that every error it
// returns matches ErrInvalid (ErrTooLarge does too), and that an accepted event is
// valid and survives Encode and Decode unchanged.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(with("metadata", `{"a":[1,-0,1e-400,{"b":null}],"c":"\u00e9\ud800"}`)))
	f.Add([]byte(with("confidence", `-0`)))
	f.Add([]byte(with("addresses", `["0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"]`)))
	f.Add([]byte(withAddrs("address_roles", `{"attacker":["`+attacker+`"],"victim":[],"related":["`+attacker+`","`+victim+`"]}`)))
	f.Add([]byte(with("title", `"\u00e9 \ud83d\udd34 vault"`)))
	f.Add([]byte(with("raw_sha256", `"`+sha+`"`)))

	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			if n := len(err.Error()); n > 300 {
				t.Fatalf("error is %d bytes long", n)
			}
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("decoded event is invalid: %v", err)
		}
		enc, err := e.Encode()
		if err != nil {
			t.Fatalf("Encode of a decoded event: %v", err)
		}
		back, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(e)): %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("round trip changed the event:\n got %#v\nwant %#v", back, e)
		}
		_ = e.Input()
	})
}
