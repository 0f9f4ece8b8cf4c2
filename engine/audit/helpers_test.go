package audit

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// startJetStream starts a real embedded nats-server with JetStream in a
// temporary folder and returns a JetStream context on it and its URL.
func startJetStream(tb testing.TB) (jetstream.JetStream, string) {
	tb.Helper()
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: tb.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, discard())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Shutdown)
	return connect(tb, srv.ClientURL()), srv.ClientURL()
}

func connect(tb testing.TB, url string) jetstream.JetStream {
	tb.Helper()
	nc, err := ingest.Dial(url, tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testKey is a fixed audit key, so fixtures are reproducible.
func testKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	return ed25519.NewKeyFromSeed(seed)
}

// fixedClock ticks one millisecond per reading from a fixed start.
func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Millisecond)
		return t
	}
}

// buildChain seals n records in memory, without NATS, as a Log would.
func buildChain(tb testing.TB, n int, key ed25519.PrivateKey) [][]byte {
	tb.Helper()
	now := fixedClock()
	prev := genesis
	var lines [][]byte
	kinds := []Kind{KindReceived, KindDecision, KindGuard, KindPlanned, KindSigned, KindSent, KindMined}
	for i := 1; i <= n; i++ {
		data, err := encodeData(map[string]any{"reason": "step", "i": i}, nil)
		if err != nil {
			tb.Fatal(err)
		}
		r := Record{Seq: uint64(i), Prev: prev, Time: now(), Kind: kinds[(i-1)%len(kinds)], EventID: "ev-1", Protocol: "demo", Data: data}
		if err := r.seal(key); err != nil {
			tb.Fatal(err)
		}
		b, err := r.Encode()
		if err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, b)
		prev = r.Hash
	}
	return lines
}

func ctxT(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}
