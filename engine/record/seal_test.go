package record

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func sampleIntent() Intent {
	return Intent{
		ID: "ev-0", EventID: "ev", Protocol: "demo", Type: "pause", Rule: "r", ChainID: 31337,
		To: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3"), Function: "pause()", Data: []byte{0x84, 0x56, 0xcb, 0x59}, Signer: "guardian",
	}
}

// A sealed intent verifies; a change to any field the MAC covers, a MAC
// from another key, or none at all does not.
func TestSealVerify(t *testing.T) {
	s, err := NewSealer(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	in := s.Seal(sampleIntent())
	if len(in.MAC) != 64 {
		t.Fatalf("MAC %q, want 64 hex characters", in.MAC)
	}
	if err := s.Verify(in); err != nil {
		t.Fatalf("Verify of a sealed intent: %v", err)
	}
	other, _ := NewSealer(testKey(2))
	tampered := map[string]func(*Intent){
		"id":        func(i *Intent) { i.ID = "ev-1" },
		"event id":  func(i *Intent) { i.EventID = "other" },
		"chain":     func(i *Intent) { i.ChainID = 1 },
		"to":        func(i *Intent) { i.To = common.HexToAddress("0x00000000000000000000000000000000000000aa") },
		"function":  func(i *Intent) { i.Function = "unpause()" },
		"data":      func(i *Intent) { i.Data = []byte{0x3f, 0x4b, 0xa8, 0x3a} },
		"signer":    func(i *Intent) { i.Signer = "admin" },
		"type":      func(i *Intent) { i.Type = "revoke_role" },
		"protocol":  func(i *Intent) { i.Protocol = "other" },
		"other key": func(i *Intent) { i.MAC = other.Seal(*i).MAC },
		"not hex":   func(i *Intent) { i.MAC = "zz" },
		// Moving bytes between neighbouring fields keeps their
		// concatenation; the length prefixes tell them apart.
		"shifted": func(i *Intent) { i.ID, i.EventID = "ev-0e", "v" },
	}
	for name, change := range tampered {
		t.Run(name, func(t *testing.T) {
			c := in
			change(&c)
			if err := s.Verify(c); !errors.Is(err, ErrBadMAC) {
				t.Fatalf("Verify = %v, want ErrBadMAC", err)
			}
		})
	}
	none := in
	none.MAC = ""
	if err := s.Verify(none); !errors.Is(err, ErrNoMAC) {
		t.Fatalf("Verify without a MAC = %v, want ErrNoMAC", err)
	}
	// Rule is descriptive: not covered.
	ruled := in
	ruled.Rule = "another rule"
	if err := s.Verify(ruled); err != nil {
		t.Fatalf("Verify with another rule name: %v", err)
	}
}

// After a rotation the new key seals and the previous one still verifies
// what it sealed; dropping it from the list ends that.
func TestSealerRotation(t *testing.T) {
	old, _ := NewSealer(testKey(1))
	sealedOld := old.Seal(sampleIntent())
	rotated, err := NewSealer(testKey(2), testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := rotated.Verify(sealedOld); err != nil {
		t.Fatalf("a record sealed with the previous key: %v", err)
	}
	sealedNew := rotated.Seal(sampleIntent())
	if sealedNew.MAC == sealedOld.MAC {
		t.Fatal("the rotated sealer seals with the previous key")
	}
	if err := old.Verify(sealedNew); !errors.Is(err, ErrBadMAC) {
		t.Fatalf("the old key verifies the new key's MAC: %v", err)
	}
	dropped, _ := NewSealer(testKey(2))
	if err := dropped.Verify(sealedOld); !errors.Is(err, ErrBadMAC) {
		t.Fatalf("after dropping the previous key: %v, want ErrBadMAC", err)
	}
	if _, err := NewSealer(testKey(1), []byte("short")); !errors.Is(err, ErrMACKey) {
		t.Fatalf("a short previous key: %v, want ErrMACKey", err)
	}
}

// The data folder's key is generated once, 0600, and read back the same;
// a key file others can read there is refused; errors never hold the key.
func TestLoadMACKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", MACKeyFile)
	if _, err := LoadMACKeyFile(path, false); err == nil {
		t.Fatal("a missing key file without create: no error")
	}
	k1, err := LoadMACKeyFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	k2, err := LoadMACKeyFile(path, true)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Fatalf("second load: %x, %v; want the same 32 bytes", k2, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadMACKeyFile(path, true); !errors.Is(err, ErrMACKey) || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("a world-readable data-folder key: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	secret := "not-hex-" + strings.Repeat("s3cr3t", 10)
	if err := os.WriteFile(bad, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadMACKeyFile(bad, false); !errors.Is(err, ErrMACKey) || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("a malformed key: %v", err)
	}
}

// BenchmarkVerify is what every signature costs in MAC checking.
func BenchmarkVerify(b *testing.B) {
	s, _ := NewSealer(testKey(1), testKey(2))
	in := s.Seal(sampleIntent())
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Verify(in); err != nil {
			b.Fatal(err)
		}
	}
}
