package observe

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// Event outcomes: the outcome label of firebreak_events_total.
const (
	OutcomeActed       = "acted"        // at least one action was allowed
	OutcomeApproval    = "approval"     // actions wait for Safe owners
	OutcomeNoOp        = "noop"         // everything asked for is in effect already
	OutcomeRefused     = "refused"      // the guard refused what was asked
	OutcomeNoAction    = "no_action"    // the policies asked for nothing
	OutcomePolicyError = "policy_error" // the policies failed: no action, loudly
	OutcomeDuplicate   = "duplicate"    // handled before: not acted on again
	OutcomeDeadLetter  = "dead_letter"  // refused before deciding (see dead letters)
)

// Metrics are firebreak's Prometheus metrics, registered on the registry
// NewMetrics was given (never the global one). Names are
// firebreak_<noun>_<unit>, counters end in _total, durations are
// _seconds histograms, and labels have bounded values: protocol, chain,
// source, state, outcome, reason class; never an event or action id.
//
// The methods are the stages' hooks and are safe for concurrent use; the
// Set* methods connect collectors read at scrape time to counters a stage
// keeps itself (engine/submit's Stats, the policy status, the audit
// queue). A nil *Metrics is valid and records nothing, so a stage may hold
// one unconditionally.
type Metrics struct {
	events      *prometheus.CounterVec
	deadLetters *prometheus.CounterVec
	decision    *prometheus.HistogramVec
	toBroadcast *prometheus.HistogramVec
	toInclusion *prometheus.HistogramVec
	actions     *prometheus.CounterVec
	inFlight    *prometheus.GaugeVec
	auditLost   prometheus.Counter
	auditUsage  prometheus.Gauge
	killSwitch  prometheus.Gauge
	findings    *prometheus.GaugeVec
	readyOK     prometheus.Gauge
	readyAt     prometheus.Gauge
	ready       *prometheus.GaugeVec

	sources, protocols, chains *boundedLabel

	funcs funcs

	mu sync.Mutex
	// tracked are the unfinished actions seen by ActionPlanned or
	// ActionChanged: their last state and when their event arrived.
	tracked map[string]*trackedAction
}

type trackedAction struct {
	state      record.State
	protocol   string
	receivedAt time.Time
	sentSeen   bool
}

// maxTracked bounds the unfinished actions Metrics remembers; past it the
// oldest knowledge is dropped (the gauges of in-flight actions then
// under-count until those actions finish).
const maxTracked = 16384

// Histogram buckets, in seconds.
var (
	// decisionBuckets: 100µs to 3.3s; a decision is microseconds of Rego
	// plus the guard's precondition reads.
	decisionBuckets = prometheus.ExponentialBuckets(0.0001, 2, 16)
	// broadcastBuckets: 5ms to 41s from an event's arrival to the first
	// node accepting its transaction.
	broadcastBuckets = prometheus.ExponentialBuckets(0.005, 2, 14)
	// inclusionBuckets: 50ms to 13.6min, to the block that holds it.
	inclusionBuckets = prometheus.ExponentialBuckets(0.05, 2, 15)
)

