// Package submit carries recorded action intents to the chain and does not
// let them jam.
//
// One goroutine owns the nonces of each (chain, sender) and hands them out
// on request; it reads the chain again when a node says "nonce too low" or
// "nonce too high", so a nonce used out of band with the same key, or a
// hole, is recovered from instead of jamming every later action. Fees are
// EIP-1559, the tip from eth_feeHistory at an emergency percentile, the fee
// cap above the next base fee; head and tip are kept fresh per block by a
// follower of the chain head, so the hot path reads neither. While an
// action's transaction is not included it is re-priced at every new block
// (or every n blocks) with fee cap and tip both raised past geth's
// replacement threshold, up to the chain's max fee; a cap that blocks a
// valid replacement is reported (log, Stats, and the record's Warning,
// which OnChange and so the audit see), and the best transaction stays in
// flight. Transactions go to several endpoints at once and optionally to a
// private relay. Every hash sent for an action is recorded; the one mined is
// found, followed to the configured confirmations, and a reorg that removes
// it sends the action back to the pool, also after it was counted final:
// a mined action is watched for ReorgWatchBlocks more blocks (reorgwatch.go).
// Every call to a node and every send is bounded (ChainConfig.RPCTimeout).
//
// Every signed transaction is written to the actions bucket before it
// leaves the process, so an engine that stops at any point, even killed,
// resumes where it was: an action never signed is signed afresh, and one
// signed is only ever rebroadcast or replaced at the same nonce, never sent
// a second time with another nonce unless that nonce was provably taken by
// a transaction that is not the action's.
//
// Several engine replicas on one NATS share the work through Leases: each
// sender's nonces belong to one replica at a time, which sends the
// actions the others record and takes a dead replica's senders over.
package submit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer"
)

