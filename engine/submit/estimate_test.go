package submit

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// Prepare's estimate is used by Execute when it was made for the very
// call recorded, and ignored otherwise. Calls go over HTTP through a
// counting proxy (no faults), heads are pushed over WebSocket, as
// ChainConfig.Heads is meant to be used.
func TestPreparedEstimate(t *testing.T) {
	v := contracts.NewProtectedVault()
	for _, tc := range []struct {
		name      string
		prepare   []byte // calldata given to Prepare
		estimates int    // eth_estimateGas calls in all
	}{
		{"same call used", v.PackPause(), 1},
		{"other calldata not used", v.PackPaused(), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy := &faultyProxy{seen: map[string]int{}}
			e := newAnvilEnv(t, true, func(e *anvilEnv, c *ChainConfig) { c.Node, c.Heads = proxy.node(e), e.client })
			want, err := e.client.EstimateGas(e.ctx, ethereum.CallMsg{From: e.guardian.Address(), To: &e.demo.Vault, Data: v.PackPause()})
			if err != nil {
				t.Fatal(err)
			}
			in := e.intent(e.demo.Vault, v.PackPause())
			prepared := in
			prepared.Data = tc.prepare
			e.sub.Prepare(e.ctx, prepared)
			id, done := e.run(in)
			if err := <-done; err != nil {
				t.Fatalf("Execute: %v", err)
			}
			rec, _, err := e.store.Get(e.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if rec.State != record.Mined || rec.GasLimit != want*125/100 {
				t.Fatalf("record: %s, gas limit %d; want mined with %d (pause()'s estimate +25%%)", rec.State, rec.GasLimit, want*125/100)
			}
			if n := proxy.count("eth_estimateGas"); n != tc.estimates {
				t.Errorf("eth_estimateGas called %d times, want %d", n, tc.estimates)
			}
		})
	}
}

// With calls over HTTP and ChainConfig.Heads over WebSocket, a new block
// reaches the submitter by push, with the head poll out of the picture;
// without Heads the same block is not seen until the poll.
func TestHeadsArePushedOverTheirOwnSocket(t *testing.T) {
	e := newAnvilEnv(t, false, nil)
	proxy := &faultyProxy{seen: map[string]int{}}
	node := proxy.node(e)
	for _, tc := range []struct {
		name   string
		push   HeadSubscriber
		pushed bool
	}{
		{"ws heads", e.client, true},
		{"http only", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHeads(node, tc.push, time.Hour, DefaultTipPercentile, testLog(t))
			ctx, stop := context.WithCancel(e.ctx)
			defer stop()
			go h.run(ctx)
			first, _, changed, err := h.current(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// A few blocks, in case the first comes before the
			// subscription is in place; the poll is an hour away.
			var got *types.Header
			for range 5 {
				e.mine()
				select {
				case <-changed:
					got, _, _, _ = h.current(ctx) // a wake-up is a new head
				case <-time.After(300 * time.Millisecond):
					continue
				}
				break
			}
			if pushed := got != nil; pushed != tc.pushed || pushed && got.Number.Uint64() <= first.Number.Uint64() {
				t.Errorf("new head seen: %v, want %v", got != nil, tc.pushed)
			}
		})
	}
}

// An estimate whose intent never came to Execute (recorded by an earlier
// delivery, or not recorded at all) is dropped after estimateTTL, so the
// table does not grow with such events.
func TestPreparedEstimateExpires(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	now := time.Now()
	e.sub.opts.Now = func() time.Time { return now }
	v := contracts.NewProtectedVault()
	never, later := e.intent(e.demo.Vault, v.PackPause()), e.intent(e.demo.Vault, v.PackPause())
	e.sub.Prepare(e.ctx, never)
	now = now.Add(estimateTTL + time.Second)
	e.sub.Prepare(e.ctx, later)
	e.sub.mu.Lock()
	_, kept := e.sub.estimates[never.ID]
	_, made := e.sub.estimates[later.ID]
	e.sub.mu.Unlock()
	if kept || !made {
		t.Fatalf("after %v: stale estimate kept %v, new one made %v; want dropped, made", estimateTTL, kept, made)
	}
}
