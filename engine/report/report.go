package report

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/incident"
)

// KindIncident is the kind of the records the incident store writes for
// every state change: data {"incident","protocol","from","to","by","note",
// "event","actions"}. It is matched by name, not imported, so that reports
// are built the same with or without such records in the log.
const KindIncident audit.Kind = "incident"

// Errors Build returns.
var (
	// ErrNoRecords: the log holds no record of the incident's events or
	// actions (a wrong id, or the records are in another log).
	ErrNoRecords = errors.New("report: no audit record of the incident")
	// ErrNoIncident: the incident names no event and no action.
	ErrNoIncident = errors.New("report: the incident names no event and no action")
)

// Options say how to build a report.
type Options struct {
	// GeneratedAt is stamped on the report; zero means time.Now.
	GeneratedAt time.Time
	// PublicKey, when set, also checks every record's signature. The audit
	// package checks signatures only on a chain read from record 1, so the
	// records must then start at record 1 (an export, or the whole stream).
	PublicKey ed25519.PublicKey
}

// Report is the postmortem of one incident. Its JSON form is what
// 'firebreak incident report --format json' prints.
type Report struct {
	Incident    incident.Incident `json:"incident"`
	GeneratedAt time.Time         `json:"generated_at"`
	Summary     Summary           `json:"summary"`
	Detection   Detection         `json:"detection"`
	// Events are the incident's events as the timeline labels them (E1,
	// E2, … in the order the log first names them).
	Events       []EventRef    `json:"events"`
	Timeline     []Entry       `json:"timeline"`
	Latencies    Latencies     `json:"latencies"`
	Transactions []Transaction `json:"transactions"`
	Gas          Gas           `json:"gas"`
	Contracts    []Contract    `json:"contracts"`
	Addresses    []Address     `json:"addresses"`
	Verification Verification  `json:"verification"`
	// Sections are the parts a team writes after the fact; the report
	// only lays them out.
	Sections []Section `json:"sections"`
}

// Summary is the incident in a few figures.
type Summary struct {
	Title    string         `json:"title"`
	Protocol string         `json:"protocol"`
	Severity string         `json:"severity"`
	State    incident.State `json:"state"`
	// FirstAlert and LastRecord bound the incident in the log.
	FirstAlert time.Time `json:"first_alert,omitzero"`
	LastRecord time.Time `json:"last_record,omitzero"`
	Events     int       `json:"events"`
	// Requested counts the actions the policies asked for; Allowed,
	// Refused and NoOp the guard's verdicts on them.
	Requested int `json:"requested"`
	Allowed   int `json:"allowed"`
	Refused   int `json:"refused"`
	NoOp      int `json:"noop"`
	// Succeeded counts transactions mined with status 1, Failed the
	// actions that failed or reverted.
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	// Contained: every allowed action ended in a successful transaction
	// (or was satisfied without one), and at least one was allowed.
	Contained bool `json:"contained"`
	// Text is the summary as sentences.
	Text string `json:"text"`
}

