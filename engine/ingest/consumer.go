package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// Handler acts on one valid, not yet handled event. It returns the record to
// keep for the event (the decision and what happened to each action): it is
// stored in the processed-events bucket before the message is acknowledged.
// An error wrapping ErrTransient is retried; any other error dead-letters
// the message.
type Handler func(ctx context.Context, ev event.Event) (record []byte, err error)

// ConsumerOptions configure a Consumer.
type ConsumerOptions struct {
	// EventsTTL is how long FIREBREAK_EVENTS keeps a handled event, and so
	// recognises its redelivery; 0 keeps them for ever.
	EventsTTL time.Duration
	// Vendors adapt vendor payloads published straight to
	// detections.<source>, by source (sources.<name>.vendor_route): the
	// route's adapter verifies and translates each message into events.
	Vendors map[string]*adapt.Route
	// Durable is the durable consumer name shared by engine replicas.
	Durable string
	// MaxDeliver bounds deliveries of a message that keeps failing
	// transiently; -1 (the default) leaves the bound to MaxEventAge, so an
	// outage shorter than that never loses an event.
	MaxDeliver int
	// MaxEventAge is how long a transient failure is retried: once the
	// event is older than this (from its timestamp, or the time the stream
	// stored it when that is earlier or the payload is a vendor's) it is
	// dead-lettered with CodeStale. 0 means DefaultMaxEventAge.
	MaxEventAge time.Duration
	// AckWait is how long the server waits for an ack before redelivering
	// to this or another replica. While the engine holds a message (queued
	// for its lane or being handled) it sends InProgress every AckWait/3,
	// so AckWait bounds only how long a dead engine's messages wait.
	AckWait time.Duration
	// HandleTimeout bounds one call of the handler; a call that runs out
	// of it is retried like any transient failure.
	HandleTimeout time.Duration
	// RetryDelay is the first delay after a transient failure; it doubles
	// with each delivery up to MaxRetryDelay.
	RetryDelay, MaxRetryDelay time.Duration
	// Workers is how many events are handled at once. Events are sorted
	// into Workers lanes by protocol: one protocol's events are handled in
	// arrival order, one at a time, while other lanes proceed.
	Workers int
	// MaxInFlight bounds the messages the engine holds unacknowledged
	// (the consumer's MaxAckPending); 0 means 32 per worker, at least 256.
	MaxInFlight int
	Replicas    int
	// Observer, when set, is told about messages that never reach the
	// handler: the audit log hangs here.
	Observer Observer
	// Verifier, when set, authenticates every message before it is parsed
	// and checks the event's source and freshness after (the configured
	// sources). Nil accepts any source unverified, as before sources
	// existed: insecure, and warned about once at start.
	Verifier *Verifier
	// Sealer authenticates the marker the engine puts on a replayed dead
	// letter (see Replayer); nil refuses every replay marker.
	Sealer Sealer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Observer is told what the consumer did with messages the handler never
// sees.
type Observer interface {
	// Rejected: the message was dead-lettered for reason.
	Rejected(ctx context.Context, subject string, streamSeq uint64, data []byte, reason string)
	// Duplicate: an event already handled arrived again and was not acted on.
	Duplicate(ctx context.Context, ev event.Event)
}

// DefaultConsumerOptions are the options the engine uses unless configured.
func DefaultConsumerOptions() ConsumerOptions {
	return ConsumerOptions{
		Durable:       DefaultDurable,
		MaxDeliver:    -1,
		MaxEventAge:   DefaultMaxEventAge,
		AckWait:       60 * time.Second,
		HandleTimeout: 30 * time.Second,
		RetryDelay:    500 * time.Millisecond,
		MaxRetryDelay: 30 * time.Second,
		Workers:       DefaultWorkers,
		Replicas:      1,
		EventsTTL:     30 * 24 * time.Hour,
	}
}

// Defaults of ConsumerOptions.
const (
	// DefaultMaxEventAge: a pause this late is still worth sending.
	DefaultMaxEventAge = 15 * time.Minute
	DefaultWorkers     = 8
)

// maxInFlight is MaxInFlight or its default.
func (o ConsumerOptions) maxInFlight() int {
	if o.MaxInFlight > 0 {
		return o.MaxInFlight
	}
	return max(32*o.workers(), 256)
}

func (o ConsumerOptions) workers() int { return max(o.Workers, 1) }

func (o ConsumerOptions) maxEventAge() time.Duration {
	if o.MaxEventAge > 0 {
		return o.MaxEventAge
	}
	return DefaultMaxEventAge
}

// Consumer is the engine's durable pull consumer on DETECTIONS.
type Consumer struct {
	js     jetstream.JetStream
	cons   jetstream.Consumer
	events jetstream.KeyValue
	opts   ConsumerOptions
	log    *slog.Logger
}

// NewConsumer creates (or binds to) the durable consumer and the
// processed-events bucket. The stream must exist (EnsureStream).
func NewConsumer(ctx context.Context, js jetstream.JetStream, opts ConsumerOptions, log *slog.Logger) (*Consumer, error) {
	cons, err := js.CreateOrUpdateConsumer(ctx, Stream, jetstream.ConsumerConfig{
		Durable:     opts.Durable,
		Description: "firebreak engine",
		AckPolicy:   jetstream.AckExplicitPolicy,
		AckWait:     opts.AckWait,
		MaxDeliver:  opts.MaxDeliver,
		// Every message held counts, queued or handled: InProgress keeps
		// them all from passing their ack wait, and this bounds them.
		MaxAckPending: opts.maxInFlight(),
		Replicas:      opts.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: creating consumer %s on %s: %w", opts.Durable, Stream, err)
	}
	events, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      EventsBucket,
		Description: "events firebreak has handled, by hashed event id: the decision and the fate of each action",
		Storage:     jetstream.FileStorage,
		Replicas:    max(opts.Replicas, 1),
		TTL:         opts.EventsTTL,
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: creating bucket %s: %w", EventsBucket, err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Consumer{js: js, cons: cons, events: events, opts: opts, log: log}, nil
}

// Run consumes until ctx is cancelled, calling h for each new valid event.
// Each message is authenticated and decoded as it arrives, then handed to
// the lane of its protocol (see ConsumerOptions.Workers): one protocol's
// events are handled in arrival order, other protocols' meanwhile. Run
// returns once every lane has stopped.
func (c *Consumer) Run(ctx context.Context, h Handler) error {
	if c.opts.Verifier == nil {
		c.log.Warn("no sources configured: events are accepted from anyone who can publish on detections.>, unverified " +
			"(insecure; configure sources, see docs/SECURITY.md; sources will be required)")
	}
	lanes := newLanes(c.opts.workers(), c.opts.maxInFlight())
	var wg sync.WaitGroup
	for _, l := range lanes.queues {
		wg.Go(func() {
			for j := range l {
				c.work(ctx, j, h)
				lanes.release(j)
			}
		})
	}
	// The keep-alive outlives ctx: while the lanes drain after shutdown,
	// the messages they still hold must not pass their ack wait.
	keepCtx, stopKeep := context.WithCancel(context.WithoutCancel(ctx))
	wg.Go(func() { lanes.keepAlive(keepCtx, max(c.opts.AckWait/3, 50*time.Millisecond), c.log) })
	cc, err := c.cons.Consume(func(msg jetstream.Msg) {
		if j := c.prepare(ctx, msg); j != nil {
			lanes.dispatch(j)
		}
	}, jetstream.PullMaxMessages(min(c.opts.maxInFlight(), 2*c.opts.workers()+8)),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if ctx.Err() == nil {
				c.log.Warn("detection consumer", "err", err)
			}
		}))
	if err != nil {
		lanes.close()
		stopKeep()
		wg.Wait()
		return fmt.Errorf("ingest: starting consumer: %w", err)
	}
	<-ctx.Done()
	cc.Drain()
	<-cc.Closed()
	// No callback runs any more: the lanes finish (what is still queued
	// is nak'ed, ctx being done, for the server to redeliver) and the
	// keep-alive stops.
	lanes.close()
	stopKeep()
	wg.Wait()
	return nil
}

