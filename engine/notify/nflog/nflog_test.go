package nflog_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/notify/nflog"
)

// TestLogOutlivesItsWriter: what one process recorded, another (a restart,
// a replica) reads; a sent entry is not replaced by a late failure.
func TestLogOutlivesItsWriter(t *testing.T) {
	srv := natstest.Server(t)
	open := func() (*nflog.Log, *nats.Conn) {
		nc, err := nats.Connect(srv.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		l, err := nflog.Open(context.Background(), js, 1, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return l, nc
	}
	ctx := context.Background()
	first, nc := open()
	if _, ok, err := first.Get(ctx, "d1"); ok || err != nil {
		t.Fatalf("Get of an unknown delivery = %v, %v", ok, err)
	}
	sent := nflog.Entry{Outcome: nflog.Sent, Channel: "slack", Notification: "incident/i/opened", Attempts: 2, At: time.Unix(1772366400, 0).UTC()}
	if err := first.Record(ctx, "d1", sent); err != nil {
		t.Fatal(err)
	}
	nc.Close()

	second, _ := open()
	if err := second.Record(ctx, "d1", nflog.Entry{Outcome: nflog.Failed, Channel: "slack", Error: "late"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := second.Get(ctx, "d1")
	if err != nil || !ok || got != sent {
		t.Errorf("Get = %+v, %v, %v; want the sent entry", got, ok, err)
	}
	if err := second.Record(ctx, "d2", nflog.Entry{Outcome: nflog.Failed, Channel: "pd", Error: "HTTP 400"}); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := second.Get(ctx, "d2"); !ok || got.Outcome != nflog.Failed || got.Error != "HTTP 400" {
		t.Errorf("failed entry = %+v, %v", got, ok)
	}
}
