package audit

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// seedStream writes n valid, chained records spread over events (record
// j belongs to event j mod events, so each event's records are scattered
// over the whole stream: the worst case for finding them).
func seedStream(b *testing.B, js jetstream.JetStream, n, events int) {
	b.Helper()
	ctx := context.Background()
	if _, err := EnsureStream(ctx, js, 1); err != nil {
		b.Fatal(err)
	}
	now := fixedClock()
	prev := genesis
	var pending []jetstream.PubAckFuture
	for j := 1; j <= n; j++ {
		ev := fmt.Sprintf("forta-0x%08x", j%events)
		data, _ := encodeData(map[string]any{"reason": "reentrancy drain in progress", "step": j}, nil)
		r := Record{Seq: uint64(j), Prev: prev, Time: now(), Kind: KindSent, EventID: ev, Protocol: "demo", Data: data}
		if err := r.seal(nil); err != nil {
			b.Fatal(err)
		}
		body, _ := r.Encode()
		f, err := js.PublishMsgAsync(&nats.Msg{Subject: Subject(ev, r.Kind), Data: body})
		if err != nil {
			b.Fatal(err)
		}
		pending = append(pending, f)
		prev = r.Hash
		if len(pending) == 4000 || j == n {
			for _, f := range pending {
				select {
				case <-f.Ok():
				case err := <-f.Err():
					b.Fatal(err)
				}
			}
			pending = pending[:0]
		}
	}
}

func reportPercentiles(b *testing.B, samples []time.Duration) {
	slices.Sort(samples)
	at := func(p float64) float64 {
		return float64(samples[int(p*float64(len(samples)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(samples[len(samples)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkListEvent100k measures `audit list --event` on a stream of
// 100,000 records: the story of one event out of 10,000 (ten records each), looked up by
// subject, not by scanning. "connect" includes dialing NATS and opening
// the stream, as the CLI does each time.
func BenchmarkListEvent100k(b *testing.B) {
	const records, events = 100_000, 10_000
	js, url := startJetStream(b)
	start := time.Now()
	seedStream(b, js, records, events)
	b.Logf("seeded %d records in %s", records, time.Since(start))
	ctx := context.Background()
	rd, err := NewReader(ctx, js)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("reader", func(b *testing.B) {
		var samples []time.Duration
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			recs, err := rd.List(ctx, Filter{EventID: fmt.Sprintf("forta-0x%08x", (i*7919)%events)})
			samples = append(samples, time.Since(start))
			if err != nil || len(recs) != 10 {
				b.Fatalf("%d records, %v; want 10", len(recs), err)
			}
		}
		reportPercentiles(b, samples)
	})
	b.Run("connect", func(b *testing.B) {
		var samples []time.Duration
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			nc, err := nats.Connect(url)
			if err != nil {
				b.Fatal(err)
			}
			js2, _ := jetstream.New(nc)
			rd2, err := NewReader(ctx, js2)
			if err != nil {
				b.Fatal(err)
			}
			recs, err := rd2.List(ctx, Filter{EventID: fmt.Sprintf("forta-0x%08x", (i*104729)%events)})
			samples = append(samples, time.Since(start))
			nc.Close()
			if err != nil || len(recs) != 10 {
				b.Fatalf("%d records, %v; want 10", len(recs), err)
			}
		}
		reportPercentiles(b, samples)
	})
}

// BenchmarkVerify100k walks and checks a chain of 100,000 records.
func BenchmarkVerify100k(b *testing.B) {
	const records = 100_000
	js, _ := startJetStream(b)
	seedStream(b, js, records, 10_000)
	ctx := context.Background()
	rd, err := NewReader(ctx, js)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := rd.Verify(ctx, VerifyOptions{})
		if err != nil || rep.Records != records {
			b.Fatalf("Verify = %+v, %v", rep, err)
		}
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkAppend measures one append: encode, hash, sign, publish with
// the expected last sequence, wait for the server's ack.
func BenchmarkAppend(b *testing.B) {
	js, _ := startJetStream(b)
	opts := DefaultOptions()
	opts.Key = testKey()
	l, err := NewLog(context.Background(), js, opts, discard())
	if err != nil {
		b.Fatal(err)
	}
	var samples []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := l.Append(context.Background(), Entry{Kind: KindDecision, EventID: "ev", Data: map[string]any{"rules": []string{"exploit_pause"}}}); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	reportPercentiles(b, samples)
}
