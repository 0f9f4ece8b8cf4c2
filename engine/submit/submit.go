// Package submit carries recorded action intents to the chain: it signs each
// as an EIP-1559 transaction with the action's signer, records the signed
// transaction before broadcasting it, sends it and follows it to its receipt.
//
// Every step is written to the actions bucket first, so an engine that stops
// at any point resumes where it was: an action that was never signed is
// signed afresh, and one that was signed is only ever rebroadcast as the very
// same transaction, never sent a second time with another nonce.
//
// This is the first, simple submitter: one nonce read per send under a
// per-sender lock, fees from the node's suggestion, no fee bumping yet.
package submit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/firebreak-dev/firebreak/signer"
)

// Chain is what the submitter needs from a node; *ethclient.Client and the
// simulated client both satisfy it.
type Chain interface {
	ethereum.PendingStateReader
	ethereum.GasEstimator
	ethereum.GasPricer1559
	ethereum.TransactionSender
	ethereum.TransactionReader
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// Errors of this package.
var (
	// ErrUnknownChain means no node is configured for the action's chain.
	ErrUnknownChain = errors.New("submit: no node configured for chain")
	// ErrUnknownSigner means the action names a signer that is not configured.
	ErrUnknownSigner = errors.New("submit: unknown signer")
	// ErrWouldRevert means gas estimation showed the call would revert.
	ErrWouldRevert = errors.New("submit: transaction would revert")
	// ErrNonceTaken means the nonce of a recorded transaction was used by
	// another transaction of the same sender.
	ErrNonceTaken = errors.New("submit: nonce used by another transaction")
)

// Options tune the submitter.
type Options struct {
	// GasMargin multiplies the gas estimate, in percent (125 = +25%).
	GasMargin uint64
	// ReceiptPoll is the first pause between receipt polls; it doubles up
	// to MaxReceiptPoll. A tight loop would starve a local node.
	ReceiptPoll, MaxReceiptPoll time.Duration
	// Now is the clock; tests may fix it.
	Now func() time.Time
	// OnChange, when set, is called after every recorded change of an
	// action (signed, sent, mined, failed), with the record as stored: the
	// audit log hangs here.
	OnChange func(ctx context.Context, rec Record)
}

// DefaultOptions are the submitter's defaults.
func DefaultOptions() Options {
	return Options{GasMargin: 125, ReceiptPoll: 10 * time.Millisecond, MaxReceiptPoll: 500 * time.Millisecond, Now: time.Now}
}

// Submitter executes recorded intents.
type Submitter struct {
	store   *Store
	chains  map[uint64]Chain
	signers map[string]signer.Signer
	opts    Options
	log     *slog.Logger

	mu      sync.Mutex
	senders map[senderKey]*sync.Mutex
}

type senderKey struct {
	chain uint64
	from  common.Address
}

// New returns a Submitter.
func New(store *Store, chains map[uint64]Chain, signers map[string]signer.Signer, opts Options, log *slog.Logger) *Submitter {
	return &Submitter{store: store, chains: chains, signers: signers, opts: opts, log: log, senders: map[senderKey]*sync.Mutex{}}
}

// Store returns the store the submitter records into.
func (s *Submitter) Store() *Store { return s.store }

// Execute takes a recorded action from its current state to a final one.
// It returns when the action is final or ctx is done; the record, not the
// return value, is the truth, and a cancelled Execute is resumed by the
// next Resume.
func (s *Submitter) Execute(ctx context.Context, rec Record, rev uint64) (Record, error) {
	log := s.log.With("action", rec.ID, "event", rec.EventID)
	rec, rev, err := s.execute(ctx, rec, rev, log)
	if err != nil && ctx.Err() == nil && !rec.State.Final() {
		rec.State, rec.Error = Failed, err.Error()
		if _, uerr := s.save(ctx, rec, rev); uerr != nil {
			log.Error("could not record the failure of an action", "err", uerr)
		}
		log.Error("action failed", "err", err)
	}
	return rec, err
}

func (s *Submitter) execute(ctx context.Context, rec Record, rev uint64, log *slog.Logger) (Record, uint64, error) {
	chain, ok := s.chains[rec.ChainID]
	if !ok {
		return rec, rev, fmt.Errorf("%w %d", ErrUnknownChain, rec.ChainID)
	}
	var err error
	if rec.State == Pending {
		sg, ok := s.signers[rec.Signer]
		if !ok {
			return rec, rev, fmt.Errorf("%w %q", ErrUnknownSigner, rec.Signer)
		}
		if rec, rev, err = s.signAndSend(ctx, chain, sg, rec, rev, log); err != nil {
			return rec, rev, err
		}
	} else if rec.State == Signed || rec.State == Sent {
		// Resumed: the transaction may or may not have reached a node.
		// Rebroadcasting the same bytes is always safe.
		if rec, rev, err = s.rebroadcast(ctx, chain, rec, rev, log); err != nil {
			return rec, rev, err
		}
	}
	if rec.State == Sent {
		return s.waitMined(ctx, chain, rec, rev, log)
	}
	return rec, rev, nil
}

func (s *Submitter) signAndSend(ctx context.Context, chain Chain, sg signer.Signer, rec Record, rev uint64, log *slog.Logger) (Record, uint64, error) {
	from := sg.Address()
	lock := s.senderLock(rec.ChainID, from)
	lock.Lock()
	defer lock.Unlock()

	to := rec.To
	gas, err := chain.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Data: rec.Data})
	if err != nil {
		if isRevert(err) {
			return rec, rev, fmt.Errorf("%w: %s on %s from %s: %w", ErrWouldRevert, rec.Function, rec.To.Hex(), from.Hex(), err)
		}
		return rec, rev, fmt.Errorf("submit: estimating gas: %w", err)
	}
	gas = gas * s.opts.GasMargin / 100
	tip, err := chain.SuggestGasTipCap(ctx)
	if err != nil {
		return rec, rev, fmt.Errorf("submit: reading the tip suggestion: %w", err)
	}
	head, err := chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return rec, rev, fmt.Errorf("submit: reading the head block: %w", err)
	}
	// Twice the base fee plus the tip stays valid through six full blocks
	// of base-fee growth.
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	nonce, err := chain.PendingNonceAt(ctx, from)
	if err != nil {
		return rec, rev, fmt.Errorf("submit: reading the nonce of %s: %w", from.Hex(), err)
	}
	chainID := new(big.Int).SetUint64(rec.ChainID)
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: &to, Data: rec.Data,
	})
	signed, err := sg.SignTx(ctx, tx, chainID)
	if err != nil {
		return rec, rev, fmt.Errorf("submit: signing with %q: %w", rec.Signer, err)
	}
	if got, err := types.Sender(types.LatestSignerForChainID(chainID), signed); err != nil || got != from {
		return rec, rev, fmt.Errorf("%w: signer %q", signer.ErrWrongSignature, rec.Signer)
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		return rec, rev, fmt.Errorf("submit: encoding the signed transaction: %w", err)
	}
	hash := signed.Hash()
	rec.State, rec.From, rec.Nonce, rec.TxHash, rec.RawTx = Signed, from, &nonce, &hash, raw
	rec.GasLimit, rec.GasFeeCap, rec.GasTipCap = gas, (*hexutil.Big)(feeCap), (*hexutil.Big)(tip)
	// Recorded before it leaves the process: from now on a restart can only
	// resend these bytes.
	if rev, err = s.save(ctx, rec, rev); err != nil {
		return rec, rev, err
	}
	if err := chain.SendTransaction(ctx, signed); err != nil && !isAlreadyKnown(err) {
		return rec, rev, fmt.Errorf("submit: sending %s (nonce %d): %w", hash.Hex(), nonce, err)
	}
	rec.State, rec.SentAt = Sent, s.opts.Now()
	log.Info("transaction sent", "tx", hash.Hex(), "nonce", nonce, "from", from.Hex(), "to", rec.To.Hex(), "function", rec.Function)
	rev, err = s.save(ctx, rec, rev)
	return rec, rev, err
}

