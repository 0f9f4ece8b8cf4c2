package engine

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// ChainClient is a chain's node as every stage sees it: each call has
// the chain's rpc_timeout as its deadline, over HTTP and WebSocket alike.
// It does not embed the client, so a method it does not bound cannot be
// called through it: nothing the engine asks of a node waits forever on
// one that accepted the connection and never answers.
type ChainClient struct {
	c       *ethclient.Client
	chain   uint64
	timeout time.Duration
}

func newChainClient(c *ethclient.Client, chain uint64, timeout time.Duration) *ChainClient {
	return &ChainClient{c: c, chain: chain, timeout: timeout}
}

// RPCTimeoutError is a call to a chain's node that got no answer within
// the chain's rpc_timeout. It is a net.Error that timed out, so the
// submitter counts it as a connection failure and retries.
type RPCTimeoutError struct {
	Chain uint64
	Call  string
	After time.Duration
}

func (e *RPCTimeoutError) Error() string {
	// No URL: it may hold an API key.
	return fmt.Sprintf("chain %d: %s: no answer within rpc_timeout (%s)", e.Chain, e.Call, e.After)
}

// Timeout and Temporary make it a net.Error.
func (e *RPCTimeoutError) Timeout() bool   { return true }
func (e *RPCTimeoutError) Temporary() bool { return true }

// bounded runs f with the chain's deadline; a call the deadline cut short
// (not the caller's own context) fails with an *RPCTimeoutError.
func bounded[T any](ctx context.Context, c *ChainClient, call string, f func(context.Context) (T, error)) (T, error) {
	return boundCall(ctx, c.chain, c.timeout, call, f)
}

func boundCall[T any](ctx context.Context, chain uint64, timeout time.Duration, call string, f func(context.Context) (T, error)) (T, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := f(cctx)
	if err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return v, &RPCTimeoutError{Chain: chain, Call: call, After: timeout}
	}
	return v, err
}

func (c *ChainClient) Close() { c.c.Close() }

func (c *ChainClient) ChainID(ctx context.Context) (*big.Int, error) {
	return bounded(ctx, c, "eth_chainId", c.c.ChainID)
}

func (c *ChainClient) HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error) {
	return bounded(ctx, c, "eth_getBlockByNumber", func(ctx context.Context) (*types.Header, error) { return c.c.HeaderByNumber(ctx, number) })
}

func (c *ChainClient) BlockByNumber(ctx context.Context, number *big.Int) (*types.Block, error) {
	return bounded(ctx, c, "eth_getBlockByNumber", func(ctx context.Context) (*types.Block, error) { return c.c.BlockByNumber(ctx, number) })
}

func (c *ChainClient) BlockReceipts(ctx context.Context, b rpc.BlockNumberOrHash) ([]*types.Receipt, error) {
	return bounded(ctx, c, "eth_getBlockReceipts", func(ctx context.Context) ([]*types.Receipt, error) { return c.c.BlockReceipts(ctx, b) })
}

func (c *ChainClient) CodeAt(ctx context.Context, account common.Address, block *big.Int) ([]byte, error) {
	return bounded(ctx, c, "eth_getCode", func(ctx context.Context) ([]byte, error) { return c.c.CodeAt(ctx, account, block) })
}

func (c *ChainClient) BalanceAt(ctx context.Context, account common.Address, block *big.Int) (*big.Int, error) {
	return bounded(ctx, c, "eth_getBalance", func(ctx context.Context) (*big.Int, error) { return c.c.BalanceAt(ctx, account, block) })
}

func (c *ChainClient) BalanceAtHash(ctx context.Context, account common.Address, hash common.Hash) (*big.Int, error) {
	return bounded(ctx, c, "eth_getBalance", func(ctx context.Context) (*big.Int, error) { return c.c.BalanceAtHash(ctx, account, hash) })
}

func (c *ChainClient) NonceAt(ctx context.Context, account common.Address, block *big.Int) (uint64, error) {
	return bounded(ctx, c, "eth_getTransactionCount", func(ctx context.Context) (uint64, error) { return c.c.NonceAt(ctx, account, block) })
}

func (c *ChainClient) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	return bounded(ctx, c, "eth_call", func(ctx context.Context) ([]byte, error) { return c.c.CallContract(ctx, msg, block) })
}

func (c *ChainClient) CallContractAtHash(ctx context.Context, msg ethereum.CallMsg, hash common.Hash) ([]byte, error) {
	return bounded(ctx, c, "eth_call", func(ctx context.Context) ([]byte, error) { return c.c.CallContractAtHash(ctx, msg, hash) })
}

