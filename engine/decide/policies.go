package decide

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/policies"
	"github.com/nats-io/nats.go/jetstream"
)

func loadPolicies(ctx context.Context, opts config.Options, data map[string]any, log *slog.Logger, now func() time.Time) (*policies.Reloader, error) {
	// The bundle URL may carry a token: the source's name, its errors and
	// so the policy status and its log lines show it redacted.
	redact := opts.Redactor()
	src, err := policies.Open(opts.PolicySource(), policies.SourceOptions{
		Redact:          redact.Redact,
		VerificationKey: opts.PolicyBundleVerificationKey, Algorithm: opts.PolicyBundleVerificationAlgorithm,
	})
	if err != nil {
		return nil, redact.Error(fmt.Errorf("%w: %w", config.ErrConfig, err))
	}
	r, err := policies.NewReloader(ctx, src, data, log, now)
	if err != nil {
		return nil, redact.Error(fmt.Errorf("engine: loading policies: %w", err))
	}
	return r, nil
}

// guardConfig is what the planner's guard is built from; the guard is
// built again once the kill switch's bucket is open.
type guardConfig struct {
	reg     guard.Registry
	allow   []guard.Allow
	callers map[uint64]guard.Caller
	limits  guard.Limits
	now     func() time.Time
	// protected are guard.protected_roles; own the accounts firebreak
	// acts with (see ownAccounts and Planner.ProtectAccounts).
	protected []string
	own       []common.Address
}

func (c guardConfig) build(halt guard.HaltReader) *guard.Guard {
	opts := []guard.Option{guard.WithLimits(c.limits), guard.WithClock(c.now),
		guard.WithProtectedRoles(c.protected...), guard.WithOwnAccounts(c.own...)}
	if halt != nil {
		opts = append(opts, guard.WithHaltReader(halt))
	}
	return guard.New(c.reg, c.allow, c.callers, opts...)
}

// UseKillSwitch makes the planner honour the kill switch in js. It runs
// before the first event, while nothing else uses the planner.
func (p *Planner) UseKillSwitch(ctx context.Context, js jetstream.JetStream, replicas int) error {
	ks, err := guard.OpenKillSwitch(ctx, js, replicas)
	if err != nil {
		return err
	}
	if h, halted, err := ks.Halted(ctx); err == nil && halted {
		p.log.Warn("KILL SWITCH SET: firebreak takes no action until 'firebreak resume'", "reason", h.Reason, "by", h.By, "at", h.At)
	}
	p.killSwitch = ks
	p.guard = p.guardCfg.build(ks)
	// The policy status goes beside the kill switch, where 'firebreak
	// policy status' reads it: a broken reload is visible from outside.
	kv, err := js.KeyValue(ctx, guard.ControlBucket)
	if err != nil {
		return fmt.Errorf("engine: opening %s: %w", guard.ControlBucket, err)
	}
	put := func(st policies.ReloadStatus) {
		data, err := json.Marshal(st)
		if err == nil {
			_, err = kv.Put(context.WithoutCancel(ctx), PolicyStatusKey, data)
		}
		if err != nil {
			p.log.Warn("could not record the policy status", "err", err)
		}
	}
	p.policies.Observe(put)
	put(p.policies.Status())
	return nil
}

// ProtectAccounts adds accounts the guard never revokes a role from or
// blocks: the addresses of the signers the engine built (keys whose
// address the configuration does not name). It runs before the first
// event, while nothing else uses the planner.
func (p *Planner) ProtectAccounts(accounts ...common.Address) {
	p.guardCfg.own = append(p.guardCfg.own, accounts...)
	var halt guard.HaltReader
	if p.killSwitch != nil {
		halt = p.killSwitch
	}
	p.guard = p.guardCfg.build(halt)
}

// PolicyStatusKey is the key of the FIREBREAK_CONTROL bucket holding the
// last policy status a running engine recorded (policies.ReloadStatus as
// JSON): the revision in force and the last reload error.
const PolicyStatusKey = "policy_status"

// PolicyStatus reports the policies in force and the last reload error.
func (p *Planner) PolicyStatus() PolicyStatus { return p.policies.Status() }

// ReloadPolicies reloads the policies now; on error the old ones stay in
// force.
func (p *Planner) ReloadPolicies(ctx context.Context) (bool, error) { return p.policies.Reload(ctx) }

// WatchPolicies reloads the policies every interval (0: only on request)
// and whenever reload receives, and logs kill switch changes, until ctx
// ends; wg owns the goroutines.
func (p *Planner) WatchPolicies(ctx context.Context, wg *sync.WaitGroup, every time.Duration, reload <-chan struct{}) {
	wg.Go(func() { p.policies.Run(ctx, every, reload) })
	if p.killSwitch != nil {
		wg.Go(func() {
			if err := p.killSwitch.Watch(ctx, p.log); err != nil {
				p.log.Error("kill switch watch stopped: halts are still read per event", "err", err)
			}
		})
	}
}
