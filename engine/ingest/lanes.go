package ingest

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"
)

// lanes sort jobs by protocol into a fixed number of queues, each drained
// by one goroutine of Consumer.Run: a protocol's events keep their arrival
// order, and a protocol whose handling is slow (a hung RPC node, a busy
// Safe) holds up only the protocols that share its lane.
type lanes struct {
	queues []chan *job

	mu   sync.Mutex
	held map[*job]struct{} // dispatched, not yet done: kept alive
}

// newLanes makes n lanes; depth is the most messages the engine holds
// (the server delivers no more unacknowledged), so dispatch never waits.
func newLanes(n, depth int) *lanes {
	l := &lanes{queues: make([]chan *job, n), held: map[*job]struct{}{}}
	for i := range l.queues {
		l.queues[i] = make(chan *job, depth)
	}
	return l
}

// laneOf is the lane of a protocol: a stable hash, so every replica and
// every restart sorts a protocol the same way.
func laneOf(protocol string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(protocol))
	return int(h.Sum32() % uint32(n))
}

func (l *lanes) dispatch(j *job) {
	l.mu.Lock()
	l.held[j] = struct{}{}
	l.mu.Unlock()
	l.queues[laneOf(j.protocol(), len(l.queues))] <- j
}

func (l *lanes) release(j *job) {
	l.mu.Lock()
	delete(l.held, j)
	l.mu.Unlock()
}

// close ends the lanes once nothing more is dispatched.
func (l *lanes) close() {
	for _, q := range l.queues {
		close(q)
	}
}

// keepAlive tells the server, every interval, that each held message is
// still being worked on, so none is redelivered while it waits in its
// lane or its handler runs (bounded by HandleTimeout).
func (l *lanes) keepAlive(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.mu.Lock()
		held := make([]*job, 0, len(l.held))
		for j := range l.held {
			held = append(held, j)
		}
		l.mu.Unlock()
		for _, j := range held {
			if err := j.msg.InProgress(); err != nil {
				log.Debug("in-progress signal failed", "stream_seq", j.meta.Sequence.Stream, "err", err)
			}
		}
	}
}
