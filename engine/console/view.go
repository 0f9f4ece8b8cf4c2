package console

import (
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// State is what the page shows, ready to print: the body of /api/state
// and the data of the server-rendered page. Times are RFC 3339 in UTC;
// amounts are formatted; URLs are explorer links, empty when the chain has
// no explorer configured.
type State struct {
	At string `json:"at"`
	// Loading: the buckets have not all been read once yet.
	Loading    bool           `json:"loading"`
	KillSwitch KillSwitchView `json:"kill_switch"`
	Policy     PolicyView     `json:"policy"`
	Readiness  ReadinessView  `json:"readiness"`
	Events     []EventView    `json:"events"`
	Actions    []ActionView   `json:"actions"`
	Approvals  []ApprovalView `json:"approvals"`
	// Keep is how many of the latest events and actions are shown.
	Keep int `json:"keep"`
	// Undecodable counts stored entries that would not decode.
	Undecodable int `json:"undecodable,omitempty"`
}

// KillSwitchView is the kill switch.
type KillSwitchView struct {
	Halted bool   `json:"halted"`
	Reason string `json:"reason,omitempty"`
	By     string `json:"by,omitempty"`
	Since  string `json:"since,omitempty"`
	// Error says why the kill switch could not be read.
	Error string `json:"error,omitempty"`
	// Operable: this console can halt and resume (an operator token is
	// configured).
	Operable bool `json:"operable"`
}

// PolicyView is the policies in force and the last reload.
type PolicyView struct {
	Source      string `json:"source"`
	Revision    string `json:"revision"`
	LoadedAt    string `json:"loaded_at"`
	Reloads     uint64 `json:"reloads"`
	Failures    uint64 `json:"failures"`
	LastError   string `json:"last_error,omitempty"`
	LastErrorAt string `json:"last_error_at,omitempty"`
}

// ReadinessView is the readiness check's last report.
type ReadinessView struct {
	// Checked: a check has run (none in shadow mode, none yet at start).
	Checked  bool          `json:"checked"`
	OK       bool          `json:"ok"`
	At       string        `json:"at,omitempty"`
	Findings []FindingView `json:"findings"`
}

// FindingView is one readiness finding.
type FindingView struct {
	Status   string `json:"status"`
	Protocol string `json:"protocol"`
	Contract string `json:"contract"`
	Action   string `json:"action"`
	Chain    string `json:"chain"`
	Signer   string `json:"signer"`
	Check    string `json:"check"`
	Detail   string `json:"detail"`
	Fix      string `json:"fix,omitempty"`
}

// EventView is one handled event and its decision.
type EventView struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	Protocol   string `json:"protocol"`
	Chain      string `json:"chain"`
	Severity   string `json:"severity"`
	Confidence string `json:"confidence"`
	AlertType  string `json:"alert_type"`
	Title      string `json:"title,omitempty"`
	ReceivedAt string `json:"received_at"`
	// Rules that fired and the decision's reasons.
	Rules           []string      `json:"rules"`
	Reasons         []string      `json:"reasons"`
	RequireApproval bool          `json:"require_approval"`
	DecisionError   string        `json:"decision_error,omitempty"`
	Verdicts        []VerdictView `json:"verdicts"`
}

// VerdictView is the guard's verdict on one requested action.
type VerdictView struct {
	Type     string `json:"type"`
	Target   string `json:"target"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason,omitempty"`
	ActionID string `json:"action_id,omitempty"`
	Approval string `json:"approval,omitempty"`
}

// ActionView is one action and its way to the chain.
type ActionView struct {
	ID       string `json:"id"`
	EventID  string `json:"event_id"`
	Protocol string `json:"protocol"`
	Type     string `json:"type"`
	Chain    string `json:"chain"`
	To       string `json:"to"`
	ToURL    string `json:"to_url,omitempty"`
	Call     string `json:"call"`
	Signer   string `json:"signer"`
	State    string `json:"state"`
	From     string `json:"from,omitempty"`
	Nonce    string `json:"nonce,omitempty"`
	TxHash   string `json:"tx_hash,omitempty"`
	TxURL    string `json:"tx_url,omitempty"`
	Block    string `json:"block,omitempty"`
	BlockURL string `json:"block_url,omitempty"`
	// MaxFee and Tip per gas, in gwei.
	MaxFee        string        `json:"max_fee_gwei,omitempty"`
	Tip           string        `json:"tip_gwei,omitempty"`
	GasUsed       string        `json:"gas_used,omitempty"`
	Bumps         int           `json:"bumps"`
	Reorgs        int           `json:"reorgs"`
	Confirmations uint64        `json:"confirmations,omitempty"`
	Reverted      bool          `json:"reverted,omitempty"`
	Warning       string        `json:"warning,omitempty"`
	Error         string        `json:"error,omitempty"`
	CreatedAt     string        `json:"created_at"`
	SentAt        string        `json:"sent_at,omitempty"`
	MinedAt       string        `json:"mined_at,omitempty"`
	Attempts      []AttemptView `json:"attempts"`
}

