package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/config"
)

// BenchmarkWebhookIngress posts distinct, signed OpenZeppelin Monitor raw-mode
// webhooks (about 700 bytes each) to the ingress over real loopback HTTP with
// keep-alive, from a fixed number of concurrent senders, against a real nats-server
// with the DETECTIONS stream on file storage (the in-process connection the engine
// uses). Each request is verified (HMAC-SHA256), adapted, published with the
// stream's ack, and answered 200. It reports the time from just before each POST to
// its 200 (p50, p99) and the webhooks per second sustained over the whole run (at
// least 20,000 requests). The signatures are made before the clock starts: the
// senders' cost is the HTTP client's. GOGC is 400, as firebreak serve runs it.
// It also reports the process's CPU time per webhook (ingress, nats-server and
// senders together), which other load on the machine does not change much: 2 cores
// sustain at most 2,000,000 / cpu_us webhooks per second.
// Goal on 2 cores: p99 ≤ 5 ms and ≥ 5,000 webhooks/s.
func BenchmarkWebhookIngress(b *testing.B) {
	for _, senders := range []int{4, 16} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) { benchIngress(b, senders) })
	}
}

func benchIngress(b *testing.B, senders int) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	e := newEnv(b, config.IngressOptions{Listen: "127.0.0.1:0"}, nil, nil)
	if err := e.srv.Listen(); err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx) }()
	defer func() { stop(); <-done }()

	n := max(b.N, 20000)
	type req struct {
		body   []byte
		header http.Header
	}
	e.now = time.Now()
	reqs := make([]req, n)
	for i := range reqs {
		body := ozBody(1_000_000 + i)
		reqs[i] = req{body, ozHeaders(testSecret, body, e.now)}
	}
	url := e.srv.URL() + "/v1/alerts/oz"
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: senders, MaxIdleConnsPerHost: senders}}
	post := func(r req) (time.Duration, error) {
		hr, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(r.body))
		if err != nil {
			return 0, err
		}
		hr.Header = r.header.Clone()
		start := time.Now()
		res, err := client.Do(hr)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		took := time.Since(start)
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d", res.StatusCode)
		}
		return took, nil
	}
	// Warm the connections up outside the measured span.
	var warm sync.WaitGroup
	for i := range senders {
		warm.Go(func() {
			body := ozBody(i)
			if _, err := post(req{body, ozHeaders(testSecret, body, e.now)}); err != nil {
				b.Error(err)
			}
		})
	}
	warm.Wait()

	lat := make([]time.Duration, n)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for range senders {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				d, err := post(reqs[i])
				if err != nil {
					failed.Store(err)
					return
				}
				lat[i] = d
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	if got := e.subjectCount("detections.oz"); got != uint64(n+senders) {
		b.Fatalf("the stream holds %d events, want %d", got, n+senders)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(pctMS(lat, 50), "p50_ms")
	b.ReportMetric(pctMS(lat, 99), "p99_ms")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "webhooks/s")
	b.ReportMetric(float64(n), "requests")
	// The process's CPU time per webhook: ingress, nats-server and the senders
	// together (all in this process), whatever else the machine runs. 2 cores give
	// at most 2 s of it per second.
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu_us/webhook")
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pctMS(d []time.Duration, p int) float64 {
	i := min(max((len(d)*p+99)/100-1, 0), len(d)-1)
	return float64(d[i].Microseconds()) / 1000
}
