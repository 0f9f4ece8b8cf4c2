package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// chainWatcher follows one chain and evaluates its rules, one block at a
// time, in order.
type chainWatcher struct {
	w       *Watcher
	id      uint64
	node    Node
	rules   []rule
	poll    time.Duration
	log     *slog.Logger
	cursors *cursors
	pub     *publisher
	ready   chan struct{}

	// what each block must be read for, the union over the rules.
	logAddrs []common.Address
	balances []balanceKey
	receipts map[common.Address]bool
	history  uint64

	head      atomic.Uint64
	headKnown atomic.Bool
	pushed    atomic.Bool
	wake      chan struct{}

	// hashes of the blocks processed last, for reorg detection.
	hashes map[uint64]common.Hash

	mu sync.Mutex
	st Stats
}

func newChainWatcher(w *Watcher, id uint64, n Node, rules []rule, poll time.Duration) *chainWatcher {
	c := &chainWatcher{w: w, id: id, node: n, rules: rules, poll: poll, ready: make(chan struct{}),
		receipts: map[common.Address]bool{}, wake: make(chan struct{}, 1), hashes: map[uint64]common.Hash{},
		log: w.log.With("chain", id, "source", w.source)}
	c.st.ChainID = id
	seenLog, seenBal := map[common.Address]bool{}, map[balanceKey]bool{}
	for _, r := range rules {
		b := r.base()
		for _, a := range b.logs {
			if !seenLog[a] {
				seenLog[a] = true
				c.logAddrs = append(c.logAddrs, a)
			}
		}
		for _, k := range b.balances {
			if !seenBal[k] {
				seenBal[k] = true
				c.balances = append(c.balances, k)
			}
		}
		for _, a := range b.receipts {
			c.receipts[a] = true
		}
		c.history = max(c.history, b.history)
	}
	return c
}

func (c *chainWatcher) stats() Stats {
	c.mu.Lock()
	s := c.st
	c.mu.Unlock()
	s.Head, s.Pushed = c.head.Load(), c.pushed.Load()
	if s.Head > s.Cursor {
		s.Lag = s.Head - s.Cursor
	}
	return s
}

func (c *chainWatcher) update(f func(*Stats)) {
	c.mu.Lock()
	f(&c.st)
	c.mu.Unlock()
}

