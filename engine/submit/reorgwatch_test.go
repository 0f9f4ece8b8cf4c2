package submit

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer"
)

// At confirmations 1 an action is final the moment it is included; a
// reorg that takes its block away afterwards still puts it back in flight,
// and it ends mined once on the new chain. Both ways anvil reorgs: back to
// a snapshot (the chain shortens), and anvil_reorg (the block is replaced
// by one without the transaction, at the same height).
func TestReorgAfterFinalResubmits(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reorg func(e *anvilEnv, snap string)
	}{
		{"evm_revert", func(e *anvilEnv, snap string) {
			var ok bool
			e.call(&ok, "evm_revert", snap)
			if !ok {
				e.t.Fatal("evm_revert refused")
			}
		}},
		{"anvil_reorg", func(e *anvilEnv, _ string) { e.call(nil, "anvil_reorg", 1, []any{}) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newAnvilEnv(t, false, func(_ *anvilEnv, c *ChainConfig) { c.Confirmations = 1 })
			id, done := e.pause()
			e.wait(id, "the send", func(r record.Record) bool { return r.State == record.Sent })
			var snap string
			e.call(&snap, "evm_snapshot")
			mined := e.mineUntil(id, done)
			if mined.State != record.Mined || mined.Confirmations != 1 || !e.paused() {
				t.Fatalf("record = %+v, want mined at 1 confirmation", mined)
			}
			if n := e.sub.Watched(anvilChainID); n != 1 {
				t.Fatalf("%d actions watched after mined, want 1", n)
			}
			tt.reorg(e, snap)
			if e.paused() {
				t.Fatal("the reorg did not take the pause away")
			}
			back := e.wait(id, "back in flight", func(r record.Record) bool { return r.Reorgs == 1 })
			if back.State != record.Sent || back.Block != 0 || !back.MinedAt.IsZero() {
				t.Fatalf("after the reorg: %+v, want back in flight", back)
			}
			again := e.mineUntilStored(id, func(r record.Record) bool { return r.State == record.Mined && r.Reorgs == 1 })
			if !e.paused() {
				t.Fatal("mined again, but the vault is not paused")
			}
			// The same signed transaction, or a fee bump of it: never a
			// second nonce.
			if again.Nonce == nil || *again.Nonce != *mined.Nonce {
				t.Errorf("mined again at nonce %v, want the first one's %d", again.Nonce, *mined.Nonce)
			}
			if n := e.nonce(); n != 1 {
				t.Errorf("the guardian has %d mined transactions, want 1", n)
			}
			if got := e.sub.Stats().Reorgs; got != 1 {
				t.Errorf("Stats().Reorgs = %d, want 1", got)
			}
		})
	}
}

// A mined action is watched for reorg_watch_blocks blocks past its
// confirmations, then no more.
func TestMinedActionWatchEnds(t *testing.T) {
	e := newAnvilEnv(t, false, func(_ *anvilEnv, c *ChainConfig) { c.ReorgWatchBlocks = 3 })
	id, done := e.pause()
	e.wait(id, "the send", func(r record.Record) bool { return r.State == record.Sent })
	rec := e.mineUntil(id, done)
	until := rec.Block + 3
	for e.sub.Watched(anvilChainID) != 0 {
		if h := e.head().Number.Uint64(); h <= until {
			e.mine()
			continue
		}
		select {
		case <-e.ctx.Done():
			t.Fatalf("still watched at block %d, past %d", e.head().Number, until)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// Nothing drops a watch early: the head is past the window now.
	if h := e.head().Number.Uint64(); h <= until {
		t.Errorf("watch ended at block %d, within the window (to %d)", h, until)
	}
}

// A restarted submitter watches the actions mined before the restart, and
// carries one on whose block then leaves the chain.
func TestReorgWatchSurvivesARestart(t *testing.T) {
	e := newAnvilEnv(t, false, nil)
	id, done := e.pause()
	e.wait(id, "the send", func(r record.Record) bool { return r.State == record.Sent })
	var snap string
	e.call(&snap, "evm_snapshot")
	e.mineUntil(id, done)

	// The first submitter goes away (its context ends) and a new one, on
	// the same store and chain, starts.
	e.stop()
	e.sub.Wait()
	ch := newChanges()
	opts := DefaultOptions()
	opts.OnChange = ch.onChange
	sub := New(e.store, map[uint64]ChainConfig{anvilChainID: {Node: e.client}}, map[string]signer.Signer{"guardian": e.guardian}, opts, testLog(t).With("replica", "restarted"))
	ctx, cancel := context.WithCancel(e.ctx)
	defer func() { cancel(); sub.Wait() }()
	sub.Start(ctx)
	for sub.Watched(anvilChainID) != 1 {
		select {
		case <-ctx.Done():
			t.Fatal("the restarted submitter does not watch the mined action")
		case <-time.After(5 * time.Millisecond):
		}
	}
	var ok bool
	e.call(&ok, "evm_revert", snap)
	ch.wait(t, ctx, "back in flight", func(r record.Record) bool { return r.ID == id && r.Reorgs == 1 && r.State == record.Sent })
	e.mineUntilStored(id, func(r record.Record) bool { return r.State == record.Mined && r.Reorgs == 1 })
	if !e.paused() {
		t.Fatal("mined again, but the vault is not paused")
	}
	if n := e.nonce(); n != 1 {
		t.Errorf("the guardian has %d mined transactions, want 1", n)
	}
}

// mineUntilStored mines a block at a time, with a pause for the submitter
// to react, until the stored record satisfies ok.
func (e *anvilEnv) mineUntilStored(id string, ok func(record.Record) bool) record.Record {
	e.t.Helper()
	for {
		if rec, _, err := e.store.Get(e.ctx, id); err == nil && ok(rec) {
			return rec
		}
		select {
		case <-time.After(100 * time.Millisecond):
			e.mine()
		case <-e.ctx.Done():
			e.t.Fatal("timed out")
		}
	}
}

// With reorg_watch: finalized, the watch ends when the node's finalized
// block covers the action (anvil finalizes 64 blocks behind its head),
// not after reorg_watch_blocks.
func TestMinedActionWatchedUntilFinalized(t *testing.T) {
	e := newAnvilEnv(t, false, func(_ *anvilEnv, c *ChainConfig) { c.ReorgWatchBlocks, c.ReorgWatchFinalized = 1, true })
	id, done := e.pause()
	e.wait(id, "the send", func(r record.Record) bool { return r.State == record.Sent })
	rec := e.mineUntil(id, done)
	for range 5 {
		e.mine()
	}
	e.synced()
	// Past reorg_watch_blocks, not finalized: still watched. (The watch
	// only drops at a head check, so this fails only if a check ran; the
	// end of the test is the one that cannot pass by chance.)
	var fin struct {
		Number string `json:"number"`
	}
	e.call(&fin, "eth_getBlockByNumber", "finalized", false)
	if e.sub.Watched(anvilChainID) != 1 {
		t.Fatalf("not watched at block %d (finalized %s), mined at %d", e.head().Number, fin.Number, rec.Block)
	}
	e.call(nil, "anvil_mine", "0x50") // 80 blocks: the action's is finalized
	for e.sub.Watched(anvilChainID) != 0 {
		select {
		case <-e.ctx.Done():
			t.Fatal("still watched once finalized")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
