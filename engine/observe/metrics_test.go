package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// serve starts the metrics server on a free loopback port until the test
// ends and returns its base URL.
func serve(t *testing.T, reg *prometheus.Registry, h *Health) string {
	t.Helper()
	srv, err := Listen("127.0.0.1:0", NewHandler(reg, h), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return "http://" + srv.Addr()
}

// scrape GETs /metrics over HTTP and parses it with Prometheus' own text
// parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value is the value of the sample of family name whose labels include
// labels (name=value pairs); for a histogram, its count.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric family %s", name)
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.Label {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("no sample of %s with %v", name, labels)
	return 0
}

// exercise calls every hook once, so that every metric has a sample.
func exercise(m *Metrics) {
	t0 := time.Unix(1_800_000_000, 0)
	m.ObserveEvent("forta", OutcomeActed)
	m.DeadLetter("tenderly", "event: field \"confidence\": must be between 0 and 1, got 1.7")
	m.ObserveDecision("demo", 300*time.Microsecond)
	m.ActionPlanned("ev-0", "demo", t0)
	rec := record.Record{Intent: record.Intent{ID: "ev-0", Protocol: "demo", ChainID: 31337}, State: record.Pending, CreatedAt: t0.Add(time.Millisecond)}
	m.ActionChanged(rec)
	rec.State, rec.SentAt = record.Sent, t0.Add(20*time.Millisecond)
	m.ActionChanged(rec)
	rec.State = record.Included
	m.ActionChanged(rec)
	rec.State, rec.MinedAt = record.Mined, t0.Add(1500*time.Millisecond)
	m.ActionChanged(rec)
	m.ActionChanged(record.Record{Intent: record.Intent{ID: "ev-1", Protocol: "demo", ChainID: 31337}, State: record.Signed, CreatedAt: t0})
	m.SetSubmitStats(func() submit.Stats {
		return submit.Stats{Sent: 4, Bumps: 3, CapBlocked: 2, Resigned: 1, Replaced: 3, Reorgs: 1, NonceResyncs: 5, HolesFilled: 1}
	})
	m.SetPolicyStatus(func() decide.PolicyStatus { return decide.PolicyStatus{Revision: "abc123", Reloads: 2, Failures: 1} })
	m.SetAuditQueue(func() int { return 7 })
	m.SetLeases(func() []Lease {
		return []Lease{{Chain: 31337, Sender: common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), Held: true}}
	})
	m.AuditRecordLost()
	m.SetAuditUsage(0.42)
	m.SetKillSwitch(true)
	m.ObserveReadiness(Report{At: t0, OK: false, Findings: []Finding{
		{Protocol: "demo", Check: CheckCall, Status: StatusFail}, {Protocol: "demo", Check: CheckCode, Status: StatusOK}, {ChainID: 31337, Check: CheckHead, Status: StatusOK},
	}})
	m.observeReady(ReadyReport{Probes: []string{"nats", "chain/31337"}, NotReady: []ProbeResult{{Probe: "chain/31337"}}})
}

