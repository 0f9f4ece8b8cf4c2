package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/watch"
)

// startWatcher runs firebreak's own detector (the watch: section) beside
// the engine, on the engine's chain connections and NATS, until ctx ends;
// nothing when the section has no rules. Its events go through ingest like
// any detector's (signed when watch.signing_key_file is set).
func (e *Engine) startWatcher(ctx context.Context, wg *sync.WaitGroup, js jetstream.JetStream, conns *chainConns) error {
	if !e.opts.Watch.Enabled() {
		return nil
	}
	o := watch.Options{JetStream: js, Replicas: e.opts.NATS.Replicas, Nodes: map[uint64]watch.Node{}}
	for id, client := range conns.clients {
		n := watch.Node{Node: client}
		if h := conns.submit[id].Heads; h != nil {
			n.Heads = h
		}
		o.Nodes[id] = n
	}
	if f := e.opts.Watch.SigningKeyFile; f != "" {
		key, err := watch.LoadSigningKey(f)
		if err != nil {
			return fmt.Errorf("watch.signing_key_file: %w", err)
		}
		o.Sign = watch.Ed25519Signer(key)
	}
	w, err := watch.New(e.opts, o, e.log.With("stage", "watch"))
	if err != nil {
		return err
	}
	wg.Go(func() {
		if err := w.Run(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("the watcher stopped: firebreak's own detector sees nothing", "err", err)
		}
	})
	return nil
}
