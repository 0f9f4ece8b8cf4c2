package safe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// Chain is what the Safe path reads from a node.
type Chain interface {
	safesigner.Caller
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// Presigned is a Safe transaction the engine keeps signed by the owners for
// the Safe's current nonce, ready to send the moment a decision asks for it.
type Presigned struct {
	Signer   string         `json:"signer"`
	Safe     common.Address `json:"safe"`
	To       common.Address `json:"to"`
	Function string         `json:"function"`
	// Nonce is the Safe nonce the signatures are for.
	Nonce    uint64 `json:"nonce"`
	Calldata []byte `json:"-"`
	// SimulatedBlock is the block of the last eth_call of execTransaction
	// from the executor; SimError its revert, empty when it would succeed.
	SimulatedBlock uint64 `json:"simulated_block"`
	SimError       string `json:"sim_error,omitempty"`
}

// Auditor records what the Safe path decided on its own: an approval
// that reached its threshold and the intent it released, and an approval
// refused instead of executed.
type Auditor interface {
	Approved(ctx context.Context, a Approval, in record.Intent)
	ApprovalRefused(ctx context.Context, a Approval, reason string)
}

// Runner carries the actions of Safe signers: it wraps each call into
// a Safe transaction, signs it with the owners the engine holds (or takes
// the pre-signed one), and either records it as an execTransaction intent
// for the executor or parks it as an approval.
type Runner struct {
	log       *slog.Logger
	now       func() time.Time
	poll      time.Duration
	store     *record.Store
	approvals *ApprovalStore
	lanes     map[string]*safeLane
	// execute runs an action until it is final (the submitter); goFn runs
	// a function in a goroutine the engine waits for.
	Execute func(rec record.Record, rev uint64)
	Go      func(func())
	// audit records completed approvals and the intents they release.
	Audit Auditor
	// Sealer seals every approval with the engine's MAC and verifies it
	// before execution; Check is the allowlist in force; Halt the kill
	// switch, which holds back the execution of approvals while set. The
	// engine sets all three; an approval is not executed without Sealer
	// and Check.
	Sealer *record.Sealer
	Check  TxChecker
	Halt   HaltReader

	haltLogged sync.Map // approval ids whose wait for a resume was logged
	// ticks counts the polls of the Safes that run; Run waits for them.
	ticks sync.WaitGroup
	// Leases, when set, make this engine one of several on one NATS: it
	// builds Safe transactions only while it holds both the Safe's nonce
	// lease and its executor's (submit.Leases). Nil: the only engine.
	Leases NonceLeases
}

// NonceLeases give each (chain, address) nonce to one engine at a time;
// submit.Leases is one. A Safe's nonce is leased under the Safe's
// address, in the same bucket as the senders'.
type NonceLeases interface {
	Held(chain uint64, addr common.Address) (context.Context, bool)
	Acquire(ctx context.Context, chain uint64, addr common.Address, reclaim bool) (bool, error)
	Release(ctx context.Context, chain uint64, addr common.Address)
}

// ErrNotSafeOwner means another engine holds the Safe's nonce (or its
// executor's): this one builds no Safe transaction on it, and the event
// is retried, by whichever engine takes it.
var ErrNotSafeOwner = errors.New("safe: another engine owns this Safe's nonce")

// owns reports whether this engine may build Safe transactions on l now:
// without leases always; with them when it holds the executor's lease and
// the Safe's, which it takes when free (and, at its first try, back from
// an earlier run of this engine). Holding the Safe's lease without the
// executor's, it gives the Safe's up: the engine holding the executor
// then takes it.
func (r *Runner) owns(ctx context.Context, l *safeLane) (bool, error) {
	if r.Leases == nil {
		return true, nil
	}
	chain, addr := l.safe.ChainID(), l.safe.Address()
	_, safeHeld := r.Leases.Held(chain, addr)
	if _, ok := r.Leases.Held(chain, l.execAddr); !ok {
		if safeHeld {
			r.log.Info("giving up the Safe's nonce lease: another engine holds its executor's", "safe", l.name, "executor", l.execAddr.Hex())
			r.Leases.Release(ctx, chain, addr)
		}
		return false, nil
	}
	if safeHeld {
		return true, nil
	}
	held, err := r.Leases.Acquire(ctx, chain, addr, !l.leaseTried.Swap(true))
	if err != nil {
		return false, err
	}
	if held {
		r.log.Info("holding the Safe's nonce lease: Safe transactions are built here", "safe", l.name, "address", addr.Hex())
	}
	return held, nil
}

// safeLane is one Safe. Its semaphore is held from the nonce read that
// builds a Safe transaction until that transaction is final, so two
// actions never get the same Safe nonce and one never waits behind a
// later nonce.
type safeLane struct {
	name     string
	safe     *safesigner.Safe
	chain    Chain
	executor string
	execAddr common.Address
	refresh  uint64
	targets  []presignTarget
	sem      chan struct{}
	hashOK   atomic.Bool
	// polling is set while a poll of the Safe runs (Runner.tick).
	polling atomic.Bool
	// leaseTried: the Safe's lease was asked for once (the first ask
	// takes it back from an earlier run of this engine).
	leaseTried atomic.Bool

	mu        sync.Mutex
	presigned map[string]*Presigned // by presignKey
	signedFor *uint64               // the nonce presigned holds signatures for
	lastSim   uint64
	warned    bool
}

type presignTarget struct {
	to       common.Address
	function string
	data     []byte
}

func presignKey(to common.Address, data []byte) string {
	return to.Hex() + ":" + common.Bytes2Hex(data)
}

func NewRunner(opts config.Options, resolve Resolver, signers map[string]signer.Signer, chains map[uint64]Chain, store *record.Store, approvals *ApprovalStore, log *slog.Logger, now func() time.Time) (*Runner, error) {
	r := &Runner{log: log, now: now, poll: opts.SafePoll, store: store, approvals: approvals, lanes: map[string]*safeLane{}}
	if r.poll <= 0 {
		r.poll = time.Second
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Signers)) {
		so := opts.Signers[name]
		if so.Kind != "safe" {
			continue
		}
		var owners []safesigner.Owner
		for _, o := range so.Owners {
			owners = append(owners, safesigner.Owner{Name: o, Signer: signers[o]})
		}
		chain, ok := chains[so.ChainID]
		if !ok {
			return nil, fmt.Errorf("%w: signers.%s.chain_id: no node for chain %d", config.ErrConfig, name, so.ChainID)
		}
		refresh := so.RefreshBlocks
		if refresh == 0 {
			refresh = 2
		}
		l := &safeLane{
			name: name, chain: chain, executor: so.Executor, execAddr: signers[so.Executor].Address(),
			safe:    safesigner.New(common.HexToAddress(so.Address), so.ChainID, owners, chain),
			refresh: refresh, sem: make(chan struct{}, 1), presigned: map[string]*Presigned{},
			targets: presignTargets(opts, resolve, name),
		}
		r.lanes[name] = l
	}
	return r, nil
}

