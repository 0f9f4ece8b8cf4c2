package audit

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseRecord: any input either parses into a record that encodes
// back to exactly the input, or is rejected with an error; never a panic.
func FuzzParseRecord(f *testing.F) {
	for _, line := range buildChain(f, 3, testKey()) {
		f.Add(line)
	}
	f.Add([]byte(`{"seq":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRecord(data)
		if err != nil {
			return
		}
		again, err := r.Encode()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted a record that does not encode back to itself:\n%s\n%s", data, again)
		}
	})
}

// FuzzVerifyFile: any file verifies or names a record; never a panic.
func FuzzVerifyFile(f *testing.F) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "export.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add(fixture[:len(fixture)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := VerifyFile(bytes.NewReader(data), VerifyOptions{PublicKey: testKey().Public().(ed25519.PublicKey)})
		if err == nil && rep.Records > 0 && rep.Signed != rep.Records {
			t.Fatalf("verified unsigned records with a public key: %+v", rep)
		}
	})
}
