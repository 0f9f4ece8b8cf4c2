package test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// /metrics, scraped over HTTP and parsed with Prometheus' own text parser,
// moves as an event is handled; /readyz goes 503 while the chain's node is
// unreachable and back to 200 when it returns.
func TestMetricsAndReadyzEndToEnd(t *testing.T) {
	var g *gate
	s := newStack(t, func(o *config.Options) {
		o.Metrics.Listen = "127.0.0.1:0"
		// The engine reaches anvil through a gate the test can shut.
		hostport := strings.TrimPrefix(o.Chains[0].RPC, "http://")
		g = newGate(t, hostport)
		o.Chains[0].RPC = "http://" + g.addr
	})
	base := "http://" + s.engine.MetricsAddr()
	if s.engine.MetricsAddr() == "" {
		t.Fatal("no metrics server with metrics.listen set")
	}
	before := scrapeMetrics(t, base)
	if n := sampleValue(before, "firebreak_events_total", "outcome", "acted"); n != 0 {
		t.Fatalf("acted events before any event: %v", n)
	}

	ev := criticalExploit("metrics-1")
	s.publish(ev)
	deadline := time.Now().Add(30 * time.Second)
	for !s.paused() {
		if time.Now().After(deadline) {
			t.Fatal("the vault was not paused")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var after map[string]*dto.MetricFamily
	for {
		after = scrapeMetrics(t, base)
		if sampleValue(after, "firebreak_event_to_inclusion_seconds") >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range []struct {
		name   string
		labels []string
	}{
		{"firebreak_events_total", []string{"outcome", "acted"}},
		{"firebreak_transactions_sent_total", nil},
		{"firebreak_decision_duration_seconds", nil},
		{"firebreak_event_to_broadcast_seconds", nil},
		{"firebreak_event_to_inclusion_seconds", nil},
	} {
		if v := sampleValue(after, c.name, c.labels...); v < 1 {
			t.Errorf("%s%v = %v after a handled critical event, want at least 1", c.name, c.labels, v)
		}
	}

	if code, _ := readyz(t, base); code != http.StatusOK {
		t.Fatalf("/readyz = %d with everything up", code)
	}
	g.shut()
	code, body := readyz(t, base)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "chain") {
		t.Fatalf("/readyz = %d %s with the node unreachable, want 503 naming the chain", code, body)
	}
	g.open()
	if code, body := readyz(t, base); code != http.StatusOK {
		t.Fatalf("/readyz = %d %s with the node back", code, body)
	}
}

func scrapeMetrics(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// sampleValue sums the samples of family name whose labels include labels
// (name, value pairs); a histogram counts its observations.
func sampleValue(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f, ok := fams[name]
	if !ok {
		return 0
	}
	var sum float64
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, string(body)
}

// /readyz goes 503 while the engine's external NATS is down and back to 200
// once the server returns and the engine has reconnected.
func TestReadyzFollowsNATS(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	start := func() *ingest.Embedded {
		srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: dir, Host: "127.0.0.1", Port: port, Insecure: true}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start()
	s := newStack(t, func(o *config.Options) {
		o.NATS.URL = srv.ClientURL()
		o.Metrics.Listen = "127.0.0.1:0"
	})
	base := "http://" + s.engine.MetricsAddr()
	if code, body := readyz(t, base); code != http.StatusOK {
		t.Fatalf("/readyz = %d %s with NATS up", code, body)
	}
	srv.Shutdown()
	code, body := readyz(t, base)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "nats") {
		t.Fatalf("/readyz = %d %s with NATS down, want 503 naming nats", code, body)
	}
	srv = start()
	t.Cleanup(srv.Shutdown)
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := readyz(t, base)
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %s 30 s after NATS came back", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