// presignTargets lists the calls marked presign whose signer is the Safe
// called name, resolved by the guard (resolve) as any action is: a call the
// guard would refuse is never signed ahead.
func presignTargets(opts config.Options, resolve Resolver, name string) []presignTarget {
	var out []presignTarget
	for _, pname := range slices.Sorted(maps.Keys(opts.Protocols)) {
		p := opts.Protocols[pname]
		for _, cname := range slices.Sorted(maps.Keys(p.Contracts)) {
			c := p.Contracts[cname]
			if !c.Presign {
				continue
			}
			var types []string
			if c.Pausable {
				types = append(types, guard.ActionPause)
			}
			if c.Bridge {
				types = append(types, guard.ActionFreezeBridge)
			}
			for _, typ := range types {
				v := resolve(guard.Request{Type: typ, Protocol: pname, Contract: cname})
				if v.Outcome != guard.Allowed || v.Signer != name {
					continue
				}
				out = append(out, presignTarget{v.To, v.Function, v.Data})
			}
		}
	}
	return out
}

// Resolver resolves an action request the way the guard does, without
// reading the chain (guard.Guard.Resolve).
type Resolver func(guard.Request) guard.Verdict

// isSafe reports whether actions of the signer called name go through a Safe.
func (r *Runner) IsSafe(name string) bool {
	if r == nil {
		return false
	}
	_, ok := r.lanes[name]
	return ok
}

