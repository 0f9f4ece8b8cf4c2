// Package impersonate is a JSON-RPC proxy for drills on an anvil fork only
// (step: simulate). `firebreak drill --fork-url` gives each of a team's
// signers a fresh stand-in key K and points the engine's chain at this
// proxy: the engine signs raw transactions with K as it would in an
// incident, and the proxy makes each of them land on the fork as if the
// team's real account S had sent it (anvil_impersonateAccount(S), then
// eth_sendTransaction from S), and makes the reads agree: K's nonce, balance
// and calls are S's, and receipts, transactions, blocks and logs show the
// locally signed transaction under its local hash. So a drill proves that
// the team's real pauser account can really pause, through the real engine.
//
// The proxy refuses to start unless the upstream answers anvil_nodeInfo:
// impersonation exists only on a development node, and a proxy that
// rewrote senders in front of a real node would hide that nothing was sent.
// It refuses eth_sendTransaction and the other unsigned sends from its
// clients, so nothing but a transaction signed by a stand-in reaches
// anvil's impersonation through it.
package impersonate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

var (
	// ErrNotAnvil means the upstream did not answer anvil_nodeInfo: the
	// proxy never sits in front of a real node.
	ErrNotAnvil = errors.New("impersonate: upstream is not an anvil node (anvil_nodeInfo did not answer); the proxy runs in front of an anvil fork only")
	// ErrOptions means the Options are unusable.
	ErrOptions = errors.New("impersonate: invalid options")
	// ErrUpstream means the upstream could not be reached or answered
	// something that is not JSON-RPC.
	ErrUpstream = errors.New("impersonate: upstream")
)

// DefaultCallTimeout bounds each upstream call when Options.CallTimeout is zero.
const DefaultCallTimeout = 10 * time.Second

// Options of a Proxy.
type Options struct {
	// Upstream is the anvil fork's HTTP URL (the proxy refuses to start unless
	// `anvil_nodeInfo` answers: it must never sit in front of a real node).
	Upstream string
	// StandIns maps each stand-in address (the key firebreak signs with) to the
	// account it acts as on the fork.
	StandIns map[common.Address]common.Address
	// Listen is the proxy's address; empty means 127.0.0.1:0.
	Listen string
	// CallTimeout bounds each upstream call (default 10s).
	CallTimeout time.Duration
}

// Proxy is a running proxy. Its mapping of local to fork hashes lives in
// memory: a drill is one process.
type Proxy struct {
	log      *slog.Logger
	up       *upstream
	standIns map[common.Address]common.Address
	chainID  *big.Int
	timeout  time.Duration

	ln     net.Listener
	srv    *http.Server
	served chan struct{}
	once   sync.Once
	cerr   error

	// sending is held for writing while a stand-in's transaction is
	// sent and mapped, and for reading by every read the mapping rewrites:
	// anvil may mine the transaction before eth_sendTransaction answers,
	// and no read may show that block before the mapping knows its hash.
	sending sync.RWMutex

	mu      sync.Mutex
	toFork  map[common.Hash]common.Hash
	toLocal map[common.Hash]common.Hash
	local   map[common.Hash]localTx
	sent    int
}

// localTx is a transaction firebreak signed with a stand-in key, as it
// signed it.
type localTx struct {
	tx      *types.Transaction
	standIn common.Address
}

