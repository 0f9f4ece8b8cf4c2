// Package safe acts through a Safe multisig (Safe 1.4.1 and compatible): it
// wraps a call into a Safe transaction, computes the transaction's EIP-712
// hash, collects the owners' signatures from their own signers (local, Vault,
// any signer.Signer), checks each one recovers to a distinct owner, and
// encodes execTransaction with the signatures in the order the contract
// demands (ascending owner address).
//
// A Safe is not a signer.Signer: it cannot sign an Ethereum transaction. The
// execTransaction call it produces is sent by an ordinary account, the
// executor, which pays the gas; the Safe itself checks the owners'
// signatures on chain. Nothing here sends anything.
package safe

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/signer"
)

// Errors of this package. Every refusal happens before anything is sent.
var (
	// ErrBadSignature means a signature is malformed (not 65 bytes, or a v
	// that is not an EIP-712 ECDSA signature) or does not recover to the
	// owner it claims to come from.
	ErrBadSignature = errors.New("safe: bad owner signature")
	// ErrNotOwner means a signature recovers to an account that is not an
	// owner of the Safe.
	ErrNotOwner = errors.New("safe: signer is not an owner of the Safe")
	// ErrDuplicateOwner means two signatures come from the same owner: the
	// Safe would count it once and the transaction would not reach the
	// threshold.
	ErrDuplicateOwner = errors.New("safe: duplicate owner signature")
	// ErrBelowThreshold means fewer distinct owner signatures than the
	// Safe's threshold.
	ErrBelowThreshold = errors.New("safe: fewer owner signatures than the threshold")
	// ErrHashMismatch means the EIP-712 hash computed here differs from the
	// contract's getTransactionHash: the contract is not a compatible Safe
	// or the chain id is wrong, and no signature is made over it.
	ErrHashMismatch = errors.New("safe: transaction hash differs from the Safe's getTransactionHash")
	// ErrStale means the Safe's nonce has moved past the transaction's: it
	// can never execute and must be rebuilt and signed again.
	ErrStale = errors.New("safe: the Safe's nonce moved past the transaction's")
	// ErrRead means the Safe's state could not be read from the chain; it
	// may succeed if retried.
	ErrRead = errors.New("safe: reading the Safe's state")
)

// OperationCall is the Safe's CALL operation; firebreak never asks a Safe
// to DELEGATECALL.
const OperationCall uint8 = 0

// EIP-712 type hashes of Safe 1.3.0 and later.
var (
	domainTypeHash = crypto.Keccak256Hash([]byte("EIP712Domain(uint256 chainId,address verifyingContract)"))
	safeTxTypeHash = crypto.Keccak256Hash([]byte("SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)"))
)

// Tx is a Safe transaction. Firebreak's are plain calls with no value and
// no gas refund: value, safeTxGas, baseGas and gasPrice are zero, gasToken
// and refundReceiver the zero address, so the executor pays the gas and
// nobody can be paid from the Safe.
type Tx struct {
	To             common.Address `json:"to"`
	Value          hexutil.Big    `json:"value"`
	Data           hexutil.Bytes  `json:"data"`
	Operation      uint8          `json:"operation"`
	SafeTxGas      hexutil.Big    `json:"safe_tx_gas"`
	BaseGas        hexutil.Big    `json:"base_gas"`
	GasPrice       hexutil.Big    `json:"gas_price"`
	GasToken       common.Address `json:"gas_token"`
	RefundReceiver common.Address `json:"refund_receiver"`
	Nonce          uint64         `json:"nonce"`
}

// NewTx returns the Safe transaction that calls to with data at the Safe
// nonce nonce.
func NewTx(to common.Address, data []byte, nonce uint64) Tx {
	return Tx{To: to, Data: slices.Clone(data), Operation: OperationCall, Nonce: nonce}
}

// Hash is the EIP-712 hash the owners sign, as Safe.getTransactionHash
// computes it for the Safe at safe on chain chainID.
func (t Tx) Hash(chainID *big.Int, safe common.Address) common.Hash {
	word := func(b []byte) []byte { return common.LeftPadBytes(b, 32) }
	num := func(b hexutil.Big) []byte { return word(b.ToInt().Bytes()) }
	structHash := crypto.Keccak256(
		safeTxTypeHash[:], word(t.To[:]), num(t.Value), crypto.Keccak256(t.Data),
		word([]byte{t.Operation}), num(t.SafeTxGas), num(t.BaseGas), num(t.GasPrice),
		word(t.GasToken[:]), word(t.RefundReceiver[:]), word(new(big.Int).SetUint64(t.Nonce).Bytes()),
	)
	domain := crypto.Keccak256(domainTypeHash[:], word(chainID.Bytes()), word(safe[:]))
	return crypto.Keccak256Hash([]byte{0x19, 0x01}, domain, structHash)
}

