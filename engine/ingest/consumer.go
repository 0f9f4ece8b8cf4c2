package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
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
	// MaxDeliver bounds redeliveries of a message that keeps failing
	// transiently; the last one dead-letters it.
	MaxDeliver int
	// AckWait is how long the server waits for an ack before redelivering.
	AckWait time.Duration
	// HandleTimeout bounds one call of the handler.
	HandleTimeout time.Duration
	// RetryDelay is the first delay after a transient failure; it doubles
	// with each delivery up to MaxRetryDelay.
	RetryDelay, MaxRetryDelay time.Duration
	Replicas                  int
	// Observer, when set, is told about messages that never reach the
	// handler: the audit log hangs here.
	Observer Observer
	// Verifier, when set, authenticates every message before it is parsed
	// and checks the event's source and freshness after (the configured
	// sources). Nil accepts any source unverified, as before sources
	// existed: insecure, and warned about once at start.
	Verifier *Verifier
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
		MaxDeliver:    10,
		AckWait:       60 * time.Second,
		HandleTimeout: 30 * time.Second,
		RetryDelay:    500 * time.Millisecond,
		MaxRetryDelay: 30 * time.Second,
		Replicas:      1,
		EventsTTL:     30 * 24 * time.Hour,
	}
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
		Replicas:    opts.Replicas,
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
	return &Consumer{js: js, cons: cons, events: events, opts: opts, log: log}, nil
}

// Run consumes until ctx is cancelled, calling h for each new valid event.
// Messages are handled one at a time, in stream order.
func (c *Consumer) Run(ctx context.Context, h Handler) error {
	if c.opts.Verifier == nil {
		c.log.Warn("no sources configured: events are accepted from anyone who can publish on detections.>, unverified " +
			"(insecure; configure sources, see docs/SECURITY.md; sources will be required)")
	}
	cc, err := c.cons.Consume(func(msg jetstream.Msg) {
		c.handle(ctx, msg, h)
	}, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		if ctx.Err() == nil {
			c.log.Warn("detection consumer", "err", err)
		}
	}))
	if err != nil {
		return fmt.Errorf("ingest: starting consumer: %w", err)
	}
	<-ctx.Done()
	cc.Drain()
	<-cc.Closed()
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

