package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata fixtures")

func join(lines [][]byte) []byte { return append(bytes.Join(lines, []byte("\n")), '\n') }

// reseal recomputes a record's hash and signature after a change, as a
// forger who holds the key would.
func reseal(t *testing.T, line []byte, key ed25519.PrivateKey, change func(*Record)) []byte {
	t.Helper()
	r, err := ParseRecord(line)
	if err != nil {
		t.Fatal(err)
	}
	change(&r)
	r.Hash, r.Sig = "", ""
	if err := r.seal(key); err != nil {
		t.Fatal(err)
	}
	b, _ := r.Encode()
	return b
}

func TestVerifyFileNamesFirstBrokenRecord(t *testing.T) {
	key := testKey()
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	tests := []struct {
		name    string
		edit    func(lines [][]byte) [][]byte
		opts    VerifyOptions
		wantSeq uint64 // 0: verifies
		want    string
	}{
		{"intact", func(l [][]byte) [][]byte { return l }, VerifyOptions{}, 0, ""},
		{"intact and signed", func(l [][]byte) [][]byte { return l }, VerifyOptions{PublicKey: key.Public().(ed25519.PublicKey)}, 0, ""},
		{"altered", func(l [][]byte) [][]byte {
			l[2] = bytes.Replace(l[2], []byte(`"step"`), []byte(`"stop"`), 1)
			return l
		}, VerifyOptions{}, 3, "altered"},
		{"altered and re-hashed", func(l [][]byte) [][]byte {
			l[2] = reseal(t, l[2], key, func(r *Record) { r.Protocol = "other" })
			return l
		}, VerifyOptions{}, 4, "prev hash"},
		{"removed", func(l [][]byte) [][]byte { return append(l[:2:2], l[3:]...) }, VerifyOptions{}, 3, "missing"},
		{"reordered", func(l [][]byte) [][]byte {
			l[2], l[3] = l[3], l[2]
			return l
		}, VerifyOptions{}, 3, "missing or out of order"},
		{"repeated", func(l [][]byte) [][]byte { return append(l[:3:3], append([][]byte{l[2]}, l[3:]...)...) }, VerifyOptions{}, 4, "again"},
		{"first removed", func(l [][]byte) [][]byte { return l[1:] }, VerifyOptions{}, 1, "missing"},
		{"not canonical", func(l [][]byte) [][]byte {
			l[4] = bytes.Replace(l[4], []byte(`{"seq"`), []byte(`{ "seq"`), 1)
			return l
		}, VerifyOptions{}, 5, "canonical"},
		{"not JSON", func(l [][]byte) [][]byte {
			l[1] = []byte("garbage")
			return l
		}, VerifyOptions{}, 2, "malformed"},
		{"re-signed by another key", func(l [][]byte) [][]byte {
			l[5] = reseal(t, l[5], other, func(*Record) {})
			return l
		}, VerifyOptions{PublicKey: key.Public().(ed25519.PublicKey)}, 6, "not by the given key"},
		{"signature forged", func(l [][]byte) [][]byte {
			// The right key id, a signature by another key.
			r, _ := ParseRecord(l[5])
			pre, _ := r.preimage()
			r.Sig = hex.EncodeToString(ed25519.Sign(other, pre))
			l[5], _ = r.Encode()
			return l
		}, VerifyOptions{PublicKey: key.Public().(ed25519.PublicKey)}, 6, "bad signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := tt.edit(buildChain(t, 10, key))
			rep, err := VerifyFile(bytes.NewReader(join(lines)), tt.opts)
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("VerifyFile: %v", err)
				}
				if rep.Records != 10 || rep.LastSeq != 10 || rep.Signed != 10 {
					t.Errorf("report = %+v, want 10 signed records", rep)
				}
				return
			}
			var broken *BrokenError
			if !errors.As(err, &broken) || !errors.Is(err, ErrBroken) {
				t.Fatalf("err = %v, want a *BrokenError", err)
			}
			if broken.Seq != tt.wantSeq || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want record %d named, mentioning %q", err, tt.wantSeq, tt.want)
			}
		})
	}
}

func TestVerifyUnsignedWithKeyFails(t *testing.T) {
	key := testKey()
	_, err := VerifyFile(bytes.NewReader(join(buildChain(t, 3, nil))), VerifyOptions{PublicKey: key.Public().(ed25519.PublicKey)})
	var broken *BrokenError
	if !errors.As(err, &broken) || broken.Seq != 1 || !strings.Contains(err.Error(), "not signed") {
		t.Fatalf("err = %v, want record 1 not signed", err)
	}
}