// Signature is one owner's signature of a Safe transaction hash: 65 bytes
// r || s || v with v 27 or 28, the encoding execTransaction accepts for an
// ECDSA signature of the EIP-712 hash.
type Signature struct {
	Owner     common.Address `json:"owner"`
	Signature hexutil.Bytes  `json:"signature"`
}

// Recover returns the account that signed hash with sig (v 27 or 28).
func Recover(hash common.Hash, sig []byte) (common.Address, error) {
	if len(sig) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("%w: %d bytes, want 65", ErrBadSignature, len(sig))
	}
	v := sig[64]
	if v != 27 && v != 28 {
		// 0 and 1 are contract and pre-approved signatures, above 30
		// eth_sign ones: the Safe accepts them, firebreak does not make
		// them and will not relay one it cannot check here.
		return common.Address{}, fmt.Errorf("%w: v = %d, want 27 or 28", ErrBadSignature, v)
	}
	plain := slices.Clone(sig)
	plain[64] -= 27
	pub, err := crypto.SigToPub(hash[:], plain)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// Verify checks that sig is owner's signature of hash and that owner is one
// of owners.
func Verify(hash common.Hash, sig Signature, owners []common.Address) error {
	got, err := Recover(hash, sig.Signature)
	if err != nil {
		return fmt.Errorf("signature of %s: %w", sig.Owner.Hex(), err)
	}
	if got != sig.Owner {
		return fmt.Errorf("%w: it recovers to %s, not to %s", ErrBadSignature, got.Hex(), sig.Owner.Hex())
	}
	if !slices.Contains(owners, got) {
		return fmt.Errorf("%w: %s", ErrNotOwner, got.Hex())
	}
	return nil
}

// Pack checks sigs against hash and the Safe's owners and returns the
// signatures argument of execTransaction: threshold signatures from
// distinct owners, ordered by owner address ascending as the contract
// requires. A bad, foreign or duplicate signature is an error even when
// enough good ones remain: it means a signer is misconfigured.
func Pack(hash common.Hash, sigs []Signature, owners []common.Address, threshold uint64) ([]byte, error) {
	seen := map[common.Address]bool{}
	for _, s := range sigs {
		if err := Verify(hash, s, owners); err != nil {
			return nil, err
		}
		if seen[s.Owner] {
			return nil, fmt.Errorf("%w: %s signed twice", ErrDuplicateOwner, s.Owner.Hex())
		}
		seen[s.Owner] = true
	}
	if uint64(len(sigs)) < threshold {
		return nil, fmt.Errorf("%w: %d of %d", ErrBelowThreshold, len(sigs), threshold)
	}
	sorted := slices.Clone(sigs)
	slices.SortFunc(sorted, func(a, b Signature) int { return a.Owner.Cmp(b.Owner) })
	out := make([]byte, 0, threshold*crypto.SignatureLength)
	for _, s := range sorted[:threshold] {
		out = append(out, s.Signature...)
	}
	return out, nil
}

