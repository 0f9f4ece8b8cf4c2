// Package dispatch delivers notifications durably (the incident step).
// Enqueue routes a message to its channels and publishes one delivery per
// channel on the JetStream stream FIREBREAK_NOTIFY
// (notify.deliveries.<channel>), with the delivery id (a hash of the
// notification id and the channel) as Nats-Msg-Id, so a message queued
// twice is stored once. Enqueue is a publish under a short deadline; it
// never waits for a delivery. Run consumes each channel with a durable
// consumer of its own (notify-<channel>, shared by every engine replica),
// so a slow or failing channel holds up no other. Before an attempt the
// notification log (notify/nflog) is read: a delivery already sent or
// given up is acknowledged, not sent again. A failure the channel may
// recover from is retried with a doubling delay (NakWithDelay, capped,
// or the service's Retry-After) until notify.max_age; a failure it will
// not, or one past max_age, is given up (Term) and raises an
// operator.channel_failing alert on the other channels.
//
// Delivery is at least once to the channel and, through the log, once in
// practice: the one window left is a crash after the channel accepted a
// message and before the log recorded it (the message then goes again;
// webhook receivers can drop it by X-Firebreak-Notification, PagerDuty by
// dedup_key).
package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/notify/nflog"
)

// The stream of deliveries.
const (
	Stream        = "FIREBREAK_NOTIFY"
	SubjectPrefix = "notify.deliveries."
	// ConsumerPrefix names each channel's durable consumer.
	ConsumerPrefix = "notify-"
)

// Errors of Enqueue.
var (
	ErrNoID   = errors.New("dispatch: a message needs an ID")
	ErrNoKind = errors.New("dispatch: a message needs a known Kind")
)

// Options configure a Dispatcher.
type Options struct {
	// Notify is the notify section; unset durations take their defaults.
	Notify config.NotifyOptions
	// Channels are the notifiers by channel name (notify/receiver builds
	// them from Notify.Channels).
	Channels map[string]notify.Notifier
	// Explorers are block explorers' base URLs by chain id (Explorers).
	Explorers map[uint64]string
	// Replicas of the stream and the log (1 for one server).
	Replicas int
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// DuplicateWindow is how long the stream drops a delivery id it has
	// already stored (default 10m); past it, the log does.
	DuplicateWindow time.Duration
}

// Explorers maps each chain with an explorer to its base URL.
func Explorers(chains []config.ChainOptions) map[uint64]string {
	m := map[uint64]string{}
	for _, c := range chains {
		if c.Explorer != "" {
			m[c.ID] = c.Explorer
		}
	}
	return m
}

// Delivery is one message on its way to one channel: what the stream holds.
type Delivery struct {
	ID      string         `json:"id"`
	Channel string         `json:"channel"`
	Message notify.Message `json:"message"`
}

// DeliveryID is the id of notification id's delivery to channel: a hash
// of both, the same for every replica and every retry.
func DeliveryID(notification, channel string) string {
	sum := sha256.Sum256([]byte(notification + "\x00" + channel))
	return hex.EncodeToString(sum[:16])
}

// Stats count what a Dispatcher did.
type Stats struct {
	// Enqueued deliveries, Sent to their channel, Retried (a failed
	// attempt to try again), Failed (given up), Skipped (found in the log,
	// not sent again).
	Enqueued, Sent, Retried, Failed, Skipped uint64
}

// Dispatcher queues and delivers notifications. It is safe for
// concurrent use.
type Dispatcher struct {
	js        jetstream.JetStream
	stream    jetstream.Stream
	log       *nflog.Log
	conf      config.NotifyOptions
	channels  map[string]notify.Notifier
	consumers map[string]jetstream.Consumer
	router    router
	explorers map[uint64]string
	now       func() time.Time
	logger    *slog.Logger

	enqueued, sent, retried, failed, skipped atomic.Uint64
}

