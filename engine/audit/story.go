package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/firebreak-dev/firebreak/engine/guard"
)

// Summary is one line a person can read about the record.
func (r Record) Summary() string {
	var s string
	var err error
	if r.Kind == KindDuplicate {
		var d DuplicateData
		if json.Unmarshal(r.Data, &d) == nil && d.PayloadSHA256 != "" {
			return fmt.Sprintf("already handled, not acted on again: event %s from %s came again (%d bytes, sha256 %s)", d.EventID, d.Source, d.Size, d.PayloadSHA256)
		}
	}
	switch r.Kind {
	case KindReceived, KindDuplicate:
		var d ReceivedData
		if err = json.Unmarshal(r.Data, &d); err == nil {
			ev := d.Event
			s = fmt.Sprintf("%s %s alert from %s on chain %d, confidence %g, protocol %s", ev.Severity, ev.AlertType, ev.Source, ev.ChainID, ev.Confidence, ev.Protocol)
			if r.Kind == KindDuplicate {
				s = "already handled, not acted on again: " + s
			}
		}
	case KindCheckpointOverride, KindStreamReplaced:
		var d CheckpointOverrideData
		if err = json.Unmarshal(r.Data, &d); err == nil {
			what := "started although the stream does not hold the checkpoint"
			if r.Kind == KindStreamReplaced {
				what = "the stream was replaced while the engine ran"
			}
			s = fmt.Sprintf("%s: %s named record %d hash %.12s…; found: %s; going on after record %d", what, d.CheckpointFile, d.CheckpointSeq, d.CheckpointHash, d.Found, d.StreamSeq)
		}
	case KindRejected:
		var d RejectedData
		if err = json.Unmarshal(r.Data, &d); err == nil {
			s = fmt.Sprintf("message %s #%d (%d bytes) dead-lettered: %s", d.Subject, d.StreamSeq, d.Size, d.Reason)
		}
	case KindDecision:
		var d DecisionData
		if err = json.Unmarshal(r.Data, &d); err == nil {
			s = decisionSummary(d)
		}
	case KindGuard:
		var d GuardData
		if err = json.Unmarshal(r.Data, &d); err == nil {
			s = guardSummary(d)
		}
	case KindPlanned:
		var d PlannedData
		if err = json.Unmarshal(r.Data, &d); err == nil {
			in := d.Intent
			s = fmt.Sprintf("action %s: %s on %s (chain %d), signer %s", in.ID, in.Function, in.To.Hex(), in.ChainID, in.Signer)
			if d.AlreadyRecorded {
				s += " (recorded by an earlier delivery; not executed twice)"
			}
		}
	default:
		var ap ApprovalRefusedData
		if r.Kind == KindRefused && json.Unmarshal(r.Data, &ap) == nil && ap.ApprovalID != "" {
			s = fmt.Sprintf("approval %s on Safe %s (Safe nonce %d) refused, not executed: %s", ap.ApprovalID, ap.Safe, ap.SafeNonce, ap.Reason)
			break
		}
		var d ActionData
		if json.Unmarshal(r.Data, &d) == nil && d.Action.ID != "" {
			s = actionSummary(r.Kind, d)
		}
	}
	if s == "" {
		s = truncate(string(r.Data), 200)
	}
	return s
}

func decisionSummary(d DecisionData) string {
	if d.Decision == nil {
		return fmt.Sprintf("the policies could not decide, so nothing was done: %s", d.Error)
	}
	dec := d.Decision
	var b strings.Builder
	rev := dec.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	fmt.Fprintf(&b, "policy revision %s, decision %s: ", rev, d.DecisionID)
	if len(dec.Rules) == 0 {
		b.WriteString("no rule fired")
	} else {
		fmt.Fprintf(&b, "rules %s fired", strings.Join(dec.Rules, ", "))
	}
	fmt.Fprintf(&b, ", %d action(s) requested", len(dec.Actions))
	if dec.RequireApproval {
		b.WriteString(", approval required")
	}
	if len(dec.Reasons) > 0 {
		fmt.Fprintf(&b, "; reasons: %s", strings.Join(dec.Reasons, "; "))
	}
	return b.String()
}

