package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// ParsePrivateKey reads an ed25519 audit key written as hex: the 32-byte
// seed (as GenerateKey writes it) or the 64-byte private key. The error
// never contains the input.
func ParsePrivateKey(text string) (ed25519.PrivateKey, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(text), "0x"))
	if err != nil {
		return nil, fmt.Errorf("%w: the private key is not hex", ErrKey)
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		k := ed25519.PrivateKey(b)
		// A 64-byte key carries its public half; a mismatch means a
		// corrupted key that would sign unverifiable records.
		if !k.Public().(ed25519.PublicKey).Equal(ed25519.NewKeyFromSeed(b[:32]).Public()) {
			return nil, fmt.Errorf("%w: the private key's public half does not match its seed", ErrKey)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("%w: the private key is %d bytes, want a 32-byte seed or a 64-byte key", ErrKey, len(b))
	}
}

// ParsePublicKey reads a hex ed25519 public key (32 bytes).
func ParsePublicKey(text string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(text), "0x"))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: the public key must be %d bytes of hex", ErrKey, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// GenerateKey returns a new audit key: the hex seed to keep secret and the
// hex public key to hand to whoever verifies exports.
func GenerateKey() (seedHex, publicHex string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrKey, err)
	}
	return hex.EncodeToString(priv.Seed()), hex.EncodeToString(pub), nil
}

// KeyID is the short name of a public key that records carry: the first
// 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}
