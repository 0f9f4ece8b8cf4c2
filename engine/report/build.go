package report

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// recoveryTypes are the action types that undo a containment: they are
// recovery, never containment, wherever they appear.
var recoveryTypes = []string{"unpause", "unfreeze", "unfreeze_bridge", "grant_role", "regrant_role", "unblock", "unblock_address"}

func isRecovery(actionType string) bool { return slices.Contains(recoveryTypes, actionType) }

// incidentChange is the generic payload of a KindIncident record.
type incidentChange struct {
	Incident string   `json:"incident"`
	Protocol string   `json:"protocol"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	By       string   `json:"by"`
	Note     string   `json:"note"`
	Event    string   `json:"event"`
	Actions  []string `json:"actions"`
}

func incidentData(r audit.Record) incidentChange {
	var c incidentChange
	_ = json.Unmarshal(r.Data, &c) // lenient: an unreadable one matches no incident
	return c
}

// builder accumulates a report record by record.
type builder struct {
	r       *Report
	txs     map[string]*Transaction
	txOrder []string
	// effective holds a receipt's effective gas price when a record
	// carries one (action.effective_gas_price).
	contracts map[string]*Contract
	addrs     map[string]*Address
	addrOrder []string
	conOrder  []string
	miles     map[string]Milestone
	events    map[string]bool
	severity  string
}

func newBuilder(r *Report) *builder {
	return &builder{r: r, txs: map[string]*Transaction{}, contracts: map[string]*Contract{}, addrs: map[string]*Address{},
		miles: map[string]Milestone{}, events: map[string]bool{}}
}

func (b *builder) milestone(name string, at time.Time, seq uint64) {
	if at.IsZero() {
		return
	}
	if m, ok := b.miles[name]; ok && !at.Before(m.At) {
		return
	}
	b.miles[name] = Milestone{Name: name, At: at.UTC(), Seq: seq}
}

func (b *builder) address(addr, role, seen string) {
	if addr == "" || addr == "0x0000000000000000000000000000000000000000" {
		return
	}
	a, ok := b.addrs[addr]
	if !ok {
		a = &Address{Address: addr}
		b.addrs[addr] = a
		b.addrOrder = append(b.addrOrder, addr)
	}
	if role != "" && !slices.Contains(a.Roles, role) {
		a.Roles = append(a.Roles, role)
	}
	if seen != "" && !slices.Contains(a.Seen, seen) {
		a.Seen = append(a.Seen, seen)
	}
}

func (b *builder) contract(name, addr string, chain uint64) *Contract {
	key := name
	if key == "" || key == "." {
		key = addr
	}
	c, ok := b.contracts[key]
	if !ok {
		c = &Contract{Name: name, Verdicts: []string{}}
		b.contracts[key] = c
		b.conOrder = append(b.conOrder, key)
	}
	if addr != "" && addr != "0x0000000000000000000000000000000000000000" {
		c.Address = addr
	}
	if chain != 0 {
		c.ChainID = chain
	}
	return c
}

func (b *builder) tx(id string) *Transaction {
	t, ok := b.txs[id]
	if !ok {
		t = &Transaction{ActionID: id}
		b.txs[id] = t
		b.txOrder = append(b.txOrder, id)
	}
	return t
}

func (b *builder) add(rec audit.Record) {
	e := Entry{Seq: rec.Seq, Time: rec.Time.UTC(), Kind: string(rec.Kind), EventID: rec.EventID, ActionID: rec.ActionID, Hash: rec.Hash, Category: CatOther}
	if rec.EventID != "" {
		if !b.events[rec.EventID] {
			b.events[rec.EventID] = true
			b.r.Events = append(b.r.Events, EventRef{Label: fmt.Sprintf("E%d", len(b.r.Events)+1), ID: rec.EventID})
		}
		e.Event = b.r.Events[slices.IndexFunc(b.r.Events, func(r EventRef) bool { return r.ID == rec.EventID })].Label
	}
	kind := rec.Kind
	switch {
	case kind == audit.KindReceived:
		e.Category = CatAlert
		var d audit.ReceivedData
		if json.Unmarshal(rec.Data, &d) == nil {
			ev := d.Event
			b.milestone(MilestoneAlert, ev.Timestamp, rec.Seq)
			received := d.ReceivedAt
			if received.IsZero() {
				received = rec.Time
			}
			b.milestone(MilestoneReceived, received, rec.Seq)
			if severityRank(string(ev.Severity)) > severityRank(b.severity) {
				b.severity = string(ev.Severity)
			}
			if b.r.Detection.EventID == "" {
				b.r.Detection = Detection{EventID: ev.ID, Source: ev.Source, AlertType: ev.AlertType, RuleID: ev.RuleID,
					Confidence: ev.Confidence, ChainID: ev.ChainID, Block: ev.Block}
				if ev.TxHash != nil {
					b.r.Detection.TxHash = ev.TxHash.Hex()
				}
			}
			if b.r.Summary.Title == "" {
				b.r.Summary.Title = ev.Title
			}
			if b.r.Summary.Protocol == "" {
				b.r.Summary.Protocol = ev.Protocol
			}
			for _, a := range ev.Addresses {
				b.address(a.Hex(), "", ev.ID)
			}
			for role, as := range ev.AddressRoles {
				for _, a := range as {
					b.address(a.Hex(), role+" (detector)", ev.ID)
				}
			}
			if ev.TxHash != nil {
				e.TxHash = ev.TxHash.Hex()
			}
			e.Block = ev.Block
			if ev.Title != "" {
				e.Summary = fmt.Sprintf("%s: %s", ev.Title, rec.Summary())
			}
		}
	case kind == audit.KindDuplicate || kind == audit.KindRejected:
		e.Category = CatAlert
	case kind == audit.KindDecision:
		e.Category = CatDecision
		b.milestone(MilestoneDecision, rec.Time, rec.Seq)
		var d audit.DecisionData
		if json.Unmarshal(rec.Data, &d) == nil && d.Decision != nil {
			b.r.Summary.Requested += len(d.Decision.Actions)
		}
	case kind == audit.KindGuard:
		e.Category = CatGuard
		var d audit.GuardData
		if json.Unmarshal(rec.Data, &d) == nil {
			v := d.Verdict
			switch v.Outcome {
			case guard.Allowed:
				b.r.Summary.Allowed++
			case guard.NoOp:
				b.r.Summary.NoOp++
			default:
				b.r.Summary.Refused++
				e.Category = CatRefused
			}
			if v.Request.Contract != "" || v.To != (emptyAddr) {
				name := v.Request.Protocol + "." + v.Request.Contract
				if v.Request.Contract == "" {
					name = ""
				}
				to := ""
				if v.To != emptyAddr {
					to = v.To.Hex()
				}
				c := b.contract(name, to, v.ChainID)
				c.Verdicts = appendOnce(c.Verdicts, string(v.Outcome))
				if v.Function != "" {
					c.Functions = appendOnce(c.Functions, v.Function)
				}
				b.address(to, "target of "+v.Request.Type, rec.EventID)
			}
			if v.Request.Account != "" {
				b.address(v.Request.Account, "account of "+v.Request.Type, rec.EventID)
			}
			if isRecovery(v.Request.Type) {
				e.Category = CatRecovery
			}
		}
	case kind == audit.KindPlanned:
		e.Category = CatAction
		var d audit.PlannedData
		if json.Unmarshal(rec.Data, &d) == nil {
			b.intent(b.tx(d.Intent.ID), d.Intent)
			b.tx(d.Intent.ID).Seqs = append(b.tx(d.Intent.ID).Seqs, rec.Seq)
			if isRecovery(d.Intent.Type) {
				e.Category = CatRecovery
			}
		}
	case kind == audit.KindApproval:
		e.Category = CatApproval
		var d audit.ApprovalData
		if json.Unmarshal(rec.Data, &d) == nil {
			e.Summary = fmt.Sprintf("approval %s: Safe %s (nonce %d) reached %d of its owners' signatures: %s", d.ApprovalID, d.Safe, d.SafeNonce, d.Threshold, strings.Join(d.SignedBy, ", "))
			b.address(d.Safe, "Safe", rec.EventID)
			for _, o := range d.SignedBy {
				b.address(o, "Safe owner who signed", rec.EventID)
			}
		}
	case kind == audit.KindDryRun:
		e.Category = CatOther
	case kind == KindIncident:
		e.Category = CatIncident
		c := incidentData(rec)
		from := c.From
		if from == "" {
			from = "(new)"
		}
		e.Summary = fmt.Sprintf("incident %s: %s → %s", c.Incident, from, c.To)
		if c.By != "" {
			e.Summary += " by " + c.By
		}
		if c.Note != "" {
			e.Summary += ": " + c.Note
		}
		if c.To == string(incident.Recovering) || c.To == string(incident.Resolved) {
			e.Category = CatRecovery
		}
	case isNotification(kind):
		e.Category = CatNotification
		e.Summary = notificationSummary(rec)
	default:
		b.action(rec, &e)
		if e.Category == CatOther && (kind == audit.KindRefused || kind == audit.KindFailed) {
			e.Category = CatRefused // an approval refused, or a failure about no stored action
		}
	}
	if e.Summary == "" {
		e.Summary = rec.Summary()
	}
	b.r.Timeline = append(b.r.Timeline, e)
}

var emptyAddr = [20]byte{}

// isNotification matches the kinds a notification delivery is audited
// under, whatever the delivery stage names them.
func isNotification(k audit.Kind) bool {
	s := string(k)
	return strings.HasPrefix(s, "notif") || strings.HasPrefix(s, "deliver")
}

func notificationSummary(rec audit.Record) string {
	var m map[string]any
	if json.Unmarshal(rec.Data, &m) != nil {
		return string(rec.Kind)
	}
	var parts []string
	for _, k := range []string{"channel", "kind", "status", "title", "incident", "error"} {
		if v, ok := m[k].(string); ok && v != "" {
			parts = append(parts, k+" "+v)
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("notification (%s)", rec.Kind)
	}
	return fmt.Sprintf("notification %s: %s", rec.Kind, strings.Join(parts, ", "))
}

// actionRecord is audit.ActionData, read leniently.
type actionRecord struct {
	Action record.Record `json:"action"`
}

func (b *builder) intent(t *Transaction, in record.Intent) {
	t.EventID, t.Type, t.Rule, t.ChainID, t.Function, t.Signer = in.EventID, in.Type, in.Rule, in.ChainID, in.Function, in.Signer
	if in.To != emptyAddr {
		t.To = in.To.Hex()
	}
	t.Recovery = isRecovery(in.Type)
	c := b.contract(in.Protocol+"."+contractOf(b, in), t.To, in.ChainID)
	c.Actions = appendOnce(c.Actions, in.ID)
	if in.Function != "" {
		c.Functions = appendOnce(c.Functions, in.Function)
	}
}

// contractOf finds the registry name the guard gave the intent's target.
func contractOf(b *builder, in record.Intent) string {
	for _, key := range b.conOrder {
		c := b.contracts[key]
		if c.Address == in.To.Hex() && strings.HasPrefix(c.Name, in.Protocol+".") {
			return strings.TrimPrefix(c.Name, in.Protocol+".")
		}
	}
	return in.To.Hex()
}

func (b *builder) action(rec audit.Record, e *Entry) {
	var d actionRecord
	if json.Unmarshal(rec.Data, &d) != nil || d.Action.ID == "" {
		return
	}
	a := d.Action
	e.Category = CatTransaction
	if a.TxHash != nil {
		e.TxHash = a.TxHash.Hex()
	}
	e.Block = a.Block
	t := b.tx(a.ID)
	if t.Type == "" {
		b.intent(t, a.Intent)
	}
	t.Seqs = append(t.Seqs, rec.Seq)
	t.State = string(a.State)
	if a.From != emptyAddr {
		t.From = a.From.Hex()
		b.address(t.From, "firebreak signer ("+a.Signer+")", a.ID)
	}
	t.Nonce = a.Nonce
	if a.TxHash != nil {
		t.TxHash = a.TxHash.Hex()
	}
	for _, at := range a.Attempts {
		t.Attempts = appendOnce(t.Attempts, at.Hash.Hex())
	}
	if a.TxHash != nil {
		t.Attempts = appendOnce(t.Attempts, a.TxHash.Hex())
	}
	t.Bumps, t.Block, t.GasUsed, t.Error = a.Bumps, a.Block, a.GasUsed, a.Error
	if a.GasFeeCap != nil {
		t.MaxFeeWei = a.GasFeeCap.ToInt().String()
	}
	if a.GasTipCap != nil {
		t.TipWei = a.GasTipCap.ToInt().String()
	}
	if d.Action.EffectiveGasPrice != nil {
		t.EffectiveGasPriceWei = d.Action.EffectiveGasPrice.ToInt().String()
	}
	if t.Recovery {
		e.Category = CatRecovery
	}
	switch rec.Kind {
	case audit.KindSent:
		at := a.SentAt
		if at.IsZero() {
			at = rec.Time
		}
		b.milestone(MilestoneBroadcast, at, rec.Seq)
	case audit.KindIncluded:
		b.milestone(MilestoneInclusion, rec.Time, rec.Seq)
	case audit.KindMined, audit.KindConfirmed:
		b.milestone(MilestoneInclusion, rec.Time, rec.Seq)
		b.milestone(MilestoneFinal, rec.Time, rec.Seq)
		s := a.Status
		t.Status = &s
	case audit.KindFailed, audit.KindRefused:
		e.Category = CatRefused
	}
}

func (b *builder) finish() {
	r := b.r
	in := r.Incident
	s := &r.Summary
	if in.Title != "" {
		s.Title = in.Title
	}
	if in.Protocol != "" {
		s.Protocol = in.Protocol
	}
	s.Severity = b.severity
	if in.Severity != "" && severityRank(in.Severity) >= severityRank(b.severity) {
		s.Severity = in.Severity
	}
	s.State = in.State
	s.Events = len(b.events)
	if m, ok := b.miles[MilestoneAlert]; ok {
		s.FirstAlert = m.At
	}
	if n := len(r.Timeline); n > 0 {
		s.LastRecord = r.Timeline[n-1].Time
		if s.FirstAlert.IsZero() {
			s.FirstAlert = r.Timeline[0].Time
		}
	}

	if r.Events == nil {
		r.Events = []EventRef{}
	}
	r.Transactions = []Transaction{}
	allowedFinal, allowedOK := 0, 0
	sumMin, sumMax, sumExact := new(big.Int), new(big.Int), new(big.Int)
	exact := true
	for _, id := range b.txOrder {
		t := b.txs[id]
		if t.State == "" {
			t.State = string(record.Pending)
		}
		if !t.Recovery {
			allowedFinal++
			switch {
			case t.Status != nil && *t.Status == 1, t.State == string(record.Satisfied), t.State == string(record.Joined):
				allowedOK++
			}
		}
		switch {
		case t.Status != nil && *t.Status == 1:
			s.Succeeded++
		case t.Status != nil, t.State == string(record.Failed), t.State == string(record.Refused):
			s.Failed++
		}
		if t.Status != nil && t.GasUsed > 0 {
			r.Gas.Transactions++
			r.Gas.GasUsed += t.GasUsed
			gas := new(big.Int).SetUint64(t.GasUsed)
			if v, ok := new(big.Int).SetString(t.TipWei, 10); ok {
				t.FeeMinWei = new(big.Int).Mul(gas, v).String()
				sumMin.Add(sumMin, new(big.Int).Mul(gas, v))
			}
			if v, ok := new(big.Int).SetString(t.MaxFeeWei, 10); ok {
				t.FeeMaxWei = new(big.Int).Mul(gas, v).String()
				sumMax.Add(sumMax, new(big.Int).Mul(gas, v))
			}
			if v, ok := new(big.Int).SetString(t.EffectiveGasPriceWei, 10); ok {
				fee := new(big.Int).Mul(gas, v)
				t.FeeWei = fee.String()
				sumExact.Add(sumExact, fee)
			} else {
				exact = false
			}
		}
		r.Transactions = append(r.Transactions, *t)
	}
	r.Gas.FeeMinWei, r.Gas.FeeMaxWei = sumMin.String(), sumMax.String()
	if exact && r.Gas.Transactions > 0 {
		r.Gas.FeeWei = sumExact.String()
	}
	s.Contained = allowedFinal > 0 && allowedOK == allowedFinal

	r.Contracts = []Contract{}
	for _, k := range b.conOrder {
		r.Contracts = append(r.Contracts, *b.contracts[k])
	}
	r.Addresses = []Address{}
	for _, k := range b.addrOrder {
		a := *b.addrs[k]
		if a.Roles == nil {
			a.Roles = []string{"named by the detector"}
		}
		r.Addresses = append(r.Addresses, a)
	}
	for _, name := range []string{MilestoneAlert, MilestoneReceived, MilestoneDecision, MilestoneBroadcast, MilestoneInclusion, MilestoneFinal} {
		if m, ok := b.miles[name]; ok {
			r.Latencies.Milestones = append(r.Latencies.Milestones, m)
		}
	}
	ms := r.Latencies.Milestones
	for i := 1; i < len(ms); i++ {
		r.Latencies.Steps = append(r.Latencies.Steps, Step{From: ms[i-1].Name, To: ms[i].Name, MS: millis(ms[i].At.Sub(ms[i-1].At))})
	}
	if len(ms) > 2 {
		r.Latencies.Steps = append(r.Latencies.Steps, Step{From: ms[0].Name, To: ms[len(ms)-1].Name, MS: millis(ms[len(ms)-1].At.Sub(ms[0].At))})
	}
	s.Text = summaryText(r)
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func summaryText(r *Report) string {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "Incident %s", r.Incident.ID)
	if s.Protocol != "" {
		fmt.Fprintf(&b, " on protocol %s", s.Protocol)
	}
	if s.Severity != "" {
		fmt.Fprintf(&b, " (%s)", s.Severity)
	}
	fmt.Fprintf(&b, ": %d event(s)", s.Events)
	if !s.FirstAlert.IsZero() {
		fmt.Fprintf(&b, ", the first alert at %s UTC", s.FirstAlert.Format("2006-01-02 15:04:05"))
	}
	fmt.Fprintf(&b, ". The policies requested %d action(s); the guard allowed %d, refused %d and found %d already in effect. ", s.Requested, s.Allowed, s.Refused, s.NoOp)
	fmt.Fprintf(&b, "%d transaction(s) succeeded, %d failed. ", s.Succeeded, s.Failed)
	if step, ok := r.step(MilestoneAlert, MilestoneFinal); ok {
		fmt.Fprintf(&b, "From the alert to the final containment transaction: %s. ", fmtMS(step))
	}
	if s.Contained {
		b.WriteString("Every allowed action took effect: contained.")
	} else {
		b.WriteString("Not every allowed action took effect: not contained by the engine alone.")
	}
	if s.State != "" {
		fmt.Fprintf(&b, " The incident is %s.", s.State)
	}
	return b.String()
}

// step returns the milliseconds between two milestones, when both exist.
func (r *Report) step(from, to string) (float64, bool) {
	var a, z *Milestone
	for i := range r.Latencies.Milestones {
		m := &r.Latencies.Milestones[i]
		switch m.Name {
		case from:
			a = m
		case to:
			z = m
		}
	}
	if a == nil || z == nil {
		return 0, false
	}
	return millis(z.At.Sub(a.At)), true
}

func fmtMS(ms float64) string {
	if ms >= 10000 || ms <= -10000 {
		return fmt.Sprintf("%.1f s", ms/1000)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func severityRank(s string) int {
	return slices.Index([]string{"info", "low", "medium", "high", "critical"}, s)
}

func appendOnce(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func jsonOK(r audit.Record, v any) bool { return json.Unmarshal(r.Data, v) == nil }