// Record returns what was stored for an already handled event.
func (c *Consumer) Record(ctx context.Context, id string) ([]byte, error) {
	e, err := c.events.Get(ctx, EventKey(id))
	if err != nil {
		return nil, err
	}
	return e.Value(), nil
}

// job is one message, authenticated and decoded, waiting for its lane.
type job struct {
	msg  jetstream.Msg
	meta *jetstream.MsgMetadata
	// evs are the message's events: one for a native event, those the
	// vendor's payload adapted into otherwise.
	evs []event.Event
	// born is when the retry budget (MaxEventAge) started.
	born time.Time
	log  *slog.Logger
}

// protocol is what the job's lane is chosen by: a vendor batch goes
// whole to its first event's lane.
func (j *job) protocol() string {
	if len(j.evs) == 0 {
		return ""
	}
	return j.evs[0].Protocol
}

// prepare does what is cheap and needs no lane: metadata, dead letters,
// authentication, decoding, adapting. It returns nil when the message is
// dealt with already (acknowledged or dead-lettered).
func (c *Consumer) prepare(ctx context.Context, msg jetstream.Msg) *job {
	meta, err := msg.Metadata()
	if err != nil {
		c.log.Error("message without JetStream metadata", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return nil
	}
	log := c.log.With("stream_seq", meta.Sequence.Stream, "subject", msg.Subject())
	if msg.Subject() == DeadSubject {
		// Dead letters share the stream so nothing is ever lost; they are
		// kept for people, not for the engine.
		c.ack(ctx, msg, log)
		return nil
	}
	// arrived is when the message reached the stream; for a dead letter
	// the engine replayed, when the original did (a replay marker only
	// the engine can make), and the replay itself starts the retry budget.
	arrived, born := meta.Timestamp, meta.Timestamp
	replay, err := c.replayMarker(msg)
	if err != nil {
		c.refuse(ctx, msg, meta, err, log)
		return nil
	}
	if replay != nil {
		arrived = replay.Arrived
		log = log.With("replay_of", replay.DeadSeq)
	}

	v := c.opts.Verifier
	if v != nil {
		// Authenticated before anything of the message is parsed.
		if err := v.Message(msg.Subject(), msg.Headers(), msg.Data()); err != nil {
			c.refuse(ctx, msg, meta, err, log)
			return nil
		}
	}
	if r := c.opts.Vendors[strings.TrimPrefix(msg.Subject(), SubjectPrefix)]; r != nil {
		return c.prepareVendor(ctx, msg, meta, arrived, born, replay != nil, r, log)
	}
	ev, err := event.Decode(msg.Data())
	if err != nil {
		log.Warn("invalid detection event: dead-lettered", "reason", err)
		c.deadLetter(ctx, msg, meta, CodeInvalid, err.Error(), log)
		return nil
	}
	log = log.With("event", ev.ID)
	if v != nil {
		if err := v.eventAt(msg.Subject(), ev, arrived, replay != nil); err != nil {
			c.refuse(ctx, msg, meta, err, log)
			return nil
		}
	}
	if replay == nil && ev.Timestamp.Before(born) {
		born = ev.Timestamp
	}
	return &job{msg: msg, meta: meta, evs: []event.Event{ev}, born: born, log: log}
}

// prepareVendor adapts a vendor's payload with its route (verification on
// the raw bytes, at the time the stream stored it, so a redelivery after an
// outage still passes the vendor's time window). The job's events are
// handled in one lane and the message acknowledged once all of them are.
func (c *Consumer) prepareVendor(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, arrived, born time.Time, replayed bool, r *adapt.Route, log *slog.Logger) *job {
	evs, err := AdaptMessage(r, arrived, msg.Subject(), msg.Headers(), msg.Data())
	var partial *adapt.PartialError
	switch {
	case errors.Is(err, adapt.ErrNotActionable):
		log.Info("vendor message carries no actionable alert", "reason", err)
		c.ack(ctx, msg, log)
		return nil
	case err != nil && !errors.As(err, &partial):
		log.Warn("vendor message refused: dead-lettered", "reason", err)
		c.deadLetter(ctx, msg, meta, adapt.Reason(err), err.Error(), log)
		return nil
	case partial != nil && c.opts.Observer != nil:
		// The alerts that did adapt are handled; the others are on record.
		c.opts.Observer.Rejected(ctx, msg.Subject(), meta.Sequence.Stream, msg.Data(), "partial: "+err.Error())
	}
	// The same source and freshness checks as a native event's.
	if v := c.opts.Verifier; v != nil {
		for _, ev := range evs {
			if err := v.eventAt(msg.Subject(), ev, arrived, replayed); err != nil {
				c.refuse(ctx, msg, meta, err, log.With("event", ev.ID))
				return nil
			}
		}
	}
	return &job{msg: msg, meta: meta, evs: evs, born: born, log: log}
}

// work handles a job's events in its lane and acknowledges the message
// once all of them are; otherwise it was retried or dead-lettered whole
// (the events already done dedupe on redelivery).
func (c *Consumer) work(ctx context.Context, j *job, h Handler) {
	if ctx.Err() != nil {
		// Shutting down: the server redelivers it, to this or another replica.
		_ = j.msg.Nak()
		return
	}
	for _, ev := range j.evs {
		log := j.log
		if len(j.evs) > 1 {
			log = log.With("event", ev.ID)
		}
		if !c.handleEvent(ctx, j, ev, h, log) {
			return
		}
	}
	c.ack(ctx, j.msg, j.log)
}

// handleEvent acts on one decoded, authenticated event. It reports whether
// the message may be acknowledged for it; when not, the message has been
// retried or dead-lettered.
func (c *Consumer) handleEvent(ctx context.Context, j *job, ev event.Event, h Handler, log *slog.Logger) bool {
	key := EventKey(ev.ID)
	if _, err := c.events.Get(ctx, key); err == nil {
		log.Info("duplicate event: already handled, not acting again")
		if c.opts.Observer != nil {
			c.opts.Observer.Duplicate(ctx, ev)
		}
		return true
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		c.retry(ctx, j, fmt.Errorf("%w: reading %s: %w", ErrTransient, EventsBucket, err), log)
		return false
	}

	hctx, cancel := context.WithTimeout(ctx, c.opts.HandleTimeout)
	record, err := h(hctx, ev)
	timedOut := hctx.Err() != nil
	cancel()
	if err != nil {
		if errors.Is(err, ErrTransient) || ctx.Err() != nil || timedOut {
			c.retry(ctx, j, err, log)
			return false
		}
		log.Warn("event could not be handled: dead-lettered", "reason", err)
		c.deadLetter(ctx, j.msg, j.meta, CodeRefused, err.Error(), log)
		return false
	}
	if _, err := c.events.Create(ctx, key, record); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		// The intents are recorded already; a redelivery finds them and does
		// not act twice, so retrying is safe.
		c.retry(ctx, j, fmt.Errorf("%w: recording event: %w", ErrTransient, err), log)
		return false
	}
	return true
}

