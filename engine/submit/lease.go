package submit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/nats-io/nats.go/jetstream"
)

// LeasesBucket is the JetStream KV bucket that says which engine replica
// owns the nonces of each (chain, sender).
const LeasesBucket = "FIREBREAK_LEASES"

// Leases give the nonces of each (chain, sender) to one engine replica at
// a time, so that replicas sharing a NATS cluster and a key never pick the
// same nonce. A lease is a key in LeasesBucket, renewed every third of its
// TTL while its replica runs; a replica that dies stops renewing, the key
// expires, and another replica takes the sender and its unfinished
// actions over. A restarted replica (same name) takes its own leases back
// at once. A replica that stops calls Stop once its submitter's context
// is cancelled (no more adoption), then, once its actions have stopped,
// Close, which releases the keys before the NATS connection closes, so
// that another replica takes the senders at once.
type Leases struct {
	kv      jetstream.KeyValue
	replica string
	run     string
	ttl     time.Duration
	log     *slog.Logger

	mu   sync.Mutex
	held map[string]*lease

	// The goroutines that renew and adopt (keep, adopt, the adoption
	// timers) are counted in tasks, so that Stop can wait for them;
	// stopped refuses new ones once Stop began.
	tasksMu sync.Mutex
	stopped bool
	tasks   sync.WaitGroup
	closed  sync.Once
}

type lease struct {
	chain   uint64
	from    common.Address
	rev     uint64
	renewed time.Time
	ctx     context.Context
	lost    context.CancelFunc
}

// leaseValue is what a lease key holds.
type leaseValue struct {
	Replica string    `json:"replica"`
	Run     string    `json:"run"`
	At      time.Time `json:"renewed_at"`
}

// ErrNotOwner is returned by Execute when another replica holds the
// sender's lease: the record is left as it is, for the holder to adopt.
var ErrNotOwner = errors.New("submit: another engine replica owns this sender's nonces")

// NewLeases creates or binds to the leases bucket for the replica named
// replica; ttl is how long a lease outlives its replica's last renewal.
func NewLeases(ctx context.Context, js jetstream.JetStream, replicas int, replica string, ttl time.Duration, log *slog.Logger) (*Leases, error) {
	if replica == "" || ttl <= 0 {
		return nil, fmt.Errorf("submit: leases need a replica name and a positive TTL")
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      LeasesBucket,
		Description: "which firebreak replica owns the nonces of each (chain, sender)",
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		History:     1,
		TTL:         ttl,
	})
	if err != nil {
		return nil, fmt.Errorf("submit: creating bucket %s: %w", LeasesBucket, err)
	}
	var run [8]byte
	_, _ = rand.Read(run[:])
	return &Leases{kv: kv, replica: replica, run: hex.EncodeToString(run[:]), ttl: ttl, log: log, held: map[string]*lease{}}, nil
}

func leaseKey(chain uint64, from common.Address) string {
	return fmt.Sprintf("%d.%s", chain, strings.ToLower(from.Hex()[2:]))
}

// Held returns a context that ends when the lease is lost, if this
// replica holds the sender's lease.
func (l *Leases) Held(chain uint64, from common.Address) (context.Context, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ls, ok := l.held[leaseKey(chain, from)]; ok && ls.ctx.Err() == nil {
		return ls.ctx, true
	}
	return nil, false
}

