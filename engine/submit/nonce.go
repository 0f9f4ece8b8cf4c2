package submit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ethereum/go-ethereum/common"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// nonceReader is what the nonce owner reads from the node.
type nonceReader interface {
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
}

// nonceOwner is the one goroutine that hands out the nonces of one
// (chain, sender). Everyone else sends it requests, so two actions never
// get the same nonce, and the nonce it hands out is recorded (signed and
// saved) before the next one is handed out.
type nonceOwner struct {
	chainID uint64
	from    common.Address
	node    nonceReader
	store   *record.Store
	log     *slog.Logger
	reqs    chan nonceReq

	// Owned by the goroutine:
	synced  bool
	held    map[uint64]bool // nonces held by unfinished recorded actions
	next    uint64
	pending uint64 // the chain's pending nonce at the last sync
}

type nonceReq struct {
	ctx context.Context
	// use runs in the owner's goroutine with the nonce to use; when it
	// returns nil the nonce is taken, otherwise it is free again.
	use func(nonce uint64) error
	// resync, instead of use, makes the next use read the chain again.
	resync bool
	// holesBelow, with use, reads the chain and the store again and runs
	// use for every nonce below it that nothing holds.
	holesBelow uint64
	done       chan error
}

func newNonceOwner(chainID uint64, from common.Address, node nonceReader, store *record.Store, log *slog.Logger) *nonceOwner {
	return &nonceOwner{chainID: chainID, from: from, node: node, store: store, log: log, reqs: make(chan nonceReq)}
}

func (o *nonceOwner) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-o.reqs:
			r.done <- o.serve(r)
		}
	}
}

// assign runs use with the next free nonce, inside the owner.
func (o *nonceOwner) assign(ctx context.Context, use func(nonce uint64) error) error {
	return o.request(ctx, nonceReq{ctx: ctx, use: use})
}

// resync makes the owner read the chain again before the next nonce: the
// node said "nonce too low" or "nonce too high", so someone else used the
// key or a nonce was left unused.
func (o *nonceOwner) resync(ctx context.Context) error {
	return o.request(ctx, nonceReq{ctx: ctx, resync: true})
}

func (o *nonceOwner) request(ctx context.Context, r nonceReq) error {
	r.done = make(chan error, 1)
	select {
	case o.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the request is always waited for: use works on the
	// caller's record, and with ctx done it fails fast anyway.
	return <-r.done
}

// fillHoles runs fill, inside the owner, for every nonce below below that
// the chain has not used and no unfinished action holds: the transactions
// queued behind such a hole never execute until something takes it.
func (o *nonceOwner) fillHoles(ctx context.Context, below uint64, fill func(nonce uint64) error) error {
	return o.request(ctx, nonceReq{ctx: ctx, holesBelow: below, use: fill})
}

func (o *nonceOwner) serve(r nonceReq) error {
	if r.resync {
		o.synced = false
		return nil
	}
	if r.holesBelow > 0 {
		if err := o.sync(r.ctx); err != nil {
			return err
		}
		var errs []error
		for n := o.pending; n < r.holesBelow; n++ {
			if o.held[n] {
				continue
			}
			if err := r.use(n); err != nil {
				errs = append(errs, err)
				continue
			}
			o.held[n] = true
		}
		o.advance()
		return errors.Join(errs...)
	}
	if !o.synced {
		if err := o.sync(r.ctx); err != nil {
			return err
		}
	}
	n := o.next
	if err := r.use(n); err != nil {
		return err
	}
	o.held[n] = true
	o.advance()
	return nil
}

// sync reads the sender's pending nonce from the node and the nonces held
// by recorded, unfinished actions (signed, maybe never broadcast, before a
// restart), and picks the lowest nonce at or above the chain's that nobody
// holds: a hole left by an unused nonce is filled first, so queued
// transactions behind it are released instead of jammed.
func (o *nonceOwner) sync(ctx context.Context) error {
	pending, err := o.node.PendingNonceAt(ctx, o.from)
	if err != nil {
		return fmt.Errorf("submit: reading the pending nonce of %s: %w", o.from.Hex(), Classify(err))
	}
	// Unfinished bounds its wait for a store that does not answer: the
	// owner serves every action of the sender and must not hold them all.
	// The caller waits and asks again (signFirst).
	recs, _, err := o.store.Unfinished(ctx)
	if err != nil {
		if ctx.Err() == nil && record.Unavailable(err) {
			return fmt.Errorf("%w: reading the nonces actions hold: %w", errStoreUnavailable, err)
		}
		return err
	}
	o.held = map[uint64]bool{}
	for _, rec := range recs {
		if rec.ChainID == o.chainID && rec.From == o.from && rec.Nonce != nil && *rec.Nonce >= pending {
			o.held[*rec.Nonce] = true
		}
	}
	o.next, o.pending = pending, pending
	o.advance()
	o.synced = true
	o.log.Info("nonce synced with the chain", "chain", o.chainID, "from", o.from.Hex(), "pending", pending, "next", o.next, "held", len(o.held))
	return nil
}

func (o *nonceOwner) advance() {
	for o.held[o.next] {
		o.next++
	}
}