// laneFor returns the lane whose Safe is the target of rec, for actions
// resumed after a restart.
func (r *Runner) laneFor(rec record.Record) *safeLane {
	if r == nil {
		return nil
	}
	for _, l := range r.lanes {
		if l.safe.Address() == rec.To && l.safe.ChainID() == rec.ChainID && l.executor == rec.Signer {
			return l
		}
	}
	return nil
}

// tryAcquire takes the lane if it is free; busy reports that it is not.
func (l *safeLane) tryAcquire() (release func(), busy bool) {
	select {
	case l.sem <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-l.sem }) }, false
	default:
		return nil, true
	}
}

func (l *safeLane) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.sem <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-l.sem }) }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("engine: waiting for Safe %s to finish its previous transaction: %w", l.name, ctx.Err())
	}
}

// checkHash compares the engine's EIP-712 hash with the contract's once per
// run: a wrong chain id or an incompatible Safe stops before any owner signs.
func (l *safeLane) checkHash(ctx context.Context, tx safesigner.Tx) error {
	if l.hashOK.Load() {
		return nil
	}
	if _, err := l.safe.CheckHash(ctx, tx); err != nil {
		return err
	}
	l.hashOK.Store(true)
	return nil
}

// Prepared is what the Safe path made of one allowed action: an
// execTransaction intent to record and start (holding the lane until
// release), or an approval to wait for.
type Prepared struct {
	Intent  *record.Intent
	Release func()
	// Approval is the id of the approval the action waits for.
	Approval string
	// FromPresigned: the pre-signed transaction was taken.
	FromPresigned bool
	// Done: an earlier delivery recorded this action already.
	Done bool
}

// prepare wraps in (the inner call, signed by a Safe signer) for
// execution through the Safe. It signs nothing when in's call is
// pre-signed for the Safe's current nonce.
func (r *Runner) Prepare(ctx context.Context, in record.Intent, requireApproval bool, log *slog.Logger) (Prepared, error) {
	l := r.lanes[in.Signer]
	if requireApproval {
		st, err := l.safe.State(ctx)
		if err != nil {
			return Prepared{}, err
		}
		tx := safesigner.NewTx(in.To, in.Data, st.Nonce)
		if err := l.checkHash(ctx, tx); err != nil {
			return Prepared{}, err
		}
		// A decision that asks for a human gets only human signatures:
		// the engine's own owner signers do not sign it.
		return r.park(ctx, l, in, tx, st, nil, "the decision requires approval", log)
	}

	release, busy := l.tryAcquire()
	if busy {
		// Another Safe transaction is in flight, perhaps this very action
		// from an earlier delivery of the event: then there is nothing to
		// wait for. The common, idle case skips this read.
		if _, _, err := r.store.Get(ctx, in.ID); err == nil {
			return Prepared{Done: true}, nil
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return Prepared{}, err
		}
		var err error
		if release, err = l.acquire(ctx); err != nil {
			return Prepared{}, err
		}
	}
	ok := false
	defer func() {
		if !ok {
			release()
		}
	}()
	if owned, err := r.owns(ctx, l); err != nil {
		return Prepared{}, err
	} else if !owned {
		if _, _, err := r.store.Get(ctx, in.ID); err == nil {
			return Prepared{Done: true}, nil // the owner recorded it already
		}
		return Prepared{}, fmt.Errorf("%w (Safe %s on chain %d): action %s is left to the engine that holds it", ErrNotSafeOwner, l.name, l.safe.ChainID(), in.ID)
	}
	out := Prepared{Release: release}
	var data []byte
	var p *Presigned
	if l.isTarget(in.To, in.Data) {
		// One read: the nonce alone tells whether the signatures still fit.
		nonce, err := l.safe.Nonce(ctx)
		if err != nil {
			return Prepared{}, err
		}
		p = l.lookup(in.To, in.Data, nonce)
	}
	if p != nil {
		data, out.FromPresigned = p.Calldata, true
	} else {
		st, err := l.safe.State(ctx)
		if err != nil {
			return Prepared{}, err
		}
		tx := safesigner.NewTx(in.To, in.Data, st.Nonce)
		if err := l.checkHash(ctx, tx); err != nil {
			return Prepared{}, err
		}
		sigs, err := l.safe.Sign(ctx, tx, st, l.safe.Owners()...)
		if err != nil {
			return Prepared{}, err
		}
		if uint64(len(sigs)) < st.Threshold {
			reason := fmt.Sprintf("firebreak holds %d owner signer(s) of Safe %s, which needs %d signatures", len(sigs), l.name, st.Threshold)
			return r.park(ctx, l, in, tx, st, sigs, reason, log)
		}
		if data, err = l.safe.ExecCalldata(tx, sigs, st); err != nil {
			return Prepared{}, err
		}
	}
	wrapped := r.wrap(l, in, data)
	out.Intent = &wrapped
	ok = true
	return out, nil
}