// Chain is what the submitter needs from a node; *ethclient.Client and the
// simulated client both satisfy it.
type Chain interface {
	ethereum.PendingStateReader
	ethereum.GasEstimator
	ethereum.FeeHistoryReader
	ethereum.TransactionSender
	ethereum.TransactionReader
	// ContractCaller confirms, with a read, that an action that reverts
	// was only not needed (its target already paused, frozen, revoked).
	ethereum.ContractCaller
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// ChainConfig is how the submitter reaches and prices one chain.
type ChainConfig struct {
	// Node is read (nonces, fees, receipts) and, unless Mode is Private,
	// sent to.
	Node Chain
	// Heads, when set, pushes the chain's new heads (a WebSocket client
	// of the same node) while Node, over HTTP, takes the calls. When nil,
	// Node's own subscription is used if it can push, else the head is
	// polled.
	Heads HeadSubscriber
	// Public are further public endpoints, sent to in parallel with Node.
	Public []Endpoint
	// Private are private relays; used in modes Private and Both.
	Private []Endpoint
	// Mode is Public (the default), Private or Both.
	Mode Mode
	// MaxFeePerGas caps the fee cap of every transaction, in wei; nil: no cap.
	MaxFeePerGas *big.Int
	// MinTip is the least tip offered, in wei; nil: zero.
	MinTip *big.Int
	// TipPercentile of the tips paid in the last blocks (eth_feeHistory)
	// that a transaction offers; 0 means DefaultTipPercentile.
	TipPercentile float64
	// Confirmations a mined transaction needs (counting its own block)
	// before the action is final; 0 means 1.
	Confirmations uint64
	// BumpEveryBlocks re-prices a transaction that was not included after
	// this many new blocks; 0 means 1.
	BumpEveryBlocks uint64
	// RPCTimeout bounds each send to an endpoint, so that one that hangs
	// holds no goroutine past it; 0 means DefaultRPCTimeout. The engine's
	// clients bound every other call by the same deadline.
	RPCTimeout time.Duration
	// ReorgWatchBlocks is how many blocks after it reached its
	// confirmations a mined action is still watched: if its transaction
	// leaves the chain it is put back in flight. 0 means
	// DefaultReorgWatchBlocks.
	ReorgWatchBlocks uint64
	// ReorgWatchFinalized watches a mined action until the node's
	// "finalized" block covers it instead (ReorgWatchBlocks still applies
	// while the node reports no finalized block).
	ReorgWatchFinalized bool
}

// Defaults of ChainConfig.
const (
	DefaultRPCTimeout       = 5 * time.Second
	DefaultReorgWatchBlocks = 64
)

// DefaultTipPercentile is the tip percentile used when a chain sets none:
// a containment transaction should outbid nearly everyone.
const DefaultTipPercentile = 99

// Options tune the submitter.
type Options struct {
	// GasMargin multiplies the gas estimate, in percent (125 = +25%).
	GasMargin uint64
	// ReceiptPoll is the first pause between receipt checks after a send;
	// it doubles up to MaxReceiptPoll. A new head checks at once. A tight
	// loop would starve a local node.
	ReceiptPoll, MaxReceiptPoll time.Duration
	// HeadPoll is how often the head is read from a node that cannot push
	// new heads (HTTP). WebSocket endpoints push.
	HeadPoll time.Duration
	// RetryInitial and RetryFor shape the backoff of transient RPC errors
	// (connection, HTTP 429 and 5xx): first pause, and how long one call
	// is retried before the action's loop tries again at the next block.
	RetryInitial, RetryFor time.Duration
	// Now is the clock; tests may fix it.
	Now func() time.Time
	// OnChange, when set, is called after every recorded change of an
	// action (signed, sent, each bump or re-sign, included, reorged,
	// warned, mined, failed), with the record as stored: the audit log
	// hangs here.
	OnChange func(ctx context.Context, rec record.Record)
	// Leases, when set, make this submitter one of several engine
	// replicas: it acts only for the senders whose lease it holds,
	// leaves the others' actions recorded for their holder, and takes
	// over the senders (and unfinished actions) of a replica that died.
	// Nil: this submitter is the only one.
	Leases *Leases
	// Adopt starts an action this submitter takes over (recorded by
	// another replica, or left by a dead one). The engine runs Execute
	// there as for its own actions; nil runs Execute in a goroutine.
	Adopt func(rec record.Record, rev uint64)
	// Authorizer, when set, is asked before every signature whether the
	// record's call may be signed; a record it refuses is quarantined
	// (state refused, the reason in Error, OnChange told) and nothing is
	// signed for it. The engine always sets one (the allowlist in force
	// and the engine's MAC); nil checks only the record's validity and
	// sender.
	Authorizer Authorizer
}

// DefaultOptions are the submitter's defaults.
func DefaultOptions() Options {
	return Options{
		GasMargin: 125, ReceiptPoll: 10 * time.Millisecond, MaxReceiptPoll: 500 * time.Millisecond,
		HeadPoll: 250 * time.Millisecond, RetryInitial: 50 * time.Millisecond, RetryFor: 10 * time.Second, Now: time.Now,
	}
}

// Stats are the submitter's counters since it was created.
type Stats struct {
	// Sent counts first broadcasts, Bumps fee replacements, Resigned
	// re-signs at a new nonce after the old one was taken out of band.
	Sent, Bumps, Resigned uint64
	// CapBlocked counts bumps the fee cap prevented.
	CapBlocked uint64
	// Replaced counts attempts superseded by the one mined.
	Replaced uint64
	// Reorgs counts mined transactions that left the chain again.
	Reorgs uint64
	// NonceResyncs counts reads of a sender's nonce from the chain after
	// the first; HolesFilled the unused nonces filled with a transfer of
	// nothing to the sender, so that the transactions after them execute.
	NonceResyncs, HolesFilled uint64
	// Refused counts actions quarantined by the check before signing.
	Refused uint64
}

type stats struct {
	sent, bumps, resigned, capBlocked, replaced, reorgs, resyncs, holesFilled, refused atomic.Uint64
}

// Submitter executes recorded intents.
type Submitter struct {
	store   *record.Store
	chains  map[uint64]*chainState
	signers map[string]signer.Signer
	opts    Options
	log     *slog.Logger
	stats   stats

	mu      sync.Mutex
	runCtx  context.Context
	owners  map[senderKey]*nonceOwner
	started bool
	// estimates made by Prepare, by action id, until Execute takes them.
	estimates map[string]*estimate
	// running holds the ids of the actions an Execute is carrying.
	running map[string]bool
	// wg holds every goroutine the submitter starts; stopping, set by
	// Wait, starts no more.
	wg       sync.WaitGroup
	stopping bool
}

type chainState struct {
	ChainConfig
	id     uint64
	heads  *heads
	sendTo []Endpoint
	// mined are the actions final on this chain still watched for a reorg.
	mined *minedWatch
}

type senderKey struct {
	chain uint64
	from  common.Address
}

// New returns a Submitter; Start it before Execute.
func New(store *record.Store, chains map[uint64]ChainConfig, signers map[string]signer.Signer, opts Options, log *slog.Logger) *Submitter {
	def := DefaultOptions()
	if opts.GasMargin == 0 {
		opts.GasMargin = def.GasMargin
	}
	if opts.ReceiptPoll <= 0 {
		opts.ReceiptPoll = def.ReceiptPoll
	}
	if opts.MaxReceiptPoll < opts.ReceiptPoll {
		opts.MaxReceiptPoll = max(def.MaxReceiptPoll, opts.ReceiptPoll)
	}
	if opts.HeadPoll <= 0 {
		opts.HeadPoll = def.HeadPoll
	}
	if opts.RetryInitial <= 0 {
		opts.RetryInitial = def.RetryInitial
	}
	if opts.RetryFor <= 0 {
		opts.RetryFor = def.RetryFor
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Submitter{store: store, chains: map[uint64]*chainState{}, signers: signers, opts: opts, log: log, owners: map[senderKey]*nonceOwner{}, estimates: map[string]*estimate{}, running: map[string]bool{}}
	for id, c := range chains {
		if c.Mode == "" {
			c.Mode = Public
		}
		if c.TipPercentile == 0 {
			c.TipPercentile = DefaultTipPercentile
		}
		c.Confirmations = max(c.Confirmations, 1)
		c.BumpEveryBlocks = max(c.BumpEveryBlocks, 1)
		if c.RPCTimeout <= 0 {
			c.RPCTimeout = DefaultRPCTimeout
		}
		if c.ReorgWatchBlocks == 0 {
			c.ReorgWatchBlocks = DefaultReorgWatchBlocks
		}
		cs := &chainState{ChainConfig: c, id: id, heads: newHeads(c.Node, c.Heads, opts.HeadPoll, c.TipPercentile, log.With("chain", id)), mined: newMinedWatch()}
		if c.Mode != Private {
			cs.sendTo = append(cs.sendTo, Endpoint{Name: "node", TransactionSender: c.Node})
			cs.sendTo = append(cs.sendTo, c.Public...)
		}
		if c.Mode != Public {
			cs.sendTo = append(cs.sendTo, c.Private...)
		}
		s.chains[id] = cs
	}
	return s
}

// Start follows every chain's head until ctx ends, and reads each chain's
// head and fee estimate and each sender's nonce before it returns, so that
// none of them is read on the hot path. A node that does not answer is
// logged, not fatal: the first action reads it again.
func (s *Submitter) Start(ctx context.Context) {
	s.mu.Lock()
	s.runCtx, s.started = ctx, true
	s.mu.Unlock()
	// A node that hangs must not hold the engine's start.
	warm, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	if s.opts.Adopt == nil {
		s.opts.Adopt = s.executeInBackground
	}
	if s.opts.Leases != nil {
		s.spawn(func() { s.opts.Leases.keep(ctx) })
		s.spawn(func() { s.adopt(ctx) })
	}
	for _, cs := range s.chains {
		s.spawn(func() { cs.heads.run(ctx) })
		s.spawn(func() { s.watchMined(ctx, cs) })
		wg.Go(func() {
			if _, _, _, err := cs.heads.current(warm); err != nil && ctx.Err() == nil {
				s.log.Warn("could not read the head ahead of time", "chain", cs.id, "err", err)
			}
		})
		for _, sg := range s.signers {
			if s.opts.Leases != nil {
				if _, held, err := s.lease(warm, cs, sg.Address(), true); err != nil || !held {
					continue // another replica's; its nonces are not read here
				}
			}
			o := s.owner(cs, sg.Address())
			wg.Go(func() {
				if err := o.assign(warm, func(uint64) error { return errWarmOnly }); err != nil && !errors.Is(err, errWarmOnly) && ctx.Err() == nil {
					s.log.Warn("could not read a sender's nonce ahead of time", "chain", cs.id, "from", sg.Address().Hex(), "err", err)
				}
			})
		}
	}
	wg.Wait()
	// After the warm-up, so that the heads are known: the actions mined
	// before a restart are watched again for as long as they would have
	// been.
	s.spawn(func() { s.resumeWatch(ctx) })
}

// spawn runs f in a goroutine that Wait waits for; once Wait has begun,
// nothing starts. It reports whether f was started.
func (s *Submitter) spawn(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spawnLocked(f)
}

func (s *Submitter) spawnLocked(f func()) bool {
	if s.stopping {
		return false
	}
	s.wg.Go(f)
	return true
}

// Wait returns once every goroutine the submitter started (head
// followers, nonce owners, the reorg watch, estimates, lease keeping) has
// returned; call it after ending the context given to Start.
func (s *Submitter) Wait() {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.wg.Wait()
}

// executeInBackground runs Execute for a record the submitter itself puts
// back in flight (a reorg after it was final, or an adopted action when
// Options.Adopt is nil), until the context given to Start ends.
func (s *Submitter) executeInBackground(rec record.Record, rev uint64) {
	s.mu.Lock()
	ctx := s.runCtx
	s.mu.Unlock()
	s.spawn(func() { _, _ = s.Execute(ctx, rec, rev) })
}

// errWarmOnly makes a nonce request that only syncs the owner.
var errWarmOnly = errors.New("warm only")

// Store returns the store the submitter records into.
func (s *Submitter) Store() *record.Store { return s.store }

// Stats returns the counters.
func (s *Submitter) Stats() Stats {
	return Stats{
		Sent: s.stats.sent.Load(), Bumps: s.stats.bumps.Load(), Resigned: s.stats.resigned.Load(),
		CapBlocked: s.stats.capBlocked.Load(), Replaced: s.stats.replaced.Load(), Reorgs: s.stats.reorgs.Load(),
		NonceResyncs: s.stats.resyncs.Load(), HolesFilled: s.stats.holesFilled.Load(), Refused: s.stats.refused.Load(),
	}
}

func (s *Submitter) owner(cs *chainState, from common.Address) *nonceOwner {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := senderKey{cs.id, from}
	o, ok := s.owners[k]
	if !ok {
		o = newNonceOwner(cs.id, from, cs.Node, s.store, s.log)
		s.owners[k] = o
		ctx := s.runCtx
		s.spawnLocked(func() { o.run(ctx) })
	}
	return o
}

// Execute takes a recorded action from its current state to a final one.
// It returns when the action is final or ctx is done; the record, not the
// return value, is the truth, and a cancelled Execute is resumed by the
// next Execute of the stored record.
func (s *Submitter) Execute(ctx context.Context, rec record.Record, rev uint64) (record.Record, error) {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		return rec, ErrNotStarted
	}
	if !s.claim(rec.ID) {
		return rec, ErrRunning
	}
	defer s.unclaim(rec.ID)
	if s.opts.Leases != nil {
		lctx, err := s.leaseFor(ctx, rec)
		if err != nil {
			s.log.Info("action left to the replica that holds its sender's lease", "action", rec.ID, "err", err)
			return rec, err
		}
		if lctx != nil {
			// Losing the lease stops the action here; the replica that
			// holds it now carries the record on.
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			defer cancel()
			defer context.AfterFunc(lctx, cancel)()
		}
	}
	a := &action{s: s, rec: rec, rev: rev, log: s.log.With("action", rec.ID, "event", rec.EventID)}
	err := a.run(ctx)
	// Paces the carry-ons after a store failure: a store that answers
	// reads but not writes must not turn this into a busy loop.
	pace := backoff.NewExponentialBackOff(backoff.WithInitialInterval(s.opts.RetryInitial),
		backoff.WithMaxInterval(5*time.Second), backoff.WithMaxElapsedTime(0))
carryOn:
	for stale := 0; ctx.Err() == nil; {
		switch {
		case errors.Is(err, errStale) && stale < 3:
			// Someone else wrote the record (a replica that was stopping
			// as this one took the sender over): carry on from what is
			// stored, never from this Execute's older copy.
			stale++
			a.log.Warn("the action's record was written elsewhere: carrying on from the stored one")
		case errors.Is(err, errStoreUnavailable):
			// The store did not answer a write (NATS down, a stream
			// leader moving): the write may or may not have landed. The
			// action is not failed for it: once the store answers, it
			// carries on from what is stored (a transaction recorded
			// there is only ever resent, never signed anew).
			a.log.Warn("the action store did not answer: carrying on from the stored record once it does", "err", err)
			select {
			case <-ctx.Done():
				break carryOn
			case <-time.After(pace.NextBackOff()):
			}
		default:
			break carryOn
		}
		stored, storedRev, gerr := s.storedRecord(ctx, rec.ID, a.log)
		if gerr != nil {
			return a.rec, errors.Join(err, gerr)
		}
		if stored.State.Final() {
			return stored, nil
		}
		a = &action{s: s, rec: stored, rev: storedRev, log: a.log}
		err = a.run(ctx)
	}
	if errors.Is(err, errStale) || errors.Is(err, errStoreUnavailable) {
		return a.rec, err // the record is not this Execute's to fail
	}
	if err != nil && ctx.Err() == nil && !a.rec.State.Final() {
		a.rec.State, a.rec.Error = record.Failed, err.Error()
		if uerr := a.save(ctx); uerr != nil {
			a.log.Error("could not record the failure of an action", "err", uerr)
		}
		a.log.Error("action failed", "err", err)
		if a.rec.Nonce != nil && a.cs != nil {
			// Its nonce may be a hole now: the next action fills it.
			_ = s.owner(a.cs, a.rec.From).resync(ctx)
		}
	}
	return a.rec, err
}

// action is one Execute: the record and what the loop knows about it.
type action struct {
	s   *Submitter
	cs  *chainState
	rec record.Record
	rev uint64
	log *slog.Logger

	tx        *types.Transaction // the latest signed attempt
	needSend  bool               // tx must be (re)broadcast
	accepted  bool               // a node accepted tx in this process
	lastBump  uint64             // head number of the last re-pricing
	takenSeen int                // consecutive checks that found the nonce used by another tx
	holeSeen  int                // consecutive checks that found a hole below the nonce
	resumed   bool               // signed by an earlier run: maybe broadcast then
	stale     bool               // the stored record moved on without this Execute
}

// errStale: the stored record is newer than this Execute's copy.
var errStale = errors.New("submit: the action's record was written by someone else")

// errStoreUnavailable: the action store did not answer (record.Unavailable).
// It never fails an action: Execute waits for the store and carries on
// from the stored record.
var errStoreUnavailable = errors.New("submit: the action store is unavailable")

// storedRecord reads the action's record, waiting (with capped backoff,
// until ctx ends) while the store does not answer.
func (s *Submitter) storedRecord(ctx context.Context, id string, log *slog.Logger) (record.Record, uint64, error) {
	b := backoff.WithContext(backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(s.opts.RetryInitial),
		backoff.WithMaxInterval(5*time.Second),
		backoff.WithMaxElapsedTime(0),
	), ctx)
	var rev uint64
	rec, err := backoff.RetryNotifyWithData(func() (record.Record, error) {
		rec, r, err := s.store.Get(ctx, id)
		if err != nil && !record.Unavailable(err) {
			return rec, backoff.Permanent(err)
		}
		rev = r
		return rec, err
	}, b, func(err error, d time.Duration) {
		log.Warn("the action store does not answer: waiting for it", "retry_in", d, "err", err)
	})
	return rec, rev, err
}

