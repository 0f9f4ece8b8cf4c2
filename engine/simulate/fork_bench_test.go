package simulate

import (
	"context"
	"testing"
	"time"
)

// BenchmarkOpenFork measures opening a fork of a local "live" anvil that
// runs the demo protocol: probe, then (anvil) start a forking anvil and wait
// until it answers. Reported as startup_ms per fork.
func BenchmarkOpenFork(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l := startLive(b, ctx)
	for _, method := range []Method{MethodAnvil, MethodSimulateV1} {
		b.Run(string(method), func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				f, err := OpenFork(ctx, ForkOptions{URL: l.anvil.URL(), Method: method, AnvilBin: anvilBin(b)})
				if err != nil {
					b.Fatal(err)
				}
				total += f.StartupTime()
				f.Close()
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "startup_ms")
		})
	}
}

// BenchmarkForkRun measures simulating one pause with its post-condition
// on an open fork (a fresh fork each time, outside the timer, because
// state accumulates).
func BenchmarkForkRun(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l := startLive(b, ctx)
	for _, method := range []Method{MethodAnvil, MethodSimulateV1, MethodCall} {
		b.Run(string(method), func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				f, err := OpenFork(ctx, ForkOptions{URL: l.anvil.URL(), Method: method, AnvilBin: anvilBin(b)})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				res, err := f.Run(ctx, []Action{pauseAction(l, l.guardian)})
				total += time.Since(start)
				b.StopTimer()
				f.Close()
				b.StartTimer()
				if err != nil || !res.OK {
					b.Fatalf("%v %+v", err, res)
				}
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "run_ms")
		})
	}
}
