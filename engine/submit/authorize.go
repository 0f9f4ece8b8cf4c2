package submit

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer"
)

// Authorizer says whether the call a stored record describes may be
// signed: the engine's check, against the allowlist in force and the
// engine's MAC, of what the record says, whatever wrote it. It is asked
// before every signature: a first send, a fee bump, a re-sign at a new
// nonce, a hole filler sent for the record, and for resumed and adopted
// records (execTransaction of a Safe included: the call is the record's).
//
// A check that reads a store (a recovery's proposal) bounds its read by
// ctx; a store that does not answer (record.Unavailable) is no refusal:
// the action waits for it.
type Authorizer interface {
	Authorize(ctx context.Context, rec record.Record) error
}

// admit is the check of a record an Execute starts from, before anything
// is signed or sent for it: the record is valid (record.Validate), names
// the sender its signer has, carries a recorded transaction signed by
// that sender, and the Authorizer allows its call. It returns the recorded
// transaction of a resumed record. Nothing here writes a store or reads
// one besides the Authorizer, so that stored garbage can be fuzzed
// through it.
func (s *Submitter) admit(ctx context.Context, rec record.Record) (*types.Transaction, error) {
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	sg, known := s.signers[rec.Signer]
	if known && rec.From != (common.Address{}) && rec.From != sg.Address() {
		return nil, fmt.Errorf("the record's sender %s is not the address of signer %q (%s)", rec.From.Hex(), rec.Signer, sg.Address().Hex())
	}
	if err := s.authorize(ctx, rec); err != nil {
		return nil, err
	}
	if rec.State == record.Pending {
		return nil, nil
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(rec.RawTx); err != nil { // Validate decoded it already
		return nil, fmt.Errorf("decoding the recorded transaction: %w", err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(new(big.Int).SetUint64(rec.ChainID)), &tx)
	if err != nil {
		return nil, fmt.Errorf("the recorded transaction's signature: %w", err)
	}
	if from != rec.From {
		return nil, fmt.Errorf("the recorded transaction is signed by %s, the record's sender is %s", from.Hex(), rec.From.Hex())
	}
	return &tx, nil
}

// authorize asks the Authorizer, if there is one. A store it could not
// read is errStoreUnavailable: the action waits, it is not refused.
func (s *Submitter) authorize(ctx context.Context, rec record.Record) error {
	if s.opts.Authorizer == nil {
		return nil
	}
	err := s.opts.Authorizer.Authorize(ctx, rec)
	if record.Unavailable(err) && ctx.Err() == nil {
		return fmt.Errorf("%w: checking the record: %w", errStoreUnavailable, err)
	}
	return err
}

// authorizeSign is the check before one signature with sg for the action:
// the Authorizer again (the record in hand is the one about to be signed),
// and the record's sender is sg's.
func (a *action) authorizeSign(ctx context.Context, sg signer.Signer) error {
	err := a.s.authorize(ctx, a.rec)
	if errors.Is(err, errStoreUnavailable) || (err != nil && ctx.Err() != nil) {
		return err // not a refusal: asked again once the store answers
	}
	if err == nil && a.rec.From != (common.Address{}) && a.rec.From != sg.Address() {
		err = fmt.Errorf("the record's sender %s is not the address of signer %q (%s)", a.rec.From.Hex(), a.rec.Signer, sg.Address().Hex())
	}
	if err != nil {
		return a.refuse(ctx, err)
	}
	return nil
}

// refuse quarantines the action: state refused with the reason, recorded
// (and so audited, through OnChange), an error in the log. Nothing is
// signed or sent for it after this.
func (a *action) refuse(ctx context.Context, reason error) error {
	was := a.rec.State
	a.rec.State, a.rec.Error, a.needSend = record.Refused, "refused before signing: "+reason.Error(), false
	a.s.stats.refused.Add(1)
	a.log.Error("action refused before signing: the stored record is not one the engine may sign; nothing is signed for it",
		"state_was", was, "to", a.rec.To.Hex(), "chain", a.rec.ChainID, "signer", a.rec.Signer, "reason", reason)
	if err := a.save(ctx); err != nil {
		a.log.Error("could not record the refusal; the record stays as stored and is refused again when next loaded", "err", err)
	}
	return fmt.Errorf("%w: action %s: %w", ErrRefused, a.rec.ID, reason)
}

// isRefused: err is a refusal, which no retry changes.
func isRefused(err error) bool { return errors.Is(err, ErrRefused) }