// wrap is the intent the submitter sends: execTransaction on the Safe,
// from the executor.
func (r *Runner) wrap(l *safeLane, in record.Intent, calldata []byte) record.Intent {
	in.To, in.Data, in.Signer = l.safe.Address(), calldata, l.executor
	in.Function = "execTransaction:" + in.Function
	return in
}

// park records the Safe transaction as an approval waiting for the
// missing owner signatures.
func (r *Runner) park(ctx context.Context, l *safeLane, in record.Intent, tx safesigner.Tx, st safesigner.State, sigs []safesigner.Signature, reason string, log *slog.Logger) (Prepared, error) {
	now := r.now()
	a := Approval{
		ID: in.ID, EventID: in.EventID, Protocol: in.Protocol, Type: in.Type, Rule: in.Rule,
		Signer: l.name, Safe: l.safe.Address(), ChainID: in.ChainID, Function: in.Function,
		Tx: tx, Hash: l.safe.Hash(tx), Threshold: st.Threshold, Owners: st.Owners, Signatures: sigs,
		Reason: reason, State: Pending, CreatedAt: now, UpdatedAt: now,
	}
	if a.Signatures == nil {
		a.Signatures = []safesigner.Signature{}
	}
	if r.Sealer != nil {
		SealApproval(r.Sealer, &a)
	}
	if uint64(len(sigs)) >= st.Threshold && st.Threshold > 0 {
		a.State = Ready
	}
	if _, created, err := r.approvals.Create(ctx, a); err != nil {
		return Prepared{}, err
	} else if !created {
		// An earlier delivery of the event parked it already.
		return Prepared{Approval: a.ID, Done: true}, nil
	}
	log.Warn("action waits for Safe owner approval", "approval", a.ID, "safe", l.name, "safe_nonce", tx.Nonce,
		"safe_tx_hash", a.Hash.Hex(), "signatures", len(a.Signatures), "threshold", st.Threshold, "reason", reason)
	return Prepared{Approval: a.ID}, nil
}

func (l *safeLane) isTarget(to common.Address, data []byte) bool {
	return slices.ContainsFunc(l.targets, func(t presignTarget) bool { return t.to == to && slices.Equal(t.data, data) })
}

func (l *safeLane) lookup(to common.Address, data []byte, nonce uint64) *Presigned {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.presigned[presignKey(to, data)]
	if p == nil || p.Nonce != nonce {
		return nil
	}
	return p
}

// run polls the chain until ctx ends: it keeps pre-signed transactions
// signed for the current nonce and re-simulated, executes approvals that
// reached their threshold, and marks stale the ones the nonce passed.
// Each Safe is polled on its own: a Safe whose node is slow, or whose lane
// is held by a transaction not yet final, delays no other Safe, and waits
// for nothing itself (it is looked at again at the next tick).
func (r *Runner) Run(ctx context.Context) {
	if r == nil || len(r.lanes) == 0 {
		return
	}
	defer r.ticks.Wait()
	t := time.NewTicker(r.poll)
	defer t.Stop()
	for {
		r.tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// laneDeadline bounds one poll of one Safe (its node and the buckets), so
// that a node that never answers frees the Safe's poll for the next tick.
const laneDeadline = 30 * time.Second

// tick starts a poll of every Safe whose previous poll has ended, and
// returns without waiting for them (r.ticks counts them).
func (r *Runner) tick(ctx context.Context) {
	lctx, cancel := context.WithTimeout(ctx, laneDeadline)
	as, err := r.approvals.List(lctx)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("listing approvals", "err", err)
		}
		as = nil // the Safes are still pre-signed
	}
	byLane := map[string][]Approval{}
	for _, a := range as {
		if !a.State.Final() {
			byLane[a.Signer] = append(byLane[a.Signer], a)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.lanes)) {
		l := r.lanes[name]
		if !l.polling.CompareAndSwap(false, true) {
			continue // its last poll still runs: skipped, not waited for
		}
		pending := byLane[name]
		r.ticks.Go(func() {
			defer l.polling.Store(false)
			lctx, cancel := context.WithTimeout(ctx, laneDeadline)
			defer cancel()
			r.pollLane(lctx, l, pending, err == nil)
		})
	}
}

