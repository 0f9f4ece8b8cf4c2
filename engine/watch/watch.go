package watch

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
)

// DefaultSource is the detector name a watcher publishes as unless the
// configuration names another.
const DefaultSource = "firebreak-watch"

// Chain is what the watcher reads from a node; *ethclient.Client satisfies
// it.
type Chain interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	BlockByNumber(ctx context.Context, number *big.Int) (*types.Block, error)
	// State is read at the block's hash (EIP-1898), never its number: a
	// node mining the next block may answer a number with newer state.
	BalanceReader
	ethereum.LogFilterer
	BlockReceipts(ctx context.Context, blockNrOrHash rpc.BlockNumberOrHash) ([]*types.Receipt, error)
}

// HeadSubscriber pushes new heads (a WebSocket client).
type HeadSubscriber interface {
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error)
}

// Node is one chain's connections: calls go to Node; Heads, when set,
// pushes new heads (else the head is polled every watch.poll).
type Node struct {
	Node  Chain
	Heads HeadSubscriber
}

// Options are what a Watcher needs besides the configuration.
type Options struct {
	// Nodes by chain id: every chain a watched protocol is on.
	Nodes map[uint64]Node
	// JetStream publishes the events and holds the cursor bucket.
	JetStream jetstream.JetStream
	// Replicas of the cursor bucket when it is created (default 1).
	Replicas int
	// Sign, when set, signs every event (SignatureHeader).
	Sign SignFunc
	// OnDetection is called after each event is acknowledged.
	OnDetection func(Detection)
	// OnBlock is called after each block is processed and its cursor
	// written.
	OnBlock func(BlockReport)
	// RetryInitial and RetryMax shape the backoff of failed reads,
	// publishes and cursor writes (defaults 100ms and 5s); CallTimeout
	// bounds one call (default 10s).
	RetryInitial, RetryMax, CallTimeout time.Duration
	// Now is the clock events are stamped with; nil means time.Now.
	Now func() time.Time
}

// BlockReport says a block was processed.
type BlockReport struct {
	ChainID uint64
	Block   uint64
	Hash    common.Hash
	// Head is the chain's head as the watcher knew it then.
	Head       uint64
	Detections int
	At         time.Time
}

// Stats are one chain's counters.
type Stats struct {
	ChainID uint64 `json:"chain_id"`
	// Head is the latest head seen, Cursor the last block processed, Lag
	// their difference: how far behind the chain the watcher is.
	Head   uint64 `json:"head"`
	Cursor uint64 `json:"cursor"`
	Lag    uint64 `json:"lag"`
	// Pushed is true while heads are pushed (ws), false while polled.
	Pushed bool `json:"pushed"`
	// Blocks processed, Detections published (Duplicates among them the
	// stream already had), Reorgs followed, Errors retried since start.
	Blocks     uint64 `json:"blocks"`
	Detections uint64 `json:"detections"`
	Duplicates uint64 `json:"duplicates"`
	Reorgs     uint64 `json:"reorgs"`
	Errors     uint64 `json:"errors"`
	// LastError is the last error retried, "" if none yet.
	LastError   string    `json:"last_error,omitempty"`
	LastBlockAt time.Time `json:"last_block_at,omitzero"`
}

// Watcher follows chains and publishes what its rules find. Create it
// with New, start it with Run.
type Watcher struct {
	source string
	opts   Options
	cfg    config.WatchOptions
	log    *slog.Logger
	chains []*chainWatcher
	ready  chan struct{}
}

// New compiles the rules of opts.Watch against opts' registry. Nothing is
// read or connected until Run.
func New(opts config.Options, o Options, log *slog.Logger) (*Watcher, error) {
	if err := opts.ValidateWatch(); err != nil {
		return nil, err
	}
	if !opts.Watch.Enabled() {
		return nil, ErrNoRules
	}
	if o.JetStream == nil {
		return nil, fmt.Errorf("%w: no JetStream", ErrConfig)
	}
	byChain, err := compile(opts)
	if err != nil {
		return nil, err
	}
	def := Options{RetryInitial: 100 * time.Millisecond, RetryMax: 5 * time.Second, CallTimeout: 10 * time.Second, Now: time.Now}
	if o.RetryInitial <= 0 {
		o.RetryInitial = def.RetryInitial
	}
	if o.RetryMax <= 0 {
		o.RetryMax = def.RetryMax
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = def.CallTimeout
	}
	if o.Now == nil {
		o.Now = def.Now
	}
	w := &Watcher{source: opts.Watch.Source, opts: o, cfg: opts.Watch, log: log, ready: make(chan struct{})}
	if w.source == "" {
		w.source = DefaultSource
	}
	poll := opts.Watch.Poll
	if poll <= 0 {
		poll = time.Second
	}
	ids := make([]uint64, 0, len(byChain))
	for id := range byChain {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		n, ok := o.Nodes[id]
		if !ok || n.Node == nil {
			return nil, fmt.Errorf("%w: no node for chain %d", ErrConfig, id)
		}
		w.chains = append(w.chains, newChainWatcher(w, id, n, byChain[id], poll))
	}
	return w, nil
}

// Source is the detector name the watcher publishes as.
func (w *Watcher) Source() string { return w.source }

// Ready is closed once every chain's watcher has its cursor and has read
// the history its rules need: blocks from then on are evaluated.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Run follows every chain until ctx ends. It returns an error only when
// the cursor bucket cannot be opened; a node or NATS away is retried.
func (w *Watcher) Run(ctx context.Context) error {
	cur, err := openCursors(ctx, w.opts.JetStream, w.opts.Replicas, w.source)
	if err != nil {
		return err
	}
	pub := &publisher{js: w.opts.JetStream, subject: SubjectPrefix + w.source, sign: w.opts.Sign}
	var wg sync.WaitGroup
	for _, c := range w.chains {
		c.cursors, c.pub = cur, pub
		wg.Go(func() { c.run(ctx) })
	}
	go func() {
		for _, c := range w.chains {
			select {
			case <-c.ready:
			case <-ctx.Done():
				return
			}
		}
		close(w.ready)
	}()
	w.log.Info("watching", "source", w.source, "chains", len(w.chains))
	wg.Wait()
	return nil
}

// Stats returns each chain's counters, by chain id.
func (w *Watcher) Stats() []Stats {
	out := make([]Stats, 0, len(w.chains))
	for _, c := range w.chains {
		out = append(out, c.stats())
	}
	return out
}