func (s *Submitter) rebroadcast(ctx context.Context, chain Chain, rec Record, rev uint64, log *slog.Logger) (Record, uint64, error) {
	var tx types.Transaction
	if err := tx.UnmarshalBinary(rec.RawTx); err != nil {
		return rec, rev, fmt.Errorf("submit: decoding the recorded transaction of %s: %w", rec.ID, err)
	}
	if r, err := chain.TransactionReceipt(ctx, tx.Hash()); err == nil {
		return s.recordReceipt(ctx, rec, rev, r, log)
	}
	err := chain.SendTransaction(ctx, &tx)
	switch {
	case err == nil || isAlreadyKnown(err):
	case isNonceTooLow(err):
		// Either ours was mined meanwhile (the receipt shows up) or another
		// transaction took the nonce: never re-sign, report it.
		if r, rerr := chain.TransactionReceipt(ctx, tx.Hash()); rerr == nil {
			return s.recordReceipt(ctx, rec, rev, r, log)
		}
		return rec, rev, fmt.Errorf("%w: %s nonce %d", ErrNonceTaken, tx.Hash().Hex(), tx.Nonce())
	default:
		return rec, rev, fmt.Errorf("submit: rebroadcasting %s: %w", tx.Hash().Hex(), err)
	}
	log.Info("resumed: transaction rebroadcast", "tx", tx.Hash().Hex(), "nonce", tx.Nonce())
	if rec.State != Sent {
		rec.State, rec.SentAt = Sent, s.opts.Now()
		var uerr error
		if rev, uerr = s.save(ctx, rec, rev); uerr != nil {
			return rec, rev, uerr
		}
	}
	return rec, rev, nil
}