// Start checks that o.Upstream is anvil, impersonates every account of
// o.StandIns there and serves the proxy until Close. It does not top up any
// balance: an account without ETH for gas is a finding the drill must show.
func Start(ctx context.Context, o Options, log *slog.Logger) (*Proxy, error) {
	if o.Upstream == "" {
		return nil, fmt.Errorf("%w: no upstream URL", ErrOptions)
	}
	if len(o.StandIns) == 0 {
		return nil, fmt.Errorf("%w: no stand-ins", ErrOptions)
	}
	standIns := make(map[common.Address]common.Address, len(o.StandIns))
	for k, s := range o.StandIns {
		switch {
		case k == (common.Address{}) || s == (common.Address{}):
			return nil, fmt.Errorf("%w: stand-in %s for %s: zero address", ErrOptions, k, s)
		case k == s:
			return nil, fmt.Errorf("%w: stand-in %s stands in for itself", ErrOptions, k)
		}
		if _, ok := o.StandIns[s]; ok {
			return nil, fmt.Errorf("%w: %s is both an impersonated account and a stand-in", ErrOptions, s)
		}
		standIns[k] = s
	}
	if o.CallTimeout < 0 {
		return nil, fmt.Errorf("%w: negative call timeout %s", ErrOptions, o.CallTimeout)
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	up, err := newUpstream(o.Upstream, o.CallTimeout)
	if err != nil {
		return nil, err
	}

	if _, err := up.call(ctx, "anvil_nodeInfo"); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotAnvil, err)
	}
	res, err := up.call(ctx, "eth_chainId")
	if err != nil {
		return nil, fmt.Errorf("impersonate: upstream chain id: %w", err)
	}
	var chainID hexutil.Big
	if err := chainID.UnmarshalJSON(res); err != nil {
		return nil, fmt.Errorf("%w: eth_chainId answered %.40q: %w", ErrUpstream, res, err)
	}
	impersonated := map[common.Address]bool{}
	for _, s := range standIns {
		if impersonated[s] {
			continue
		}
		if _, err := up.call(ctx, "anvil_impersonateAccount", s); err != nil {
			return nil, fmt.Errorf("impersonate: anvil_impersonateAccount(%s): %w", s, err)
		}
		impersonated[s] = true
	}

	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("impersonate: listen on %s: %w", o.Listen, err)
	}
	p := &Proxy{
		log: log, up: up, standIns: standIns, chainID: chainID.ToInt(), timeout: o.CallTimeout,
		ln: ln, served: make(chan struct{}),
		toFork: map[common.Hash]common.Hash{}, toLocal: map[common.Hash]common.Hash{}, local: map[common.Hash]localTx{},
	}
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(p.serveHTTP),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      p.requestTimeout() + 5*time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(p.served)
		if err := p.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("impersonate: proxy stopped serving", "err", err)
		}
	}()
	log.Info("impersonating proxy started", "url", p.URL(), "chain_id", p.chainID, "stand_ins", len(standIns))
	return p, nil
}

// requestTimeout bounds one HTTP request, a batch included.
func (p *Proxy) requestTimeout() time.Duration { return 4 * p.timeout }

// URL is the proxy's JSON-RPC endpoint, http://127.0.0.1:PORT.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Close stops the listener and waits for the handlers to finish. It is safe
// to call twice.
func (p *Proxy) Close() error {
	p.once.Do(func() {
		// Close has no caller's context (it runs deferred, often after the
		// drill's own ended): the wait is bounded by the longest request
		// instead, then the server is closed hard.
		ctx, cancel := context.WithTimeout(context.Background(), p.requestTimeout()+5*time.Second)
		defer cancel()
		if err := p.srv.Shutdown(ctx); err != nil {
			p.cerr = fmt.Errorf("impersonate: closing the proxy: %w", err)
			_ = p.srv.Close()
		}
		<-p.served
	})
	return p.cerr
}

// ForkHash is the hash on the fork of the transaction firebreak signed as local; LocalHash the reverse.
func (p *Proxy) ForkHash(local common.Hash) (common.Hash, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.toFork[local]
	return h, ok
}

// LocalHash is the hash firebreak signed of the transaction whose hash on
// the fork is fork.
func (p *Proxy) LocalHash(fork common.Hash) (common.Hash, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.toLocal[fork]
	return h, ok
}

// Sent is how many transactions went through as an impersonated account.
func (p *Proxy) Sent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// remember maps a sent local transaction to its fork hash.
func (p *Proxy) remember(tx *types.Transaction, standIn common.Address, fork common.Hash) {
	p.mu.Lock()
	defer p.mu.Unlock()
	local := tx.Hash()
	if prev, ok := p.toFork[local]; ok && prev == fork {
		return // the same transaction sent again: not another one
	}
	p.toFork[local], p.toLocal[fork] = fork, local
	p.local[local] = localTx{tx: tx, standIn: standIn}
	p.sent++
}

// byFork is the local transaction whose fork hash is fork.
func (p *Proxy) byFork(fork common.Hash) (localTx, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	local, ok := p.toLocal[fork]
	if !ok {
		return localTx{}, false
	}
	return p.local[local], true
}