// pollLane is one poll of one Safe: its nonce, its pre-signed
// transactions, then its approvals (listed tells whether pending holds
// them all).
func (r *Runner) pollLane(ctx context.Context, l *safeLane, pending []Approval, listed bool) {
	nonce, err := l.safe.Nonce(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("reading the Safe nonce", "safe", l.name, "err", err)
		}
		return
	}
	owned, err := r.owns(ctx, l)
	if err != nil || !owned {
		// Another engine builds on this Safe: it pre-signs and executes
		// approvals; stale ones are marked by whoever sees them.
		if err != nil && ctx.Err() == nil {
			r.log.Warn("reading the Safe's nonce lease", "safe", l.name, "err", err)
		}
		for _, a := range pending {
			if a.Tx.Nonce < nonce && ctx.Err() == nil {
				r.finishApproval(ctx, a.ID, Stale, fmt.Sprintf("the Safe's nonce is %d, past this transaction's %d: it can never execute", nonce, a.Tx.Nonce))
			}
		}
		return
	}
	if len(l.targets) > 0 {
		r.keepPresigned(ctx, l, nonce)
	}
	if !listed {
		return
	}
	for _, a := range pending {
		switch {
		case ctx.Err() != nil:
			return
		case a.Tx.Nonce < nonce:
			r.finishApproval(ctx, a.ID, Stale, fmt.Sprintf("the Safe's nonce is %d, past this transaction's %d: it can never execute", nonce, a.Tx.Nonce))
		case a.State == Ready:
			r.executeApproval(ctx, l, a.ID)
		}
	}
}

// keepPresigned re-signs the lane's targets when the Safe nonce changed and
// re-simulates them every refresh blocks.
func (r *Runner) keepPresigned(ctx context.Context, l *safeLane, nonce uint64) {
	log := r.log.With("safe", l.name)
	l.mu.Lock()
	fresh := l.signedFor != nil && *l.signedFor == nonce
	l.mu.Unlock()
	if !fresh {
		st, err := l.safe.State(ctx)
		if err != nil {
			log.Warn("pre-signing: reading the Safe", "err", err)
			return
		}
		if uint64(len(l.safe.Owners())) < st.Threshold {
			if !l.warned {
				log.Warn("pre-signing impossible: firebreak holds fewer owner signers than the threshold", "owners", len(l.safe.Owners()), "threshold", st.Threshold)
				l.warned = true
			}
			return
		}
		next := map[string]*Presigned{}
		for _, t := range l.targets {
			tx := safesigner.NewTx(t.to, t.data, st.Nonce)
			if err := l.checkHash(ctx, tx); err != nil {
				log.Error("pre-signing refused", "err", err)
				return
			}
			sigs, err := l.safe.Sign(ctx, tx, st, l.safe.Owners()...)
			if err != nil {
				log.Error("pre-signing failed", "function", t.function, "to", t.to.Hex(), "err", err)
				return
			}
			data, err := l.safe.ExecCalldata(tx, sigs, st)
			if err != nil {
				log.Error("pre-signing failed", "function", t.function, "to", t.to.Hex(), "err", err)
				return
			}
			next[presignKey(t.to, t.data)] = &Presigned{Signer: l.name, Safe: l.safe.Address(), To: t.to, Function: t.function, Nonce: st.Nonce, Calldata: data}
		}
		l.mu.Lock()
		l.presigned, l.signedFor, l.lastSim = next, &st.Nonce, 0
		l.mu.Unlock()
		log.Info("pre-signed Safe transactions ready", "safe_nonce", st.Nonce, "transactions", len(next))
	}
	head, err := l.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return
	}
	block := head.Number.Uint64()
	l.mu.Lock()
	due := l.lastSim == 0 || block >= l.lastSim+l.refresh
	ps := make([]*Presigned, 0, len(l.presigned))
	for _, p := range l.presigned {
		ps = append(ps, p)
	}
	l.mu.Unlock()
	if !due {
		return
	}
	safeAddr := l.safe.Address()
	results := map[*Presigned]string{}
	for _, p := range ps {
		if _, err := l.chain.CallContract(ctx, ethereum.CallMsg{From: l.execAddr, To: &safeAddr, Data: p.Calldata}, nil); err != nil {
			results[p] = err.Error()
		}
	}
	l.mu.Lock()
	for _, p := range ps {
		// Logged when the verdict changes, not every few blocks while a
		// contract stays paused.
		switch was, now := p.SimError, results[p]; {
		case ctx.Err() != nil:
		case now != "" && now != was:
			log.Warn("pre-signed Safe transaction would not execute now", "function", p.Function, "to", p.To.Hex(), "block", block, "err", now)
		case now == "" && was != "":
			log.Info("pre-signed Safe transaction executes again", "function", p.Function, "to", p.To.Hex(), "block", block)
		}
		p.SimulatedBlock, p.SimError = block, results[p]
	}
	l.lastSim = max(block, 1)
	l.mu.Unlock()
}