// Detection is how the incident was found: its first event as the
// detector sent it.
type Detection struct {
	EventID    string  `json:"event_id,omitempty"`
	Source     string  `json:"source,omitempty"`
	AlertType  string  `json:"alert_type,omitempty"`
	RuleID     string  `json:"rule_id,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	ChainID    uint64  `json:"chain_id,omitempty"`
	Block      uint64  `json:"block,omitempty"`
	TxHash     string  `json:"tx_hash,omitempty"`
}

// Categories of timeline entries.
const (
	CatAlert        = "alert"
	CatDecision     = "decision"
	CatGuard        = "guard"
	CatRefused      = "refused"
	CatAction       = "action"
	CatTransaction  = "transaction"
	CatApproval     = "approval"
	CatNotification = "notification"
	CatIncident     = "incident"
	CatRecovery     = "recovery"
	CatOther        = "other"
)

// EventRef is an event and its short label in the timeline.
type EventRef struct {
	Label string `json:"label"`
	ID    string `json:"id"`
}

// Entry is one line of the timeline: one audit record.
type Entry struct {
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Kind     string    `json:"kind"`
	Category string    `json:"category"`
	EventID  string    `json:"event_id,omitempty"`
	// Event is the event's label (EventRef).
	Event    string `json:"event,omitempty"`
	ActionID string `json:"action_id,omitempty"`
	Summary  string `json:"summary"`
	TxHash   string `json:"tx_hash,omitempty"`
	Block    uint64 `json:"block,omitempty"`
	// Hash is the record's own hash, to find it in an export.
	Hash string `json:"hash"`
}

// Milestone is a point of the response, the first time it happened.
type Milestone struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
	// Seq is the record that says so.
	Seq uint64 `json:"seq"`
}

// Step is the time between two milestones.
type Step struct {
	From string  `json:"from"`
	To   string  `json:"to"`
	MS   float64 `json:"ms"`
}

// Latencies are the response's milestones and the steps between them:
// alert (the detector's timestamp) → received → decision → broadcast →
// inclusion → final.
type Latencies struct {
	Milestones []Milestone `json:"milestones"`
	Steps      []Step      `json:"steps"`
}

// Milestone names.
const (
	MilestoneAlert     = "alert"
	MilestoneReceived  = "received"
	MilestoneDecision  = "decision"
	MilestoneBroadcast = "broadcast"
	MilestoneInclusion = "inclusion"
	MilestoneFinal     = "final"
)

// Transaction is one action and the transactions signed for it, as its
// last record says.
type Transaction struct {
	ActionID string  `json:"action_id"`
	EventID  string  `json:"event_id"`
	Type     string  `json:"type"`
	Rule     string  `json:"rule,omitempty"`
	ChainID  uint64  `json:"chain_id"`
	To       string  `json:"to"`
	Function string  `json:"function"`
	Signer   string  `json:"signer"`
	From     string  `json:"from,omitempty"`
	Nonce    *uint64 `json:"nonce,omitempty"`
	State    string  `json:"state"`
	// TxHash is the transaction in the chain (or the latest attempt);
	// Attempts every hash signed for the action, in order.
	TxHash   string   `json:"tx_hash,omitempty"`
	Attempts []string `json:"attempts,omitempty"`
	Bumps    int      `json:"bumps,omitempty"`
	Block    uint64   `json:"block,omitempty"`
	Status   *uint64  `json:"status,omitempty"`
	GasUsed  uint64   `json:"gas_used,omitempty"`
	// MaxFeeWei and TipWei are the mined attempt's fee cap and priority
	// fee per gas, so the fee paid lies between FeeMinWei (gas used × tip)
	// and FeeMaxWei (gas used × fee cap). FeeWei is the exact fee, gas used
	// × the receipt's effective_gas_price, which records written by a
	// firebreak before 2026-12 lack.
	MaxFeeWei            string `json:"max_fee_per_gas_wei,omitempty"`
	TipWei               string `json:"max_priority_fee_per_gas_wei,omitempty"`
	EffectiveGasPriceWei string `json:"effective_gas_price_wei,omitempty"`
	FeeMinWei            string `json:"fee_min_wei,omitempty"`
	FeeMaxWei            string `json:"fee_max_wei,omitempty"`
	FeeWei               string `json:"fee_wei,omitempty"`
	Error                string `json:"error,omitempty"`
	Recovery             bool   `json:"recovery,omitempty"`
	// Seqs are the records about the action, in order.
	Seqs []uint64 `json:"seqs"`
}

// Gas is what the incident's transactions used and paid, summed.
type Gas struct {
	Transactions int    `json:"transactions"`
	GasUsed      uint64 `json:"gas_used"`
	FeeMinWei    string `json:"fee_min_wei"`
	FeeMaxWei    string `json:"fee_max_wei"`
	// FeeWei is set when every mined transaction's fee is known exactly.
	FeeWei string `json:"fee_wei,omitempty"`
}

// Contract is a contract the incident's actions were about.
type Contract struct {
	// Name is protocol.contract in the registry.
	Name      string   `json:"name"`
	Address   string   `json:"address,omitempty"`
	ChainID   uint64   `json:"chain_id,omitempty"`
	Functions []string `json:"functions,omitempty"`
	// Verdicts are the guard's outcomes on requests about it.
	Verdicts []string `json:"verdicts"`
	Actions  []string `json:"actions,omitempty"`
}

// Address is an account the records name, and in what role.
type Address struct {
	Address string   `json:"address"`
	Roles   []string `json:"roles"`
	// Seen lists the events or actions that name it.
	Seen []string `json:"seen"`
}

// Section is a part of the postmortem people write: a heading and the
// questions it answers, after SEAL 911's post-mortem template.
type Section struct {
	Title   string   `json:"title"`
	Prompts []string `json:"prompts"`
}

// Build makes the report of in from records: any records of the log
// (the whole export, or what Collect read), of which it keeps those of
// the incident's events, actions and approvals, and the incident records
// about it. The records between the first and the last kept one, when
// given, are what the chain is verified over.
func Build(records []audit.Record, in incident.Incident, opts Options) (*Report, error) {
	if len(in.Events) == 0 && len(in.Actions) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoIncident, in.ID)
	}
	sorted := slices.Clone(records)
	slices.SortStableFunc(sorted, func(a, b audit.Record) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
	used := Select(sorted, in)
	if len(used) == 0 {
		return nil, fmt.Errorf("%w %s (events %v)", ErrNoRecords, in.ID, in.Events)
	}
	r := &Report{Incident: in, GeneratedAt: opts.GeneratedAt, Sections: Sections()}
	if r.GeneratedAt.IsZero() {
		r.GeneratedAt = time.Now()
	}
	r.GeneratedAt = r.GeneratedAt.UTC()
	b := newBuilder(r)
	for _, rec := range used {
		b.add(rec)
	}
	b.finish()
	r.Verification = verify(sorted, used, opts.PublicKey)
	return r, nil
}

// Select returns, in order, the records of in: those of its events and
// actions and approvals, and the incident records about it.
func Select(records []audit.Record, in incident.Incident) []audit.Record {
	events := setOf(in.Events)
	actions := setOf(in.Actions)
	for _, a := range in.Approvals {
		actions[a] = true
	}
	var out []audit.Record
	seen := map[uint64]bool{}
	for _, rec := range records {
		if seen[rec.Seq] {
			continue
		}
		keep := (rec.EventID != "" && events[rec.EventID]) || (rec.ActionID != "" && actions[rec.ActionID])
		if rec.Kind == KindIncident {
			// An event may belong to one incident and be named by
			// another's change: the change says which incident it is.
			keep = incidentData(rec).Incident == in.ID
		}
		if keep {
			seen[rec.Seq] = true
			out = append(out, rec)
		}
	}
	return out
}

func setOf(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" {
			m[id] = true
		}
	}
	return m
}
