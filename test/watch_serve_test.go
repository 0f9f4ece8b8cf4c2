package test

import (
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/watch"
)

// With watch: configured, serve runs firebreak's own detector beside the
// engine, on its chains and its NATS: the watcher's cursor follows the
// chain as blocks are made.
func TestServeRunsTheWatcher(t *testing.T) {
	s := newStack(t, func(o *config.Options) {
		o.Watch = config.WatchOptions{Protocols: map[string]config.WatchProtocolOptions{"demo": {Rules: []config.WatchRule{
			{Name: "vault-outflow", Kind: config.WatchOutflow, Contract: "vault", Threshold: "1000000000000000000", WindowBlocks: 5},
		}}}}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := s.client.Client().CallContext(s.ctx, nil, "evm_mine"); err != nil {
			t.Fatal(err)
		}
		if kv, err := s.js.KeyValue(s.ctx, watch.CursorBucket); err == nil {
			if keys, err := kv.ListKeys(s.ctx); err == nil {
				for range keys.Keys() {
					return // a cursor: the watcher processed a block
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the watcher wrote no cursor in 30 s: it does not run in serve")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