// executeApproval records a Ready approval as an execTransaction action
// and starts it. The action id is the approval id, so a second attempt
// (another tick, a restart, a second replica) finds it recorded and never
// sends it twice.
func (r *Runner) executeApproval(ctx context.Context, l *safeLane, id string) {
	log := r.log.With("approval", id, "safe", l.name)
	// The lane is held while an earlier Safe transaction is not final:
	// the approval waits for the next tick, and nothing waits for it.
	release, busy := l.tryAcquire()
	if busy {
		return
	}
	started := false
	defer func() {
		if !started {
			release()
		}
	}()
	if owned, err := r.owns(ctx, l); err != nil || !owned {
		return // the engine that owns the Safe's nonce executes it
	}
	a, _, err := r.approvals.Get(ctx, id)
	if err != nil || a.State != Ready {
		return
	}
	if r.Halt != nil {
		h, halted, err := r.Halt.Halted(ctx)
		if err != nil {
			log.Warn("approval ready, but the kill switch cannot be read; not executed until it can", "err", err)
			return
		}
		if halted {
			if _, logged := r.haltLogged.LoadOrStore(id, true); !logged {
				log.Warn("approval ready, but firebreak is halted: it executes after 'firebreak resume' (unless the Safe nonce moves on)", "halt", h.String())
			}
			return
		}
		r.haltLogged.Delete(id)
	}
	// Whatever the bucket says: executed only if the engine made it and
	// it is a plain, allowlisted call of this lane's Safe.
	err = CheckApproval(a, r.Sealer, r.Check)
	if err == nil && (a.Safe != l.safe.Address() || a.ChainID != l.safe.ChainID()) {
		err = fmt.Errorf("%w: %s names Safe %s on chain %d, signer %s is Safe %s on chain %d", ErrApprovalRefused, id, a.Safe.Hex(), a.ChainID, l.name, l.safe.Address().Hex(), l.safe.ChainID())
	}
	if err != nil {
		r.refuseApproval(ctx, a, err)
		return
	}
	st, err := l.safe.State(ctx)
	if err != nil {
		log.Warn("approval ready, but the Safe cannot be read; retrying", "err", err)
		return
	}
	if st.Nonce != a.Tx.Nonce {
		if st.Nonce > a.Tx.Nonce {
			r.finishApproval(ctx, id, Stale, fmt.Sprintf("the Safe's nonce is %d, past this transaction's %d: it can never execute", st.Nonce, a.Tx.Nonce))
		}
		return
	}
	data, err := l.safe.ExecCalldata(a.Tx, a.Signatures, st)
	if err != nil {
		r.finishApproval(ctx, id, Failed, err.Error())
		return
	}
	in := r.wrap(l, record.Intent{
		ID: a.ID, EventID: a.EventID, Protocol: a.Protocol, Type: a.Type, Rule: a.Rule,
		ChainID: a.ChainID, To: a.Tx.To, Function: a.Function, Data: a.Tx.Data,
	}, data)
	rec, rev, created, err := r.store.Create(ctx, in, r.now())
	if err != nil {
		log.Warn("approval ready, but the action could not be recorded; retrying", "err", err)
		return
	}
	r.finishApproval(ctx, id, Executed, "")
	if created {
		log.Info("approval complete: executing through the Safe", "action", rec.ID, "safe_nonce", a.Tx.Nonce, "signatures", len(a.Signatures))
		r.Audit.Approved(ctx, a, in)
		started = true
		r.Spawn(rec, rev, release)
	}
}