func (s *Submitter) waitMined(ctx context.Context, chain Chain, rec Record, rev uint64, log *slog.Logger) (Record, uint64, error) {
	pause := s.opts.ReceiptPoll
	for {
		r, err := chain.TransactionReceipt(ctx, *rec.TxHash)
		if err == nil {
			return s.recordReceipt(ctx, rec, rev, r, log)
		}
		if !errors.Is(err, ethereum.NotFound) {
			log.Warn("reading receipt", "tx", rec.TxHash.Hex(), "err", err)
		}
		select {
		case <-ctx.Done():
			return rec, rev, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(pause*2, s.opts.MaxReceiptPoll)
	}
}

func (s *Submitter) recordReceipt(ctx context.Context, rec Record, rev uint64, r *types.Receipt, log *slog.Logger) (Record, uint64, error) {
	rec.State, rec.MinedAt = Mined, s.opts.Now()
	rec.Block, rec.GasUsed, rec.Status = r.BlockNumber.Uint64(), r.GasUsed, r.Status
	if r.Status != types.ReceiptStatusSuccessful {
		rec.Error = "transaction reverted on chain"
		log.Error("action transaction reverted", "tx", rec.TxHash.Hex(), "block", rec.Block)
	} else {
		log.Info("action mined", "tx", rec.TxHash.Hex(), "block", rec.Block, "gas_used", rec.GasUsed)
	}
	rev, err := s.save(ctx, rec, rev)
	return rec, rev, err
}

// save records rec if the stored revision is still rev, then tells
// OnChange.
func (s *Submitter) save(ctx context.Context, rec Record, rev uint64) (uint64, error) {
	next, err := s.store.update(ctx, rec, rev)
	if err != nil {
		return rev, err
	}
	if s.opts.OnChange != nil {
		s.opts.OnChange(ctx, rec)
	}
	return next, nil
}

func (s *Submitter) senderLock(chain uint64, from common.Address) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := senderKey{chain, from}
	m, ok := s.senders[k]
	if !ok {
		m = &sync.Mutex{}
		s.senders[k] = m
	}
	return m
}

// The node's error texts, matched here and nowhere else. The full
// classifier comes with the production submitter.
func isAlreadyKnown(err error) bool {
	return strings.Contains(err.Error(), "already known") || strings.Contains(err.Error(), "already imported")
}

func isNonceTooLow(err error) bool { return strings.Contains(err.Error(), "nonce too low") }

func isRevert(err error) bool {
	var de interface{ ErrorData() any }
	return errors.As(err, &de) || strings.Contains(err.Error(), "execution reverted")
}
