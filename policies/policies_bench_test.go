package policies_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/plugins"
	"github.com/open-policy-agent/opa/v1/server"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	detection "github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/policies"
)

// benchRegistry is a realistic registry: three protocols, one of each
// kind of contract the shipped policies act on.
var benchRegistry = map[string]any{"protocols": map[string]any{
	"demo": map[string]any{
		"chain_id": 1, "min_confidence": 0.8, "approval_min_confidence": 0.6,
		"roles": map[string]any{"operator": "OPERATOR_ROLE", "pauser": "PAUSER_ROLE"},
		"contracts": map[string]any{
			"vault":  map[string]any{"address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "pausable": true, "access_control": true},
			"bridge": map[string]any{"address": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", "bridge": true, "access_control": true, "outflow_threshold": "100000000000000000000", "outflow_window_seconds": 600},
			"router": map[string]any{"address": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", "blocklist": true},
		},
	},
	"lend": map[string]any{
		"chain_id": 10, "contracts": map[string]any{
			"pool": map[string]any{"address": "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", "pausable": true},
		},
	},
	"wallet": map[string]any{
		"chain_id": 8453, "contracts": map[string]any{
			"registry": map[string]any{"address": "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9", "blocklist": true},
		},
	},
}}

const attacker = "0x70997970C51812DC3A010c7D01b50E20D6dC79c8"

func benchEvent(b *testing.B, id, severity string, conf float64, alert, protocol string, chain int, extra string) map[string]any {
	b.Helper()
	src := fmt.Sprintf(`{"id":%q,"source":"forta","chain_id":%d,"severity":%q,"confidence":%v,"alert_type":%q,"protocol":%q,"timestamp":"2026-11-25T10:00:00Z"%s}`,
		id, chain, severity, conf, alert, protocol, extra)
	ev, err := detection.Decode([]byte(src))
	if err != nil {
		b.Fatal(err)
	}
	return ev.Input()
}

// nonMatching is the everyday traffic: alerts no shipped policy acts on.
func nonMatching(b *testing.B) []map[string]any {
	return []map[string]any{
		benchEvent(b, "n1", "low", 0.95, "exploit", "demo", 1, ""),
		benchEvent(b, "n2", "info", 0.99, "large-transfer", "demo", 1, `,"metadata":{"amount":"5000"}`),
		benchEvent(b, "n3", "critical", 0.4, "exploit", "lend", 10, ""),
		benchEvent(b, "n4", "critical", 0.95, "exploit", "elsewhere", 1, ""),
		benchEvent(b, "n5", "critical", 0.95, "exploit", "demo", 137, ""),
		benchEvent(b, "n6", "medium", 0.9, "compromised-key", "demo", 1, `,"metadata":{"role":"operator","account":"`+attacker+`"}`),
		benchEvent(b, "n7", "high", 0.9, "anomalous-outflow", "demo", 1, `,"metadata":{"amount":"99000000000000000000","window_seconds":300}`),
		benchEvent(b, "n8", "high", 0.9, "governance-proposal", "wallet", 8453, `,"addresses":["`+attacker+`"]`),
	}
}

// matching is incident traffic: each alert makes a shipped policy act.
func matching(b *testing.B) []map[string]any {
	return []map[string]any{
		benchEvent(b, "m1", "critical", 0.95, "exploit", "demo", 1, ""),
		benchEvent(b, "m2", "high", 0.95, "compromised-key", "demo", 1, `,"metadata":{"role":"operator","account":"`+attacker+`"}`),
		benchEvent(b, "m3", "high", 0.9, "anomalous-outflow", "demo", 1, `,"metadata":{"amount":"250000000000000000000","window_seconds":300}`),
		benchEvent(b, "m4", "critical", 0.97, "phishing-drainer", "wallet", 8453, `,"addresses":["`+attacker+`"]`),
		benchEvent(b, "m5", "critical", 0.7, "exploit", "demo", 1, ""),
		benchEvent(b, "m6", "critical", 0.99, "attack", "lend", 10, ""),
	}
}

func loadShipped(b *testing.B) *policies.Evaluator {
	b.Helper()
	ev, err := policies.Load(context.Background(), policies.Shipped(), benchRegistry)
	if err != nil {
		b.Fatal(err)
	}
	return ev
}

// BenchmarkDecisionsPerSecond is the shipped library's throughput on all
// cores (GOMAXPROCS), for everyday traffic and for incidents.
func BenchmarkDecisionsPerSecond(b *testing.B) {
	ev := loadShipped(b)
	for _, mix := range []struct {
		name   string
		inputs func(*testing.B) []map[string]any
		acts   bool
	}{{"non-matching", nonMatching, false}, {"matching", matching, true}} {
		b.Run(mix.name, func(b *testing.B) {
			inputs := mix.inputs(b)
			for _, in := range inputs {
				d, err := ev.Decide(context.Background(), in)
				if err != nil {
					b.Fatal(err)
				}
				if (len(d.Actions) > 0) != mix.acts {
					b.Fatalf("event %v: %d actions; the mix is wrong", in["id"], len(d.Actions))
				}
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				i := 0
				for pb.Next() {
					if _, err := ev.Decide(ctx, inputs[i%len(inputs)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			b.StopTimer()
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			// CPU seconds used, not wall time: on a shared machine the wall
			// clock measures the neighbours too.
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "decisions/cpu-s")
		})
	}
}

// BenchmarkInProcessVsOPAREST decides the same event with the same
// policies and registry in-process and through OPA's REST API (OPA's own
// server package, on a loopback TCP port), one decision at a time, and
// reports the latency percentiles of each.
func BenchmarkInProcessVsOPAREST(b *testing.B) {
	ctx := context.Background()
	ev := loadShipped(b)
	url := startOPAServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	for _, tc := range []struct {
		name    string
		input   map[string]any
		actions int
	}{
		{"critical-exploit", matching(b)[0], 1},
		{"non-matching", nonMatching(b)[0], 0},
	} {
		inProcess := func() error {
			_, err := ev.Decide(ctx, tc.input)
			return err
		}
		rest := func() error {
			body, err := json.Marshal(map[string]any{"input": tc.input})
			if err != nil {
				return err
			}
			resp, err := client.Post(url+"/v1/data/firebreak/decision", "application/json", bytes.NewReader(body))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var out struct {
				Result *struct {
					Actions []policies.ActionRequest `json:"actions"`
				} `json:"result"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK || out.Result == nil || len(out.Result.Actions) != tc.actions {
				return fmt.Errorf("OPA answered %d with %+v", resp.StatusCode, out.Result)
			}
			return nil
		}
		b.Run(tc.name+"/in-process", func(b *testing.B) {
			b.ReportAllocs()
			reportLatency(b, inProcess)
		})
		b.Run(tc.name+"/opa-rest-loopback", func(b *testing.B) {
			b.ReportAllocs()
			restP50 := reportLatency(b, rest)
			// The same run measures the in-process path again, so the
			// ratio compares figures taken under the same machine load.
			samples := make([]time.Duration, 2000)
			for i := range samples {
				start := time.Now()
				if err := inProcess(); err != nil {
					b.Fatal(err)
				}
				samples[i] = time.Since(start)
			}
			slices.Sort(samples)
			b.ReportMetric(float64(restP50)/float64(samples[len(samples)/2]), "x-in-process-faster-p50")
		})
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportLatency runs op b.N times and reports its p50 and p99 in µs.
func reportLatency(b *testing.B, op func() error) time.Duration {
	b.Helper()
	samples := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	b.StopTimer()
	// CPU per decision (client and server are both in this process) is
	// the figure a loaded machine does not distort.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	slices.Sort(samples)
	p50, p99 := samples[len(samples)/2], samples[len(samples)*99/100]
	b.ReportMetric(float64(p50.Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99-µs")
	return p50
}

// startOPAServer serves the shipped policies and benchRegistry with OPA's
// REST server on a loopback port and returns its URL.
func startOPAServer(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	store := inmem.NewFromObject(benchRegistry)
	m, err := plugins.New([]byte{}, "bench", store)
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Stop(ctx) })
	s, err := server.New().WithStore(store).WithManager(m).Init(ctx)
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler)
	b.Cleanup(hs.Close)
	files, err := policies.ReadFS(policies.Shipped())
	if err != nil {
		b.Fatal(err)
	}
	// OPA compiles on every PUT: the library the others call goes first.
	names := slices.Sorted(maps.Keys(files))
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(dirDepth(b), dirDepth(a)) })
	for _, name := range names {
		src := files[name]
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}
		req, _ := http.NewRequest(http.MethodPut, hs.URL+"/v1/policies/"+name, bytes.NewReader(src))
		resp, err := hs.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("PUT %s: %d %s", name, resp.StatusCode, msg)
		}
	}
	return hs.URL
}

func dirDepth(p string) int { return strings.Count(p, "/") }
