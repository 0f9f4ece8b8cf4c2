package config

import (
	"math"
)

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