// New creates (or binds to) the stream, the log and one durable consumer
// per channel. Deliveries can be enqueued at once; Run delivers them.
func New(ctx context.Context, js jetstream.JetStream, opts Options, log *slog.Logger) (*Dispatcher, error) {
	conf := opts.Notify.WithDefaults()
	if err := conf.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	dup := opts.DuplicateWindow
	if dup == 0 {
		dup = 10 * time.Minute
	}
	replicas := max(opts.Replicas, 1)
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        Stream,
		Description: "firebreak's notification deliveries, one per notification and channel (notify.deliveries.<channel>)",
		Subjects:    []string{SubjectPrefix + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
		// A delivery is given up after max_age; the stream keeps it no
		// longer than twice that (a channel removed from the config).
		MaxAge:     2 * conf.MaxAge,
		Duplicates: min(dup, 2*conf.MaxAge),
		MaxMsgSize: 1 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("dispatch: creating stream %s: %w", Stream, err)
	}
	nl, err := nflog.Open(ctx, js, replicas, conf.LogRetention)
	if err != nil {
		return nil, err
	}
	d := &Dispatcher{
		js: js, stream: stream, log: nl, conf: conf, channels: opts.Channels, consumers: map[string]jetstream.Consumer{},
		router: newRouter(conf.Routes, opts.Channels), explorers: opts.Explorers, now: now, logger: log,
	}
	for name := range opts.Channels {
		cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
			Durable:       ConsumerPrefix + name,
			Description:   "firebreak's deliveries to channel " + name,
			FilterSubject: SubjectPrefix + name,
			AckPolicy:     jetstream.AckExplicitPolicy,
			// Longer than an attempt, so only a dead replica's delivery
			// goes to another.
			AckWait:    max(2*conf.Timeout, time.Second),
			MaxDeliver: -1,
			Replicas:   replicas,
		})
		if err != nil {
			return nil, fmt.Errorf("dispatch: creating consumer for channel %s: %w", name, err)
		}
		d.consumers[name] = cons
	}
	return d, nil
}

// Route is the sorted names of the channels msg goes to.
func (d *Dispatcher) Route(msg notify.Message) []string { return d.router.route(msg) }

// Stats returns the counters.
func (d *Dispatcher) Stats() Stats {
	return Stats{Enqueued: d.enqueued.Load(), Sent: d.sent.Load(), Retried: d.retried.Load(), Failed: d.failed.Load(), Skipped: d.skipped.Load()}
}

// Enqueue queues msg for each of its channels and returns once the stream
// has stored the deliveries (or after notify.enqueue_timeout, with an
// error); it never waits for a delivery. Empty explorer URLs are filled
// from the chains' explorers, a zero At is now. Queueing the same
// notification id again delivers it once.
func (d *Dispatcher) Enqueue(ctx context.Context, msg notify.Message) error {
	if msg.ID == "" {
		return ErrNoID
	}
	if !msg.Kind.Valid() {
		return fmt.Errorf("%w: %q", ErrNoKind, msg.Kind)
	}
	return d.enqueueTo(ctx, d.prepare(msg), d.Route(msg))
}

// prepare fills what Enqueue fills.
func (d *Dispatcher) prepare(msg notify.Message) notify.Message {
	if msg.At.IsZero() {
		msg.At = d.now().UTC()
	}
	if len(msg.Actions) > 0 {
		msg.Actions = slices.Clone(msg.Actions)
		for i, a := range msg.Actions {
			if a.ExplorerURL == "" {
				msg.Actions[i].ExplorerURL = notify.ExplorerURL(d.explorers[a.ChainID], a.TxHash)
			}
		}
	}
	return msg
}

