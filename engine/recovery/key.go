package recovery

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrKey: an approver's key file is unusable. The error never repeats the
// file's content.
var ErrKey = errors.New("recovery: approver key")

// LoadPrivateKey reads an approver's ed25519 private key from path: PEM
// (PKCS #8, as `openssl genpkey -algorithm ed25519` writes it) or hex (a
// 32-byte seed or a 64-byte private key). The file must not be readable
// by others.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is readable by others (mode %v): chmod 600 it", ErrKey, path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	defer clear(data)
	k, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ParsePrivateKey decodes what LoadPrivateKey reads.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	if b, _ := pem.Decode(data); b != nil {
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PEM is not a PKCS #8 private key", ErrKey)
		}
		ek, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: PEM holds a %T, not an ed25519 key", ErrKey, k)
		}
		return ek, nil
	}
	raw, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(data)), "0x"))
	if err != nil {
		return nil, fmt.Errorf("%w: neither PEM nor hex", ErrKey)
	}
	defer clear(raw)
	switch len(raw) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), nil
	case ed25519.PrivateKeySize:
		k := ed25519.PrivateKey(append([]byte(nil), raw...))
		if !k.Public().(ed25519.PublicKey).Equal(ed25519.NewKeyFromSeed(raw[:32]).Public()) {
			return nil, fmt.Errorf("%w: the 64 bytes are not an ed25519 private key (seed and public key disagree)", ErrKey)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("%w: %d bytes, want a 32-byte seed or a 64-byte private key", ErrKey, len(raw))
	}
}
