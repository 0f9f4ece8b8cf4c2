package record

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrInvalid means a stored record cannot be acted on: it does not decode,
// or fails Validate. The store quarantines such a record when it is not
// final.
var ErrInvalid = errors.New("record: invalid stored action")

// Validate checks that a record is one the engine could have written, so
// that nothing that reads it (resume, adoption, the nonce owner, the
// audit) meets a missing field: a known state; for a record in flight a
// chain; a pending one holds no transaction; a signed, sent or included
// one holds the signed transaction (decodable, of the record's chain, to
// the record's target with its calldata and no value), its nonce, a hash
// that is one of its attempts and the sender; a mined one its hash.
func (r Record) Validate() error {
	if r.ID == "" {
		return errors.New("no id")
	}
	switch r.State {
	case Pending, Signed, Sent, Included, Mined, Failed, Refused, Joined, Satisfied:
	default:
		return fmt.Errorf("unknown state %.32q", r.State)
	}
	if r.State == Mined && r.TxHash == nil {
		return errors.New("mined without a tx_hash")
	}
	if r.State.Final() {
		return nil
	}
	if r.ChainID == 0 {
		return errors.New("no chain_id")
	}
	if r.State == Pending {
		if len(r.RawTx) > 0 || r.TxHash != nil || r.Nonce != nil || len(r.Attempts) > 0 {
			return errors.New("pending, but it holds a transaction (raw_tx, tx_hash, nonce or attempts)")
		}
		return nil
	}
	switch {
	case len(r.RawTx) == 0:
		return fmt.Errorf("%s without a raw_tx", r.State)
	case r.Nonce == nil:
		return fmt.Errorf("%s without a nonce", r.State)
	case r.TxHash == nil:
		return fmt.Errorf("%s without a tx_hash", r.State)
	case len(r.Attempts) == 0:
		return fmt.Errorf("%s without attempts", r.State)
	case r.From == (common.Address{}):
		return fmt.Errorf("%s without a sender (from)", r.State)
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(r.RawTx); err != nil {
		return fmt.Errorf("raw_tx does not decode: %w", err)
	}
	switch {
	case tx.Type() != types.DynamicFeeTxType:
		return fmt.Errorf("raw_tx is of type %d, not an EIP-1559 transaction", tx.Type())
	case tx.ChainId() == nil || !tx.ChainId().IsUint64() || tx.ChainId().Uint64() != r.ChainID:
		return fmt.Errorf("raw_tx is for chain %v, the record for %d", tx.ChainId(), r.ChainID)
	case tx.To() == nil || *tx.To() != r.To:
		return errors.New("raw_tx is not a call of the record's target")
	case !bytes.Equal(tx.Data(), r.Data):
		return errors.New("raw_tx's calldata is not the record's")
	case tx.Value().Sign() != 0:
		return errors.New("raw_tx sends value")
	case tx.Nonce() != *r.Nonce:
		return fmt.Errorf("raw_tx has nonce %d, the record %d", tx.Nonce(), *r.Nonce)
	}
	known := *r.TxHash == tx.Hash()
	for _, at := range r.Attempts {
		known = known || at.Hash == *r.TxHash
	}
	if !known {
		return errors.New("tx_hash is neither raw_tx's nor one of the attempts")
	}
	return nil
}

// Load decodes and validates a stored value (from Get, Unfinished or a
// WatchUpdates watcher). A value that fails is an error wrapping
// ErrInvalid; unless it is a final record, it is quarantined first by a
// store with an OnQuarantine hook: the key is rewritten, at the revision
// read, as a Refused record with the reason (the decoded content kept when
// there is one), and the hook is told.
func (s *Store) Load(ctx context.Context, e jetstream.KeyValueEntry) (Record, error) {
	key := e.Key()
	var rec Record
	decoded := true
	err := json.Unmarshal(e.Value(), &rec)
	switch {
	case err != nil:
		decoded = false
		err = fmt.Errorf("does not decode: %w", err)
	case rec.ID != key:
		err = fmt.Errorf("its id %.80q is not its key", rec.ID)
	default:
		err = rec.Validate()
	}
	if err == nil {
		return rec, nil
	}
	err = fmt.Errorf("%w %s (revision %d): %w", ErrInvalid, key, e.Revision(), err)
	if decoded && rec.State.Final() {
		return Record{}, err // nothing acts on it: left as it is
	}
	s.quarantine(ctx, e, rec, decoded, err)
	return Record{}, err
}

// quarantine rewrites e's key as a Refused record, when the store has an
// OnQuarantine hook to report it to (the engine's does; a store that would
// rewrite without telling the audit log does not). A failed write (the key
// written meanwhile) leaves it to the next reader; the record is skipped
// all the same.
func (s *Store) quarantine(ctx context.Context, e jetstream.KeyValueEntry, rec Record, decoded bool, reason error) {
	if s.onQ == nil {
		return
	}
	sum := sha256.Sum256(e.Value())
	q := Record{}
	if decoded {
		q = rec
	}
	q.ID, q.State = e.Key(), Refused
	q.Error = fmt.Sprintf("quarantined when loaded (stored value sha256 %x, %d bytes): %v", sum, len(e.Value()), reason)
	data, err := json.Marshal(q)
	if err != nil {
		return
	}
	if _, err := s.kv.Update(ctx, e.Key(), data, e.Revision()); err != nil {
		return
	}
	s.onQ(ctx, q)
}