func (c *ChainClient) EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error) {
	return bounded(ctx, c, "eth_estimateGas", func(ctx context.Context) (uint64, error) { return c.c.EstimateGas(ctx, msg) })
}

func (c *ChainClient) FeeHistory(ctx context.Context, count uint64, last *big.Int, percentiles []float64) (*ethereum.FeeHistory, error) {
	return bounded(ctx, c, "eth_feeHistory", func(ctx context.Context) (*ethereum.FeeHistory, error) {
		return c.c.FeeHistory(ctx, count, last, percentiles)
	})
}

func (c *ChainClient) PendingBalanceAt(ctx context.Context, account common.Address) (*big.Int, error) {
	return bounded(ctx, c, "eth_getBalance", func(ctx context.Context) (*big.Int, error) { return c.c.PendingBalanceAt(ctx, account) })
}

func (c *ChainClient) PendingStorageAt(ctx context.Context, account common.Address, key common.Hash) ([]byte, error) {
	return bounded(ctx, c, "eth_getStorageAt", func(ctx context.Context) ([]byte, error) { return c.c.PendingStorageAt(ctx, account, key) })
}

func (c *ChainClient) PendingCodeAt(ctx context.Context, account common.Address) ([]byte, error) {
	return bounded(ctx, c, "eth_getCode", func(ctx context.Context) ([]byte, error) { return c.c.PendingCodeAt(ctx, account) })
}

func (c *ChainClient) PendingNonceAt(ctx context.Context, account common.Address) (uint64, error) {
	return bounded(ctx, c, "eth_getTransactionCount", func(ctx context.Context) (uint64, error) { return c.c.PendingNonceAt(ctx, account) })
}

func (c *ChainClient) PendingTransactionCount(ctx context.Context) (uint, error) {
	return bounded(ctx, c, "eth_getBlockTransactionCountByNumber", c.c.PendingTransactionCount)
}

func (c *ChainClient) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	_, err := bounded(ctx, c, "eth_sendRawTransaction", func(ctx context.Context) (struct{}, error) { return struct{}{}, c.c.SendTransaction(ctx, tx) })
	return err
}

func (c *ChainClient) TransactionByHash(ctx context.Context, hash common.Hash) (*types.Transaction, bool, error) {
	var pending bool
	tx, err := bounded(ctx, c, "eth_getTransactionByHash", func(ctx context.Context) (*types.Transaction, error) {
		tx, p, err := c.c.TransactionByHash(ctx, hash)
		pending = p
		return tx, err
	})
	return tx, pending, err
}

func (c *ChainClient) TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	return bounded(ctx, c, "eth_getTransactionReceipt", func(ctx context.Context) (*types.Receipt, error) { return c.c.TransactionReceipt(ctx, hash) })
}

func (c *ChainClient) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	return bounded(ctx, c, "eth_getLogs", func(ctx context.Context) ([]types.Log, error) { return c.c.FilterLogs(ctx, q) })
}

// SubscribeFilterLogs and SubscribeNewHead bound the subscribing call; the
// subscription itself outlives it (the context only cancels the request
// that sets it up).
func (c *ChainClient) SubscribeFilterLogs(ctx context.Context, q ethereum.FilterQuery, ch chan<- types.Log) (ethereum.Subscription, error) {
	return bounded(ctx, c, "eth_subscribe", func(ctx context.Context) (ethereum.Subscription, error) { return c.c.SubscribeFilterLogs(ctx, q, ch) })
}

func (c *ChainClient) SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error) {
	return bounded(ctx, c, "eth_subscribe", func(ctx context.Context) (ethereum.Subscription, error) { return c.c.SubscribeNewHead(ctx, ch) })
}

// boundedSender is an extra public endpoint: only sends, each bounded.
type boundedSender struct{ c *ChainClient }

func (s boundedSender) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	return s.c.SendTransaction(ctx, tx)
}

// boundedRelay is a private relay's connection with each call bounded.
type boundedRelay struct {
	c       *rpc.Client
	chain   uint64
	timeout time.Duration
}

func (r boundedRelay) CallContext(ctx context.Context, result any, method string, args ...any) error {
	_, err := boundCall(ctx, r.chain, r.timeout, method+" (private relay)", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, r.c.CallContext(ctx, result, method, args...)
	})
	return err
}

func (c *ChainClient) SubscribeTransactionReceipts(ctx context.Context, q *ethereum.TransactionReceiptsQuery, ch chan<- []*types.Receipt) (ethereum.Subscription, error) {
	return bounded(ctx, c, "eth_subscribe", func(ctx context.Context) (ethereum.Subscription, error) {
		return c.c.SubscribeTransactionReceipts(ctx, q, ch)
	})
}
