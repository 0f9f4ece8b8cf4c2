package engine

import (
	"context"
	"os"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/submit"
	"github.com/nats-io/nats.go/jetstream"
)

// openLeases opens the sender leases of this engine instance.
func (e *Engine) openLeases(ctx context.Context, js jetstream.JetStream) (*submit.Leases, error) {
	name := e.opts.NATS.Instance
	if name == "" {
		name, _ = os.Hostname()
	}
	if name == "" {
		name = "firebreak"
	}
	ttl := e.opts.NATS.LeaseTTL
	if ttl == 0 {
		ttl = config.DefaultOptions().NATS.LeaseTTL
	}
	e.log.Info("sharing NATS with other engine instances: senders are leased", "instance", name, "lease_ttl", ttl)
	return submit.NewLeases(ctx, js, e.opts.NATS.Replicas, name, ttl, e.log)
}

// safeLeases is the Safe path's view of the leases: each Safe's nonce is
// leased under its address, in the same bucket. Nil without leases (a
// nil *submit.Leases must not become a non-nil interface).
func safeLeases(l *submit.Leases) safe.NonceLeases {
	if l == nil {
		return nil
	}
	return l
}