func (a *action) run(ctx context.Context) error {
	cs, ok := a.s.chains[a.rec.ChainID]
	if !ok {
		return fmt.Errorf("%w %d", ErrUnknownChain, a.rec.ChainID)
	}
	a.cs = cs
	if a.rec.State.Final() {
		return nil
	}
	// Whatever wrote the record (this engine, another replica, or someone
	// with write access to the bucket), nothing is signed or sent for it
	// unless it passes.
	tx, err := a.s.admit(ctx, a.rec)
	if errors.Is(err, errStoreUnavailable) || (err != nil && ctx.Err() != nil) {
		return err // not a refusal: Execute waits for the store
	}
	if err != nil {
		return a.refuse(ctx, err)
	}
	switch a.rec.State {
	case record.Pending:
		sg, ok := a.s.signers[a.rec.Signer]
		if !ok {
			return fmt.Errorf("%w %q", ErrUnknownSigner, a.rec.Signer)
		}
		if err := a.first(ctx, sg); err != nil || a.rec.State.Final() {
			return err // final: nothing was needed (Satisfied)
		}
	case record.Signed, record.Sent, record.Included:
		// Resumed: the transaction may or may not have reached a node;
		// rebroadcasting the same bytes is always safe.
		a.resume(tx)
	default:
		return nil
	}
	return a.track(ctx)
}

