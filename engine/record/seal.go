package record

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
)

// Errors of the engine's MAC.
var (
	// ErrNoMAC means a record carries no MAC: it was not recorded by an
	// engine holding a MAC key (written into the bucket by hand, or by a
	// version before MACs).
	ErrNoMAC = errors.New("record: no MAC: not recorded by this engine")
	// ErrBadMAC means a record's MAC does not match its content under any
	// accepted key: the content changed after the engine recorded it, or
	// the MAC was made without the engine's key.
	ErrBadMAC = errors.New("record: MAC does not match the content")
	// ErrMACKey means a MAC key is unusable (too short, not hex, unreadable).
	ErrMACKey = errors.New("record: MAC key")
)

// MACKeyFile is the name of the key file an engine generates in its data
// folder on its first start when no key is configured.
const MACKeyFile = "record-mac.key"

// MinMACKeyLen is the shortest key accepted, in bytes.
const MinMACKeyLen = 32

// intentDomain separates intent MACs from every other use of the key.
const intentDomain = "firebreak/intent/v1"

// Sealer makes and checks the engine's MAC: HMAC-SHA256 over the canonical
// bytes of a record's content. The first key seals; every key (the first
// and the previous ones of a rotation) is accepted when verifying, so
// records sealed before a rotation still verify while the old key is
// listed. A Sealer is safe for concurrent use.
type Sealer struct {
	keys [][]byte
}

// NewSealer returns a Sealer sealing with current and also accepting
// previous.
func NewSealer(current []byte, previous ...[]byte) (*Sealer, error) {
	s := &Sealer{}
	for i, k := range append([][]byte{current}, previous...) {
		if len(k) < MinMACKeyLen {
			return nil, fmt.Errorf("%w %d: %d bytes, want at least %d", ErrMACKey, i, len(k), MinMACKeyLen)
		}
		s.keys = append(s.keys, append([]byte(nil), k...))
	}
	return s, nil
}

// Keys is how many keys are accepted when verifying.
func (s *Sealer) Keys() int { return len(s.keys) }

// Seal returns in with its MAC set.
func (s *Sealer) Seal(in Intent) Intent {
	in.MAC = s.Sum(intentDomain, intentFields(in)...)
	return in
}

// Verify checks in's MAC: ErrNoMAC when it has none, ErrBadMAC when it
// does not match.
func (s *Sealer) Verify(in Intent) error {
	if err := s.Check(intentDomain, in.MAC, intentFields(in)...); err != nil {
		return fmt.Errorf("action %.80q: %w", in.ID, err)
	}
	return nil
}

// intentFields are the parts of an intent the MAC covers: everything that
// says what is signed, from whom, and for which event.
func intentFields(in Intent) [][]byte {
	var chain [8]byte
	binary.BigEndian.PutUint64(chain[:], in.ChainID)
	return [][]byte{
		[]byte(in.ID), []byte(in.EventID), chain[:], in.To[:], []byte(in.Function),
		in.Data, []byte(in.Signer), []byte(in.Type), []byte(in.Protocol),
	}
}

// Sum is the MAC, hex, of fields under domain with the sealing key; other
// stores (the approvals) seal their records with it. Each field is length
// prefixed, so no two field lists have the same bytes.
func (s *Sealer) Sum(domain string, fields ...[]byte) string {
	return hex.EncodeToString(sum(s.keys[0], domain, fields))
}

// Check verifies mac, as made by Sum, against every accepted key.
func (s *Sealer) Check(domain, mac string, fields ...[]byte) error {
	if mac == "" {
		return ErrNoMAC
	}
	got, err := hex.DecodeString(mac)
	if err != nil || len(got) != sha256.Size {
		return ErrBadMAC
	}
	for _, k := range s.keys {
		if hmac.Equal(got, sum(k, domain, fields)) {
			return nil
		}
	}
	return ErrBadMAC
}

func sum(key []byte, domain string, fields [][]byte) []byte {
	m := hmac.New(sha256.New, key)
	writeField(m, []byte(domain))
	for _, f := range fields {
		writeField(m, f)
	}
	return m.Sum(nil)
}

func writeField(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// ParseMACKey decodes a key as kept in a file or a variable: hex (an
// optional 0x, surrounding space ignored), at least MinMACKeyLen bytes.
// The error never repeats the text.
func ParseMACKey(text string) ([]byte, error) {
	t := strings.TrimPrefix(strings.TrimSpace(text), "0x")
	k, err := hex.DecodeString(t)
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrMACKey)
	}
	if len(k) < MinMACKeyLen {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrMACKey, len(k), MinMACKeyLen)
	}
	return k, nil
}

// LoadMACKeyFile reads the key in path. With create, a missing file is
// generated first (32 random bytes, hex, mode 0600): what an engine does
// in its data folder on its first start; that file must then not be
// readable by others. (A configured file is the operator's to protect:
// secret mounts are often 0644 behind a private folder.)
func LoadMACKeyFile(path string, create bool) ([]byte, error) {
	if create {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMACKey, err)
		}
		k := make([]byte, 32)
		_, _ = rand.Read(k)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case err == nil:
			_, werr := f.WriteString(hex.EncodeToString(k) + "\n")
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				_ = os.Remove(path)
				return nil, fmt.Errorf("%w: writing %s: %w", ErrMACKey, path, werr)
			}
		case !errors.Is(err, os.ErrExist):
			return nil, fmt.Errorf("%w: creating %s: %w", ErrMACKey, path, err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMACKey, err)
	}
	if create && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is readable by others (mode %v): chmod 600 it", ErrMACKey, path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMACKey, err)
	}
	defer clear(b)
	k, err := ParseMACKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}
