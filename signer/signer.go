// Package signer defines what firebreak needs from anything that signs for
// it: a single key held locally or in Vault, or the owners of a Safe.
//
// Implementations live in the sub-packages (signer/local, and later
// signer/vault and signer/safe). The engine only ever sees a Signer, so a key
// never has to travel through engine code: a signer hands back signatures,
// not keys.
package signer

import (
	"context"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Signer signs transactions and digests for one Ethereum account.
type Signer interface {
	// Address is the account whose key this signer holds.
	Address() common.Address
	// SignTx returns tx signed for chainID with the London (EIP-1559)
	// signer rules.
	SignTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error)
	// SignDigest signs a 32-byte digest and returns the 65-byte [R || S || V]
	// signature with V in {0, 1}.
	SignDigest(ctx context.Context, digest [32]byte) ([]byte, error)
}

// Errors every signer returns, wrapped with detail, so that callers can tell
// a configuration problem from a signer that is temporarily unreachable.
var (
	// ErrNoKey means the configured key could not be found or read.
	ErrNoKey = errors.New("signer: no key")
	// ErrBadKey means key material was found but is not a valid secp256k1 key.
	ErrBadKey = errors.New("signer: invalid key")
	// ErrUnavailable means the signing backend could not be reached; the
	// operation may succeed if retried.
	ErrUnavailable = errors.New("signer: backend unavailable")
	// ErrWrongSignature means a signature did not recover to the signer's
	// address and was discarded before use.
	ErrWrongSignature = errors.New("signer: signature does not recover to the signer's address")
)