// resume takes up a record signed by an earlier run: tx, its recorded
// transaction, is current, and is broadcast again unless it is included.
func (a *action) resume(tx *types.Transaction) {
	a.tx, a.needSend, a.resumed = tx, a.rec.State != record.Included, true
	if n := len(a.rec.Attempts); n > 0 {
		a.lastBump = a.rec.Attempts[n-1].Head
	}
	a.log.Info("resuming action", "state", a.rec.State, "tx", tx.Hash().Hex(), "nonce", tx.Nonce(), "attempts", len(a.rec.Attempts))
}

// first prices, signs, records and broadcasts the first transaction.
func (a *action) first(ctx context.Context, sg signer.Signer) error {
	from := sg.Address()
	to := a.rec.To
	gas, ok := a.s.prepared(ctx, a.rec.ID, from, to, a.rec.Data)
	for tries := 1; !ok; tries++ {
		var err error
		gas, err = retry(ctx, a, "eth_estimateGas", func() (uint64, error) {
			return a.cs.Node.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Data: a.rec.Data})
		})
		if err == nil {
			break
		}
		err = fmt.Errorf("submit: estimating gas of %s on %s from %s: %w", a.rec.Function, to.Hex(), from.Hex(), err)
		if Retryable(err) && ctx.Err() == nil {
			// The node is away longer than one retry budget. Nothing is
			// signed yet, so waiting is always safe, and the containment
			// is still wanted when it is back: the action waits, and
			// says so, rather than fail.
			tries--
			a.warn(ctx, nodeWaitWarning+err.Error())
			continue
		}
		if done, serr := a.satisfiedAtEstimate(ctx, err); done {
			return serr
		}
		if _, has := wanted(a.rec.Data); !has || !errors.Is(err, ErrReverted) || tries >= estimateRevertTries {
			return err
		}
		// Nodes estimate on the pending block: a transaction in the pool
		// (an earlier pause) may already do what this one would while
		// the chain does not show it yet. The next block tells which.
		a.log.Info("the estimate reverts but the target is not yet in the wanted state: estimating again at the next block", "err", err, "try", tries)
		if err := a.nextHead(ctx); err != nil {
			return err
		}
	}
	if strings.HasPrefix(a.rec.Warning, nodeWaitWarning) {
		a.rec.Warning = "" // it answers again; signing records the cleared warning
	}
	gas = gas * a.s.opts.GasMargin / 100
	head, tip, _, err := a.cs.heads.current(ctx)
	if err != nil {
		return err
	}
	fees := MarketFees(head, tip, a.cs.MinTip, a.cs.MaxFeePerGas)
	a.rec.From, a.rec.GasLimit = from, gas
	if head.BaseFee != nil && fees.FeeCap.Cmp(head.BaseFee) < 0 {
		a.rec.Warning = fmt.Sprintf("max_fee_per_gas %s wei is below the base fee %s wei: the transaction waits until the base fee falls", a.cs.MaxFeePerGas, head.BaseFee)
		a.s.stats.capBlocked.Add(1)
		a.log.Error("fee cap below the base fee", "cap", a.cs.MaxFeePerGas, "base_fee", head.BaseFee)
	}
	if err := a.signFirst(ctx, sg, fees, head.Number.Uint64()); err != nil {
		return err
	}
	a.needSend = true
	return a.sendNow(ctx)
}