func (d *Dispatcher) enqueueTo(ctx context.Context, msg notify.Message, channels []string) error {
	if len(channels) == 0 {
		d.logger.Debug("notification routed to no channel", "notification", msg.ID, "kind", msg.Kind)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, d.conf.EnqueueTimeout)
	defer cancel()
	futures := make([]jetstream.PubAckFuture, 0, len(channels))
	var errs []error
	for _, ch := range channels {
		id := DeliveryID(msg.ID, ch)
		data, err := json.Marshal(Delivery{ID: id, Channel: ch, Message: msg})
		if err != nil {
			return fmt.Errorf("dispatch: encoding notification %q: %w", msg.ID, err)
		}
		m := nats.NewMsg(SubjectPrefix + ch)
		m.Data = data
		f, err := d.js.PublishMsgAsync(m, jetstream.WithMsgID(id))
		if err != nil {
			errs = append(errs, fmt.Errorf("dispatch: queueing notification %q for %s: %w", msg.ID, ch, err))
			continue
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		ch := f.Msg().Subject[len(SubjectPrefix):]
		select {
		case ack := <-f.Ok():
			if !ack.Duplicate {
				d.enqueued.Add(1)
			}
		case err := <-f.Err():
			errs = append(errs, fmt.Errorf("dispatch: queueing notification %q for %s: %w", msg.ID, ch, err))
		case <-ctx.Done():
			errs = append(errs, fmt.Errorf("dispatch: queueing notification %q for %s: %w", msg.ID, ch, ctx.Err()))
		}
	}
	return errors.Join(errs...)
}

// Run delivers until ctx is cancelled, each channel on its own consumer.
// A delivery in flight when ctx ends is handed back to the stream (Nak)
// for this or another replica.
func (d *Dispatcher) Run(ctx context.Context) error {
	var ccs []jetstream.ConsumeContext
	for name, cons := range d.consumers {
		n := d.channels[name]
		cc, err := cons.Consume(func(m jetstream.Msg) { d.handle(ctx, name, n, m) },
			jetstream.PullMaxMessages(1),
			jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
				if ctx.Err() == nil {
					d.logger.Warn("notification consumer", "channel", name, "err", err)
				}
			}))
		if err != nil {
			for _, c := range ccs {
				c.Stop()
			}
			return fmt.Errorf("dispatch: consuming channel %s: %w", name, err)
		}
		ccs = append(ccs, cc)
	}
	<-ctx.Done()
	var wg sync.WaitGroup
	for _, cc := range ccs {
		wg.Go(func() {
			cc.Drain()
			<-cc.Closed()
		})
	}
	wg.Wait()
	return nil
}

// handle makes one attempt at one delivery.
func (d *Dispatcher) handle(ctx context.Context, channel string, n notify.Notifier, m jetstream.Msg) {
	if ctx.Err() != nil {
		_ = m.Nak()
		return
	}
	meta, err := m.Metadata()
	if err != nil {
		d.logger.Error("notification delivery without JetStream metadata: dropped", "channel", channel, "err", err)
		_ = m.Term()
		return
	}
	var dl Delivery
	if err := json.Unmarshal(m.Data(), &dl); err != nil || dl.ID == "" || dl.Channel != channel {
		d.logger.Error("notification delivery that cannot be read: dropped", "channel", channel, "stream_seq", meta.Sequence.Stream, "err", err)
		_ = m.TermWithReason("undecodable delivery")
		return
	}
	log := d.logger.With("channel", channel, "delivery", dl.ID, "notification", dl.Message.ID, "kind", dl.Message.Kind, "attempt", meta.NumDelivered)

	if e, done, err := d.log.Get(ctx, dl.ID); err != nil {
		if ctx.Err() != nil {
			_ = m.Nak()
			return
		}
		// Unread, the log could hide a sent delivery: wait, do not send.
		log.Warn("notification log unreadable; delivery postponed", "err", err)
		_ = m.NakWithDelay(d.backoff(meta.NumDelivered, nil))
		return
	} else if done {
		log.Info("delivery already "+e.Outcome+": not sent again", "at", e.At)
		d.skipped.Add(1)
		d.ack(ctx, m, log)
		return
	}

	actx, cancel := context.WithTimeout(ctx, d.conf.Timeout)
	retry, err := n.Notify(actx, dl.Message)
	cancel()
	if err == nil {
		entry := nflog.Entry{Outcome: nflog.Sent, Channel: channel, Notification: dl.Message.ID, Kind: string(dl.Message.Kind), Attempts: meta.NumDelivered, At: d.now().UTC()}
		if err := d.record(ctx, dl.ID, entry); err != nil {
			// Acknowledged all the same: the stream will not send it again,
			// only a later duplicate past its window could.
			log.Warn("delivered, but the notification log was not written", "err", err)
		}
		d.sent.Add(1)
		log.Info("notification delivered")
		d.ack(ctx, m, log)
		return
	}
	if ctx.Err() != nil {
		// Shutting down: not the channel's failure.
		_ = m.Nak()
		return
	}
	age := d.now().Sub(meta.Timestamp)
	if retry && age < d.conf.MaxAge {
		delay := d.backoff(meta.NumDelivered, err)
		d.retried.Add(1)
		log.Warn("notification delivery failed; retrying", "err", err, "retry_in", delay)
		_ = m.NakWithDelay(delay)
		return
	}
	why := "refused"
	if retry {
		why = fmt.Sprintf("still failing after %s", age.Round(time.Second))
	}
	d.failed.Add(1)
	log.Error("notification delivery given up", "why", why, "err", err)
	entry := nflog.Entry{Outcome: nflog.Failed, Channel: channel, Notification: dl.Message.ID, Kind: string(dl.Message.Kind), Attempts: meta.NumDelivered, At: d.now().UTC(), Error: err.Error()}
	if err := d.record(ctx, dl.ID, entry); err != nil {
		log.Warn("notification log not written", "err", err)
	}
	d.channelFailing(ctx, dl, why, err, meta.NumDelivered, log)
	if err := m.TermWithReason(why); err != nil {
		log.Warn("terminating the delivery failed; the log keeps it from being retried", "err", err)
	}
}

