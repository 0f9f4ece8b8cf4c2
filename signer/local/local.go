// Package local is a Signer whose secp256k1 key lives in this process: read
// from a hex string (normally an environment variable) or from a key file.
//
// It is meant for development, tests and the demo. Production keys belong in
// Vault (signer/vault) or behind a Safe (signer/safe).
package local

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/signer"
)

// Signer signs with a key held in memory.
type Signer struct {
	key     *ecdsa.PrivateKey
	address common.Address
}

var _ signer.Signer = (*Signer)(nil)

// FromHex parses a hex private key (with or without 0x). The error never
// contains the key.
func FromHex(hexKey string) (*Signer, error) {
	s := strings.TrimPrefix(strings.TrimSpace(hexKey), "0x")
	if s == "" {
		return nil, fmt.Errorf("%w: the key is empty", signer.ErrNoKey)
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: the key is not hex", signer.ErrBadKey)
	}
	defer clear(raw)
	key, err := crypto.ToECDSA(raw)
	if err != nil {
		// crypto's message does not include the key, but be explicit.
		return nil, fmt.Errorf("%w: not a valid secp256k1 private key (%d bytes)", signer.ErrBadKey, len(raw))
	}
	return &Signer{key: key, address: crypto.PubkeyToAddress(key.PublicKey)}, nil
}

// FromFile reads a key file: either a hex private key, or an encrypted JSON
// keystore (as written by geth or cast) unlocked with passphrase.
func FromFile(path, passphrase string) (*Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", signer.ErrNoKey, err)
	}
	defer clear(data)
	trimmed := strings.TrimSpace(string(data))
	if !strings.HasPrefix(trimmed, "{") {
		s, err := FromHex(trimmed)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
		return s, nil
	}
	k, err := keystore.DecryptKey(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("%w: key file %s: %v", signer.ErrBadKey, path, err)
	}
	return &Signer{key: k.PrivateKey, address: k.Address}, nil
}

// Address returns the account of the key.
func (s *Signer) Address() common.Address { return s.address }

// SignTx signs tx for chainID.
func (s *Signer) SignTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return types.SignTx(tx, types.LatestSignerForChainID(chainID), s.key)
}

// SignDigest signs a 32-byte digest; V is 0 or 1.
func (s *Signer) SignDigest(ctx context.Context, digest [32]byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return crypto.Sign(digest[:], s.key)
}

// String never prints the key.
func (s *Signer) String() string { return "local signer " + s.address.Hex() }