const (
	signerWaitWarning = "signer unavailable, waiting: "
	nodeWaitWarning   = "node unreachable, waiting to estimate the gas: "
)

// signFirst signs the first transaction at the sender's next nonce. A
// signer that is unavailable (Vault sealed, stopped or unreachable) is
// waited for, however long: nothing was sent yet, the nonce goes back to
// the owner between tries, and the operator sees why in the log and in the
// record's warning. So are a store that does not answer and a node that
// cannot be reached while the nonce is read or the signed transaction
// recorded (a transaction whose record did land after all is found by the
// next try's write, which then fails as stale: Execute carries that one
// on). Every other signer error (bad credentials, missing key) fails the
// action with its reason.
func (a *action) signFirst(ctx context.Context, sg signer.Signer, fees Fees, head uint64) error {
	b := backoff.WithContext(backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(a.s.opts.RetryInitial),
		backoff.WithMaxInterval(5*time.Second),
		backoff.WithMaxElapsedTime(0),
	), ctx)
	return backoff.RetryNotify(func() error {
		err := a.s.owner(a.cs, a.rec.From).assign(ctx, func(nonce uint64) error {
			if strings.HasPrefix(a.rec.Warning, signerWaitWarning) {
				a.rec.Warning = "" // it answers again; sign records the cleared warning
			}
			return a.sign(ctx, sg, nonce, fees, head, "first")
		})
		if err != nil && !errors.Is(err, signer.ErrUnavailable) && !errors.Is(err, errStoreUnavailable) && !Retryable(err) {
			return backoff.Permanent(err)
		}
		return err
	}, b, func(err error, d time.Duration) {
		if !errors.Is(err, signer.ErrUnavailable) {
			// The store or the node, reading the nonce or recording the
			// signed transaction: nothing left the process yet.
			a.log.Error("could not sign the action yet: the action waits", "retry_in", d, "err", err)
			return
		}
		a.log.Error("signer unavailable: the action waits for it", "signer", a.rec.Signer, "retry_in", d, "err", err)
		if msg := signerWaitWarning + err.Error(); a.rec.Warning != msg {
			a.rec.Warning = msg
			if serr := a.save(ctx); serr != nil {
				a.log.Error("could not record a warning", "err", serr)
			}
		}
	})
}

// sendNow broadcasts the current transaction and deals with the answer.
func (a *action) sendNow(ctx context.Context) error {
	tx := a.tx
	err := a.broadcast(ctx, tx)
	if err == nil {
		a.needSend, a.accepted = false, true
		if a.rec.State == record.Signed {
			a.rec.State, a.rec.SentAt = record.Sent, a.s.opts.Now()
			a.s.stats.sent.Add(1)
			a.log.Info("transaction sent", "tx", tx.Hash().Hex(), "nonce", tx.Nonce(), "from", a.rec.From.Hex(), "to", a.rec.To.Hex(),
				"function", a.rec.Function, "max_fee", tx.GasFeeCap(), "tip", tx.GasTipCap())
			return a.save(ctx)
		}
		return nil
	}
	return a.onSendError(ctx, err)
}

func (a *action) broadcast(ctx context.Context, tx *types.Transaction) error {
	_, err := retry(ctx, a, "broadcast", func() (struct{}, error) {
		return struct{}{}, broadcast(ctx, a.cs.sendTo, tx, a.cs.RPCTimeout, a.log)
	})
	return err
}

// onSendError decides what a refused broadcast means. It returns an error
// only when the action cannot succeed; otherwise the loop carries on.
func (a *action) onSendError(ctx context.Context, err error) error {
	nonce := a.tx.Nonce()
	switch {
	case errors.Is(err, ErrNonceTooLow):
		// Ours mined meanwhile, or someone else took the nonce: the
		// receipts tell, at the next check.
		a.log.Warn("node says nonce too low", "nonce", nonce, "err", err)
		a.needSend = false
		return a.checkTaken(ctx, true)
	case errors.Is(err, ErrNonceTooHigh):
		a.log.Warn("node says nonce too high: reading the nonce again", "nonce", nonce, "err", err)
		a.s.stats.resyncs.Add(1)
		if rerr := a.s.owner(a.cs, a.rec.From).resync(ctx); rerr != nil {
			return nil
		}
		if !a.accepted && len(a.rec.Attempts) == 1 && a.rec.State == record.Signed {
			// No node ever took this transaction: a fresh nonce cannot
			// double anything.
			return a.resign(ctx, "nonce too high")
		}
		return nil
	case errors.Is(err, ErrUnderpriced), errors.Is(err, ErrReplacementUnderpriced):
		// Below the base fee or the pool minimum, or another transaction
		// with this nonce pays more (sent out of band): re-price at once.
		a.log.Warn("transaction underpriced: bumping", "nonce", nonce, "err", err)
		head, _, _, herr := a.cs.heads.current(ctx)
		if herr != nil {
			return nil
		}
		return a.bump(ctx, head, "underpriced")
	case errors.Is(err, ErrInsufficientFunds):
		a.warn(ctx, fmt.Sprintf("sender %s cannot pay for the transaction: top it up", a.rec.From.Hex()))
		return nil
	case Retryable(err):
		a.log.Warn("no endpoint reachable: retrying at the next block", "err", err)
		return nil
	case a.rec.State != record.Signed || len(a.rec.Attempts) > 1 || a.resumed:
		// An earlier attempt was (or, before a restart, may have been)
		// accepted and may still be mined: the action is not failed,
		// whatever a node thinks of this one.
		a.warn(ctx, "a node refused a replacement: "+err.Error())
		return nil
	default:
		return err
	}
}