func (c *Consumer) ack(ctx context.Context, msg jetstream.Msg, log *slog.Logger) {
	if err := msg.DoubleAck(ctx); err != nil && ctx.Err() == nil {
		// Redelivery will find the event recorded and only ack it.
		log.Warn("ack failed; the message will be redelivered and recognised as handled", "err", err)
	}
}

// retry naks with a delay that doubles with each delivery up to
// MaxRetryDelay, for as long as the event is younger than MaxEventAge;
// after that, or on the last delivery MaxDeliver allows, it dead-letters
// instead, loudly, so the server never drops it.
func (c *Consumer) retry(ctx context.Context, j *job, cause error, log *slog.Logger) {
	msg, meta := j.msg, j.meta
	if ctx.Err() != nil {
		// Shutting down: let the server redeliver it, to this or another
		// replica.
		_ = msg.Nak()
		return
	}
	age, limit := c.opts.Now().Sub(j.born), c.opts.maxEventAge()
	if age >= limit {
		reason := fmt.Sprintf("%s: still failing after %d attempts over %s, past ingest.max_event_age %s: %v",
			CodeStale, meta.NumDelivered, age.Round(time.Second), limit, cause)
		log.Error("EVENT DEAD-LETTERED: transient failures outlasted ingest.max_event_age; nothing was done for it "+
			"(see firebreak dead-letters, docs/operations.md)", "reason", reason)
		c.deadLetter(ctx, msg, meta, CodeStale, reason, log)
		return
	}
	if c.opts.MaxDeliver > 0 && int(meta.NumDelivered) >= c.opts.MaxDeliver {
		reason := fmt.Sprintf("gave up after %d deliveries: %v", meta.NumDelivered, cause)
		log.Error("event dead-lettered after repeated transient failures", "reason", reason)
		c.deadLetter(ctx, msg, meta, CodeGaveUp, reason, log)
		return
	}
	delay := c.opts.RetryDelay << min(meta.NumDelivered-1, 16)
	if delay > c.opts.MaxRetryDelay || delay <= 0 {
		delay = c.opts.MaxRetryDelay
	}
	log.Warn("transient failure: will retry", "err", cause, "delivery", meta.NumDelivered, "retry_in", delay, "age", age.Round(time.Millisecond))
	if err := msg.NakWithDelay(delay); err != nil {
		log.Warn("nak failed; the server will redeliver after the ack wait", "err", err)
	}
}

