package observe

import (
	"strconv"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// funcs are the sources read at scrape time. Each is swapped atomically, so
// an engine that restarts its submitter (or a test that runs two engines on
// one registry in turn) points the same collectors at the new one.
type funcs struct {
	submit atomic.Pointer[func() submit.Stats]
	policy atomic.Pointer[func() decide.PolicyStatus]
	queue  atomic.Pointer[func() int]
	leases atomic.Pointer[func() []Lease]
}

// Lease is whether this engine instance holds the nonce lease of a sender.
type Lease struct {
	Chain  uint64
	Sender common.Address
	Held   bool
}

// SetSubmitStats reads the submitter's counters (submit.Submitter.Stats)
// at every scrape: firebreak_transactions_sent_total, _fee_bumps_total,
// _fee_cap_blocks_total, _resigns_total, _replaced_attempts_total,
// _reorgs_total, _nonce_rereads_total, _nonce_holes_filled_total.
func (m *Metrics) SetSubmitStats(stats func() submit.Stats) {
	if m != nil {
		m.funcs.submit.Store(&stats)
	}
}

// SetPolicyStatus reads the policies in force (decide.Planner.PolicyStatus)
// at every scrape: firebreak_policy_info{revision}, _policy_reloads_total,
// _policy_reload_failures_total.
func (m *Metrics) SetPolicyStatus(status func() decide.PolicyStatus) {
	if m != nil {
		m.funcs.policy.Store(&status)
	}
}

// SetAuditQueue reads how many audit records wait to be appended at every
// scrape: firebreak_audit_queue_depth.
func (m *Metrics) SetAuditQueue(depth func() int) {
	if m != nil {
		m.funcs.queue.Store(&depth)
	}
}

// SetLeases reads which senders' nonce leases this instance holds at every
// scrape: firebreak_lease_held{chain,sender}. Senders are the configured
// signers' addresses, so the label is bounded by the configuration.
func (m *Metrics) SetLeases(leases func() []Lease) {
	if m != nil {
		m.funcs.leases.Store(&leases)
	}
}

func load[T any](p *atomic.Pointer[func() T]) (T, bool) {
	f := p.Load()
	if f == nil || *f == nil {
		var zero T
		return zero, false
	}
	return (*f)(), true
}

func (fs *funcs) register(reg prometheus.Registerer) {
	f := promauto.With(reg)
	stat := func(name, help string, v func(submit.Stats) uint64) {
		f.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 {
			s, _ := load(&fs.submit)
			return float64(v(s))
		})
	}
	stat("firebreak_transactions_sent_total", "Containment transactions broadcast for the first time.", func(s submit.Stats) uint64 { return s.Sent })
	stat("firebreak_fee_bumps_total", "Fee replacements of transactions not yet included.", func(s submit.Stats) uint64 { return s.Bumps })
	stat("firebreak_fee_cap_blocks_total", "Replacements the market asked for that the chain's max_fee_per_gas prevented.", func(s submit.Stats) uint64 { return s.CapBlocked })
	stat("firebreak_resigns_total", "Transactions signed again at a new nonce after theirs was taken out of band.", func(s submit.Stats) uint64 { return s.Resigned })
	stat("firebreak_replaced_attempts_total", "Attempts superseded by the one mined.", func(s submit.Stats) uint64 { return s.Replaced })
	stat("firebreak_reorgs_total", "Mined transactions that left the chain again.", func(s submit.Stats) uint64 { return s.Reorgs })
	stat("firebreak_nonce_rereads_total", "Reads of a sender's nonce from the chain after the first.", func(s submit.Stats) uint64 { return s.NonceResyncs })
	stat("firebreak_nonce_holes_filled_total", "Unused nonces filled with an empty transfer so later transactions execute.", func(s submit.Stats) uint64 { return s.HolesFilled })

	f.NewCounterFunc(prometheus.CounterOpts{Name: "firebreak_policy_reloads_total", Help: "Successful policy reloads."}, func() float64 {
		st, _ := load(&fs.policy)
		return float64(st.Reloads)
	})
	f.NewCounterFunc(prometheus.CounterOpts{Name: "firebreak_policy_reload_failures_total", Help: "Policy reloads that failed (the policies in force stayed)."}, func() float64 {
		st, _ := load(&fs.policy)
		return float64(st.Failures)
	})
	f.NewGaugeFunc(prometheus.GaugeOpts{Name: "firebreak_audit_queue_depth", Help: "Audit records queued for appending (dead letters, transaction progress)."}, func() float64 {
		n, _ := load(&fs.queue)
		return float64(n)
	})
	reg.MustRegister(&infoCollector{fs: fs})
}

// infoCollector exposes the metrics whose labels come from a value read at
// scrape time: the policy revision and the leases.
type infoCollector struct{ fs *funcs }

var (
	policyInfoDesc = prometheus.NewDesc("firebreak_policy_info",
		"The policy revision in force (a digest of the policy sources); always 1.", []string{"revision"}, nil)
	leaseDesc = prometheus.NewDesc("firebreak_lease_held",
		"1 while this engine instance holds the sender's nonce lease (several instances on one NATS).", []string{"chain", "sender"}, nil)
)

func (c *infoCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- policyInfoDesc
	ch <- leaseDesc
}

func (c *infoCollector) Collect(ch chan<- prometheus.Metric) {
	if st, ok := load(&c.fs.policy); ok && st.Revision != "" {
		ch <- prometheus.MustNewConstMetric(policyInfoDesc, prometheus.GaugeValue, 1, cleanLabel(st.Revision))
	}
	leases, _ := load(&c.fs.leases)
	for _, l := range leases {
		ch <- prometheus.MustNewConstMetric(leaseDesc, prometheus.GaugeValue, boolValue(l.Held), strconv.FormatUint(l.Chain, 10), l.Sender.Hex())
	}
}