// track follows the action until it is final.
func (a *action) track(ctx context.Context) error {
	pause := a.s.opts.ReceiptPoll
	var seen common.Hash // the head last checked against
	for {
		if a.stale {
			// Any save of this copy fails from now on: start again from
			// the stored record (Execute does).
			return errStale
		}
		// A refused send may bump at once (underpriced); a few rounds,
		// then wait for the chain.
		for i := 0; a.needSend && !a.stale && i < 3; i++ {
			if err := a.sendNow(ctx); err != nil {
				return err
			}
		}
		if a.rec.State.Final() {
			return nil
		}
		_, _, changed, err := a.cs.heads.current(ctx)
		if err != nil {
			a.log.Warn("head unavailable", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-time.After(pause):
			// Nothing about the action changes without a new block; a
			// shared, coalesced head read finds it sooner than the
			// node's push or the head poll (automine mines at once).
			pause = min(pause*2, a.s.opts.MaxReceiptPoll)
			a.cs.heads.refresh(ctx, a.s.opts.ReceiptPoll)
		}
		head, _, _, err := a.cs.heads.current(ctx)
		if err != nil || head.Hash() == seen {
			continue
		}
		seen = head.Hash()
		if err := a.check(ctx, head); err != nil {
			// The store refused the write (NATS down, or another writer):
			// never fail an action whose transaction may be mined; the
			// record stays as stored and a restart resumes from it.
			a.log.Error("could not record the action's progress", "err", err)
		}
		if a.stale {
			continue // what this copy found is not stored: start again
		}
		if a.rec.State.Final() {
			return nil
		}
		if (a.rec.State == record.Sent || a.rec.State == record.Signed) && head.Number.Uint64() >= a.lastBump+a.cs.BumpEveryBlocks {
			if err := a.bump(ctx, head, fmt.Sprintf("not included by block %d", head.Number)); err != nil {
				return err
			}
			pause = a.s.opts.ReceiptPoll
		}
	}
}

// check looks at the chain: included, confirmed, reorged, or the nonce
// taken by someone else.
func (a *action) check(ctx context.Context, head *types.Header) error {
	if a.rec.State == record.Included && a.rec.TxHash != nil {
		r, err := a.cs.Node.TransactionReceipt(ctx, *a.rec.TxHash)
		if errors.Is(err, ethereum.NotFound) {
			a.reorged(ctx)
			return nil
		}
		if err != nil {
			a.log.Warn("reading receipt", "tx", a.rec.TxHash.Hex(), "err", Classify(err))
			return nil
		}
		return a.included(ctx, r, head)
	}
	if err := a.checkTaken(ctx, false); err != nil || a.rec.State != record.Sent {
		return err
	}
	a.checkHole(ctx)
	return nil
}

// checkHole fills the nonces below the action's that the node's pool
// lacks and no action holds (one a failed action left unused): geth queues
// a transaction behind such a hole, silently and for good. It waits one
// block first, so an action about to send its own nonce is not raced.
func (a *action) checkHole(ctx context.Context) {
	nonce := a.tx.Nonce()
	pending, err := a.cs.Node.PendingNonceAt(ctx, a.rec.From)
	if err != nil || pending >= nonce {
		a.holeSeen = 0
		return
	}
	if a.holeSeen++; a.holeSeen < 2 {
		return
	}
	a.holeSeen = 0
	sg, ok := a.s.signers[a.rec.Signer]
	head, tip, _, herr := a.cs.heads.current(ctx)
	if !ok || herr != nil {
		return
	}
	// The filler is signed for this record: only for a record that may
	// be signed, and only to the signer's own address.
	if err := a.authorizeSign(ctx, sg); err != nil {
		return
	}
	fees := MarketFees(head, tip, a.cs.MinTip, a.cs.MaxFeePerGas)
	chainID := new(big.Int).SetUint64(a.rec.ChainID)
	from := a.rec.From
	err = a.s.owner(a.cs, from).fillHoles(ctx, nonce, func(n uint64) error {
		// A transfer of nothing to itself: harmless however often it is
		// sent, since only one transaction can have the nonce.
		tx, err := sg.SignTx(ctx, types.NewTx(&types.DynamicFeeTx{
			ChainID: chainID, Nonce: n, GasTipCap: fees.Tip, GasFeeCap: fees.FeeCap, Gas: 21000, To: &from,
		}), chainID)
		if err != nil {
			return err
		}
		if err := a.broadcast(ctx, tx); err != nil {
			return err
		}
		a.s.stats.holesFilled.Add(1)
		a.log.Warn("filled a nonce hole below the action's transaction", "nonce", n, "tx", tx.Hash().Hex(), "action_nonce", nonce)
		return nil
	})
	if err != nil {
		a.log.Error("could not fill a nonce hole", "below", nonce, "err", err)
	}
}

// checkTaken finds out whether the action's nonce is used on chain, and by
// which transaction. told says a node reported "nonce too low".
func (a *action) checkTaken(ctx context.Context, told bool) error {
	nonce := a.tx.Nonce()
	latest, err := a.cs.Node.NonceAt(ctx, a.rec.From, nil)
	if err != nil {
		a.log.Warn("reading the sender's nonce", "err", Classify(err))
		return nil
	}
	if latest <= nonce {
		a.takenSeen = 0
		return nil
	}
	for i := len(a.rec.Attempts) - 1; i >= 0; i-- {
		at := a.rec.Attempts[i]
		if at.Nonce != nonce {
			continue
		}
		r, err := a.cs.Node.TransactionReceipt(ctx, at.Hash)
		if err == nil {
			head, _, _, herr := a.cs.heads.current(ctx)
			if herr != nil {
				head = &types.Header{Number: r.BlockNumber}
			}
			return a.included(ctx, r, head)
		}
		if !errors.Is(err, ethereum.NotFound) {
			// Unknown is not absent: never conclude the nonce is taken
			// from a failed read.
			a.log.Warn("reading receipt", "tx", at.Hash.Hex(), "err", Classify(err))
			return nil
		}
	}
	// The nonce is used and no hash of ours has a receipt. Told by a node,
	// or seen twice, it is another transaction of the same key.
	a.takenSeen++
	if !told && a.takenSeen < 2 {
		return nil
	}
	a.log.Warn("nonce taken by a transaction that is not this action's: signing again with a new nonce", "nonce", nonce, "chain_nonce", latest)
	for i := range a.rec.Attempts {
		if a.rec.Attempts[i].Nonce == nonce {
			a.rec.Attempts[i].Status = record.AttemptDropped
		}
	}
	a.s.stats.resyncs.Add(1)
	if err := a.s.owner(a.cs, a.rec.From).resync(ctx); err != nil {
		return nil
	}
	return a.resign(ctx, fmt.Sprintf("nonce %d taken by another transaction", nonce))
}

// resign signs the action again at a fresh nonce from the owner.
func (a *action) resign(ctx context.Context, reason string) error {
	sg, ok := a.s.signers[a.rec.Signer]
	if !ok {
		return fmt.Errorf("%w %q: cannot sign again after %s", ErrUnknownSigner, a.rec.Signer, reason)
	}
	head, tip, _, err := a.cs.heads.current(ctx)
	if err != nil {
		return nil
	}
	fees := MarketFees(head, tip, a.cs.MinTip, a.cs.MaxFeePerGas)
	err = a.s.owner(a.cs, a.rec.From).assign(ctx, func(nonce uint64) error {
		return a.sign(ctx, sg, nonce, fees, head.Number.Uint64(), reason)
	})
	if isRefused(err) {
		return err
	}
	if err != nil {
		// Signer or store unavailable: tried again at the next block.
		a.log.Error("could not sign the action again", "reason", reason, "err", err)
		return nil
	}
	a.s.stats.resigned.Add(1)
	a.takenSeen, a.accepted, a.needSend = 0, false, true
	return nil
}

// bump replaces the current transaction with one priced for head, above
// the replacement threshold, within the cap.
func (a *action) bump(ctx context.Context, head *types.Header, reason string) error {
	a.lastBump = head.Number.Uint64()
	sg, ok := a.s.signers[a.rec.Signer]
	if !ok {
		a.log.Error("cannot bump: the action's signer is not configured; rebroadcasting", "signer", a.rec.Signer)
		a.needSend = true
		return nil
	}
	_, tip, _, err := a.cs.heads.current(ctx)
	if err != nil {
		return nil
	}
	old := Fees{FeeCap: a.tx.GasFeeCap(), Tip: a.tx.GasTipCap()}
	next, err := Replacement(old, MarketFees(head, tip, a.cs.MinTip, nil), a.cs.MaxFeePerGas)
	if errors.Is(err, ErrCapReached) {
		a.s.stats.capBlocked.Add(1)
		a.warn(ctx, err.Error())
		// The pool may have dropped it meanwhile: keep it there.
		a.needSend = true
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.authorizeSign(ctx, sg); err != nil {
		return err // checked before the bump is counted: the refusal is recorded as one
	}
	a.rec.Bumps++
	a.rec.Warning = ""
	if err := a.sign(ctx, sg, a.tx.Nonce(), next, head.Number.Uint64(), reason); err != nil {
		if isRefused(err) {
			return err
		}
		// Signer or store unavailable: the current transaction stays in
		// flight and the next block tries again.
		a.rec.Bumps--
		a.log.Error("could not sign a fee bump", "err", err)
		a.needSend = true
		return nil
	}
	a.s.stats.bumps.Add(1)
	a.log.Info("fee bump", "tx", a.tx.Hash().Hex(), "nonce", a.tx.Nonce(), "max_fee", next.FeeCap, "tip", next.Tip,
		"base_fee", head.BaseFee, "block", head.Number, "bumps", a.rec.Bumps, "reason", reason)
	a.needSend = true
	return nil
}

// hashText is a recorded hash for the log, "none" when there is none.
func hashText(h *common.Hash) string {
	if h == nil {
		return "none"
	}
	return h.Hex()
}

// warn records a condition the operator must see, once per distinct text.
func (a *action) warn(ctx context.Context, msg string) {
	var tx *common.Hash
	if a.tx != nil {
		h := a.tx.Hash()
		tx = &h
	}
	a.log.Error("action needs attention", "warning", msg, "tx", hashText(tx))
	if a.rec.Warning == msg {
		return
	}
	a.rec.Warning = msg
	if err := a.save(ctx); err != nil {
		a.log.Error("could not record a warning", "err", err)
	}
}

// sign signs a transaction for the action at nonce with fees, records it
// as a new attempt and makes it current. Nothing is broadcast before the
// record is stored.
func (a *action) sign(ctx context.Context, sg signer.Signer, nonce uint64, fees Fees, head uint64, reason string) error {
	if err := a.authorizeSign(ctx, sg); err != nil {
		return err
	}
	chainID := new(big.Int).SetUint64(a.rec.ChainID)
	to := a.rec.To
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: fees.Tip, GasFeeCap: fees.FeeCap, Gas: a.rec.GasLimit, To: &to, Data: a.rec.Data,
	})
	signed, err := sg.SignTx(ctx, tx, chainID)
	if err != nil {
		return fmt.Errorf("submit: signing with %q: %w", a.rec.Signer, err)
	}
	if got, err := types.Sender(types.LatestSignerForChainID(chainID), signed); err != nil || got != sg.Address() {
		return fmt.Errorf("%w: signer %q", signer.ErrWrongSignature, a.rec.Signer)
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		return fmt.Errorf("submit: encoding the signed transaction: %w", err)
	}
	prev := a.rec
	prev.Attempts = append([]record.Attempt(nil), a.rec.Attempts...)
	for i := range a.rec.Attempts {
		if a.rec.Attempts[i].Status == record.AttemptSent {
			a.rec.Attempts[i].Status = record.AttemptReplaced
		}
	}
	hash := signed.Hash()
	a.rec.Attempts = append(a.rec.Attempts, record.Attempt{
		Hash: hash, Nonce: nonce, GasFeeCap: (*hexutil.Big)(fees.FeeCap), GasTipCap: (*hexutil.Big)(fees.Tip), GasLimit: a.rec.GasLimit,
		Head: head, Reason: reason, Status: record.AttemptSent, At: a.s.opts.Now(),
	})
	if a.rec.State == record.Pending {
		a.rec.State = record.Signed
	}
	a.rec.Nonce, a.rec.TxHash, a.rec.RawTx = &nonce, &hash, raw
	a.rec.GasFeeCap, a.rec.GasTipCap = (*hexutil.Big)(fees.FeeCap), (*hexutil.Big)(fees.Tip)
	// Recorded before it leaves the process: from now on a restart can
	// only resend or replace these bytes.
	if err := a.save(ctx); err != nil {
		a.rec = prev
		return err
	}
	a.tx, a.lastBump = signed, max(a.lastBump, head)
	return nil
}