// The fixture is an export a reader elsewhere verifies with only the
// public key in testdata/export.pub.
func TestVerifyFixture(t *testing.T) {
	path := filepath.Join("testdata", "export.jsonl")
	if *update {
		if err := os.WriteFile(path, join(buildChain(t, 7, testKey())), 0o644); err != nil {
			t.Fatal(err)
		}
		pub := hex.EncodeToString(testKey().Public().(ed25519.PublicKey))
		if err := os.WriteFile(filepath.Join("testdata", "export.pub"), []byte(pub+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pubText, err := os.ReadFile(filepath.Join("testdata", "export.pub"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(string(pubText))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := VerifyFile(f, VerifyOptions{PublicKey: pub})
	if err != nil || rep.Records != 7 || !rep.SignaturesChecked {
		t.Fatalf("VerifyFile = %+v, %v; want 7 verified signed records", rep, err)
	}
}

func TestParseKeys(t *testing.T) {
	seed, pub, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		ok         bool
	}{
		{"seed", seed, true},
		{"seed with 0x and newline", "0x" + seed + "\n", true},
		{"64-byte key", hex.EncodeToString(ed25519.NewKeyFromSeed(mustHex(t, seed))), true},
		{"not hex", "zz" + seed[2:], false},
		{"short", seed[:10], false},
		{"public half mismatch", seed + strings.Repeat("00", 32), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParsePrivateKey(tt.text)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrKey) || strings.Contains(err.Error(), seed[:16]) {
					t.Fatalf("err = %v: want ErrKey and no key material", err)
				}
				return
			}
			if got := hex.EncodeToString(k.Public().(ed25519.PublicKey)); got != pub {
				t.Errorf("public key %s, want %s", got, pub)
			}
		})
	}
	if _, err := ParsePublicKey("abcd"); !errors.Is(err, ErrKey) {
		t.Errorf("ParsePublicKey(short) = %v, want ErrKey", err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A head kept elsewhere catches what an intact chain cannot show: records
// cut off the end, or a whole log replaced by a shorter or another one.
func TestVerifyExpectHead(t *testing.T) {
	full := buildChain(t, 10, nil)
	other := buildChain(t, 12, testKey()) // another log: every hash differs
	head := func(lines [][]byte, seq int) string {
		r, err := ParseRecord(lines[seq-1])
		if err != nil {
			t.Fatal(err)
		}
		return r.Hash
	}
	h10, h7 := head(full, 10), head(full, 7)
	tests := []struct {
		name    string
		lines   [][]byte
		head    string
		seq     uint64
		wantSeq uint64 // 0: verifies
		want    string
	}{
		{"full, head and seq", full, h10, 10, 0, ""},
		{"full, head only", full, h10, 0, 0, ""},
		{"upper case head", full, strings.ToUpper(h10), 10, 0, ""},
		{"an earlier head is still in a longer chain", full, h7, 7, 0, ""},
		{"truncated", full[:6], h10, 10, 7, "ends at record 6"},
		{"truncated, head only", full[:6], h10, 0, 7, "cut off the end"},
		{"empty", nil, h10, 10, 1, "the chain is empty"},
		{"replaced by a longer log", other, h10, 10, 10, "record 10 is not the expected head"},
		{"replaced, head only", other, h10, 0, 13, "not in the chain"},
		{"head at another seq", full, h7, 8, 8, "record 8 is not the expected head"},
		{"broken before the head", append(full[:3:3], full[4:]...), h10, 10, 4, "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := VerifyFile(bytes.NewReader(join(tt.lines)), VerifyOptions{ExpectHead: tt.head, ExpectSeq: tt.seq})
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("VerifyFile: %v", err)
				}
				if rep.HeadSeq == 0 {
					t.Errorf("report %+v: the head is not marked found", rep)
				}
				return
			}
			var broken *BrokenError
			if !errors.As(err, &broken) || broken.Seq != tt.wantSeq || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want record %d named, mentioning %q", err, tt.wantSeq, tt.want)
			}
			if rep.HeadSeq != 0 {
				t.Errorf("report %+v marks a head found", rep)
			}
		})
	}
}