// AttemptView is one signed transaction of an action.
type AttemptView struct {
	Hash   string `json:"hash"`
	URL    string `json:"url,omitempty"`
	Nonce  uint64 `json:"nonce"`
	MaxFee string `json:"max_fee_gwei"`
	Tip    string `json:"tip_gwei"`
	Gas    uint64 `json:"gas_limit"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	At     string `json:"at"`
}

// ApprovalView is one Safe transaction waiting for (or past) its owners.
type ApprovalView struct {
	ID       string `json:"id"`
	EventID  string `json:"event_id"`
	State    string `json:"state"`
	Protocol string `json:"protocol"`
	Chain    string `json:"chain"`
	Safe     string `json:"safe"`
	SafeURL  string `json:"safe_url,omitempty"`
	To       string `json:"to"`
	// Call is the inner call decoded, like "pause()".
	Call       string `json:"call"`
	Nonce      uint64 `json:"nonce"`
	Signatures string `json:"signatures"`
	Reason     string `json:"reason"`
	Error      string `json:"error,omitempty"`
	CreatedAt  string `json:"created_at"`
}

// explorers links hashes, addresses and blocks to each chain's explorer.
type explorers map[uint64]string

// newExplorers keeps the http(s) explorer base URLs, without a trailing
// slash.
func newExplorers(byChain map[uint64]string) explorers {
	out := explorers{}
	for id, base := range byChain {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			continue
		}
		out[id] = strings.TrimRight(base, "/")
	}
	return out
}

func (x explorers) link(chain uint64, kind, id string) string {
	base, ok := x[chain]
	if !ok || id == "" {
		return ""
	}
	return base + "/" + kind + "/" + id
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// gwei formats wei as gwei with at most three decimals.
func gwei(v *hexutil.Big) string {
	if v == nil {
		return ""
	}
	r := new(big.Rat).SetFrac(v.ToInt(), big.NewInt(1e9))
	s := strings.TrimRight(strings.TrimRight(r.FloatString(3), "0"), ".")
	if s == "" {
		s = "0"
	}
	return s
}

func eventView(o decide.Outcome) EventView {
	ev := o.Event
	v := EventView{
		ID: ev.ID, Source: ev.Source, Protocol: ev.Protocol, Chain: strconv.FormatUint(ev.ChainID, 10),
		Severity: string(ev.Severity), Confidence: strconv.FormatFloat(ev.Confidence, 'f', -1, 64),
		AlertType: ev.AlertType, Title: ev.Title, ReceivedAt: stamp(o.ReceivedAt),
		DecisionError: o.DecisionError, Rules: []string{}, Reasons: []string{}, Verdicts: []VerdictView{},
	}
	if d := o.Decision; d != nil {
		v.Rules, v.Reasons, v.RequireApproval = append(v.Rules, d.Rules...), append(v.Reasons, d.Reasons...), d.RequireApproval
	}
	for _, a := range o.Actions {
		v.Verdicts = append(v.Verdicts, VerdictView{
			Type: a.Request.Type, Target: target(a.Request), Outcome: string(a.Outcome), Reason: a.Reason,
			ActionID: a.ActionID, Approval: a.Approval,
		})
	}
	return v
}

// target names what a request acts on: protocol.contract, and the role or
// account when there is one.
func target(r guard.Request) string {
	s := r.Protocol
	if r.Contract != "" {
		s += "." + r.Contract
	}
	switch {
	case r.Role != "" && r.Account != "":
		s += " (" + r.Role + " of " + r.Account + ")"
	case r.Account != "":
		s += " (" + r.Account + ")"
	case r.Message != "":
		s += ": " + r.Message
	}
	return s
}

func actionView(r record.Record, dec *simulate.Decoder, x explorers) ActionView {
	v := ActionView{
		ID: r.ID, EventID: r.EventID, Protocol: r.Protocol, Type: r.Type, Chain: strconv.FormatUint(r.ChainID, 10),
		To: r.To.Hex(), ToURL: x.link(r.ChainID, "address", r.To.Hex()), Call: callString(dec, r.Function, r.Data),
		Signer: r.Signer, State: string(r.State), MaxFee: gwei(r.GasFeeCap), Tip: gwei(r.GasTipCap),
		Bumps: r.Bumps, Reorgs: r.Reorgs, Confirmations: r.Confirmations, Warning: r.Warning, Error: r.Error,
		CreatedAt: stamp(r.CreatedAt), SentAt: stamp(r.SentAt), MinedAt: stamp(r.MinedAt), Attempts: []AttemptView{},
	}
	if r.From != (common.Address{}) {
		v.From = r.From.Hex()
	}
	if r.Nonce != nil {
		v.Nonce = strconv.FormatUint(*r.Nonce, 10)
	}
	if r.TxHash != nil {
		v.TxHash = r.TxHash.Hex()
		v.TxURL = x.link(r.ChainID, "tx", v.TxHash)
	}
	if r.Block != 0 {
		v.Block = strconv.FormatUint(r.Block, 10)
		v.BlockURL = x.link(r.ChainID, "block", v.Block)
	}
	if r.GasUsed != 0 {
		v.GasUsed = strconv.FormatUint(r.GasUsed, 10)
	}
	v.Reverted = r.State == record.Mined && r.Status == 0
	for _, a := range r.Attempts {
		v.Attempts = append(v.Attempts, AttemptView{
			Hash: a.Hash.Hex(), URL: x.link(r.ChainID, "tx", a.Hash.Hex()), Nonce: a.Nonce, MaxFee: gwei(a.GasFeeCap),
			Tip: gwei(a.GasTipCap), Gas: a.GasLimit, Status: a.Status, Reason: a.Reason, At: stamp(a.At),
		})
	}
	return v
}

// callString decodes calldata, falling back to the recorded signature.
func callString(dec *simulate.Decoder, function string, data []byte) string {
	if c := dec.DecodeCall(data); c.Known {
		return c.String()
	}
	if function != "" {
		return function
	}
	return fmt.Sprintf("0x%x", data)
}

func approvalView(a safe.Approval, dec *simulate.Decoder, x explorers) ApprovalView {
	return ApprovalView{
		ID: a.ID, EventID: a.EventID, State: string(a.State), Protocol: a.Protocol, Chain: strconv.FormatUint(a.ChainID, 10),
		Safe: a.Safe.Hex(), SafeURL: x.link(a.ChainID, "address", a.Safe.Hex()), To: a.Tx.To.Hex(),
		Call: callString(dec, a.Function, a.Tx.Data), Nonce: a.Tx.Nonce,
		Signatures: fmt.Sprintf("%d of %d", len(a.Signatures), a.Threshold), Reason: a.Reason, Error: a.Error,
		CreatedAt: stamp(a.CreatedAt),
	}
}

func readinessView(rep observe.Report, ok bool) ReadinessView {
	v := ReadinessView{Checked: ok, OK: rep.OK, At: stamp(rep.At), Findings: []FindingView{}}
	// Failures first, then warnings: what needs doing is on top.
	rank := map[observe.Status]int{observe.StatusFail: 0, observe.StatusWarn: 1, observe.StatusOK: 2}
	fs := slices.Clone(rep.Findings)
	slices.SortStableFunc(fs, func(a, b observe.Finding) int { return rank[a.Status] - rank[b.Status] })
	for _, f := range fs {
		chain := ""
		if f.ChainID != 0 {
			chain = strconv.FormatUint(f.ChainID, 10)
		}
		v.Findings = append(v.Findings, FindingView{
			Status: string(f.Status), Protocol: f.Protocol, Contract: f.Contract, Action: f.Action, Chain: chain,
			Signer: f.Signer, Check: f.Check, Detail: f.Detail, Fix: f.Fix,
		})
	}
	return v
}

func policyView(p decide.PolicyStatus) PolicyView {
	return PolicyView{
		Source: p.Source, Revision: p.Revision, LoadedAt: stamp(p.LoadedAt), Reloads: p.Reloads,
		Failures: p.Failures, LastError: p.LastError, LastErrorAt: stamp(p.LastErrorAt),
	}
}

func killSwitchView(h guard.Halt, halted bool, err error, operable bool) KillSwitchView {
	v := KillSwitchView{Halted: halted, Operable: operable}
	if err != nil {
		v.Error = err.Error()
	}
	if halted {
		v.Reason, v.By, v.Since = h.Reason, h.By, stamp(h.At)
	}
	return v
}
