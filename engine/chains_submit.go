package engine

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// submitChain dials a chain's extra endpoints and relay and returns the
// submitter's view of the chain, with node as its main node. close closes
// what it dialled.
func submitChain(ctx context.Context, c config.ChainOptions, node *ethclient.Client) (submit.ChainConfig, func(), error) {
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
