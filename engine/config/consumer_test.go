package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestConsumerSettings(t *testing.T) {
	tests := []struct {
		name, yaml string
		wantErr    string // empty: valid
	}{
		{"defaults", "", ""},
		{"all set", "ingest: {max_event_age: 10m, ack_wait: 30s, handle_timeout: 20s, workers: 16, retry_delay: 100ms, max_retry_delay: 5s}", ""},
		{"one worker", "ingest: {workers: 1}", ""},
		{"most workers", "ingest: {workers: 256}", ""},
		{"handle timeout past ack wait", "ingest: {ack_wait: 10s, handle_timeout: 1m}", ""},

		{"negative workers", "ingest: {workers: -1}", "ingest.workers: -1 is not from 1 to 256"},
		{"too many workers", "ingest: {workers: 257}", "ingest.workers: 257"},
		{"tiny ack wait", "ingest: {ack_wait: 100ms}", "ingest.ack_wait: 100ms is not a duration from 1s to 1h"},
		{"huge ack wait", "ingest: {ack_wait: 2h}", "ingest.ack_wait"},
		{"negative handle timeout", "ingest: {handle_timeout: -1s}", "ingest.handle_timeout"},
		{"handle timeout past max age", "ingest: {max_event_age: 1m, handle_timeout: 2m}", "is not shorter than ingest.max_event_age"},
		{"default handle timeout past max age", "ingest: {max_event_age: 20s}", "ingest.handle_timeout: 30s is not shorter"},
		{"tiny retry delay", "ingest: {retry_delay: 1ms}", "ingest.retry_delay: 1ms"},
		{"max retry below first", "ingest: {retry_delay: 10s, max_retry_delay: 1s}", "ingest.max_retry_delay: 1s is shorter than ingest.retry_delay 10s"},
		{"max retry past max age", "ingest: {max_event_age: 1m, handle_timeout: 10s, max_retry_delay: 2m}", "an event would go stale between two attempts"},
		{"not a duration", "ingest: {ack_wait: soon}", "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(validConfig + tt.yaml + "\n"))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
			if !errors.Is(err, ErrConfig) && !strings.Contains(tt.name, "duration") {
				t.Errorf("err = %v does not wrap ErrConfig", err)
			}
		})
	}
}

func TestConsumerDefaults(t *testing.T) {
	var i IngestOptions
	first, most := i.ConsumerRetryDelays()
	if i.ConsumerAckWait() != time.Minute || i.ConsumerHandleTimeout() != 30*time.Second || i.ConsumerWorkers() != 8 ||
		first != 500*time.Millisecond || most != 30*time.Second {
		t.Fatalf("defaults: ack %v handle %v workers %d retry %v..%v", i.ConsumerAckWait(), i.ConsumerHandleTimeout(), i.ConsumerWorkers(), first, most)
	}
	i = IngestOptions{AckWait: 5 * time.Second, Workers: 3}
	if i.ConsumerAckWait() != 5*time.Second || i.ConsumerWorkers() != 3 {
		t.Fatal("set values are not used")
	}
}