func TestMetricsScrapedOverHTTP(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	exercise(m)
	fams := scrape(t, serve(t, reg, nil))

	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"firebreak_events_total", []string{"source", "forta", "outcome", "acted"}, 1},
		{"firebreak_events_total", []string{"source", "tenderly", "outcome", "dead_letter"}, 1},
		{"firebreak_dead_letters_total", []string{"reason", "invalid"}, 1},
		{"firebreak_decision_duration_seconds", []string{"protocol", "demo"}, 1},
		{"firebreak_event_to_broadcast_seconds", []string{"chain", "31337"}, 1},
		{"firebreak_event_to_inclusion_seconds", []string{"chain", "31337"}, 1},
		{"firebreak_actions_total", []string{"protocol", "demo", "state", "mined"}, 1},
		{"firebreak_actions_total", []string{"protocol", "demo", "state", "sent"}, 1},
		{"firebreak_actions_in_flight", []string{"state", "sent"}, 0},
		{"firebreak_actions_in_flight", []string{"state", "signed"}, 1},
		{"firebreak_transactions_sent_total", nil, 4},
		{"firebreak_fee_bumps_total", nil, 3},
		{"firebreak_fee_cap_blocks_total", nil, 2},
		{"firebreak_resigns_total", nil, 1},
		{"firebreak_replaced_attempts_total", nil, 3},
		{"firebreak_reorgs_total", nil, 1},
		{"firebreak_nonce_rereads_total", nil, 5},
		{"firebreak_nonce_holes_filled_total", nil, 1},
		{"firebreak_lease_held", []string{"chain", "31337", "sender", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}, 1},
		{"firebreak_audit_queue_depth", nil, 7},
		{"firebreak_audit_records_lost_total", nil, 1},
		{"firebreak_audit_stream_usage_ratio", nil, 0.42},
		{"firebreak_policy_info", []string{"revision", "abc123"}, 1},
		{"firebreak_policy_reloads_total", nil, 2},
		{"firebreak_policy_reload_failures_total", nil, 1},
		{"firebreak_kill_switch_engaged", nil, 1},
		{"firebreak_readiness_findings", []string{"protocol", "demo", "check", "call", "status", "fail"}, 1},
		{"firebreak_readiness_findings", []string{"protocol", "none", "check", "head", "status", "ok"}, 1},
		{"firebreak_readiness_ok", nil, 0},
		{"firebreak_readiness_last_run_timestamp_seconds", nil, 1_800_000_000},
		{"firebreak_ready", []string{"probe", "nats"}, 1},
		{"firebreak_ready", []string{"probe", "chain/31337"}, 0},
	}
	for _, c := range checks {
		if got := value(t, fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// The histograms measured from the event's arrival, not the record's.
	h := fams["firebreak_event_to_broadcast_seconds"].Metric[0].Histogram
	if got := h.GetSampleSum(); got < 0.0199 || got > 0.0201 {
		t.Errorf("event→broadcast sum %v, want 0.02", got)
	}
	if got := fams["firebreak_event_to_inclusion_seconds"].Metric[0].Histogram.GetSampleSum(); got != 1.5 {
		t.Errorf("event→inclusion sum %v, want 1.5", got)
	}
}

// Every metric follows firebreak_<noun>_<unit>: _total counters, _seconds
// histograms; and every one is documented on docs/observability.md.
func TestMetricNamesAndDocs(t *testing.T) {
	reg := prometheus.NewRegistry()
	exercise(NewMetrics(reg))
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	doc := readRepoFile(t, "docs/observability.md")
	for _, f := range fams {
		name := f.GetName()
		switch {
		case !strings.HasPrefix(name, "firebreak_"):
			t.Errorf("%s: not firebreak_<noun>_<unit>", name)
		case f.GetType() == dto.MetricType_COUNTER && !strings.HasSuffix(name, "_total"):
			t.Errorf("counter %s does not end in _total", name)
		case f.GetType() == dto.MetricType_HISTOGRAM && !strings.HasSuffix(name, "_seconds"):
			t.Errorf("histogram %s does not end in _seconds", name)
		case f.GetType() != dto.MetricType_COUNTER && strings.HasSuffix(name, "_total"):
			t.Errorf("%s ends in _total but is a %s", name, f.GetType())
		}
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("docs/observability.md does not list %s", name)
		}
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if strings.Contains(l.GetName(), "id") {
					t.Errorf("%s has an id label %s", name, l.GetName())
				}
			}
		}
	}
	if len(fams) < 27 {
		t.Errorf("only %d metric families", len(fams))
	}
}

func TestLabelsAreBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	for i := range 500 {
		m.ObserveEvent(fmt.Sprintf("detector-%d", i), OutcomeNoAction)
		m.ObserveDecision(fmt.Sprintf("protocol-%d", i), time.Millisecond)
	}
	m.ObserveEvent(strings.Repeat("x", 1000), OutcomeNoAction)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if n := len(f.Metric); n > maxLabelValues+1 {
			t.Errorf("%s has %d series", f.GetName(), n)
		}
		for _, s := range f.Metric {
			for _, l := range s.Label {
				if len(l.GetValue()) > maxLabelLen {
					t.Errorf("%s label %s is %d bytes", f.GetName(), l.GetName(), len(l.GetValue()))
				}
			}
		}
	}
	reg2 := prometheus.NewRegistry()
	m2 := NewMetrics(reg2)
	for i := range 500 {
		m2.ObserveEvent(fmt.Sprintf("detector-%d", i), OutcomeNoAction)
	}
	fams2, _ := reg2.Gather()
	for _, f := range fams2 {
		if f.GetName() == "firebreak_events_total" {
			for _, s := range f.Metric {
				for _, l := range s.Label {
					if l.GetValue() == otherLabel && s.Counter.GetValue() != 500-maxLabelValues {
						t.Errorf("other = %v", s.Counter.GetValue())
					}
				}
			}
		}
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	exercise(m) // must not panic
}