func guardSummary(d GuardData) string {
	v := d.Verdict
	what := fmt.Sprintf("%s %s.%s", v.Request.Type, v.Request.Protocol, v.Request.Contract)
	if v.Request.Role != "" {
		what += fmt.Sprintf(" (role %s of %s)", v.Request.Role, v.Request.Account)
	}
	switch v.Outcome {
	case guard.Allowed:
		return fmt.Sprintf("%s allowed: %s on %s (chain %d), signer %s", what, v.Function, v.To.Hex(), v.ChainID, v.Signer)
	case guard.NoOp:
		return fmt.Sprintf("%s is a no-op: %s", what, v.Reason)
	default:
		return fmt.Sprintf("%s %s: %s", what, v.Outcome, v.Reason)
	}
}

func actionSummary(k Kind, d ActionData) string {
	a := d.Action
	tx := "no transaction"
	if a.TxHash != nil {
		tx = "tx " + a.TxHash.Hex()
	}
	switch k {
	case KindSigned, KindBumped:
		nonce := "?"
		if a.Nonce != nil {
			nonce = fmt.Sprint(*a.Nonce)
		}
		verb := "signed"
		if k == KindBumped {
			verb = fmt.Sprintf("bump %d: replaced by", a.Bumps)
		}
		return fmt.Sprintf("%s %s: nonce %s from %s, gas limit %d, max fee %s gwei, tip %s gwei", verb, tx, nonce, a.From.Hex(), a.GasLimit, gwei(a.GasFeeCap), gwei(a.GasTipCap))
	case KindSent:
		return fmt.Sprintf("%s accepted by the node", tx)
	case KindMined, KindIncluded:
		status := "success"
		if a.Status != 1 {
			status = "REVERTED"
		}
		s := fmt.Sprintf("%s included in block %d: %s, gas used %d", tx, a.Block, status, a.GasUsed)
		if a.Confirmations > 0 {
			s += fmt.Sprintf(", %d confirmation(s)", a.Confirmations)
		}
		if k == KindIncluded {
			s += ", waiting for confirmations"
		}
		return s
	case KindReorged:
		return fmt.Sprintf("%s left the chain in a reorg (reorg %d); sent again", tx, a.Reorgs)
	case KindWarning:
		return fmt.Sprintf("%s still in flight: %s", tx, a.Warning)
	case KindFailed:
		return fmt.Sprintf("action failed (%s): %s", tx, a.Error)
	case KindRefused:
		return fmt.Sprintf("action refused, nothing signed for it (%s): %s", tx, a.Error)
	default:
		s := fmt.Sprintf("action %s is %s (%s", a.ID, a.State, tx)
		if a.Block != 0 {
			s += fmt.Sprintf(", block %d", a.Block)
		}
		if a.Error != "" {
			s += ", " + a.Error
		}
		return s + ")"
	}
}

func gwei(v interface{ ToInt() *big.Int }) string {
	if v == nil || v.ToInt() == nil {
		return "?"
	}
	f := new(big.Float).Quo(new(big.Float).SetInt(v.ToInt()), big.NewFloat(1e9))
	return f.Text('f', 3)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Line is the record as one line of a listing: sequence, time, kind, event
// and summary.
func (r Record) Line() string {
	ev := r.EventID
	if ev == "" {
		ev = "-"
	}
	return fmt.Sprintf("%6d  %s  %-9s  %s  %s", r.Seq, r.Time.UTC().Format("2006-01-02T15:04:05.000Z"), r.Kind, ev, r.Summary())
}

// WriteStory writes the records of one incident, in order, for a person.
func WriteStory(w io.Writer, recs []Record) error {
	if len(recs) == 0 {
		_, err := fmt.Fprintln(w, "no records")
		return err
	}
	first := recs[0]
	proto := ""
	for _, r := range recs {
		if r.Protocol != "" {
			proto = r.Protocol
			break
		}
	}
	head := "Records about no particular event"
	if first.EventID != "" {
		head = fmt.Sprintf("Event %s", first.EventID)
		if proto != "" {
			head += fmt.Sprintf(" (protocol %s)", proto)
		}
	}
	last := recs[len(recs)-1]
	if _, err := fmt.Fprintf(w, "%s: %d records, %s to %s\n\n", head, len(recs), first.Time.UTC().Format("2006-01-02 15:04:05.000"), last.Time.UTC().Format("15:04:05.000 MST")); err != nil {
		return err
	}
	for _, r := range recs {
		if _, err := fmt.Fprintf(w, "  #%-6d %s  %-9s %s\n", r.Seq, r.Time.UTC().Format("15:04:05.000"), r.Kind, r.Summary()); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\nrecord %d hash %s\n", last.Seq, last.Hash)
	return err
}
