package submit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/record"
)

// wantedState is how to read whether a containment call's target is
// already where the call would put it: a view, and the answer that means
// "already done".
type wantedState struct {
	view     []byte // calldata of the view
	doneWhen bool
	reason   string
}

func selector(sig string) []byte { return crypto.Keccak256([]byte(sig))[:4] }

var (
	pauseSelector  = selector("pause()")
	freezeSelector = selector("freeze()")
	revokeSelector = selector("revokeRole(bytes32,address)")
	pausedView     = selector("paused()")
	frozenView     = selector("frozen()")
	hasRoleView    = selector("hasRole(bytes32,address)")
)

// wanted returns the read that tells whether the call data is a no-op
// because its target is already in the wanted state; false for a call
// that has none (only pause(), freeze() and revokeRole do).
func wanted(data []byte) (wantedState, bool) {
	if len(data) < 4 {
		return wantedState{}, false
	}
	switch sel := data[:4]; {
	case bytes.Equal(sel, pauseSelector) && len(data) == 4:
		return wantedState{pausedView, true, "already paused: paused() is true"}, true
	case bytes.Equal(sel, freezeSelector) && len(data) == 4:
		return wantedState{frozenView, true, "already frozen: frozen() is true"}, true
	case bytes.Equal(sel, revokeSelector) && len(data) == 4+64:
		account := common.BytesToAddress(data[4+32 : 4+64])
		view := append(append([]byte(nil), hasRoleView...), data[4:]...)
		return wantedState{view, false, fmt.Sprintf("role already not held: hasRole(%s, %s) is false", common.BytesToHash(data[4:36]).Hex(), account.Hex())}, true
	}
	return wantedState{}, false
}

// alreadyWanted reads the chain to confirm that the action's call reverts
// only because its target is already in the state the call wants (a pause
// of a paused contract, a freeze of a frozen bridge, a revoke of a role
// not held). A revert alone proves nothing: only the read does. A read
// that fails is "no", and the action fails with its revert as before.
func (a *action) alreadyWanted(ctx context.Context) (string, bool) {
	w, ok := wanted(a.rec.Data)
	if !ok {
		return "", false
	}
	to := a.rec.To
	out, err := retry(ctx, a, "eth_call", func() ([]byte, error) {
		return a.cs.Node.CallContract(ctx, ethereum.CallMsg{To: &to, Data: w.view}, nil)
	})
	if err != nil || len(out) != 32 {
		a.log.Warn("could not confirm whether the target is already in the wanted state", "err", err, "bytes", len(out))
		return "", false
	}
	if (new(big.Int).SetBytes(out).Sign() != 0) != w.doneWhen {
		return "", false
	}
	return w.reason, true
}

// satisfiedAtEstimate ends an action whose gas estimate reverted, when the
// chain confirms the target is already as wanted: nothing is signed and
// the action is a recorded no-op (state Satisfied, the reason in Error).
// It reports whether it did.
func (a *action) satisfiedAtEstimate(ctx context.Context, estimateErr error) (bool, error) {
	if !errors.Is(estimateErr, ErrReverted) {
		return false, nil
	}
	reason, ok := a.alreadyWanted(ctx)
	if !ok {
		return false, nil
	}
	a.rec.State = record.Satisfied
	a.rec.Error = fmt.Sprintf("not sent: %s (the estimate reverted: %v)", reason, estimateErr)
	a.log.Info("action not needed: its target is already in the wanted state", "reason", reason, "revert", estimateErr)
	return true, a.save(ctx)
}

// satisfiedOnChain turns a mined action whose transaction reverted into a
// recorded no-op when the chain confirms its target is already as wanted
// (another transaction got there first). It reports whether it did.
func (a *action) satisfiedOnChain(ctx context.Context) bool {
	reason, ok := a.alreadyWanted(ctx)
	if !ok {
		return false
	}
	a.rec.State = record.Satisfied
	a.rec.Error = "reverted on chain, and not needed: " + reason
	a.log.Info("action transaction reverted, but its target is already in the wanted state", "tx", hashText(a.rec.TxHash), "reason", reason)
	return true
}

// estimateRevertTries is how many blocks an action whose estimate reverts,
// with its target not yet in the wanted state, estimates again before it
// fails: enough for a pending transaction doing the same to be mined.
const estimateRevertTries = 4

// nextHead waits for a new head of the action's chain, at most RetryFor.
func (a *action) nextHead(ctx context.Context) error {
	_, _, changed, err := a.cs.heads.current(ctx)
	if err != nil {
		return err
	}
	t := time.NewTimer(a.s.opts.RetryFor)
	defer t.Stop()
	select {
	case <-changed:
	case <-t.C:
		a.cs.heads.refresh(ctx, 0)
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}
