package submit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// HeadSubscriber is what a WebSocket or in-process client adds: pushed
// heads instead of polled ones.
type HeadSubscriber interface {
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error)
}

// heads follows one chain's head and keeps the fee estimate for it fresh,
// so that pricing a transaction on the hot path costs no RPC call.
type heads struct {
	chain         Chain
	push          HeadSubscriber // nil: chain's own, if it pushes
	poll          time.Duration
	tipPercentile float64
	log           *slog.Logger

	mu       sync.Mutex
	head     *types.Header
	tip      *big.Int
	changed  chan struct{}
	reading  bool
	lastRead time.Time
}

func newHeads(chain Chain, push HeadSubscriber, poll time.Duration, tipPercentile float64, log *slog.Logger) *heads {
	if push == nil {
		push, _ = chain.(HeadSubscriber)
	}
	return &heads{chain: chain, push: push, poll: poll, tipPercentile: tipPercentile, log: log, changed: make(chan struct{})}
}

// current returns the last head and tip estimate, reading them from the
// node if none is known yet, and a channel closed at the next new head.
func (h *heads) current(ctx context.Context) (*types.Header, *big.Int, <-chan struct{}, error) {
	h.mu.Lock()
	head, tip, ch := h.head, h.tip, h.changed
	h.mu.Unlock()
	if head != nil && tip != nil {
		return head, tip, ch, nil
	}
	hd, err := h.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("submit: reading the head block: %w", Classify(err))
	}
	h.observe(ctx, hd)
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.head, h.tip, h.changed, nil
}

// refresh reads the head now unless it was read less than gap ago or is
// being read: however many actions wait for a receipt, the node sees at
// most one head read per gap.
func (h *heads) refresh(ctx context.Context, gap time.Duration) {
	h.mu.Lock()
	if h.reading || time.Since(h.lastRead) < gap {
		h.mu.Unlock()
		return
	}
	h.reading = true
	h.mu.Unlock()
	hd, err := h.chain.HeaderByNumber(ctx, nil)
	h.mu.Lock()
	h.reading, h.lastRead = false, time.Now()
	h.mu.Unlock()
	if err == nil {
		h.observe(ctx, hd)
	}
}

// observe takes a head the node reported; a new one refreshes the tip
// estimate and wakes the waiters.
func (h *heads) observe(ctx context.Context, hd *types.Header) {
	h.mu.Lock()
	same := h.head != nil && h.head.Hash() == hd.Hash() && h.tip != nil
	h.mu.Unlock()
	if same {
		return
	}
	tip, err := estimateTip(ctx, h.chain, h.tipPercentile)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.log.Warn("fee history unavailable, keeping the last tip estimate", "err", err)
		if h.tip == nil {
			tip = new(big.Int)
		} else {
			tip = h.tip
		}
	}
	if h.head != nil && h.head.Hash() == hd.Hash() {
		// Observed twice at once (a push and a read): one wake-up.
		h.tip = tip
		return
	}
	h.head, h.tip = hd, tip
	close(h.changed)
	h.changed = make(chan struct{})
}

// run follows the head until ctx ends: pushed heads when the client can
// subscribe (WebSocket, in-process), else a poll with a pause, never a
// tight loop that would starve a local node.
func (h *heads) run(ctx context.Context) {
	if h.push != nil {
		ch := make(chan *types.Header, 16)
		s, err := h.push.SubscribeNewHead(ctx, ch)
		if err == nil {
			defer s.Unsubscribe()
			for {
				select {
				case <-ctx.Done():
					return
				case err := <-s.Err():
					h.log.Warn("head subscription ended, polling instead", "err", err)
					h.pollLoop(ctx)
					return
				case hd := <-ch:
					h.observe(ctx, hd)
				}
			}
		}
		if !errors.Is(err, rpc.ErrNotificationsUnsupported) && ctx.Err() == nil {
			h.log.Warn("cannot subscribe to new heads, polling instead", "err", Classify(err))
		}
	}
	h.pollLoop(ctx)
}

func (h *heads) pollLoop(ctx context.Context) {
	t := time.NewTicker(h.poll)
	defer t.Stop()
	var failures, nextReminder uint64
	for {
		hd, err := h.chain.HeaderByNumber(ctx, nil)
		switch {
		case err == nil:
			if failures > 0 {
				h.log.Info("the chain's node answers again", "failed_reads", failures)
			}
			failures, nextReminder = 0, 0
			h.observe(ctx, hd)
		case ctx.Err() == nil:
			// One warning when the node stops answering, then reminders
			// at 4, 16, 64, ... failed reads (at most one every 1024):
			// the head is still polled at every tick, so a node that
			// comes back is seen at once.
			failures++
			if failures == 1 || failures == nextReminder {
				msg := "cannot read the head block: is the chain's node down? polling on"
				if failures > 1 {
					msg = "still cannot read the head block"
				}
				h.log.Warn(msg, "failed_reads", failures, "err", Classify(err))
				nextReminder = headReminder(failures)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// headReminder is the failed-read count of the next reminder after the one
// at n: four times as many, at most 1024 more.
func headReminder(n uint64) uint64 {
	if n < 1 {
		n = 1
	}
	return n + min(3*n, 1024)
}