// included records that attempt r is in a block, and final once it has
// the confirmations.
func (a *action) included(ctx context.Context, r *types.Receipt, head *types.Header) error {
	block := r.BlockNumber.Uint64()
	conf := uint64(0)
	if h := head.Number.Uint64(); h >= block {
		conf = h - block + 1
	}
	changed := a.markIncluded(r)
	if conf >= a.cs.Confirmations {
		a.rec.State, a.rec.MinedAt, a.rec.Confirmations = record.Mined, a.s.opts.Now(), conf
		if r.Status != types.ReceiptStatusSuccessful && !a.satisfiedOnChain(ctx) {
			a.rec.Error = "transaction reverted on chain"
			a.log.Error("action transaction reverted", "tx", hashText(a.rec.TxHash), "block", block)
		} else if r.Status == types.ReceiptStatusSuccessful {
			a.log.Info("action mined", "tx", hashText(a.rec.TxHash), "block", block, "gas_used", r.GasUsed, "confirmations", conf)
		}
		if err := a.save(ctx); err != nil {
			return err
		}
		a.s.watchFinal(a.cs, a.rec)
		return nil
	}
	if changed || conf != a.rec.Confirmations {
		a.rec.Confirmations = conf
		return a.save(ctx)
	}
	return nil
}

// markIncluded changes the record for attempt r in a block; it reports
// whether anything changed.
func (a *action) markIncluded(r *types.Receipt) bool {
	block := r.BlockNumber.Uint64()
	changed := a.rec.State != record.Included || a.rec.TxHash == nil || *a.rec.TxHash != r.TxHash || a.rec.Block != block
	if !changed {
		return false
	}
	for i := range a.rec.Attempts {
		at := &a.rec.Attempts[i]
		switch {
		case at.Hash == r.TxHash:
			at.Status = record.AttemptMined
		case a.rec.Nonce != nil && at.Nonce == *a.rec.Nonce && at.Status != record.AttemptDropped:
			a.s.stats.replaced.Add(1)
			at.Status = record.AttemptReplaced
		}
	}
	hash := r.TxHash
	a.rec.State, a.rec.TxHash = record.Included, &hash
	a.rec.Block, a.rec.GasUsed, a.rec.Status = block, r.GasUsed, r.Status
	a.rec.EffectiveGasPrice = nil
	if r.EffectiveGasPrice != nil {
		a.rec.EffectiveGasPrice = (*hexutil.Big)(new(big.Int).Set(r.EffectiveGasPrice))
	}
	for _, at := range a.rec.Attempts {
		if at.Hash == hash {
			a.rec.GasFeeCap, a.rec.GasTipCap = at.GasFeeCap, at.GasTipCap
		}
	}
	a.log.Info("transaction included", "tx", hash.Hex(), "block", block, "attempts", len(a.rec.Attempts), "bumps", a.rec.Bumps)
	return true
}