// Caller reads contract state; *ethclient.Client and the simulated client
// both satisfy it.
type Caller interface {
	CallContract(ctx context.Context, call ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

// Owner is one owner's signer, by its configured name.
type Owner struct {
	Name   string
	Signer signer.Signer
}

// State is what the Safe's contract says about itself.
type State struct {
	Nonce     uint64           `json:"nonce"`
	Threshold uint64           `json:"threshold"`
	Owners    []common.Address `json:"owners"`
}

// IsOwner reports whether a is one of the owners.
func (s State) IsOwner(a common.Address) bool { return slices.Contains(s.Owners, a) }

// Safe is one Safe on one chain and the owner signers firebreak holds for
// it, which may be fewer than its threshold. It is safe for concurrent use.
type Safe struct {
	address common.Address
	chainID *big.Int
	owners  []Owner
	caller  Caller
	abi     *safeabi.Safe
}

// New returns the Safe at address on chain chainID, reading its state
// through caller and signing with owners.
func New(address common.Address, chainID uint64, owners []Owner, caller Caller) *Safe {
	return &Safe{address: address, chainID: new(big.Int).SetUint64(chainID), owners: slices.Clone(owners), caller: caller, abi: safeabi.NewSafe()}
}

// Address is the Safe's address: the account that holds the roles.
func (s *Safe) Address() common.Address { return s.address }

// ChainID is the chain the Safe lives on.
func (s *Safe) ChainID() uint64 { return s.chainID.Uint64() }

// Owners are the owner signers firebreak holds for this Safe.
func (s *Safe) Owners() []Owner { return slices.Clone(s.owners) }

// Hash is tx's EIP-712 hash for this Safe.
func (s *Safe) Hash(tx Tx) common.Hash { return tx.Hash(s.chainID, s.address) }

// State reads the Safe's nonce, threshold and owners at the latest block.
func (s *Safe) State(ctx context.Context) (State, error) {
	var st State
	nonce, err := call(ctx, s, s.abi.PackNonce(), s.abi.UnpackNonce)
	if err != nil {
		return st, err
	}
	threshold, err := call(ctx, s, s.abi.PackGetThreshold(), s.abi.UnpackGetThreshold)
	if err != nil {
		return st, err
	}
	if st.Owners, err = call(ctx, s, s.abi.PackGetOwners(), s.abi.UnpackGetOwners); err != nil {
		return st, err
	}
	st.Nonce, st.Threshold = nonce.Uint64(), threshold.Uint64()
	return st, nil
}

// Nonce reads the Safe's current nonce.
func (s *Safe) Nonce(ctx context.Context) (uint64, error) {
	n, err := call(ctx, s, s.abi.PackNonce(), s.abi.UnpackNonce)
	if err != nil {
		return 0, err
	}
	return n.Uint64(), nil
}

// CheckHash asks the contract for tx's hash and compares it with Hash: a
// proxy that is not a compatible Safe, or a wrong chain id, is caught before
// any owner signs.
func (s *Safe) CheckHash(ctx context.Context, tx Tx) (common.Hash, error) {
	want := s.Hash(tx)
	got, err := call(ctx, s, s.abi.PackGetTransactionHash(tx.To, tx.Value.ToInt(), tx.Data, tx.Operation,
		tx.SafeTxGas.ToInt(), tx.BaseGas.ToInt(), tx.GasPrice.ToInt(), tx.GasToken, tx.RefundReceiver,
		new(big.Int).SetUint64(tx.Nonce)), s.abi.UnpackGetTransactionHash)
	if err != nil {
		return want, err
	}
	if common.Hash(got) != want {
		return want, fmt.Errorf("%w: contract %s, computed %s (Safe %s, chain %d)", ErrHashMismatch, common.Hash(got).Hex(), want.Hex(), s.address.Hex(), s.chainID)
	}
	return want, nil
}

// Sign has each of owners sign tx's hash and checks every signature before
// returning it: it must recover to its signer's address, and that address
// must be one of st's owners.
func (s *Safe) Sign(ctx context.Context, tx Tx, st State, owners ...Owner) ([]Signature, error) {
	hash := s.Hash(tx)
	out := make([]Signature, 0, len(owners))
	for _, o := range owners {
		sig, err := SignHash(ctx, o.Signer, hash)
		if err != nil {
			return nil, fmt.Errorf("safe: owner %q: %w", o.Name, err)
		}
		if !st.IsOwner(sig.Owner) {
			return nil, fmt.Errorf("%w: signer %q (%s) of Safe %s", ErrNotOwner, o.Name, sig.Owner.Hex(), s.address.Hex())
		}
		out = append(out, sig)
	}
	return out, nil
}

// SignHash has sg sign a Safe transaction hash and returns the signature
// in the Safe's encoding (v 27 or 28), checked to recover to sg's address.
func SignHash(ctx context.Context, sg signer.Signer, hash common.Hash) (Signature, error) {
	raw, err := sg.SignDigest(ctx, hash)
	if err != nil {
		return Signature{}, err
	}
	if len(raw) != crypto.SignatureLength || raw[64] > 1 {
		return Signature{}, fmt.Errorf("%w: the signer returned %d bytes with v outside {0, 1}", ErrBadSignature, len(raw))
	}
	sig := Signature{Owner: sg.Address(), Signature: slices.Clone(raw)}
	sig.Signature[64] += 27
	if got, err := Recover(hash, sig.Signature); err != nil || got != sig.Owner {
		return Signature{}, fmt.Errorf("%w: %s", signer.ErrWrongSignature, sig.Owner.Hex())
	}
	return sig, nil
}

// ExecCalldata returns the calldata of execTransaction for tx with sigs,
// checked and ordered by Pack against st.
func (s *Safe) ExecCalldata(tx Tx, sigs []Signature, st State) ([]byte, error) {
	packed, err := Pack(s.Hash(tx), sigs, st.Owners, st.Threshold)
	if err != nil {
		return nil, err
	}
	return s.abi.PackExecTransaction(tx.To, tx.Value.ToInt(), tx.Data, tx.Operation, tx.SafeTxGas.ToInt(),
		tx.BaseGas.ToInt(), tx.GasPrice.ToInt(), tx.GasToken, tx.RefundReceiver, packed), nil
}

func call[T any](ctx context.Context, s *Safe, data []byte, unpack func([]byte) (T, error)) (T, error) {
	var zero T
	out, err := s.caller.CallContract(ctx, ethereum.CallMsg{To: &s.address, Data: data}, nil)
	if err != nil {
		return zero, fmt.Errorf("%w %s on chain %d: %w", ErrRead, s.address.Hex(), s.chainID, err)
	}
	v, err := unpack(out)
	if err != nil {
		return zero, fmt.Errorf("%w %s on chain %d: %w (is it a Safe?)", ErrRead, s.address.Hex(), s.chainID, err)
	}
	return v, nil
}
