package policies

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Reloader holds the policies in force and replaces them when their source
// changes. A new set is compiled, and its Rego tests run, aside; only when
// both succeed is it swapped in, atomically, so an event is decided either
// wholly by the old policies or wholly by the new. A broken set leaves the
// old one in force and is reported loudly: an Error log line, a failure
// count and the last error in Status.
type Reloader struct {
	src  Source
	data map[string]any
	log  *slog.Logger
	now  func() time.Time

	cur      atomic.Pointer[Evaluator]
	observer atomic.Pointer[func(ReloadStatus)]

	mu        sync.Mutex // serialises reloads
	failedRev string     // digest of the broken files last reported, so polling does not repeat it
	status    ReloadStatus
	statusMu  sync.Mutex
}

// ReloadStatus says what is in force and how the last reload went.
type ReloadStatus struct {
	Source   string    `json:"source"`
	Revision string    `json:"revision"`
	LoadedAt time.Time `json:"loaded_at"`
	Reloads  uint64    `json:"reloads"`
	Failures uint64    `json:"failures"`
	// LastError is the last failed reload's error, empty once a later
	// reload succeeded.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// NewReloader loads the policies of src with data as the registry. The
// first load must succeed: there is nothing older to keep in force.
func NewReloader(ctx context.Context, src Source, data map[string]any, log *slog.Logger, now func() time.Time) (*Reloader, error) {
	if now == nil {
		now = time.Now
	}
	r := &Reloader{src: src, data: data, log: log, now: now}
	files, err := src.Read(ctx)
	if err != nil {
		return nil, err
	}
	ev, err := r.build(ctx, files)
	if err != nil {
		return nil, fmt.Errorf("policies from %s: %w", src, err)
	}
	r.cur.Store(ev)
	r.status = ReloadStatus{Source: src.String(), Revision: ev.Revision(), LoadedAt: now()}
	return r, nil
}

// Current is the evaluator in force.
func (r *Reloader) Current() *Evaluator { return r.cur.Load() }

// Decide decides with the policies in force; the decision carries their
// revision.
func (r *Reloader) Decide(ctx context.Context, input map[string]any) (Decision, error) {
	return r.cur.Load().Decide(ctx, input)
}

// Observe calls f with the new status after every reload that changed the
// policies in force or failed (not for polls that found nothing new).
func (r *Reloader) Observe(f func(ReloadStatus)) { r.observer.Store(&f) }

func (r *Reloader) notify() {
	if f := r.observer.Load(); f != nil {
		(*f)(r.Status())
	}
}

// Status reports what is in force and how the last reload went.
func (r *Reloader) Status() ReloadStatus {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	return r.status
}

// Reload reads the source and, when it changed, compiles and tests the new
// policies and swaps them in. It reports whether the policies in force
// changed; on error the old ones stay in force.
func (r *Reloader) Reload(ctx context.Context) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	files, err := r.src.Read(ctx)
	if err != nil {
		// An unreadable source (folder gone, bundle server down) is
		// reported once per distinct error, not on every poll.
		key := "read:" + err.Error()
		if key == r.failedRev {
			return false, err
		}
		return false, r.fail(key, err)
	}
	rev, digest := files.Revision(), files.digest()
	old := r.cur.Load()
	if rev == old.Revision() {
		r.failedRev = ""
		return false, nil
	}
	if digest == r.failedRev {
		return false, nil // already reported; waiting for a fix
	}
	ev, err := r.build(ctx, files)
	if err != nil {
		return false, r.fail(digest, err)
	}
	r.cur.Store(ev)
	r.failedRev = ""
	r.statusMu.Lock()
	r.status.Revision, r.status.LoadedAt = ev.Revision(), r.now()
	r.status.Reloads++
	r.status.LastError, r.status.LastErrorAt = "", time.Time{}
	r.statusMu.Unlock()
	r.log.Info("policies reloaded", "source", r.src.String(), "revision", short(ev.Revision()), "previous", short(old.Revision()), "files", len(ev.Files()))
	r.notify()
	return true, nil
}

func (r *Reloader) fail(digest string, err error) error {
	r.failedRev = digest
	r.statusMu.Lock()
	r.status.Failures++
	r.status.LastError, r.status.LastErrorAt = err.Error(), r.now()
	failures := r.status.Failures
	r.statusMu.Unlock()
	r.log.Error("POLICY RELOAD FAILED: the previous policies stay in force",
		"source", r.src.String(), "in_force", short(r.cur.Load().Revision()), "failures", failures, "err", err)
	r.notify()
	return err
}

// build compiles files and runs their Rego tests, if any.
func (r *Reloader) build(ctx context.Context, files Files) (*Evaluator, error) {
	ev, err := LoadFiles(ctx, files, r.data)
	if err != nil {
		return nil, err
	}
	results, err := RunTestFiles(ctx, files, nil)
	if err != nil {
		return nil, err
	}
	var failed []string
	for _, t := range results {
		if !t.Pass {
			failed = append(failed, t.String())
		}
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("%w: %d of %d Rego tests failed: %s", ErrTestsFailed, len(failed), len(results), strings.Join(failed, "; "))
	}
	return ev, nil
}

// Run reloads every interval (0: never) and whenever trigger delivers (a
// SIGHUP), until ctx ends. Failures are logged and kept in Status.
func (r *Reloader) Run(ctx context.Context, interval time.Duration, trigger <-chan struct{}) {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case <-trigger:
			r.log.Info("policy reload requested", "source", r.src.String())
			r.mu.Lock()
			r.failedRev = "" // an explicit request reports again
			r.mu.Unlock()
		}
		_, _ = r.Reload(ctx)
	}
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
