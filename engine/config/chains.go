package config

import (
	"math"
	"time"
)

// Defaults and bounds of a chain's RPC deadline and reorg watch.
const (
	// DefaultRPCTimeout bounds every call to a chain's node when
	// rpc_timeout is not set: a node that accepts the connection and never
	// answers fails the call instead of holding a sender's nonces, the head
	// and the guard's reads for good.
	DefaultRPCTimeout = 5 * time.Second
	// MinRPCTimeout and MaxRPCTimeout bound rpc_timeout: below, a healthy
	// node's eth_estimateGas fails; above, a hung node holds a
	// containment transaction for longer than an exploit takes.
	MinRPCTimeout = 100 * time.Millisecond
	MaxRPCTimeout = 2 * time.Minute
	// DefaultReorgWatchBlocks is how many blocks past its confirmations a
	// mined action is still watched for a reorg, when reorg_watch_blocks is
	// not set: deeper than any reorg seen on a chain without finality tags.
	DefaultReorgWatchBlocks = 64
	// MaxReorgWatchBlocks bounds reorg_watch_blocks (a day of 1 s blocks).
	MaxReorgWatchBlocks = 100_000
	// ReorgWatchBlocks and ReorgWatchFinalized are the values of
	// chains[].reorg_watch: count reorg_watch_blocks (the default), or
	// watch until the node's "finalized" block covers the action's.
	ReorgWatchBlocks    = "blocks"
	ReorgWatchFinalized = "finalized"
)

// CallTimeout is the deadline of each call to the chain's node.
func (c ChainOptions) CallTimeout() time.Duration {
	if c.RPCTimeout == 0 {
		return DefaultRPCTimeout
	}
	return c.RPCTimeout
}

// WatchBlocks is how many blocks after its confirmations a mined action
// is still watched for a reorg.
func (c ChainOptions) WatchBlocks() uint64 {
	if c.ReorgWatchBlocks == 0 {
		return DefaultReorgWatchBlocks
	}
	return c.ReorgWatchBlocks
}

// validateSubmit checks a chain's submitter settings; i is its index in
// chains, for the message.
func (c ChainOptions) validateSubmit(i int) error {
	for j, u := range c.RPCURLs {
		if !hasScheme(u, "http://", "https://", "ws://", "wss://") {
			return Errorf("chains[%d].rpc_urls[%d]: want an http(s):// or ws(s):// URL", i, j)
		}
	}
	if c.PrivateRPC != "" && !hasScheme(c.PrivateRPC, "http://", "https://", "ws://", "wss://") {
		// The URL may hold a relay's API key: not repeated here.
		return Errorf("chains[%d].private_rpc: want an http(s):// or ws(s):// URL", i)
	}
	switch c.PrivateMethod {
	case "", MethodSendRaw, MethodSendPrivate:
	default:
		return Errorf("chains[%d].private_method: %q is not %s or %s", i, c.PrivateMethod, MethodSendRaw, MethodSendPrivate)
	}
	switch c.Broadcast {
	case "", BroadcastPublic:
	case BroadcastPrivate, BroadcastBoth:
		if c.PrivateRPC == "" {
			return Errorf("chains[%d].broadcast: %q needs private_rpc", i, c.Broadcast)
		}
	default:
		return Errorf("chains[%d].broadcast: %q is not public, private or both", i, c.Broadcast)
	}
	switch {
	case c.MaxFeePerGas < 0 || math.IsNaN(c.MaxFeePerGas) || math.IsInf(c.MaxFeePerGas, 0):
		return Errorf("chains[%d].max_fee_per_gas: must be a positive number of gwei, or 0 for no cap", i)
	case c.MinTip < 0 || math.IsNaN(c.MinTip) || math.IsInf(c.MinTip, 0):
		return Errorf("chains[%d].min_tip: must be a number of gwei, at least 0", i)
	case c.MaxFeePerGas > 0 && c.MinTip > c.MaxFeePerGas:
		return Errorf("chains[%d].min_tip: %v gwei is above max_fee_per_gas (%v gwei)", i, c.MinTip, c.MaxFeePerGas)
	case c.TipPercentile < 0 || c.TipPercentile > 100 || math.IsNaN(c.TipPercentile):
		return Errorf("chains[%d].tip_percentile: must be between 0 and 100, got %v", i, c.TipPercentile)
	case c.Confirmations > 1000:
		return Errorf("chains[%d].confirmations: at most 1000, got %d", i, c.Confirmations)
	case c.BumpEveryBlocks > 1000:
		return Errorf("chains[%d].bump_every_blocks: at most 1000, got %d", i, c.BumpEveryBlocks)
	case c.RPCTimeout < 0 || (c.RPCTimeout > 0 && c.RPCTimeout < MinRPCTimeout) || c.RPCTimeout > MaxRPCTimeout:
		return Errorf("chains[%d].rpc_timeout: want between %s and %s (default %s), got %s", i, MinRPCTimeout, MaxRPCTimeout, DefaultRPCTimeout, c.RPCTimeout)
	case c.ReorgWatchBlocks > MaxReorgWatchBlocks:
		return Errorf("chains[%d].reorg_watch_blocks: at most %d, got %d", i, MaxReorgWatchBlocks, c.ReorgWatchBlocks)
	}
	switch c.ReorgWatch {
	case "", ReorgWatchBlocks, ReorgWatchFinalized:
	default:
		return Errorf("chains[%d].reorg_watch: %q is not %s or %s", i, c.ReorgWatch, ReorgWatchBlocks, ReorgWatchFinalized)
	}
	return nil
}

// The values of chains[].private_method and chains[].broadcast. They are
// engine/submit's own constants (Method*, Mode); a test in package engine
// keeps the two in step.
const (
	MethodSendRaw     = "eth_sendRawTransaction"
	MethodSendPrivate = "eth_sendPrivateTransaction"
	BroadcastPublic   = "public"
	BroadcastPrivate  = "private"
	BroadcastBoth     = "both"
)
