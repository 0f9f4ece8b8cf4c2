package record

import (
	"bytes"
	"fmt"
)

// Differences lists how the recorded intent got differs from want in what
// the action does (chain, target, calldata, signer, type), as
// "field: recorded X, now Y". None means the same action: recording want
// again is a redelivery, not a new action.
func Differences(got, want Intent) []string {
	var d []string
	if got.ChainID != want.ChainID {
		d = append(d, fmt.Sprintf("chain_id: recorded %d, now %d", got.ChainID, want.ChainID))
	}
	if got.To != want.To {
		d = append(d, fmt.Sprintf("to: recorded %s, now %s", got.To.Hex(), want.To.Hex()))
	}
	if !bytes.Equal(got.Data, want.Data) {
		d = append(d, fmt.Sprintf("data: recorded %s, now %s", short(got.Data.String()), short(want.Data.String())))
	}
	if got.Signer != want.Signer {
		d = append(d, fmt.Sprintf("signer: recorded %q, now %q", got.Signer, want.Signer))
	}
	if got.Type != want.Type {
		d = append(d, fmt.Sprintf("type: recorded %q, now %q", got.Type, want.Type))
	}
	return d
}

// SafeDifferences is Differences for a recorded Safe transaction (got,
// an execTransaction on the Safe) and the inner call want it wraps. The
// Safe calldata holds the Safe nonce and signatures, which differ from
// one build to the next; the inner target and calldata are in the
// intent's id already (IntentID), so chain, type and function are what
// is left to compare.
func SafeDifferences(got, want Intent) []string {
	var d []string
	if got.ChainID != want.ChainID {
		d = append(d, fmt.Sprintf("chain_id: recorded %d, now %d", got.ChainID, want.ChainID))
	}
	if got.Type != want.Type {
		d = append(d, fmt.Sprintf("type: recorded %q, now %q", got.Type, want.Type))
	}
	if fn := SafeFunctionPrefix + want.Function; got.Function != fn {
		d = append(d, fmt.Sprintf("function: recorded %q, now %q", got.Function, fn))
	}
	return d
}

// SafeFunctionPrefix starts the Function of an intent that sends a call
// through its Safe (execTransaction:pause()).
const SafeFunctionPrefix = "execTransaction:"

func short(s string) string {
	if len(s) <= 22 {
		return s
	}
	return s[:22] + "…"
}

// JoinedReason is why an action was recorded as joined to first, for
// people (logs, the event outcome).
func JoinedReason(first string) string {
	return "joined action " + first + ": the same call is already in flight"
}