// refuseApproval quarantines an approval that failed its check: state
// refused with the reason, audited, an error in the log. It is never
// executed.
func (r *Runner) refuseApproval(ctx context.Context, a Approval, reason error) {
	if !r.finishApproval(ctx, a.ID, Refused, reason.Error()) {
		return
	}
	r.log.Error("approval refused: the stored Safe transaction is not one the engine may execute; nothing is sent", "approval", a.ID, "safe", a.Signer,
		"to", a.Tx.To.Hex(), "operation", a.Tx.Operation, "value", a.Tx.Value.ToInt(), "reason", reason)
	if r.Audit != nil {
		r.Audit.ApprovalRefused(ctx, a, reason.Error())
	}
}

// finishApproval moves an approval to a final state, unless it changed
// meanwhile (the next tick looks again); it reports whether it did.
func (r *Runner) finishApproval(ctx context.Context, id string, state ApprovalState, reason string) bool {
	a, rev, err := r.approvals.Get(ctx, id)
	if err != nil || a.State.Final() {
		return false
	}
	a.State, a.Error, a.UpdatedAt = state, reason, r.now()
	if _, err := r.approvals.Update(ctx, a, rev); err != nil {
		return false
	}
	switch state {
	case Stale:
		r.log.Warn("approval is stale: the Safe's nonce moved on", "approval", id, "safe", a.Signer, "reason", reason)
	case Failed:
		r.log.Error("approval cannot execute", "approval", id, "safe", a.Signer, "err", reason)
	}
	return true
}

// PresignedNow lists the pre-signed transactions, for the operator and tests.
func (r *Runner) PresignedNow() []Presigned {
	if r == nil {
		return nil
	}
	var out []Presigned
	for _, name := range slices.Sorted(maps.Keys(r.lanes)) {
		l := r.lanes[name]
		l.mu.Lock()
		for _, p := range l.presigned {
			c := *p
			c.Calldata = slices.Clone(p.Calldata)
			out = append(out, c)
		}
		l.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b Presigned) int { return strings.Compare(a.Function+a.To.Hex(), b.Function+b.To.Hex()) })
	return out
}

// IsRefusal tells a Safe-path failure no retry can fix (a bad or foreign
// signature, a hash mismatch, a missing key) from one worth retrying the
// event for (a node or signer that did not answer).
func IsRefusal(err error) bool {
	for _, target := range []error{
		safesigner.ErrBadSignature, safesigner.ErrNotOwner, safesigner.ErrDuplicateOwner,
		safesigner.ErrHashMismatch, safesigner.ErrBelowThreshold,
		signer.ErrWrongSignature, signer.ErrNoKey, signer.ErrBadKey,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// Resume resumes an unfinished execTransaction action in its Safe's
// lane, so nothing new is built on that Safe until it is final.
func (r *Runner) Resume(ctx context.Context, rec record.Record, rev uint64) bool {
	if r == nil {
		return false
	}
	l := r.laneFor(rec)
	if l == nil {
		return false
	}
	r.Go(func() {
		release, err := l.acquire(ctx)
		if err != nil {
			return
		}
		defer release()
		// Taken over from an engine that stopped: its Safe lease is free
		// now, or soon (the polls take it then). The transaction is built
		// already; carrying it on builds nothing new.
		if _, err := r.owns(ctx, l); err != nil && ctx.Err() == nil {
			r.log.Warn("resuming a Safe action without the Safe's nonce lease yet", "safe", l.name, "action", rec.ID, "err", err)
		}
		r.Execute(rec, rev)
	})
	return true
}

// spawn starts a recorded action and releases its lane when it is final.
func (r *Runner) Spawn(rec record.Record, rev uint64, release func()) {
	r.Go(func() {
		defer release()
		r.Execute(rec, rev)
	})
}