// run finds where to start, reads the history the rules need, then
// processes every block up to the head as it comes, until ctx ends.
func (c *chainWatcher) run(ctx context.Context) {
	next, ok := c.start(ctx)
	if !ok {
		return
	}
	close(c.ready)
	go c.follow(ctx)
	tick := time.NewTicker(c.poll)
	defer tick.Stop()
	for {
		for ctx.Err() == nil && c.headKnown.Load() && next+c.w.cfg.Confirmations <= c.head.Load() {
			if next, ok = c.step(ctx, next); !ok {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-tick.C:
		}
	}
}

// start returns the first block to evaluate: the one after the cursor, or
// with no cursor watch.from_block or the head. It reads the blocks before
// it that the rules' windows cover, without publishing.
func (c *chainWatcher) start(ctx context.Context) (uint64, bool) {
	var cur Cursor
	var found bool
	if !c.retry(ctx, "reading the cursor", func() error {
		var err error
		cur, found, err = c.cursors.get(ctx, c.id)
		return err
	}) {
		return 0, false
	}
	var head *types.Header
	if !c.retry(ctx, "reading the head", func() error {
		var err error
		head, err = c.call(ctx, func(ctx context.Context) (*types.Header, error) { return c.node.Node.HeaderByNumber(ctx, nil) })
		return err
	}) {
		return 0, false
	}
	c.observeHead(head.Number.Uint64())
	var next uint64
	switch {
	case found && cur.Block > head.Number.Uint64():
		c.log.Warn("the cursor is ahead of the chain's head (a new chain, or a deep reorg): starting at the head",
			"cursor", cur.Block, "head", head.Number)
		next = head.Number.Uint64()
	case found:
		next = cur.Block + 1
		var h *types.Header
		if !c.retry(ctx, "reading the cursor's block", func() error {
			var err error
			h, err = c.call(ctx, func(ctx context.Context) (*types.Header, error) {
				return c.node.Node.HeaderByNumber(ctx, new(big.Int).SetUint64(cur.Block))
			})
			return err
		}) {
			return 0, false
		}
		if cur.Hash != (common.Hash{}) && h.Hash() != cur.Hash {
			c.log.Warn("the cursor's block was replaced (reorg while stopped): evaluating it again", "block", cur.Block)
			next = cur.Block
		}
		c.update(func(s *Stats) { s.Cursor = cur.Block })
	case c.w.cfg.FromBlock > 0:
		next = min(c.w.cfg.FromBlock, head.Number.Uint64())
	default:
		next = head.Number.Uint64()
	}
	if !found && next > 0 {
		c.update(func(s *Stats) { s.Cursor = next - 1 })
	}
	if !c.warm(ctx, next) {
		return 0, false
	}
	c.log.Info("watch started", "next_block", next, "head", head.Number, "resumed", found, "rules", len(c.rules))
	return next, true
}

// warm reads the blocks the rules' windows reach back to before next,
// without publishing, so that next is evaluated as if the watcher had run
// all along.
func (c *chainWatcher) warm(ctx context.Context, next uint64) bool {
	for _, r := range c.rules {
		r.reset()
	}
	from := next - min(next, c.history)
	for b := from; b < next; b++ {
		d, ok := c.read(ctx, b)
		if !ok {
			return false
		}
		for _, r := range c.rules {
			r.observe(d)
		}
		c.remember(d)
	}
	return true
}

// step processes block b and returns the next block to process: b+1, or
// after a reorg the first block of the new branch. ok is false when ctx
// ended.
func (c *chainWatcher) step(ctx context.Context, b uint64) (next uint64, ok bool) {
	d, ok := c.read(ctx, b)
	if !ok {
		return b, false
	}
	if prev, known := c.hashes[b-1]; b > 0 && known && prev != d.parent {
		return c.rewind(ctx, b)
	}
	var found []Detection
	detected := time.Now()
	for _, r := range c.rules {
		for _, f := range r.observe(d) {
			rb := r.base()
			found = append(found, Detection{Event: eventOf(c.w.source, rb, d, f, c.w.opts.Now()), Protocol: rb.protocol, Rule: rb.name, Kind: rb.kind, Block: b, Tx: f.tx, DetectedAt: detected})
		}
	}
	for i := range found {
		det := &found[i]
		var ack *pubAck
		if !c.retry(ctx, "publishing event "+det.Event.ID, func() error {
			a, err := c.pub.publish(ctx, det.Event)
			if err == nil {
				ack = &pubAck{duplicate: a.Duplicate}
			}
			return err
		}) {
			return b, false
		}
		det.PublishedAt, det.Duplicate = time.Now(), ack.duplicate
		c.log.Info("detection", "event", det.Event.ID, "alert_type", det.Event.AlertType, "severity", det.Event.Severity,
			"protocol", det.Protocol, "rule", det.Rule, "block", b, "duplicate", det.Duplicate)
		c.update(func(s *Stats) {
			s.Detections++
			if det.Duplicate {
				s.Duplicates++
			}
		})
		if c.w.opts.OnDetection != nil {
			c.w.opts.OnDetection(*det)
		}
	}
	cur := Cursor{Block: b, Hash: d.hash, At: time.Now().UTC()}
	if !c.retry(ctx, "writing the cursor", func() error { return c.cursors.put(ctx, c.id, cur) }) {
		return b, false
	}
	c.remember(d)
	c.update(func(s *Stats) { s.Cursor, s.Blocks, s.LastBlockAt = b, s.Blocks+1, cur.At })
	if c.w.opts.OnBlock != nil {
		c.w.opts.OnBlock(BlockReport{ChainID: c.id, Block: b, Hash: d.hash, Head: c.head.Load(), Detections: len(found), At: cur.At})
	}
	return b + 1, true
}

type pubAck struct{ duplicate bool }

// remember keeps block d's hash, and forgets those older than the rules'
// history needs (plus a margin for reorgs).
func (c *chainWatcher) remember(d *blockData) {
	c.hashes[d.number] = d.hash
	keep := c.history + 64
	for n := range c.hashes {
		if n+keep < d.number {
			delete(c.hashes, n)
		}
	}
}

// rewind follows a reorg seen at block b back to the last block both
// branches share, and returns the block after it.
func (c *chainWatcher) rewind(ctx context.Context, b uint64) (uint64, bool) {
	fork := b - 1
	for {
		known, ok := c.hashes[fork]
		if !ok {
			break // deeper than remembered: start over from here
		}
		var h *types.Header
		if !c.retry(ctx, "reading a header during a reorg", func() error {
			var err error
			h, err = c.call(ctx, func(ctx context.Context) (*types.Header, error) {
				return c.node.Node.HeaderByNumber(ctx, new(big.Int).SetUint64(fork))
			})
			return err
		}) {
			return b, false
		}
		if h.Hash() == known || fork == 0 {
			break
		}
		fork--
	}
	c.log.Warn("reorg: evaluating the new branch", "at_block", b, "fork_block", fork)
	c.update(func(s *Stats) { s.Reorgs++ })
	for n := range c.hashes {
		if n > fork {
			delete(c.hashes, n)
		}
	}
	if !c.warm(ctx, fork+1) {
		return b, false
	}
	return fork + 1, true
}

// read reads what the rules need of block b, retrying until it has it or
// ctx ends.
func (c *chainWatcher) read(ctx context.Context, b uint64) (*blockData, bool) {
	var d *blockData
	ok := c.retry(ctx, fmt.Sprintf("reading block %d", b), func() error {
		var err error
		d, err = c.fetch(ctx, b)
		return err
	})
	return d, ok
}

func (c *chainWatcher) fetch(ctx context.Context, b uint64) (*blockData, error) {
	num := new(big.Int).SetUint64(b)
	blk, err := call(ctx, c.w.opts.CallTimeout, func(ctx context.Context) (*types.Block, error) { return c.node.Node.BlockByNumber(ctx, num) })
	if err != nil {
		return nil, err
	}
	d := &blockData{number: b, time: blk.Time(), hash: blk.Hash(), parent: blk.ParentHash(), txs: blk.Transactions(),
		signer: types.LatestSignerForChainID(new(big.Int).SetUint64(c.id)), balances: map[balanceKey]*big.Int{}}
	if len(c.logAddrs) > 0 && len(d.txs) > 0 {
		hash := d.hash
		d.logs, err = call(ctx, c.w.opts.CallTimeout, func(ctx context.Context) ([]types.Log, error) {
			return c.node.Node.FilterLogs(ctx, ethereum.FilterQuery{BlockHash: &hash, Addresses: c.logAddrs})
		})
		if err != nil {
			return nil, err
		}
	}
	for _, k := range c.balances {
		v, err := call(ctx, c.w.opts.CallTimeout, func(ctx context.Context) (*big.Int, error) { return c.balanceAt(ctx, k, d.hash) })
		if err != nil {
			return nil, err
		}
		d.balances[k] = v
	}
	if c.needReceipts(d.txs) {
		rs, err := call(ctx, c.w.opts.CallTimeout, func(ctx context.Context) ([]*types.Receipt, error) {
			return c.node.Node.BlockReceipts(ctx, rpc.BlockNumberOrHashWithHash(d.hash, false))
		})
		if err != nil {
			return nil, err
		}
		d.receipts = make(map[common.Hash]*types.Receipt, len(rs))
		for _, r := range rs {
			d.receipts[r.TxHash] = r
		}
	}
	return d, nil
}

func (c *chainWatcher) needReceipts(txs []*types.Transaction) bool {
	for _, tx := range txs {
		if tx.To() != nil && c.receipts[*tx.To()] {
			return true
		}
	}
	return false
}

// balanceOfSelector is ERC-20's balanceOf(address).
var balanceOfSelector = []byte{0x70, 0xa0, 0x82, 0x31}

func (c *chainWatcher) balanceAt(ctx context.Context, k balanceKey, block common.Hash) (*big.Int, error) {
	return BalanceAt(ctx, c.node.Node, k.holder, k.token, block)
}

// BalanceReader reads state at a block hash; *ethclient.Client satisfies it.
type BalanceReader interface {
	BalanceAtHash(ctx context.Context, account common.Address, blockHash common.Hash) (*big.Int, error)
	CallContractAtHash(ctx context.Context, call ethereum.CallMsg, blockHash common.Hash) ([]byte, error)
}

// BalanceAt is holder's balance at block, read by its hash (EIP-1898): of
// ether when token is the zero address, else of the ERC-20 token, by
// balanceOf. The watcher's balance rules read it so, and so does the
// drill's report of what was drained.
func BalanceAt(ctx context.Context, r BalanceReader, holder, token common.Address, block common.Hash) (*big.Int, error) {
	if token == (common.Address{}) {
		return r.BalanceAtHash(ctx, holder, block)
	}
	data := append(append([]byte{}, balanceOfSelector...), common.LeftPadBytes(holder.Bytes(), 32)...)
	out, err := r.CallContractAtHash(ctx, ethereum.CallMsg{To: &token, Data: data}, block)
	if err != nil {
		return nil, fmt.Errorf("watch: balanceOf(%s) on %s: %w", holder.Hex(), token.Hex(), err)
	}
	if len(out) != 32 {
		return nil, fmt.Errorf("watch: balanceOf(%s) on %s returned %d bytes, not 32 (is it an ERC-20?)", holder.Hex(), token.Hex(), len(out))
	}
	return new(big.Int).SetBytes(out), nil
}

// call runs f under the per-call timeout.
func call[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return f(ctx)
}

func (c *chainWatcher) call(ctx context.Context, f func(context.Context) (*types.Header, error)) (*types.Header, error) {
	return call(ctx, c.w.opts.CallTimeout, f)
}

// retry runs f until it succeeds, with exponential backoff between
// attempts; false means ctx ended first. Failures are counted, the first
// and every tenth logged.
func (c *chainWatcher) retry(ctx context.Context, what string, f func() error) bool {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval, bo.MaxElapsedTime = c.w.opts.RetryInitial, c.w.opts.RetryMax, 0
	bo.Reset()
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			if attempt > 1 {
				c.log.Info("recovered", "doing", what, "attempts", attempt)
			}
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		c.update(func(s *Stats) { s.Errors++; s.LastError = what + ": " + err.Error() })
		if attempt == 1 || attempt%10 == 0 {
			c.log.Warn("retrying", "doing", what, "attempt", attempt, "err", err)
		}
		t := time.NewTimer(bo.NextBackOff())
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// observeHead takes a head number and wakes the loop when it changed. A
// lower head (a reorg, or a slow poll answer) is taken too: the loop only
// waits for it, and the parent-hash check finds a reorg.
func (c *chainWatcher) observeHead(n uint64) {
	old := c.head.Swap(n)
	if known := c.headKnown.Swap(true); known && n == old {
		return
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// follow keeps the head current: pushed when the node can (WebSocket), else
// polled; a push that ends falls back to polling and is tried again later.
func (c *chainWatcher) follow(ctx context.Context) {
	const resubscribe = 10 * time.Second
	for ctx.Err() == nil {
		if c.node.Heads == nil {
			c.pollHeads(ctx, 0)
			return
		}
		err := c.pushHeads(ctx)
		c.pushed.Store(false)
		if ctx.Err() != nil {
			return
		}
		if !errors.Is(err, rpc.ErrNotificationsUnsupported) {
			c.log.Warn("new heads are not pushed: polling", "err", err, "retry_push_in", resubscribe)
		}
		c.pollHeads(ctx, resubscribe)
	}
}

func (c *chainWatcher) pushHeads(ctx context.Context) error {
	ch := make(chan *types.Header, 16)
	sub, err := c.node.Heads.SubscribeNewHead(ctx, ch)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	c.pushed.Store(true)
	// A head mined before the subscription took effect is never pushed:
	// read it once now, and now and then afterwards, in case a
	// notification is lost.
	c.readHead(ctx)
	safety := time.NewTicker(max(10*c.poll, 5*time.Second))
	defer safety.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-safety.C:
			c.readHead(ctx)
		case err := <-sub.Err():
			if err == nil {
				err = errors.New("subscription closed")
			}
			return err
		case h := <-ch:
			c.observeHead(h.Number.Uint64())
		}
	}
}

// readHead reads the head once; a failure is only counted (the loop's
// reads retry and log).
func (c *chainWatcher) readHead(ctx context.Context) {
	h, err := c.call(ctx, func(ctx context.Context) (*types.Header, error) { return c.node.Node.HeaderByNumber(ctx, nil) })
	if err != nil {
		if ctx.Err() == nil {
			c.update(func(s *Stats) { s.Errors++; s.LastError = "reading the head: " + err.Error() })
		}
		return
	}
	c.observeHead(h.Number.Uint64())
}

// pollHeads reads the head every poll for d (0: until ctx ends).
func (c *chainWatcher) pollHeads(ctx context.Context, d time.Duration) {
	var until <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		until = t.C
	}
	tick := time.NewTicker(c.poll)
	defer tick.Stop()
	failing := 0
	for {
		h, err := c.call(ctx, func(ctx context.Context) (*types.Header, error) { return c.node.Node.HeaderByNumber(ctx, nil) })
		switch {
		case err == nil:
			if failing > 0 {
				c.log.Info("recovered", "doing", "reading the head", "attempts", failing+1)
			}
			failing = 0
			c.observeHead(h.Number.Uint64())
		case ctx.Err() == nil:
			failing++
			c.update(func(s *Stats) { s.Errors++; s.LastError = "reading the head: " + err.Error() })
			if failing == 1 || failing%100 == 0 {
				c.log.Warn("retrying", "doing", "reading the head", "attempt", failing, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-until:
			return
		case <-tick.C:
		}
	}
}
