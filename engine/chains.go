package engine

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/engine/submit"
)

// validateSubmit checks a chain's submitter settings; i is its index in
// chains, for the message.
func (c ChainOptions) validateSubmit(i int) error {
	for j, u := range c.RPCURLs {
		if !hasScheme(u, "http://", "https://", "ws://", "wss://") {
			return configErr("chains[%d].rpc_urls[%d]: want an http(s):// or ws(s):// URL", i, j)
		}
	}
	if c.PrivateRPC != "" && !hasScheme(c.PrivateRPC, "http://", "https://", "ws://", "wss://") {
		// The URL may hold a relay's API key: not repeated here.
		return configErr("chains[%d].private_rpc: want an http(s):// or ws(s):// URL", i)
	}
	switch c.PrivateMethod {
	case "", submit.MethodSendRaw, submit.MethodSendPrivate:
	default:
		return configErr("chains[%d].private_method: %q is not %s or %s", i, c.PrivateMethod, submit.MethodSendRaw, submit.MethodSendPrivate)
	}
	switch submit.Mode(c.Broadcast) {
	case "", submit.Public:
	case submit.Private, submit.Both:
		if c.PrivateRPC == "" {
			return configErr("chains[%d].broadcast: %q needs private_rpc", i, c.Broadcast)
		}
	default:
		return configErr("chains[%d].broadcast: %q is not public, private or both", i, c.Broadcast)
	}
	switch {
	case c.MaxFeePerGas < 0 || math.IsNaN(c.MaxFeePerGas) || math.IsInf(c.MaxFeePerGas, 0):
		return configErr("chains[%d].max_fee_per_gas: must be a positive number of gwei, or 0 for no cap", i)
	case c.MinTip < 0 || math.IsNaN(c.MinTip) || math.IsInf(c.MinTip, 0):
		return configErr("chains[%d].min_tip: must be a number of gwei, at least 0", i)
	case c.MaxFeePerGas > 0 && c.MinTip > c.MaxFeePerGas:
		return configErr("chains[%d].min_tip: %v gwei is above max_fee_per_gas (%v gwei)", i, c.MinTip, c.MaxFeePerGas)
	case c.TipPercentile < 0 || c.TipPercentile > 100 || math.IsNaN(c.TipPercentile):
		return configErr("chains[%d].tip_percentile: must be between 0 and 100, got %v", i, c.TipPercentile)
	case c.Confirmations > 1000:
		return configErr("chains[%d].confirmations: at most 1000, got %d", i, c.Confirmations)
	case c.BumpEveryBlocks > 1000:
		return configErr("chains[%d].bump_every_blocks: at most 1000, got %d", i, c.BumpEveryBlocks)
	}
	return nil
}

// submitChain dials a chain's extra endpoints and relay and returns the
// submitter's view of the chain, with node as its main node. close closes
// what it dialled.
func submitChain(ctx context.Context, c ChainOptions, node *ethclient.Client) (submit.ChainConfig, func(), error) {
	cfg := submit.ChainConfig{
		Node: node, Mode: submit.Mode(c.Broadcast), MaxFeePerGas: gweiToWei(c.MaxFeePerGas), MinTip: gweiToWei(c.MinTip),
		TipPercentile: c.TipPercentile, Confirmations: c.Confirmations, BumpEveryBlocks: c.BumpEveryBlocks,
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
		cl, err := ethclient.DialContext(ctx, u)
		if err != nil {
			closeAll()
			// Not wrapped: the URL, which the error repeats, may hold an API key.
			return cfg, nil, fmt.Errorf("engine: connecting to rpc_urls[%d] of chain %d failed", j, c.ID)
		}
		closers = append(closers, cl.Close)
		cfg.Public = append(cfg.Public, submit.Endpoint{Name: fmt.Sprintf("rpc_urls[%d]", j), TransactionSender: cl})
	}
	if c.PrivateRPC != "" {
		cl, err := rpc.DialContext(ctx, c.PrivateRPC)
		if err != nil {
			closeAll()
			// Not wrapped with the URL: it may carry the relay's API key.
			return cfg, nil, fmt.Errorf("engine: connecting to the private relay of chain %d failed", c.ID)
		}
		closers = append(closers, cl.Close)
		cfg.Private = append(cfg.Private, submit.Endpoint{Name: "private_rpc", TransactionSender: submit.NewRelay(cl, c.PrivateMethod)})
	}
	return cfg, closeAll, nil
}

// gweiToWei converts a configured gwei amount; 0 stays 0.
func gweiToWei(g float64) *big.Int {
	wei, _ := new(big.Float).Mul(big.NewFloat(g), big.NewFloat(1e9)).Int(nil)
	return wei
}