// Acquire takes the sender's lease when no replica holds it, or, with
// reclaim, when another run of this very replica does: it was restarted,
// and its actions are this run's to resume. Only a starting replica
// reclaims, so two live engines misconfigured with one name do not take
// the lease from each other in turn. It reports whether this replica
// holds the lease now.
func (l *Leases) Acquire(ctx context.Context, chain uint64, from common.Address, reclaim bool) (bool, error) {
	if _, ok := l.Held(chain, from); ok {
		return true, nil
	}
	key := leaseKey(chain, from)
	now := time.Now()
	val, _ := json.Marshal(leaseValue{Replica: l.replica, Run: l.run, At: now.UTC()})
	rev, err := l.kv.Create(ctx, key, val)
	if errors.Is(err, jetstream.ErrKeyExists) {
		e, gerr := l.kv.Get(ctx, key)
		if errors.Is(gerr, jetstream.ErrKeyNotFound) {
			return false, nil // expired meanwhile: the next try takes it
		}
		if gerr != nil {
			return false, fmt.Errorf("submit: reading the lease of %s on chain %d: %w", from.Hex(), chain, gerr)
		}
		var cur leaseValue
		if json.Unmarshal(e.Value(), &cur) != nil || cur.Replica != l.replica {
			return false, nil
		}
		// This run's own key, given up after a renewal whose answer was
		// lost, is taken back; an earlier run's (stopped without
		// releasing) only by a starting replica.
		mine := cur.Run == l.run
		if !mine && !reclaim {
			return false, nil
		}
		if rev, err = l.kv.Update(ctx, key, val, e.Revision()); err != nil {
			return false, nil
		}
		if !mine {
			l.log.Warn("took over the lease of an earlier run of this replica (if another live engine has the same nats.instance, rename one)", "chain", chain, "from", from.Hex(), "replica", l.replica)
		}
	} else if err != nil {
		return false, fmt.Errorf("submit: taking the lease of %s on chain %d: %w", from.Hex(), chain, err)
	}
	// A lease lives until it is lost or released, not as long as the call
	// that took it: its context is the lease's own, cancelled by lost.
	lctx, lost := context.WithCancel(context.Background())
	l.mu.Lock()
	l.held[key] = &lease{chain: chain, from: from, rev: rev, renewed: now, ctx: lctx, lost: lost}
	l.mu.Unlock()
	l.log.Info("holding the nonce lease", "chain", chain, "from", from.Hex(), "replica", l.replica)
	return true, nil
}

// enter counts a goroutine of the leases in tasks; false once Stop
// began: the goroutine must not run.
func (l *Leases) enter() bool {
	l.tasksMu.Lock()
	defer l.tasksMu.Unlock()
	if l.stopped {
		return false
	}
	l.tasks.Add(1)
	return true
}

// goTask runs f in a goroutine Stop waits for, unless Stop began.
func (l *Leases) goTask(f func()) {
	if !l.enter() {
		return
	}
	go func() {
		defer l.tasks.Done()
		f()
	}()
}

// Stop waits until the renewal and adoption goroutines have returned
// (the context the submitter was started with must be cancelled first),
// and starts no new one. The leases stay held, and the keys in the
// bucket, until Close: the engine stops adopting, waits for its actions
// to stop, and only then releases. A nil Leases does nothing.
func (l *Leases) Stop() {
	if l == nil {
		return
	}
	l.tasksMu.Lock()
	l.stopped = true
	l.tasksMu.Unlock()
	l.tasks.Wait()
}

// Close stops (Stop), then deletes the held lease keys, so that another
// replica takes the senders at once instead of after the TTL. Call it
// before the NATS connection closes, after the actions using the leases
// have stopped. A nil Leases does nothing; a second Close neither.
func (l *Leases) Close() {
	if l == nil {
		return
	}
	l.Stop()
	l.closed.Do(l.releaseAll)
}

// keep renews the held leases until ctx ends; Close releases them. A
// lease another replica took, or one not renewed for half its TTL (NATS
// away), is given up: its context ends, and with it the actions using it.
func (l *Leases) keep(ctx context.Context) {
	if !l.enter() {
		return
	}
	defer l.tasks.Done()
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.renewAll(ctx)
		}
	}
}

func (l *Leases) renewAll(ctx context.Context) {
	l.mu.Lock()
	leases := make(map[string]*lease, len(l.held))
	for k, ls := range l.held {
		leases[k] = ls
	}
	l.mu.Unlock()
	for key, ls := range leases {
		val, _ := json.Marshal(leaseValue{Replica: l.replica, Run: l.run, At: time.Now().UTC()})
		// Bounded, so that a NATS that does not answer is noticed well
		// before the key expires and another replica takes the sender.
		uctx, cancel := context.WithTimeout(ctx, l.ttl/6)
		rev, err := l.kv.Update(uctx, key, val, ls.rev)
		cancel()
		l.mu.Lock()
		switch {
		case err == nil:
			ls.rev, ls.renewed = rev, time.Now()
		case isConflict(err), time.Since(ls.renewed) > l.ttl/2:
			l.log.Error("lost the nonce lease: its actions stop here, the replica that holds it carries them on", "chain", ls.chain, "from", ls.from.Hex(), "err", err)
			ls.lost()
			delete(l.held, key)
		default:
			l.log.Warn("could not renew the nonce lease; retrying", "chain", ls.chain, "from", ls.from.Hex(), "err", err)
		}
		l.mu.Unlock()
	}
}

