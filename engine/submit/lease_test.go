package submit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer"
)

const testLeaseTTL = time.Second

// replica is one engine instance's submitter, with its own NATS
// connection, sharing the NATS server, the chain and the guardian key
// with the other replicas of a test.
type replica struct {
	name  string
	nc    *nats.Conn
	store *record.Store
	sub   *Submitter
	stop  context.CancelFunc
}

func startNATS(t *testing.T) string {
	t.Helper()
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return srv.ClientURL()
}

// newReplica starts a submitter named name on e's chain, with leases on
// the NATS server at url; adopted actions are executed at once.
func newReplica(t *testing.T, e *anvilEnv, url, name string) *replica {
	t.Helper()
	nc, err := ingest.Dial(url, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	r := &replica{name: name, nc: nc}
	if r.store, err = record.NewStore(e.ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	leases, err := NewLeases(e.ctx, js, 1, name, testLeaseTTL, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(e.ctx)
	r.stop = stop
	t.Cleanup(stop)
	opts := DefaultOptions()
	opts.Leases = leases // adopted actions: Execute in a goroutine, the default
	r.sub = New(r.store, map[uint64]ChainConfig{anvilChainID: {Node: e.client}}, map[string]signer.Signer{"guardian": e.guardian}, opts, testLog(t).With("replica", name))
	r.sub.Start(ctx)
	return r
}

// crash stops the replica the way a killed process stops: no lease is
// released (its connection is gone first), nothing more is written.
func (r *replica) crash() {
	r.nc.Close()
	r.stop()
}

func (r *replica) holds(e *anvilEnv) bool {
	_, ok := r.sub.opts.Leases.Held(anvilChainID, e.guardian.Address())
	return ok
}

// waitState polls the shared bucket until the action is in state want.
func waitState(t *testing.T, ctx context.Context, store *record.Store, id string, want record.State) record.Record {
	t.Helper()
	for {
		rec, _, err := store.Get(ctx, id)
		if err == nil && rec.State == want {
			return rec
		}
		if err == nil && rec.State == record.Failed {
			t.Fatalf("action %s failed: %s", id, rec.Error)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("action %s never reached %s (last: %+v, %v)", id, want, rec, err)
		}
	}
}

// An action recorded by a replica that does not hold its sender's lease
// is left recorded, and the holder sends it: one transaction, from the
// holder.
func TestLeaseHolderAdoptsAnotherReplicasAction(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	url := startNATS(t)
	a := newReplica(t, e, url, "a")
	b := newReplica(t, e, url, "b")
	if !a.holds(e) || b.holds(e) {
		t.Fatalf("leases: a holds %v, b holds %v; want a only (it started first)", a.holds(e), b.holds(e))
	}
	in := e.intent(e.demo.Vault, contracts.NewProtectedVault().PackPause())
	rec, rev, _, err := b.store.Create(e.ctx, in, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.sub.Execute(e.ctx, rec, rev); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("Execute on the replica without the lease = %v, want ErrNotOwner", err)
	}
	mined := waitState(t, e.ctx, b.store, in.ID, record.Mined)
	if len(mined.Attempts) != 1 || !e.paused() {
		t.Fatalf("action mined with %d attempts, paused %v; want one transaction that paused the vault", len(mined.Attempts), e.paused())
	}
	if sa, sb := a.sub.Stats().Sent, b.sub.Stats().Sent; sa != 1 || sb != 0 {
		t.Errorf("sent by a: %d, by b: %d; want the lease holder a only", sa, sb)
	}
}

// The holder dies with an action in flight (sent, not mined): after the
// lease expires another replica takes the sender over and carries the
// recorded transaction to the chain. The key sends exactly one
// transaction for the action, at the nonce first recorded.
func TestLeaseFailoverCarriesTheActionOn(t *testing.T) {
	e := newAnvilEnv(t, false, nil)
	url := startNATS(t)
	a := newReplica(t, e, url, "a")
	b := newReplica(t, e, url, "b")
	in := e.intent(e.demo.Vault, contracts.NewProtectedVault().PackPause())
	rec, rev, _, err := a.store.Create(e.ctx, in, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = a.sub.Execute(e.ctx, rec, rev) }()
	sent := waitState(t, e.ctx, a.store, in.ID, record.Sent)
	a.crash()
	e.mine() // a block without the transaction's holder watching
	deadline := time.Now().Add(10 * testLeaseTTL)
	for !b.holds(e) {
		if time.Now().After(deadline) {
			t.Fatal("b never took over the dead replica's sender")
		}
		time.Sleep(50 * time.Millisecond)
	}
	mined := waitState(t, e.ctx, b.store, in.ID, record.Mined)
	if *mined.Nonce != *sent.Nonce || *mined.TxHash != *sent.TxHash && len(mined.Attempts) < 2 {
		t.Fatalf("mined %s at nonce %d; want the recorded nonce %d (its first attempt %s or a bump of it)", mined.TxHash, *mined.Nonce, *sent.Nonce, sent.TxHash)
	}
	if n := e.nonce(); n != *sent.Nonce+1 || !e.paused() {
		t.Fatalf("the guardian has sent %d transactions, paused %v; want exactly one, pausing the vault", n, e.paused())
	}
}

// A replica restarted under the same name (killed, then started again)
// takes its senders back at once instead of waiting for its own lease to
// expire.
func TestLeaseRestartedReplicaTakesItsSendersBack(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	url := startNATS(t)
	a := newReplica(t, e, url, "a")
	if !a.holds(e) {
		t.Fatal("a does not hold the lease")
	}
	a.crash()
	again := newReplica(t, e, url, "a")
	if !again.holds(e) {
		t.Fatal("the restarted replica a does not hold its sender's lease right after start")
	}
	other := newReplica(t, e, url, "b")
	if other.holds(e) {
		t.Fatal("another replica took a lease that a holds")
	}
}

// Two live engines misconfigured with one name: the one starting second
// takes the lease once (it cannot tell a live twin from its own killed
// run), and the first does not take it back, so they do not alternate.
func TestLeaseTwinsDoNotAlternate(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	url := startNATS(t)
	first := newReplica(t, e, url, "same")
	second := newReplica(t, e, url, "same")
	time.Sleep(3 * testLeaseTTL) // several renewals and take-over rounds
	if first.holds(e) || !second.holds(e) {
		t.Fatalf("first holds %v, second holds %v; want the second only, for good", first.holds(e), second.holds(e))
	}
}

// Someone else writes the record while an Execute carries it (a replica
// stopping as another takes the sender over): the Execute carries on from
// the stored record instead of failing every later write, and the bucket
// sees the action mined.
func TestExecuteCarriesOnFromARecordWrittenElsewhere(t *testing.T) {
	e := newAnvilEnv(t, false, nil)
	id, done := e.pause()
	sent := e.wait(id, "sent", func(r record.Record) bool { return r.State == record.Sent })
	stored, rev, err := e.store.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	stored.Warning = "written by another replica"
	if _, err := e.store.Update(e.ctx, stored, rev); err != nil {
		t.Fatal(err)
	}
	rec := e.mineUntil(id, done)
	if rec.State != record.Mined || *rec.TxHash != *sent.TxHash {
		t.Fatalf("stored record: %s, tx %s; want mined, the transaction first sent (%s)", rec.State, rec.TxHash, sent.TxHash)
	}
	if n := e.nonce(); n != *sent.Nonce+1 {
		t.Fatalf("the guardian sent %d transactions, want 1", n-*sent.Nonce)
	}
}

// A replica that stops cleanly (Stop, then Close, as the engine does)
// releases its leases: another replica takes the sender at once, long
// before the TTL would have freed it. Stop waits for the renewal
// goroutine, so nothing renews the key after it is released.
func TestLeaseCloseReleasesAtOnce(t *testing.T) {
	url := startNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open := func(name string) *Leases {
		nc, err := ingest.Dial(url, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		// A TTL far longer than the test: only a release frees the key.
		l, err := NewLeases(ctx, js, 1, name, 10*time.Minute, testLog(t))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a, b := open("a"), open("b")
	sender := common.HexToAddress("0x00000000000000000000000000000000000000a1")
	actx, stopA := context.WithCancel(ctx)
	kept := make(chan struct{})
	go func() { a.keep(actx); close(kept) }()
	if held, err := a.Acquire(ctx, 31337, sender, false); err != nil || !held {
		t.Fatalf("a.Acquire = %v, %v; want the free lease", held, err)
	}
	if held, err := b.Acquire(ctx, 31337, sender, false); err != nil || held {
		t.Fatalf("b.Acquire while a holds it = %v, %v; want refused", held, err)
	}
	lctx, _ := a.Held(31337, sender)
	stopA()
	a.Close()
	select {
	case <-kept:
	default:
		t.Fatal("Close returned while the renewal goroutine still ran")
	}
	if lctx.Err() == nil {
		t.Fatal("the released lease's context did not end")
	}
	if held, err := b.Acquire(ctx, 31337, sender, false); err != nil || !held {
		t.Fatalf("b.Acquire after a closed = %v, %v; want the released lease at once", held, err)
	}
	a.Close() // a second Close changes nothing
	if _, held := b.Held(31337, sender); !held {
		t.Fatal("a's second Close took b's lease")
	}
	// A stopped Leases starts no goroutine any more.
	ran := false
	a.goTask(func() { ran = true })
	a.keep(ctx)
	if ran {
		t.Fatal("a task started after Stop")
	}
}