func TestReadyzFlipsWithItsProbes(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	var natsUp, chainUp atomic.Bool
	h := NewHealth(m,
		Probe{Name: "nats", Check: func(context.Context) error {
			if !natsUp.Load() {
				return errors.New("not connected to NATS (reconnecting)")
			}
			return nil
		}},
		Probe{Name: "consumer", Check: func(context.Context) error { return nil }},
	)
	h.Add(Probe{Name: "chain/31337", Check: func(ctx context.Context) error {
		if !chainUp.Load() {
			<-ctx.Done() // a node that never answers
			return ctx.Err()
		}
		return nil
	}})
	h.timeout = 200 * time.Millisecond
	base := serve(t, reg, h)

	get := func() (int, ReadyReport) {
		t.Helper()
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep ReadyReport
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, rep
	}
	code, rep := get()
	if code != http.StatusServiceUnavailable || rep.Ready || len(rep.NotReady) != 2 ||
		rep.NotReady[0].Probe != "nats" || rep.NotReady[0].Reason != "not connected to NATS (reconnecting)" || rep.NotReady[1].Probe != "chain/31337" {
		t.Fatalf("%d %+v", code, rep)
	}
	if v := value(t, scrape(t, base), "firebreak_ready", "probe", "nats"); v != 0 {
		t.Errorf("firebreak_ready{nats} = %v", v)
	}
	natsUp.Store(true)
	if code, rep = get(); code != http.StatusServiceUnavailable || len(rep.NotReady) != 1 || rep.NotReady[0].Probe != "chain/31337" {
		t.Fatalf("%d %+v", code, rep)
	}
	chainUp.Store(true)
	if code, rep = get(); code != http.StatusOK || !rep.Ready || len(rep.NotReady) != 0 || len(rep.Probes) != 3 {
		t.Fatalf("%d %+v", code, rep)
	}
	if v := value(t, scrape(t, base), "firebreak_ready", "probe", "chain/31337"); v != 1 {
		t.Errorf("firebreak_ready{chain} = %v", v)
	}
	natsUp.Store(false)
	if code, _ = get(); code != http.StatusServiceUnavailable {
		t.Fatalf("NATS gone, /readyz %d", code)
	}

	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("/healthz %d %q", resp.StatusCode, body)
	}
	resp, err = http.Post(base+"/metrics", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d", resp.StatusCode)
	}
}

func TestReadyzWithoutProbesIsNotReady(t *testing.T) {
	base := serve(t, prometheus.NewRegistry(), NewHealth(nil))
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%d", resp.StatusCode)
	}
}

func TestServerTimeouts(t *testing.T) {
	srv, err := Listen("127.0.0.1:0", http.NotFoundHandler(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.ln.Close()
	s := srv.srv
	if s.ReadHeaderTimeout == 0 || s.ReadTimeout == 0 || s.WriteTimeout == 0 || s.IdleTimeout == 0 {
		t.Fatalf("timeouts not all set: %+v", s)
	}
}

func TestDeadLetterClass(t *testing.T) {
	tests := []struct{ reason, want string }{
		{`event: field "confidence": must be between 0 and 1, got 1.7`, ReasonInvalid},
		{"event: invalid: unexpected end of JSON input", ReasonInvalid},
		{"gave up after 10 deliveries: engine: reading the head: timeout", ReasonMaxDeliveries},
		{"forta: signature does not verify", ReasonUnauthenticated},
		{"event is stale: 2h old", ReasonStale},
		{"unknown route \"x\"", ReasonUnsupported},
		{"policy: something else went wrong", ReasonHandler},
	}
	for _, tt := range tests {
		if got := DeadLetterClass(tt.reason); got != tt.want {
			t.Errorf("DeadLetterClass(%q) = %q, want %q", tt.reason, got, tt.want)
		}
	}
}

func TestOutcomeOf(t *testing.T) {
	v := func(o guard.Outcome) decide.ActionOutcome {
		return decide.ActionOutcome{Verdict: guard.Verdict{Outcome: o}}
	}
	d := &decide.Decision{}
	tests := []struct {
		name string
		out  decide.Outcome
		want string
	}{
		{"policy error", decide.Outcome{DecisionError: "boom"}, OutcomePolicyError},
		{"nothing asked", decide.Outcome{Decision: d}, OutcomeNoAction},
		{"acted", decide.Outcome{Decision: d, Actions: []decide.ActionOutcome{v(guard.Refused), v(guard.Allowed)}}, OutcomeActed},
		{"noop", decide.Outcome{Decision: d, Actions: []decide.ActionOutcome{v(guard.NoOp), v(guard.NoOp)}}, OutcomeNoOp},
		{"refused", decide.Outcome{Decision: d, Actions: []decide.ActionOutcome{v(guard.NoOp), v(guard.Refused)}}, OutcomeRefused},
		{"approval", decide.Outcome{Decision: d, Actions: []decide.ActionOutcome{{Verdict: guard.Verdict{Outcome: guard.Allowed}, Approval: "ap-1"}}}, OutcomeApproval},
	}
	for _, tt := range tests {
		tt.out.Event = event.Event{Source: "forta"}
		if got := OutcomeOf(tt.out); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