// NewMetrics registers firebreak's metrics on reg.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		events: f.NewCounterVec(prometheus.CounterOpts{
			Name: "firebreak_events_total",
			Help: "Detection events handled, by source and outcome (acted, approval, noop, refused, no_action, policy_error, duplicate, dead_letter).",
		}, []string{"source", "outcome"}),
		deadLetters: f.NewCounterVec(prometheus.CounterOpts{
			Name: "firebreak_dead_letters_total",
			Help: "Messages sent to the dead-letter subject, by reason class (invalid, unauthenticated, stale, unsupported, max_deliveries, handler).",
		}, []string{"reason"}),
		decision: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "firebreak_decision_duration_seconds", Buckets: decisionBuckets,
			Help: "Time to decide one event: policy evaluation and the guard's checks, preconditions included.",
		}, []string{"protocol"}),
		toBroadcast: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "firebreak_event_to_broadcast_seconds", Buckets: broadcastBuckets,
			Help: "From an event's arrival to the first broadcast of its action's transaction.",
		}, []string{"chain"}),
		toInclusion: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "firebreak_event_to_inclusion_seconds", Buckets: inclusionBuckets,
			Help: "From an event's arrival to its action's transaction being mined at the configured confirmations.",
		}, []string{"chain"}),
		actions: f.NewCounterVec(prometheus.CounterOpts{
			Name: "firebreak_actions_total",
			Help: "Actions entering each state (pending, signed, sent, included, mined, failed), by protocol.",
		}, []string{"protocol", "state"}),
		inFlight: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "firebreak_actions_in_flight",
			Help: "Unfinished actions by state (pending, signed, sent, included).",
		}, []string{"state"}),
		auditLost: f.NewCounter(prometheus.CounterOpts{
			Name: "firebreak_audit_records_lost_total",
			Help: "Audit records given up on after audit.retry_for (their content is in the error log).",
		}),
		auditUsage: f.NewGauge(prometheus.GaugeOpts{
			Name: "firebreak_audit_stream_usage_ratio",
			Help: "How full the audit stream is, from 0 to 1, against the tighter of audit.max_bytes and the JetStream account's storage limit (0: no limit).",
		}),
		killSwitch: f.NewGauge(prometheus.GaugeOpts{
			Name: "firebreak_kill_switch_engaged",
			Help: "1 while the kill switch is set ('firebreak halt'): no action is taken.",
		}),
		findings: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "firebreak_readiness_findings",
			Help: "Findings of the last readiness check, by protocol (empty for chain-wide ones), check and status (ok, warn, fail).",
		}, []string{"protocol", "check", "status"}),
		readyOK: f.NewGauge(prometheus.GaugeOpts{
			Name: "firebreak_readiness_ok",
			Help: "1 when the last readiness check found no failure: every pauser can pause now.",
		}),
		readyAt: f.NewGauge(prometheus.GaugeOpts{
			Name: "firebreak_readiness_last_run_timestamp_seconds",
			Help: "When the last readiness check ran, in Unix seconds.",
		}),
		ready: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "firebreak_ready",
			Help: "1 when the /readyz probe is ready (nats, consumer, chain/<id>, signer/<name>), as of its last evaluation.",
		}, []string{"probe"}),
		sources: newBoundedLabel(), protocols: newBoundedLabel(), chains: newBoundedLabel(),
		tracked: map[string]*trackedAction{},
	}
	m.funcs.register(reg)
	return m
}

// ObserveEvent counts one event from source with outcome (an Outcome*
// constant).
func (m *Metrics) ObserveEvent(source, outcome string) {
	if m == nil {
		return
	}
	m.events.WithLabelValues(m.sources.value(source), cleanLabel(outcome)).Inc()
}

// ObserveOutcome counts a decided event with the outcome OutcomeOf gives.
func (m *Metrics) ObserveOutcome(out decide.Outcome) {
	m.ObserveEvent(out.Event.Source, OutcomeOf(out))
}

// OutcomeOf classifies a decided event for firebreak_events_total.
func OutcomeOf(out decide.Outcome) string {
	if out.Decision == nil {
		return OutcomePolicyError
	}
	if len(out.Actions) == 0 {
		return OutcomeNoAction
	}
	noop, approval := true, false
	for _, a := range out.Actions {
		switch {
		case a.Approval != "":
			approval = true
		case a.Outcome == guard.Allowed:
			return OutcomeActed
		}
		noop = noop && a.Outcome == guard.NoOp
	}
	switch {
	case approval:
		return OutcomeApproval
	case noop:
		return OutcomeNoOp
	}
	return OutcomeRefused
}

// DeadLetter counts one dead letter; reason is its text, classified by
// DeadLetterClass. It also counts the message as an event of outcome
// dead_letter under source (empty when the message named none).
func (m *Metrics) DeadLetter(source, reason string) {
	if m == nil {
		return
	}
	m.deadLetters.WithLabelValues(DeadLetterClass(reason)).Inc()
	m.ObserveEvent(source, OutcomeDeadLetter)
}

