package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// NATSConnectOptions are the credentials and TLS settings o gives for an
// external NATS, the token read from the environment.
func NATSConnectOptions(o config.Options) (ingest.ConnectOptions, error) {
	n := o.NATS
	var opts ingest.ConnectOptions
	switch {
	case n.Creds != "":
		opts.CredsFile = n.Creds
	case n.NkeySeedFile != "":
		opts.NkeySeedFile = n.NkeySeedFile
	case n.TokenEnv != "":
		tok, err := o.Secret(n.TokenEnv, "")
		if err != nil {
			return opts, fmt.Errorf("nats.token_env: %w", err)
		}
		opts.Token = tok
	}
	opts.TLS = ingest.TLSOptions{CA: n.TLS.CA, Cert: n.TLS.Cert, Key: n.TLS.Key}
	return opts, nil
}

func (e *Engine) dialExternal(name string) (*nats.Conn, error) {
	copts, err := NATSConnectOptions(e.opts)
	if err != nil {
		return nil, err
	}
	return ingest.DialWith(e.opts.NATS.URL, name, copts)
}

// DialNATS connects to the engine's NATS as the engine: in process to the
// embedded server, or with the configured credentials to an external one.
// For programs that embed the engine (the demo, tests). Valid after Ready.
func (e *Engine) DialNATS(name string) (*nats.Conn, error) {
	if e.embedded != nil {
		return e.embedded.Dial(name)
	}
	return e.dialExternal(name)
}

// NATSSeedFile is the embedded server's engine nkey seed file, for a
// second program on this machine that must connect as the engine (a
// replica in a test); "" with an external NATS. Valid after Ready.
func (e *Engine) NATSSeedFile() string {
	if e.embedded == nil {
		return ""
	}
	return e.embedded.EngineSeedFile()
}

// connectNATS starts the embedded server (no nats.url) or dials the
// external one, and connects as the engine. shutdown stops the embedded
// server; it runs after the connection closes.
func (e *Engine) connectNATS() (nc *nats.Conn, url string, shutdown func(), err error) {
	if e.opts.NATS.URL != "" {
		nc, err = e.dialExternal("firebreak-engine")
		return nc, e.opts.NATS.URL, func() {}, err
	}
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: e.opts.DataDir, Host: e.opts.NATS.Host, Port: e.opts.NATS.Port}, e.log)
	if err != nil {
		return nil, "", nil, err
	}
	if nc, err = srv.Dial("firebreak-engine"); err != nil {
		srv.Shutdown()
		return nil, "", nil, err
	}
	e.embedded = srv
	return nc, srv.ClientURL(), srv.Shutdown, nil
}

// jetStreamWait bounds how long the engine waits at start for JetStream to
// answer: a cluster that has just started elects its meta leader first.
const jetStreamWait = 2 * time.Minute

// openJetStream returns nc's JetStream once it answers. On a cluster whose
// servers are starting (or have just lost their meta leader) stream and
// bucket creation times out until a leader is elected: two engines started
// with a fresh three-node cluster both gave up with "creating stream
// DETECTIONS: context deadline exceeded" (the chaos suite's nats-cluster
// scenario). So the engine first waits for JetStream to answer, with
// backoff, and gives every JetStream request 15 s rather than the client's
// default 5 s, room for an R3 stream's peers to agree.
func openJetStream(ctx context.Context, nc *nats.Conn, log *slog.Logger) (jetstream.JetStream, error) {
	inner, err := jetstream.New(nc, jetstream.WithDefaultTimeout(15*time.Second))
	if err != nil {
		return nil, fmt.Errorf("engine: JetStream: %w", err)
	}
	js := patientJetStream{JetStream: inner, log: log}
	start, delay := time.Now(), 250*time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := js.AccountInfo(actx)
		cancel()
		switch {
		case err == nil:
			if attempt > 1 {
				log.Info("JetStream answers", "waited", time.Since(start).Round(time.Millisecond))
			}
			return js, nil
		case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
			return nil, fmt.Errorf("engine: the NATS server has no JetStream for this account (enable it; docs/nats.md): %w", err)
		case time.Since(start) > jetStreamWait:
			return nil, fmt.Errorf("engine: JetStream did not answer within %v: %w", jetStreamWait, err)
		}
		log.Warn("JetStream does not answer yet (a cluster electing its leader?): waiting", "err", err, "attempt", attempt, "retry_in", delay)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// patientJetStream retries creating a stream, bucket or consumer while the
// cluster cannot answer (a timeout, or 503 "JetStream system temporarily
// unavailable"), for up to jetStreamWait. On a three-node cluster that has
// just started, two engines creating the same R3 stream at once both timed
// out although JetStream answered (the chaos suite's nats-cluster
// scenario); the next try finds the stream made.
type patientJetStream struct {
	jetstream.JetStream
	log *slog.Logger
}

func (p patientJetStream) CreateOrUpdateStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	return patiently(ctx, p.log, "create stream "+cfg.Name, func(ctx context.Context) (jetstream.Stream, error) {
		return p.JetStream.CreateOrUpdateStream(ctx, cfg)
	})
}

func (p patientJetStream) CreateOrUpdateKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	return patiently(ctx, p.log, "create bucket "+cfg.Bucket, func(ctx context.Context) (jetstream.KeyValue, error) {
		return p.JetStream.CreateOrUpdateKeyValue(ctx, cfg)
	})
}

// UpdateStream is retried too: the engine turns roll-ups off on its
// buckets right after opening them (ingest.DenyRollups), while the same
// busy cluster may still be electing (the nats-cluster scenario saw an
// engine exit on that update's timeout).
func (p patientJetStream) UpdateStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	return patiently(ctx, p.log, "update stream "+cfg.Name, func(ctx context.Context) (jetstream.Stream, error) {
		return p.JetStream.UpdateStream(ctx, cfg)
	})
}

// Stream (looking a stream up) is retried for the same reason.
func (p patientJetStream) Stream(ctx context.Context, name string) (jetstream.Stream, error) {
	return patiently(ctx, p.log, "look up stream "+name, func(ctx context.Context) (jetstream.Stream, error) {
		return p.JetStream.Stream(ctx, name)
	})
}

func (p patientJetStream) CreateOrUpdateConsumer(ctx context.Context, stream string, cfg jetstream.ConsumerConfig) (jetstream.Consumer, error) {
	return patiently(ctx, p.log, "create consumer "+cfg.Durable+" on "+stream, func(ctx context.Context) (jetstream.Consumer, error) {
		return p.JetStream.CreateOrUpdateConsumer(ctx, stream, cfg)
	})
}

// createAttempt bounds one try: when two engines create the same
// replicated stream at once, the answer to the create can be lost although
// the stream is made, and the next try (an update) finds it.
const createAttempt = 2 * time.Second

func patiently[T any](ctx context.Context, log *slog.Logger, what string, f func(context.Context) (T, error)) (T, error) {
	start, delay := time.Now(), 250*time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, createAttempt)
		v, err := f(actx)
		cancel()
		if err == nil || !record.Unavailable(err) || time.Since(start) > jetStreamWait || ctx.Err() != nil {
			return v, err
		}
		log.Warn("NATS cannot "+what+" yet: trying again", "err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}
