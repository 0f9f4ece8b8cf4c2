package submit

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// stopNATS stops the store's real server, as a NATS outage does, and
// returns the function that starts it again (on the same port and folder:
// every record is still there, and the client reconnects).
func stopNATS(e *anvilEnv) (restart func()) {
	e.t.Helper()
	e.nats.Stop()
	return e.nats.Start
}

// The likeliest path of a CI failure of the chaos suite's nats-cluster
// scenario (a vault never paused, its action final; the log was cut): a
// sender just taken over reads the nonces held by unfinished actions from
// the store before its first signature, then records the signed
// transaction there, and the store did not answer (a stream leader was
// moving). The action was failed.
func TestStoreOutageBeforeSigningDoesNotFailTheAction(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	in := e.intent(e.demo.Vault, contracts.NewProtectedVault().PackPause())
	rec, rev, ok, err := e.store.Create(e.ctx, in, time.Now())
	if err != nil || !ok {
		t.Fatalf("recording the intent: %v %v", ok, err)
	}
	// As a lease taken over does: the next nonce is read from the chain
	// and the store again.
	if err := e.sub.owner(e.sub.chains[anvilChainID], e.guardian.Address()).resync(e.ctx); err != nil {
		t.Fatal(err)
	}
	restart := stopNATS(e)
	done := make(chan error, 1)
	go func() {
		_, err := e.sub.Execute(e.ctx, rec, rev)
		done <- err
	}()
	e.logs.waitFor(e.ctx, "could not sign the action yet")
	select {
	case err := <-done:
		t.Fatalf("Execute returned while the store was down: %v", err)
	default:
	}
	if e.paused() {
		t.Fatal("paused while the nonce could not be checked against the store")
	}
	restart()
	if err := <-done; err != nil {
		t.Fatalf("Execute: %v", err)
	}
	got, _, err := e.store.Get(e.ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != record.Mined || len(got.Attempts) != 1 || !e.paused() {
		t.Fatalf("record %s with %d attempts (%s), paused %v; want mined, one transaction, paused", got.State, len(got.Attempts), got.Error, e.paused())
	}
}

// A store that stops answering after the transaction was signed and
// recorded, when its broadcast is recorded: the action waits for the
// store and carries on from the stored record, resending the same
// transaction, never signing another.
func TestStoreOutageAfterSigningCarriesTheTransactionOn(t *testing.T) {
	var restart func()
	stopped := make(chan struct{})
	e := newAnvilEnv(t, false, func(e *anvilEnv, _ *ChainConfig) {
		e.tune = func(o *Options) {
			next := o.OnChange
			o.OnChange = func(ctx context.Context, rec record.Record) {
				next(ctx, rec)
				if rec.State == record.Signed && restart == nil {
					// Called by the save that recorded the signature, before
					// the broadcast: the next write finds no store.
					restart = stopNATS(e)
					close(stopped)
				}
			}
		}
	})
	id, done := e.pause()
	<-stopped
	e.logs.waitFor(e.ctx, "the action store does not answer: waiting for it")
	if e.paused() {
		t.Fatal("paused before any block was mined")
	}
	restart()
	rec := e.mineUntil(id, done)
	if rec.State != record.Mined || len(rec.Attempts) != 1 || !e.paused() {
		t.Fatalf("record %s with %d attempts (%s), paused %v; want mined, the one transaction signed, paused", rec.State, len(rec.Attempts), rec.Error, e.paused())
	}
}

// A node away for longer than one retry budget when the gas is estimated
// (nothing signed yet): the action waits, says so in its record, and
// pauses when the node is back, instead of failing.
func TestNodeAwayLongerThanTheRetryBudgetAtEstimate(t *testing.T) {
	failures := make([]int, 40)
	for i := range failures {
		failures[i] = http.StatusBadGateway
	}
	proxy := &faultyProxy{failures: map[string][]int{"eth_estimateGas": failures}, seen: map[string]int{}}
	e := newAnvilEnv(t, true, func(e *anvilEnv, c *ChainConfig) {
		c.Node = proxy.node(e)
		e.tune = func(o *Options) { o.RetryInitial, o.RetryFor = 5*time.Millisecond, 50*time.Millisecond }
	})
	id, done := e.pause()
	warned := e.wait(id, "the waiting warning", func(r record.Record) bool { return strings.HasPrefix(r.Warning, nodeWaitWarning) })
	if warned.State != record.Pending {
		t.Fatalf("warned in state %s, want pending", warned.State)
	}
	if err := <-done; err != nil {
		t.Fatalf("Execute: %v", err)
	}
	rec, _, err := e.store.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != record.Mined || !e.paused() || rec.Warning != "" {
		t.Fatalf("record %s (%s, warning %q), paused %v; want mined, paused, the warning cleared", rec.State, rec.Error, rec.Warning, e.paused())
	}
	if n := proxy.count("eth_estimateGas"); n != len(failures)+1 {
		t.Errorf("%d estimates, want %d failed and then one answered", n, len(failures))
	}
}

// unanswered is an Authorizer whose store does not answer its first
// reads, as the recovery check's proposal read does while NATS is away;
// after that it allows everything.
type unanswered struct{ left atomic.Int64 }

func (u *unanswered) Authorize(context.Context, record.Record) error {
	if u.left.Add(-1) >= 0 {
		return fmt.Errorf("reading the proposal: %w", nats.ErrTimeout)
	}
	return nil
}

// A check that cannot read its store is no refusal: the action is not
// quarantined, and once the store answers it goes out.
func TestAuthorizerStoreOutageIsNoRefusal(t *testing.T) {
	auth := &unanswered{}
	auth.left.Store(3)
	e := newAnvilEnv(t, true, func(e *anvilEnv, _ *ChainConfig) { e.authorizer = auth })
	id, done := e.pause()
	if err := <-done; err != nil {
		t.Fatalf("Execute: %v", err)
	}
	rec, _, err := e.store.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != record.Mined || !e.paused() || e.sub.Stats().Refused != 0 {
		t.Fatalf("record %s (%s), paused %v, %d refused; want mined, paused, none refused", rec.State, rec.Error, e.paused(), e.sub.Stats().Refused)
	}
	if auth.left.Load() >= 0 {
		t.Fatalf("the check was asked %d times, want the 3 unanswered and then more", 3-auth.left.Load())
	}
}
