package submit

import (
	"bytes"
	"context"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// estimateTTL is how long an estimate made by Prepare waits for its
// Execute; one whose intent was never executed (an earlier delivery had
// recorded it, or recording failed) is dropped after it.
const estimateTTL = time.Minute

// preparedWait bounds how long Execute waits for an estimate Prepare
// started before it asks the node itself, with retries: a node that never
// answers one call must not hold the action.
const preparedWait = 5 * time.Second

// estimate is a gas estimate started ahead of Execute.
type estimate struct {
	from, to common.Address
	data     []byte
	started  time.Time
	done     chan struct{}
	gas      uint64
	err      error
}

// Prepare starts estimating the gas of an intent that is about to be
// recorded, so that its Execute finds the estimate ready instead of
// waiting for the node after the intent and its audit records are
// written. It only reads the chain. An intent Prepare does not know (no
// such chain or signer) is left to Execute, which reports it.
func (s *Submitter) Prepare(ctx context.Context, in record.Intent) {
	cs, ok := s.chains[in.ChainID]
	sg, known := s.signers[in.Signer]
	if !ok || !known {
		return
	}
	e := &estimate{from: sg.Address(), to: in.To, data: bytes.Clone(in.Data), started: s.opts.Now(), done: make(chan struct{})}
	s.mu.Lock()
	for id, old := range s.estimates {
		if e.started.Sub(old.started) > estimateTTL {
			delete(s.estimates, id)
		}
	}
	s.estimates[in.ID] = e
	started := s.spawnLocked(func() {
		defer close(e.done)
		ctx, cancel := context.WithTimeout(ctx, estimateTTL)
		defer cancel()
		e.gas, e.err = cs.Node.EstimateGas(ctx, ethereum.CallMsg{From: e.from, To: &e.to, Data: e.data})
	})
	if !started {
		delete(s.estimates, in.ID) // stopping: Execute estimates itself
	}
	s.mu.Unlock()
}

// prepared returns the estimate Prepare made for the action, if it made
// one for this very call and it succeeded; ok is false otherwise and the
// caller estimates afresh (with retries).
func (s *Submitter) prepared(ctx context.Context, id string, from, to common.Address, data []byte) (gas uint64, ok bool) {
	s.mu.Lock()
	e := s.estimates[id]
	delete(s.estimates, id)
	s.mu.Unlock()
	if e == nil || e.from != from || e.to != to || !bytes.Equal(e.data, data) {
		return 0, false
	}
	wait := time.NewTimer(preparedWait)
	defer wait.Stop()
	select {
	case <-e.done:
	case <-wait.C:
		return 0, false
	case <-ctx.Done():
		return 0, false
	}
	return e.gas, e.err == nil
}
