package submit

import (
	"context"
	"errors"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/engine/record"
)

// An action is final at its chain's confirmations, but a reorg deeper than
// that still takes its transaction out of the chain: with confirmations 1
// (the default) any reorg at all. So a mined action is watched for
// ReorgWatchBlocks more blocks (or until the node's finalized block covers
// it), its receipt read at every new head; if the transaction is gone, the
// action is put back in flight (state Sent, Reorgs+1, recorded and so
// audited like a reorg before it was final) and executed again: the same
// signed transaction is broadcast again, or replaced at the same nonce.

// minedWatch is one chain's watched mined actions, by id.
type minedWatch struct {
	mu    sync.Mutex
	items map[string]watchedMined
}

type watchedMined struct {
	id    string
	hash  common.Hash
	block uint64
	// until is the last head at which it is still checked.
	until uint64
}

func newMinedWatch() *minedWatch { return &minedWatch{items: map[string]watchedMined{}} }

func (w *minedWatch) add(m watchedMined) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.items[m.id] = m
}

func (w *minedWatch) drop(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.items, id)
}

func (w *minedWatch) list() []watchedMined {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]watchedMined, 0, len(w.items))
	for _, m := range w.items {
		out = append(out, m)
	}
	return out
}

// Watched returns how many mined actions are still watched for a reorg on
// chain; for tests and metrics.
func (s *Submitter) Watched(chain uint64) int {
	cs, ok := s.chains[chain]
	if !ok {
		return 0
	}
	cs.mined.mu.Lock()
	defer cs.mined.mu.Unlock()
	return len(cs.mined.items)
}

// watchUntil is the last head at which an action mined in block is
// checked: its confirmations, then ReorgWatchBlocks more.
func (cs *chainState) watchUntil(block uint64) uint64 {
	return block + cs.Confirmations - 1 + cs.ReorgWatchBlocks
}

// watchFinal starts watching an action that just became final with its
// transaction successfully mined.
func (s *Submitter) watchFinal(cs *chainState, rec record.Record) {
	if rec.State != record.Mined || rec.TxHash == nil || rec.Status != types.ReceiptStatusSuccessful {
		return
	}
	cs.mined.add(watchedMined{id: rec.ID, hash: *rec.TxHash, block: rec.Block, until: cs.watchUntil(rec.Block)})
}

// resumeWatch watches again, after a restart, the actions mined recently
// enough to be still in their watch window.
func (s *Submitter) resumeWatch(ctx context.Context) {
	recs, err := s.store.Mined(ctx, func(r record.Record) bool {
		cs, ok := s.chains[r.ChainID]
		if !ok || r.TxHash == nil || r.Status != types.ReceiptStatusSuccessful {
			return false
		}
		cs.heads.mu.Lock()
		head := cs.heads.head
		cs.heads.mu.Unlock()
		// Unknown head: kept, and dropped at the first head if too old.
		return head == nil || head.Number.Uint64() <= cs.watchUntil(r.Block)
	})
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("could not list the mined actions to watch for reorgs: only those mined from now on are watched", "err", err)
		}
		return
	}
	for _, r := range recs {
		s.watchFinal(s.chains[r.ChainID], r)
	}
	if len(recs) > 0 {
		s.log.Info("watching recently mined actions for reorgs", "actions", len(recs))
	}
}

// watchMined checks chain cs's watched actions at every new head until
// ctx ends.
func (s *Submitter) watchMined(ctx context.Context, cs *chainState) {
	var seen common.Hash
	for {
		_, _, changed, err := cs.heads.current(ctx)
		if err != nil {
			// The head follower reports an unreachable node; try again
			// after its poll.
			changed = nil
		}
		t := time.NewTimer(s.opts.HeadPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-changed:
		case <-t.C:
			if len(cs.mined.list()) > 0 {
				// A reorg to a shorter chain pushes no new head (anvil's
				// evm_revert does not): while something is watched, the
				// head is read (coalesced with every other reader).
				cs.heads.refresh(ctx, 4*s.opts.HeadPoll)
			}
		}
		t.Stop()
		head, _, _, err := cs.heads.current(ctx)
		if err != nil || head.Hash() == seen {
			continue
		}
		seen = head.Hash()
		if items := cs.mined.list(); len(items) > 0 {
			s.checkMined(ctx, cs, head, items)
		}
	}
}

// checkMined looks for each watched action's transaction in the chain at
// head.
func (s *Submitter) checkMined(ctx context.Context, cs *chainState, head *types.Header, items []watchedMined) {
	var finalized *types.Header
	if cs.ReorgWatchFinalized {
		f, err := cs.Node.HeaderByNumber(ctx, big.NewInt(int64(rpc.FinalizedBlockNumber)))
		if err == nil {
			finalized = f
		}
	}
	for _, m := range items {
		switch {
		case finalized != nil && finalized.Number.Uint64() >= m.block:
			cs.mined.drop(m.id)
			continue
		case finalized == nil && head.Number.Uint64() > m.until:
			cs.mined.drop(m.id)
			continue
		}
		r, err := cs.Node.TransactionReceipt(ctx, m.hash)
		switch {
		case errors.Is(err, ethereum.NotFound):
			s.minedReorged(ctx, cs, m)
		case err != nil:
			// Unknown is not absent: checked again at the next head.
			s.log.Warn("reading the receipt of a mined action", "action", m.id, "tx", m.hash.Hex(), "err", Classify(err))
		case r.BlockNumber.Uint64() != m.block:
			// Its block left the chain and a new one holds it again:
			// still mined, watched from there.
			s.log.Warn("reorg: a mined action's transaction is in another block now", "action", m.id, "tx", m.hash.Hex(), "block", m.block, "now", r.BlockNumber)
			m.block, m.until = r.BlockNumber.Uint64(), cs.watchUntil(r.BlockNumber.Uint64())
			cs.mined.add(m)
		}
	}
}

// minedReorged puts a final action whose transaction left the chain back
// in flight and executes it again.
func (s *Submitter) minedReorged(ctx context.Context, cs *chainState, m watchedMined) {
	rec, rev, err := s.store.Get(ctx, m.id)
	if err != nil {
		s.log.Error("reorg: cannot read a mined action whose transaction left the chain; trying again at the next block", "action", m.id, "err", err)
		return
	}
	cs.mined.drop(m.id)
	if rec.State != record.Mined || rec.TxHash == nil || *rec.TxHash != m.hash {
		return // moved on meanwhile (another replica saw it first)
	}
	a := &action{s: s, cs: cs, rec: rec, rev: rev, log: s.log.With("action", rec.ID, "event", rec.EventID)}
	a.markReorged()
	a.rec.MinedAt, a.rec.Error = time.Time{}, ""
	if err := a.save(ctx); err != nil {
		a.log.Error("could not record the reorg of a mined action", "err", err)
		if !errors.Is(err, errStale) {
			cs.mined.add(m) // the store is down: seen again at the next block
		}
		return
	}
	s.opts.Adopt(a.rec, a.rev)
}
