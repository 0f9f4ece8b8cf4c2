package config

import "time"

// Defaults of the consumer's settings (ingest.*).
const (
	DefaultAckWait       = 60 * time.Second
	DefaultHandleTimeout = 30 * time.Second
	DefaultWorkers       = 8
	MaxWorkers           = 256
	DefaultRetryDelay    = 500 * time.Millisecond
	DefaultMaxRetryDelay = 30 * time.Second
)

// ConsumerAckWait is ingest.ack_wait, or its default: how long the server
// waits for an engine that stopped answering before it redelivers its
// messages. A running engine keeps the messages it holds alive (InProgress
// every third of it), so this does not bound handling.
func (i IngestOptions) ConsumerAckWait() time.Duration { return orDefault(i.AckWait, DefaultAckWait) }

// ConsumerHandleTimeout is ingest.handle_timeout, or its default: the
// longest one event's handling may take before it is retried.
func (i IngestOptions) ConsumerHandleTimeout() time.Duration {
	return orDefault(i.HandleTimeout, DefaultHandleTimeout)
}

// ConsumerWorkers is ingest.workers, or its default.
func (i IngestOptions) ConsumerWorkers() int {
	if i.Workers == 0 {
		return DefaultWorkers
	}
	return i.Workers
}

// ConsumerRetryDelays are ingest.retry_delay and max_retry_delay, or their
// defaults.
func (i IngestOptions) ConsumerRetryDelays() (first, most time.Duration) {
	return orDefault(i.RetryDelay, DefaultRetryDelay), orDefault(i.MaxRetryDelay, DefaultMaxRetryDelay)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// validateConsumer checks the consumer's settings against each other and
// max_event_age, which bounds how long a transient failure is retried.
func (i IngestOptions) validateConsumer() error {
	age := i.EventMaxAge()
	first, most := i.ConsumerRetryDelays()
	switch {
	case i.AckWait < 0 || (i.AckWait > 0 && (i.AckWait < time.Second || i.AckWait > time.Hour)):
		return Errorf("ingest.ack_wait: %v is not a duration from 1s to 1h", i.AckWait)
	case i.HandleTimeout < 0 || (i.HandleTimeout > 0 && (i.HandleTimeout < time.Second || i.HandleTimeout > 10*time.Minute)):
		return Errorf("ingest.handle_timeout: %v is not a duration from 1s to 10m", i.HandleTimeout)
	case i.ConsumerHandleTimeout() >= age:
		return Errorf("ingest.handle_timeout: %v is not shorter than ingest.max_event_age %v: one attempt would use the whole retry budget", i.ConsumerHandleTimeout(), age)
	case i.Workers < 0 || i.Workers > MaxWorkers:
		return Errorf("ingest.workers: %d is not from 1 to %d", i.Workers, MaxWorkers)
	case i.RetryDelay < 0 || (i.RetryDelay > 0 && i.RetryDelay < 10*time.Millisecond):
		return Errorf("ingest.retry_delay: %v is not a duration of at least 10ms", i.RetryDelay)
	case i.MaxRetryDelay < 0:
		return Errorf("ingest.max_retry_delay: %v is negative", i.MaxRetryDelay)
	case most < first:
		return Errorf("ingest.max_retry_delay: %v is shorter than ingest.retry_delay %v", most, first)
	case most > age:
		return Errorf("ingest.max_retry_delay: %v is longer than ingest.max_event_age %v: an event would go stale between two attempts", most, age)
	}
	return nil
}