// refuse dead-letters a message the Verifier refused. Nothing was acted on.
func (c *Consumer) refuse(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, err error, log *slog.Logger) {
	code := CodeInvalid
	var r *Rejection
	if errors.As(err, &r) {
		code = r.Code
	}
	log.Warn("detection refused: dead-lettered, nothing done", "code", code, "reason", err)
	c.deadLetter(ctx, msg, meta, code, err.Error(), log)
}

// deadLetter republishes the message to detections.dead with the reason and
// its code and terminates the original. If the dead letter cannot be
// written the message is nak'ed instead: it is never lost.
func (c *Consumer) deadLetter(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, code, reason string, log *slog.Logger) {
	dead := &nats.Msg{Subject: DeadSubject, Data: msg.Data(), Header: nats.Header{}}
	// The original headers are kept (the detector's signature, a vendor's
	// X-Signature...), so a dead letter replayed later still verifies; the
	// server's own and the engine's are not.
	for k, vs := range msg.Headers() {
		if !engineHeader(k) {
			dead.Header[k] = vs
		}
	}
	dead.Header.Set(HeaderReason, truncate(reason, 1024))
	dead.Header.Set(HeaderDeadCode, code)
	dead.Header.Set(HeaderOriginalSubject, msg.Subject())
	dead.Header.Set(HeaderOriginalSeq, strconv.FormatUint(meta.Sequence.Stream, 10))
	if _, err := c.js.PublishMsg(ctx, dead, jetstream.WithMsgID("dead-"+strconv.FormatUint(meta.Sequence.Stream, 10))); err != nil {
		log.Error("could not write dead letter; will retry the message", "err", err)
		_ = msg.NakWithDelay(c.opts.RetryDelay)
		return
	}
	if c.opts.Observer != nil {
		c.opts.Observer.Rejected(ctx, msg.Subject(), meta.Sequence.Stream, msg.Data(), reason)
	}
	if err := msg.TermWithReason(truncate(reason, 256)); err != nil {
		log.Warn("term failed", "err", err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