// record writes the log even while shutting down: the channel has the
// message, the log must say so.
func (d *Dispatcher) record(ctx context.Context, id string, e nflog.Entry) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return d.log.Record(ctx, id, e)
}

func (d *Dispatcher) ack(ctx context.Context, m jetstream.Msg, log *slog.Logger) {
	if err := m.DoubleAck(ctx); err != nil && ctx.Err() == nil {
		// Redelivered, it is found in the log and acknowledged then.
		log.Warn("ack failed; the delivery will come again and be found in the log", "err", err)
	}
}

// backoff is the wait before attempt n+1: min_backoff doubled for each
// attempt made, at most max_backoff, or longer when the service asked.
func (d *Dispatcher) backoff(attempts uint64, err error) time.Duration {
	delay := d.conf.MinBackoff
	for i := uint64(1); i < attempts && delay < d.conf.MaxBackoff; i++ {
		delay *= 2
	}
	delay = min(delay, d.conf.MaxBackoff)
	if after, ok := notify.RetryAfter(err); ok && after > delay {
		delay = min(after, time.Hour)
	}
	return delay
}

// channelFailing raises the operator alert for a delivery given up, on
// the channels it routes to but the failing one (every other channel
// when none): a channel that fails is an alert on the others. An alert
// that itself fails raises none, so two broken channels do not feed each
// other.
func (d *Dispatcher) channelFailing(ctx context.Context, dl Delivery, why string, cause error, attempts uint64, log *slog.Logger) {
	if dl.Message.Kind == notify.KindChannelFailing {
		log.Error("the alert about a failing channel failed too; no further alert")
		return
	}
	alert := notify.Message{
		ID:       "channel-failing/" + dl.ID,
		Kind:     notify.KindChannelFailing,
		Title:    fmt.Sprintf("Notifications to channel %s are failing", dl.Channel),
		Detail:   fmt.Sprintf("%q (%s) was not delivered to %s: %s after %d attempt(s): %v", dl.Message.Title, dl.Message.Kind, dl.Channel, why, attempts, cause),
		Severity: event.SeverityHigh,
		Protocol: dl.Message.Protocol,
		Facts: map[string]string{
			"channel": dl.Channel, "notification": dl.Message.ID, "notification kind": string(dl.Message.Kind),
			"attempts": fmt.Sprint(attempts), "error": cause.Error(),
		},
		At: d.now().UTC(),
	}
	if dl.Message.IncidentID != "" {
		alert.Facts["incident"] = dl.Message.IncidentID
	}
	others := func(names []string) []string {
		return slices.DeleteFunc(names, func(c string) bool { return c == dl.Channel })
	}
	channels := others(d.Route(alert))
	if len(channels) == 0 {
		channels = others(slices.Clone(d.router.channels))
	}
	if len(channels) == 0 {
		log.Error("no other channel to alert that this one is failing")
		return
	}
	if err := d.enqueueTo(ctx, alert, channels); err != nil {
		log.Error("the alert about a failing channel could not be queued", "err", err)
		return
	}
	log.Warn("alert about the failing channel queued", "to", channels)
}
