package engine

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// submitChain dials a chain's extra endpoints and relay and returns the
// submitter's view of the chain, with node as its main node. close closes
// what it dialled.
func submitChain(ctx context.Context, c config.ChainOptions, node *ChainClient) (submit.ChainConfig, func(), error) {
	cfg := submit.ChainConfig{
		Node: node, Mode: submit.Mode(c.Broadcast), MaxFeePerGas: gweiToWei(c.MaxFeePerGas), MinTip: gweiToWei(c.MinTip),
		TipPercentile: c.TipPercentile, Confirmations: c.Confirmations, BumpEveryBlocks: c.BumpEveryBlocks,
		RPCTimeout: c.CallTimeout(), ReorgWatchBlocks: c.WatchBlocks(), ReorgWatchFinalized: c.ReorgWatch == config.ReorgWatchFinalized,
	}
	if c.MaxFeePerGas == 0 {
		cfg.MaxFeePerGas = nil
	}
	var closers []func()
	closeAll := func() {
		for _, f := range closers {
			f()
		}
	}
	for j, u := range c.RPCURLs {
		cl, err := dialBounded(ctx, c, u)
		if err != nil {
			closeAll()
			// The URL, which the error repeats, may hold an API key.
			return cfg, nil, fmt.Errorf("engine: connecting to rpc_urls[%d] of chain %d at %s: %s", j, c.ID, config.RedactURL(u), config.RedactURLs(err.Error(), u))
		}
		closers = append(closers, cl.Close)
		cfg.Public = append(cfg.Public, submit.Endpoint{Name: fmt.Sprintf("rpc_urls[%d]", j), TransactionSender: boundedSender{cl}})
	}
	if c.PrivateRPC != "" {
		dctx, cancel := context.WithTimeout(ctx, c.CallTimeout())
		cl, err := rpc.DialContext(dctx, c.PrivateRPC)
		cancel()
		if err != nil {
			closeAll()
			// The URL, which the error repeats, may carry the relay's API key.
			return cfg, nil, fmt.Errorf("engine: connecting to the private relay of chain %d at %s: %s", c.ID, config.RedactURL(c.PrivateRPC), config.RedactURLs(err.Error(), c.PrivateRPC))
		}
		closers = append(closers, cl.Close)
		cfg.Private = append(cfg.Private, submit.Endpoint{Name: "private_rpc", TransactionSender: submit.NewRelay(boundedRelay{cl, c.ID, c.CallTimeout()}, c.PrivateMethod)})
	}
	return cfg, closeAll, nil
}

// DialChain connects to url, one of chain c's endpoints, the dial and every
// call after it bounded by c's rpc_timeout: how every command that talks to
// a chain outside the engine (watch, check) connects too. The error may
// repeat the URL: redact it (config.RedactURLs) before showing it.
func DialChain(ctx context.Context, c config.ChainOptions, url string) (*ChainClient, error) {
	return dialBounded(ctx, c, url)
}

// dialBounded connects to one of chain c's endpoints, the dial and every
// call after it bounded by c's rpc_timeout.
func dialBounded(ctx context.Context, c config.ChainOptions, url string) (*ChainClient, error) {
	ctx, cancel := context.WithTimeout(ctx, c.CallTimeout())
	defer cancel()
	cl, err := ethclient.DialContext(ctx, url)
	if err != nil {
		return nil, err
	}
	return newChainClient(cl, c.ID, c.CallTimeout()), nil
}

// gweiToWei converts a configured gwei amount; 0 stays 0.
func gweiToWei(g float64) *big.Int {
	wei, _ := new(big.Float).Mul(big.NewFloat(g), big.NewFloat(1e9)).Int(nil)
	return wei
}

// chainConns are the connections to every configured chain, in the shape
// each stage reads them.
type chainConns struct {
	callers map[uint64]guard.Caller
	submit  map[uint64]submit.ChainConfig
	safes   map[uint64]safe.Chain
	// clients are the nodes themselves, for the readiness checks, the
	// health probes and the watcher. Every one of them, and every endpoint
	// above, bounds each call by the chain's rpc_timeout.
	clients map[uint64]*ChainClient
	closers []func()
}

func (c *chainConns) close() {
	for i := len(c.closers) - 1; i >= 0; i-- {
		c.closers[i]()
	}
}

// dialChains connects to every chain: calls over rpc, heads pushed over
// ws when it is set. On error, what was dialled is closed.
func dialChains(ctx context.Context, chains []config.ChainOptions, log *slog.Logger) (*chainConns, error) {
	conns := &chainConns{callers: map[uint64]guard.Caller{}, submit: map[uint64]submit.ChainConfig{}, safes: map[uint64]safe.Chain{}, clients: map[uint64]*ChainClient{}}
	for _, c := range chains {
		client, err := dialBounded(ctx, c, c.RPC)
		if err != nil {
			conns.close()
			// The URL, which the error repeats, may hold an API key.
			return nil, fmt.Errorf("engine: connecting to chain %d at %s: %s", c.ID, config.RedactURL(c.RPC), config.RedactURLs(err.Error(), c.RPC))
		}
		conns.closers = append(conns.closers, client.Close)
		cfg, closeEndpoints, err := submitChain(ctx, c, client)
		if err != nil {
			conns.close()
			return nil, err
		}
		conns.closers = append(conns.closers, closeEndpoints)
		if c.WS != "" {
			// Without it the head is polled over rpc: a block is seen a
			// little later, never missed, so a ws endpoint that is down
			// does not keep the engine from starting.
			if ws, err := dialBounded(ctx, c, c.WS); err != nil {
				// The error repeats the URL, which may hold an API key.
				log.Warn("cannot connect to the chain's ws endpoint: polling the head over rpc instead", "chain", c.ID)
			} else {
				conns.closers = append(conns.closers, ws.Close)
				cfg.Heads = ws
			}
		}
		conns.callers[c.ID], conns.submit[c.ID], conns.safes[c.ID], conns.clients[c.ID] = client, cfg, client, client
	}
	return conns, nil
}