// ObserveDecision records how long deciding one event of protocol took.
func (m *Metrics) ObserveDecision(protocol string, took time.Duration) {
	if m == nil {
		return
	}
	m.decision.WithLabelValues(m.protocols.value(protocol)).Observe(took.Seconds())
}

// ActionPlanned tells Metrics when the event of a recorded action arrived
// (decide.Outcome.ReceivedAt), so that its broadcast and inclusion are
// measured from there. Without it they are measured from the record's
// creation.
func (m *Metrics) ActionPlanned(actionID, protocol string, receivedAt time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.tracked[actionID]; ok {
		t.receivedAt = receivedAt
		return
	}
	m.track(actionID, &trackedAction{protocol: protocol, receivedAt: receivedAt})
}

// ActionChanged records an action's change as the submitter stored it
// (submit.Options.OnChange): the state counters and gauges, and the
// event→broadcast and event→inclusion histograms the first time the
// record shows it sent and mined.
func (m *Metrics) ActionChanged(rec record.Record) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tracked[rec.ID]
	if !ok {
		t = &trackedAction{protocol: rec.Protocol, receivedAt: rec.CreatedAt}
		m.track(rec.ID, t)
	}
	chain := m.chains.value(strconv.FormatUint(rec.ChainID, 10))
	if rec.State != t.state {
		if t.state != "" && !t.state.Final() {
			m.inFlight.WithLabelValues(string(t.state)).Dec()
		}
		if !rec.State.Final() {
			m.inFlight.WithLabelValues(string(rec.State)).Inc()
		}
		m.actions.WithLabelValues(m.protocols.value(t.protocol), string(rec.State)).Inc()
		t.state = rec.State
	}
	if !t.sentSeen && !rec.SentAt.IsZero() && !t.receivedAt.IsZero() {
		t.sentSeen = true
		m.toBroadcast.WithLabelValues(chain).Observe(nonNegative(rec.SentAt.Sub(t.receivedAt)))
	}
	if rec.State.Final() {
		if rec.State == record.Mined && !rec.MinedAt.IsZero() && !t.receivedAt.IsZero() {
			m.toInclusion.WithLabelValues(chain).Observe(nonNegative(rec.MinedAt.Sub(t.receivedAt)))
		}
		delete(m.tracked, rec.ID)
	}
}

// track remembers t under id; m.mu is held.
func (m *Metrics) track(id string, t *trackedAction) {
	if len(m.tracked) >= maxTracked {
		for k := range m.tracked { // an arbitrary one: the bound is a safety net
			delete(m.tracked, k)
			break
		}
	}
	m.tracked[id] = t
}

func nonNegative(d time.Duration) float64 { return max(d, 0).Seconds() }

// AuditRecordLost counts an audit record given up on.
func (m *Metrics) AuditRecordLost() {
	if m == nil {
		return
	}
	m.auditLost.Inc()
}

// SetAuditUsage sets how full the audit stream is (audit.Usage.Fraction).
func (m *Metrics) SetAuditUsage(fraction float64) {
	if m == nil {
		return
	}
	m.auditUsage.Set(fraction)
}

// SetKillSwitch sets the kill switch's state.
func (m *Metrics) SetKillSwitch(engaged bool) {
	if m == nil {
		return
	}
	m.killSwitch.Set(boolValue(engaged))
}

// ObserveReadiness replaces the readiness metrics with rep's findings.
func (m *Metrics) ObserveReadiness(rep Report) {
	if m == nil {
		return
	}
	m.findings.Reset()
	for _, f := range rep.Findings {
		m.findings.WithLabelValues(cleanLabel(f.Protocol), f.Check, string(f.Status)).Inc()
	}
	m.readyOK.Set(boolValue(rep.OK))
	m.readyAt.Set(float64(rep.At.UnixNano()) / 1e9)
}

// observeReady sets the /readyz gauges from one evaluation.
func (m *Metrics) observeReady(rep ReadyReport) {
	if m == nil {
		return
	}
	for _, name := range rep.Probes {
		m.ready.WithLabelValues(name).Set(1)
	}
	for _, p := range rep.NotReady {
		m.ready.WithLabelValues(p.Probe).Set(0)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
