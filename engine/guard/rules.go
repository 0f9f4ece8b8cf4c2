package guard

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Limits are the guardrails over whole decisions and over time. They hold
// whatever the policies say: a policy that goes wild asks for many actions,
// and these bound what it gets.
type Limits struct {
	// MaxActionsPerEvent: a decision asking for more is refused whole,
	// because a policy asking for that much is more likely broken than
	// right. Zero means no limit.
	MaxActionsPerEvent int
	// RateLimit allowed actions per protocol and action type within
	// RateWindow; further ones are refused. Zero means no limit.
	RateLimit  int
	RateWindow time.Duration
	// Cooldown refuses the same action (protocol, type, contract, role,
	// account) again within this long of its last allowed run.
	Cooldown time.Duration
}

// HaltReader says whether firebreak is halted; KillSwitch implements it.
type HaltReader interface {
	Halted(ctx context.Context) (Halt, bool, error)
}

// Option configures a Guard.
type Option func(*rules)

// WithLimits sets the decision-wide guardrails.
func WithLimits(l Limits) Option { return func(r *rules) { r.limits = l } }

// WithHaltReader makes the guard refuse everything while h says firebreak
// is halted.
func WithHaltReader(h HaltReader) Option { return func(r *rules) { r.halt = h } }

// WithClock sets the clock rate limits and cooldowns are measured with.
func WithClock(now func() time.Time) Option { return func(r *rules) { r.now = now } }

type rules struct {
	limits  Limits
	halt    HaltReader
	now     func() time.Time
	limiter *limiter
	// protectedRoles are never revoked (the configured name of each);
	// ownAccounts never lose a role or get blocked (protected.go).
	protectedRoles map[[32]byte]string
	ownAccounts    map[common.Address]bool
}

// CheckDecision runs every request of one event's decision through the
// guardrails and Check. Refusals are verdicts with a reason. The error is
// non-nil only when the event should be retried (ErrPrecondition,
// ErrHaltState); a retried event keeps the rate-limit slots it was given,
// so a retry is never refused by its own first attempt.
func (g *Guard) CheckDecision(ctx context.Context, eventID string, reqs []Request) ([]Verdict, error) {
	out := make([]Verdict, 0, len(reqs))
	if len(reqs) == 0 {
		return out, nil
	}
	refuseAll := func(reason string) ([]Verdict, error) {
		for _, req := range reqs {
			out = append(out, Verdict{Request: req, Outcome: Refused, Reason: reason})
		}
		return out, nil
	}
	if max := g.rules.limits.MaxActionsPerEvent; max > 0 && len(reqs) > max {
		return refuseAll(fmt.Sprintf("the decision asks for %d actions, more than max_actions_per_event (%d)", len(reqs), max))
	}
	if g.rules.halt != nil {
		h, halted, err := g.rules.halt.Halted(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrHaltState, err)
		}
		if halted {
			return refuseAll("firebreak is halted: " + h.String())
		}
	}
	for _, req := range reqs {
		v, err := g.Check(ctx, req)
		if err != nil {
			return nil, err
		}
		if v.Outcome == Allowed {
			if reason, ok := g.rules.limiter.take(eventID, req, g.rules.now()); !ok {
				v.Outcome, v.Reason = Refused, reason
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// limiter keeps the allowed actions of the recent past, in memory: each
// engine replica limits what it sends itself.
type limiter struct {
	limits Limits
	mu     sync.Mutex
	// recent allowed actions per protocol and type, oldest first.
	byType map[typeKey][]taken
	// last allowed run of each exact action.
	last map[Request]taken
}

type typeKey struct{ protocol, typ string }

type taken struct {
	at      time.Time
	eventID string
}

func newLimiter(l Limits) *limiter {
	return &limiter{limits: l, byType: map[typeKey][]taken{}, last: map[Request]taken{}}
}

// take records req as allowed for eventID at now, or says why it may not run.
func (l *limiter) take(eventID string, req Request, now time.Time) (string, bool) {
	if l.limits.RateLimit <= 0 && l.limits.Cooldown <= 0 {
		return "", true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	target := req
	target.Rule = "" // the same action asked for by another rule is the same action
	prev, seen := l.last[target]
	if seen && prev.eventID == eventID {
		return "", true // a retry of the event that already holds the slot
	}
	if cd := l.limits.Cooldown; cd > 0 && seen && now.Sub(prev.at) < cd {
		return fmt.Sprintf("cooldown: the same %s on %s.%s ran %s ago for event %q (cooldown %s)",
			req.Type, req.Protocol, req.Contract, now.Sub(prev.at).Round(time.Millisecond), prev.eventID, cd), false
	}
	k := typeKey{req.Protocol, req.Type}
	if n := l.limits.RateLimit; n > 0 {
		recent := l.byType[k]
		cut := 0
		for cut < len(recent) && now.Sub(recent[cut].at) >= l.limits.RateWindow {
			cut++
		}
		recent = recent[cut:]
		l.byType[k] = recent
		if len(recent) >= n {
			return fmt.Sprintf("rate limit: %d %s actions on %s within %s already (rate_limit %d per %s)",
				len(recent), req.Type, req.Protocol, l.limits.RateWindow, n, l.limits.RateWindow), false
		}
	}
	t := taken{at: now, eventID: eventID}
	l.byType[k] = append(l.byType[k], t)
	l.last[target] = t
	if len(l.last) > maxTracked {
		l.forget(now)
	}
	return "", true
}

// maxTracked bounds the exact actions remembered for cooldowns and retries
// before the ones no limit looks at any more are dropped.
const maxTracked = 4096

func (l *limiter) forget(now time.Time) {
	keep := max(l.limits.Cooldown, l.limits.RateWindow)
	for k, t := range l.last {
		if now.Sub(t.at) >= keep {
			delete(l.last, k)
		}
	}
}