// releaseAll deletes the held lease keys, so that another replica need
// not wait for them to expire.
func (l *Leases) releaseAll() {
	// Called at shutdown, once the engine's context is done: the deletes
	// get their own short deadline (an unreleased lease only expires later).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	for key, ls := range l.held {
		if err := l.kv.Delete(ctx, key, jetstream.LastRevision(ls.rev)); err != nil {
			l.log.Warn("could not release the nonce lease; it expires by itself", "chain", ls.chain, "from", ls.from.Hex(), "err", err)
		}
		ls.lost()
		delete(l.held, key)
	}
}

// Release gives up the lease of addr on chain, if this replica holds it:
// its context ends and its key is deleted, so another replica may take it
// at once. (The Safe path gives up a Safe's lease it cannot use.)
func (l *Leases) Release(ctx context.Context, chain uint64, addr common.Address) {
	key := leaseKey(chain, addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	ls, ok := l.held[key]
	if !ok {
		return
	}
	delete(l.held, key)
	ls.lost()
	dctx, cancel := context.WithTimeout(ctx, l.ttl/3)
	defer cancel()
	if err := l.kv.Delete(dctx, key, jetstream.LastRevision(ls.rev)); err != nil {
		l.log.Warn("could not release the lease; it expires by itself", "chain", chain, "address", addr.Hex(), "err", err)
	}
}

// isConflict: the key moved on (another replica's write, or it expired
// and was deleted), so the lease is not this replica's any more.
func isConflict(err error) bool {
	return errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyExists)
}

// adoptDelay is how long a new Pending record is left to the replica that
// recorded it before the lease holder adopts it: a recording replica that
// holds the lease starts it within a millisecond or two.
const adoptDelay = 100 * time.Millisecond

func (s *Submitter) claim(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[id] {
		return false
	}
	s.running[id] = true
	return true
}

func (s *Submitter) unclaim(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, id)
}

func (s *Submitter) isRunning(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[id]
}

// senderOf is the address that sends rec: its recorded sender, or its
// signer's; ok is false when neither is known here (Execute reports it).
func (s *Submitter) senderOf(rec record.Record) (*chainState, common.Address, bool) {
	cs, ok := s.chains[rec.ChainID]
	if !ok {
		return nil, common.Address{}, false
	}
	if rec.From != (common.Address{}) {
		return cs, rec.From, true
	}
	sg, ok := s.signers[rec.Signer]
	if !ok {
		return nil, common.Address{}, false
	}
	return cs, sg.Address(), true
}

// leaseFor returns the context of the lease rec's sender is sent under,
// taking the lease if it is free; ErrNotOwner when another replica holds
// it. A nil context with no error: the record names no known sender, and
// Execute reports that.
func (s *Submitter) leaseFor(ctx context.Context, rec record.Record) (context.Context, error) {
	cs, from, ok := s.senderOf(rec)
	if !ok {
		return nil, nil
	}
	lctx, held, err := s.lease(ctx, cs, from, false)
	if err != nil {
		return nil, err
	}
	if !held {
		return nil, fmt.Errorf("%w (%s on chain %d): it carries action %s on", ErrNotOwner, from.Hex(), rec.ChainID, rec.ID)
	}
	return lctx, nil
}