func (c *Consumer) handle(ctx context.Context, msg jetstream.Msg, h Handler) {
	meta, err := msg.Metadata()
	if err != nil {
		c.log.Error("message without JetStream metadata", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	log := c.log.With("stream_seq", meta.Sequence.Stream, "subject", msg.Subject())
	if msg.Subject() == DeadSubject {
		// Dead letters share the stream so nothing is ever lost; they are
		// kept for people, not for the engine.
		c.ack(ctx, msg, log)
		return
	}

	v := c.opts.Verifier
	if v != nil {
		// Authenticated before anything of the message is parsed.
		if err := v.Message(msg.Subject(), msg.Headers(), msg.Data()); err != nil {
			c.refuse(ctx, msg, meta, err, log)
			return
		}
	}
	if r := c.opts.Vendors[strings.TrimPrefix(msg.Subject(), SubjectPrefix)]; r != nil {
		c.handleVendor(ctx, msg, meta, r, h, log)
		return
	}
	ev, err := event.Decode(msg.Data())
	if err != nil {
		log.Warn("invalid detection event: dead-lettered", "reason", err)
		c.deadLetter(ctx, msg, meta, CodeInvalid, err.Error(), log)
		return
	}
	log = log.With("event", ev.ID)
	if v != nil {
		if err := v.Event(msg.Subject(), ev); err != nil {
			c.refuse(ctx, msg, meta, err, log)
			return
		}
	}
	if c.handleEvent(ctx, msg, meta, ev, h, log) {
		c.ack(ctx, msg, log)
	}
}

// handleVendor adapts a vendor's payload with its route (verification on
// the raw bytes, at the time the stream stored it, so a redelivery after an
// outage still passes the vendor's time window) and handles each event it
// makes; the message is acknowledged once all of them are.
func (c *Consumer) handleVendor(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, r *adapt.Route, h Handler, log *slog.Logger) {
	evs, err := AdaptMessage(r, meta.Timestamp, msg.Subject(), msg.Headers(), msg.Data())
	var partial *adapt.PartialError
	switch {
	case errors.Is(err, adapt.ErrNotActionable):
		log.Info("vendor message carries no actionable alert", "reason", err)
		c.ack(ctx, msg, log)
		return
	case err != nil && !errors.As(err, &partial):
		log.Warn("vendor message refused: dead-lettered", "reason", err)
		c.deadLetter(ctx, msg, meta, adapt.Reason(err), err.Error(), log)
		return
	case partial != nil && c.opts.Observer != nil:
		// The alerts that did adapt are handled; the others are on record.
		c.opts.Observer.Rejected(ctx, msg.Subject(), meta.Sequence.Stream, msg.Data(), "partial: "+err.Error())
	}
	for _, ev := range evs {
		// The same source and freshness checks as a native event's.
		if v := c.opts.Verifier; v != nil {
			if err := v.Event(msg.Subject(), ev); err != nil {
				c.refuse(ctx, msg, meta, err, log.With("event", ev.ID))
				return
			}
		}
		if !c.handleEvent(ctx, msg, meta, ev, h, log.With("event", ev.ID)) {
			return // retried or dead-lettered whole; done events dedupe
		}
	}
	c.ack(ctx, msg, log)
}

// handleEvent acts on one decoded, authenticated event. It reports whether
// the message may be acknowledged for it; when not, the message has been
// retried or dead-lettered.
func (c *Consumer) handleEvent(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, ev event.Event, h Handler, log *slog.Logger) bool {
	key := EventKey(ev.ID)
	if _, err := c.events.Get(ctx, key); err == nil {
		log.Info("duplicate event: already handled, not acting again")
		if c.opts.Observer != nil {
			c.opts.Observer.Duplicate(ctx, ev)
		}
		return true
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		c.retry(ctx, msg, meta, fmt.Errorf("%w: reading %s: %w", ErrTransient, EventsBucket, err), log)
		return false
	}

	hctx, cancel := context.WithTimeout(ctx, c.opts.HandleTimeout)
	record, err := h(hctx, ev)
	cancel()
	if err != nil {
		if errors.Is(err, ErrTransient) || ctx.Err() != nil {
			c.retry(ctx, msg, meta, err, log)
			return false
		}
		log.Warn("event could not be handled: dead-lettered", "reason", err)
		c.deadLetter(ctx, msg, meta, CodeRefused, err.Error(), log)
		return false
	}
	if _, err := c.events.Create(ctx, key, record); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		// The intents are recorded already; a redelivery finds them and does
		// not act twice, so retrying is safe.
		c.retry(ctx, msg, meta, fmt.Errorf("%w: recording event: %w", ErrTransient, err), log)
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

// retry naks with a delay that grows with each delivery; on the last
// allowed delivery it dead-letters instead, so the server never drops it.
func (c *Consumer) retry(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, cause error, log *slog.Logger) {
	if ctx.Err() != nil {
		// Shutting down: let the server redeliver after AckWait, to this or
		// another replica.
		_ = msg.Nak()
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
	log.Warn("transient failure: will retry", "err", cause, "delivery", meta.NumDelivered, "retry_in", delay)
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
	dead.Header.Set(HeaderReason, truncate(reason, 1024))
	dead.Header.Set(HeaderDeadCode, code)
	for _, k := range []string{HeaderSignature, HeaderKeyID} {
		// Kept, so a dead letter replayed later still verifies.
		if v := msg.Headers().Get(k); v != "" {
			dead.Header.Set(k, v)
		}
	}
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