// reorged puts an action whose mined transaction left the chain back in
// flight.
func (a *action) reorged(ctx context.Context) {
	a.markReorged()
	if err := a.save(ctx); err != nil {
		a.log.Error("could not record a reorg", "err", err)
	}
	a.needSend = true
}

// markReorged changes the record for its mined transaction leaving the
// chain.
func (a *action) markReorged() {
	a.log.Warn("reorg: the mined transaction is no longer in the chain; carrying it on", "tx", hashText(a.rec.TxHash), "block", a.rec.Block)
	a.s.stats.reorgs.Add(1)
	for i := range a.rec.Attempts {
		if a.rec.Attempts[i].Status == record.AttemptMined {
			a.rec.Attempts[i].Status = record.AttemptSent
		}
	}
	a.rec.State, a.rec.Reorgs, a.rec.Block, a.rec.Confirmations, a.rec.GasUsed, a.rec.Status = record.Sent, a.rec.Reorgs+1, 0, 0, 0, 0
	a.rec.EffectiveGasPrice = nil
}

// save records the action if the stored revision is still the one this
// Execute read, then tells OnChange.
func (a *action) save(ctx context.Context) error {
	next, err := a.s.store.Update(ctx, a.rec, a.rev)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		a.stale = true
		return fmt.Errorf("%w: %w", errStale, err)
	}
	if record.Unavailable(err) && ctx.Err() == nil {
		return fmt.Errorf("%w: %w", errStoreUnavailable, err)
	}
	if err != nil {
		return err
	}
	a.rev = next
	if a.s.opts.OnChange != nil {
		// A copy: the listener may keep it (the audit queue does) while
		// this action goes on changing its attempts in place.
		rec := a.rec
		rec.Attempts = slices.Clone(a.rec.Attempts)
		a.s.opts.OnChange(ctx, rec)
	}
	return nil
}

// retry runs f until it succeeds, fails in a way retrying cannot fix, or
// the retry budget or ctx ends; only connection errors, HTTP 429 and 5xx
// are retried.
func retry[T any](ctx context.Context, a *action, what string, f func() (T, error)) (T, error) {
	b := backoff.WithContext(backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(a.s.opts.RetryInitial),
		backoff.WithMaxInterval(2*time.Second),
		backoff.WithMaxElapsedTime(a.s.opts.RetryFor),
	), ctx)
	return backoff.RetryNotifyWithData(func() (T, error) {
		v, err := f()
		if err == nil {
			return v, nil
		}
		err = Classify(err)
		if !Retryable(err) {
			return v, backoff.Permanent(err)
		}
		return v, err
	}, b, func(err error, d time.Duration) {
		a.log.Warn("transient RPC error, retrying", "call", what, "in", d, "err", err)
	})
}