// lease returns the sender's lease context, acquiring the lease if no
// replica holds it (or, with reclaim, an earlier run of this one). A lease
// just acquired may follow another replica's use of the key: the nonce
// owner reads the chain again first.
func (s *Submitter) lease(ctx context.Context, cs *chainState, from common.Address, reclaim bool) (context.Context, bool, error) {
	if lctx, ok := s.opts.Leases.Held(cs.id, from); ok {
		return lctx, true, nil
	}
	held, err := s.opts.Leases.Acquire(ctx, cs.id, from, reclaim)
	if err != nil || !held {
		return nil, false, err
	}
	if err := s.owner(cs, from).resync(ctx); err != nil {
		return nil, false, err
	}
	lctx, ok := s.opts.Leases.Held(cs.id, from)
	return lctx, ok, nil
}

// adopt takes over, until ctx ends, the actions of the senders this
// replica holds: new records another replica made (it could not send
// them), and, when a dead replica's lease expires and this one takes it,
// every unfinished action of that sender.
func (s *Submitter) adopt(ctx context.Context) {
	if !s.opts.Leases.enter() {
		return
	}
	defer s.opts.Leases.tasks.Done()
	w, err := s.store.WatchUpdates(ctx)
	if err != nil {
		s.log.Error("cannot watch the actions bucket: actions recorded by other replicas are adopted only when a lease changes hands", "err", err)
	}
	var updates <-chan jetstream.KeyValueEntry
	if w != nil {
		defer func() { _ = w.Stop() }()
		updates = w.Updates()
	}
	t := time.NewTicker(s.opts.Leases.ttl / 2)
	defer t.Stop()
	// Senders taken over whose unfinished actions could not be listed
	// yet (NATS busy, a stream leader moving): tried again every tick.
	toResume := map[senderKey]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-updates:
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			// Load validates, and quarantines what it cannot use.
			rec, err := s.store.Load(ctx, e)
			if err != nil || rec.State != record.Pending {
				continue
			}
			id := e.Key()
			s.opts.Leases.goTask(func() {
				t := time.NewTimer(adoptDelay)
				defer t.Stop()
				select {
				case <-ctx.Done():
				case <-t.C:
					s.adoptIfIdle(ctx, id)
				}
			})
		case <-t.C:
			s.takeOverFreeSenders(ctx, toResume)
		}
	}
}

// adoptIfIdle starts the action id when nothing here runs it, it is not
// final, and its sender's lease is this replica's.
func (s *Submitter) adoptIfIdle(ctx context.Context, id string) {
	if ctx.Err() != nil || s.isRunning(id) {
		return
	}
	rec, rev, err := s.store.Get(ctx, id)
	if err != nil || rec.State.Final() {
		return
	}
	cs, from, ok := s.senderOf(rec)
	if !ok {
		return
	}
	if _, held := s.opts.Leases.Held(cs.id, from); !held {
		return
	}
	s.log.Info("adopting an action recorded by another replica", "action", rec.ID, "state", rec.State)
	s.opts.Adopt(rec, rev)
}

// takeOverFreeSenders takes every configured sender whose lease no
// replica holds (its holder died, or never started), and resumes that
// sender's unfinished actions. A sender whose actions could not be listed
// stays in toResume and is listed again at the next call: a takeover
// during a NATS disruption must not leave the dead replica's actions
// unfinished until a restart.
func (s *Submitter) takeOverFreeSenders(ctx context.Context, toResume map[senderKey]bool) {
	for _, cs := range s.chains {
		for _, sg := range s.signers {
			from := sg.Address()
			key := senderKey{chain: cs.id, from: from}
			if _, held := s.opts.Leases.Held(cs.id, from); !held {
				if _, held, err := s.lease(ctx, cs, from, false); err != nil || !held {
					continue
				}
				toResume[key] = true
			}
			if !toResume[key] {
				continue
			}
			recs, revs, err := s.store.Unfinished(ctx)
			if err != nil {
				s.log.Warn("took over a sender but cannot list its unfinished actions yet: trying again", "chain", cs.id, "from", from.Hex(), "err", err)
				continue
			}
			delete(toResume, key)
			for i, rec := range recs {
				rcs, rfrom, ok := s.senderOf(rec)
				if !ok || rcs != cs || rfrom != from || s.isRunning(rec.ID) {
					continue
				}
				s.log.Warn("resuming an action of a sender taken over from another replica", "action", rec.ID, "state", rec.State, "from", from.Hex())
				s.opts.Adopt(rec, revs[i])
			}
		}
	}
}
