package report

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// timeFormat is how the timeline writes a time: UTC, to the millisecond.
const timeFormat = "2006-01-02 15:04:05.000"

// WriteMarkdown writes the report as a Markdown document. Every string
// that came from outside (an event's title, a reason, a note) is escaped,
// so it reads as text and never as markup or HTML.
func WriteMarkdown(w io.Writer, r *Report) error {
	m := &mdWriter{}
	m.line("# Post-mortem: %s", md(r.title()))
	m.line("")
	m.line("> Built by firebreak from the audit log alone, %s UTC. %s", r.GeneratedAt.Format("2006-01-02 15:04:05"), md(r.Verification.Sentence()))
	m.line("> The sections after *Audit chain* are for the team to write.")
	m.line("")
	m.line("## Metadata")
	m.line("")
	m.row("Field", "Value")
	m.row("---", "---")
	m.row("**Incident**", code(r.Incident.ID))
	m.row("**Incident date**", dateOf(r.Summary.FirstAlert))
	m.row("**Severity**", md(r.Summary.Severity))
	m.row("**Protocol**", md(r.Summary.Protocol))
	m.row("**State**", md(string(r.Summary.State)))
	m.row("**Authors**", "")
	m.row("**Status**", "Draft")
	m.row("**Audit records**", md(r.Verification.Range()))
	m.line("")
	m.line("## Summary")
	m.line("")
	m.line("%s", md(r.Summary.Text))
	m.line("")
	m.line("## Timeline")
	m.line("")
	m.line("All times UTC, in the order of the audit log.")
	for _, ev := range r.Events {
		m.line("")
		m.line("- **%s**: event %s", ev.Label, code(ev.ID))
	}
	m.line("")
	m.row("Time (UTC)", "Record", "What", "Event", "Details")
	m.row("---", "---:", "---", "---", "---")
	for _, e := range r.Timeline {
		details := md(e.Summary)
		if e.TxHash != "" && !strings.Contains(e.Summary, e.TxHash) {
			details += " (tx " + code(e.TxHash) + ")"
		}
		m.row(e.Time.Format(timeFormat), fmt.Sprintf("#%d", e.Seq), md(e.Category+": "+e.Kind), md(e.Event), details)
	}
	m.line("")
	m.line("## Detection")
	m.line("")
	d := r.Detection
	m.row("Aspect", "Details")
	m.row("---", "---")
	m.row("How detected", md(fmt.Sprintf("detector %s, alert %s, rule %s, confidence %g", orDash(d.Source), orDash(d.AlertType), orDash(d.RuleID), d.Confidence)))
	if d.TxHash != "" {
		m.row("Triggering transaction", code(d.TxHash)+md(fmt.Sprintf(" (block %d)", d.Block)))
	}
	if ms, ok := r.step(MilestoneAlert, MilestoneReceived); ok {
		m.row("Alert to engine", fmtMS(ms))
	}
	m.row("Could we detect faster?", "")
	m.line("")
	m.line("## Latencies")
	m.line("")
	if len(r.Latencies.Milestones) == 0 {
		m.line("No milestone in the records.")
	} else {
		m.row("Milestone", "Time (UTC)", "Record")
		m.row("---", "---", "---:")
		for _, ms := range r.Latencies.Milestones {
			m.row(ms.Name, ms.At.Format(timeFormat), fmt.Sprintf("#%d", ms.Seq))
		}
		m.line("")
		m.row("From", "To", "Took")
		m.row("---", "---", "---:")
		for _, s := range r.Latencies.Steps {
			m.row(s.From, s.To, fmtMS(s.MS))
		}
	}
	m.line("")
	m.line("## Transactions")
	m.line("")
	if len(r.Transactions) == 0 {
		m.line("No action was recorded.")
	} else {
		m.row("Action", "Type", "To", "Function", "From", "Tx hash", "Block", "Status", "Gas used", "Fee paid (ETH)")
		m.row("---", "---", "---", "---", "---", "---", "---:", "---", "---:", "---:")
		for _, t := range r.Transactions {
			m.row(code(t.ActionID), md(t.Type), code(t.To), md(t.Function), code(t.From), code(t.TxHash), blockText(t.Block), md(t.statusText()), gasText(t.GasUsed), md(t.feeText()))
		}
		for _, t := range r.Transactions {
			if len(t.Attempts) > 1 {
				m.line("")
				m.line("Attempts of %s (%d bump(s)): %s", code(t.ActionID), t.Bumps, joinCode(t.Attempts))
			}
		}
	}
	m.line("")
	m.line("## Gas and fees")
	m.line("")
	m.line("%s", md(r.Gas.Sentence()))
	m.line("")
	m.line("## Affected contracts")
	m.line("")
	if len(r.Contracts) == 0 {
		m.line("None named in the records.")
	} else {
		m.row("Contract", "Address", "Chain", "Functions", "Guard", "Actions")
		m.row("---", "---", "---:", "---", "---", "---")
		for _, c := range r.Contracts {
			m.row(md(c.Name), code(c.Address), fmt.Sprint(c.ChainID), md(strings.Join(c.Functions, ", ")), md(strings.Join(c.Verdicts, ", ")), joinCode(c.Actions))
		}
	}
	m.line("")
	m.line("## Affected addresses")
	m.line("")
	if len(r.Addresses) == 0 {
		m.line("None named in the records.")
	} else {
		m.row("Address", "Role", "Named by")
		m.row("---", "---", "---")
		for _, a := range r.Addresses {
			m.row(code(a.Address), md(strings.Join(a.Roles, "; ")), joinCode(a.Seen))
		}
	}
	m.line("")
	m.line("## Audit chain")
	m.line("")
	v := r.Verification
	m.line("- Verified: **%s**", yesNo(v.Verified))
	m.line("- Records: %s", md(v.Range()))
	if v.LastHash != "" {
		m.line("- Hash of record #%d: %s (compare with `firebreak audit head` or an export)", v.LastSeq, code(v.LastHash))
	}
	m.line("- Signatures: %s", md(v.SignatureText()))
	if v.Problem != "" {
		m.line("- Problem: %s", md(v.Problem))
	}
	for _, s := range r.Sections {
		m.line("")
		m.line("## %s", md(s.Title))
		m.line("")
		for _, p := range s.Prompts {
			m.line("- *%s:* ", md(p))
		}
	}
	m.line("")
	m.line("---")
	m.line("*Based on SEAL 911's post-mortem template (Security Alliance frameworks). Focus on learning, not blame.*")
	_, err := io.WriteString(w, m.String())
	return err
}

type mdWriter struct{ strings.Builder }

func (m *mdWriter) line(format string, a ...any) {
	fmt.Fprintf(m, format, a...)
	m.WriteByte('\n')
}

func (m *mdWriter) row(cells ...string) {
	m.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// mdEscaper makes outside text inert in Markdown: table pipes, emphasis,
// links, code spans and raw HTML are escaped; line breaks become spaces.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`",
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "\r\n", " ", "\n", " ", "\r", " ",
)

func md(s string) string { return mdEscaper.Replace(s) }

// code writes s as a code span when it is a plain identifier (hashes,
// addresses, ids), else escaped text: a backtick inside cannot close it.
func code(s string) string {
	if s == "" {
		return ""
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:/", c)) {
			return md(s)
		}
	}
	return "`" + s + "`"
}

func joinCode(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}

func (r *Report) title() string {
	if r.Summary.Title != "" {
		return r.Summary.Title
	}
	return "incident " + r.Incident.ID
}

func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func blockText(b uint64) string {
	if b == 0 {
		return ""
	}
	return fmt.Sprint(b)
}

func gasText(g uint64) string {
	if g == 0 {
		return ""
	}
	return fmt.Sprint(g)
}

func (t Transaction) statusText() string {
	switch {
	case t.Status != nil && *t.Status == 1:
		return t.State + ", success"
	case t.Status != nil:
		return t.State + ", REVERTED"
	case t.Error != "":
		return t.State + ": " + t.Error
	}
	return t.State
}

func (t Transaction) feeText() string {
	switch {
	case t.FeeWei != "":
		return weiETH(t.FeeWei)
	case t.FeeMaxWei != "":
		return weiETH(t.FeeMinWei) + " to " + weiETH(t.FeeMaxWei)
	}
	return ""
}

// weiETH writes an amount of wei in ETH with 9 decimals (gwei precision).
func weiETH(wei string) string {
	v, ok := new(big.Int).SetString(wei, 10)
	if !ok {
		return wei
	}
	f := new(big.Float).Quo(new(big.Float).SetInt(v), big.NewFloat(1e18))
	return f.Text('f', 9)
}

// Sentence says what the transactions used and paid.
func (g Gas) Sentence() string {
	if g.Transactions == 0 {
		return "No transaction was mined."
	}
	s := fmt.Sprintf("%d transaction(s) mined, %d gas used in all. ", g.Transactions, g.GasUsed)
	if g.FeeWei != "" {
		return s + fmt.Sprintf("Fees paid: %s ETH (gas used × effective gas price).", weiETH(g.FeeWei))
	}
	return s + fmt.Sprintf("Fees paid: between %s ETH (gas used × priority fee) and %s ETH (gas used × fee cap); "+
		"the audit records hold no effective gas price (written by an older firebreak), and the exact fee is the receipt's gas used × effective gas price.", weiETH(g.FeeMinWei), weiETH(g.FeeMaxWei))
}

// Range names the records checked, for a person.
func (v Verification) Range() string {
	return fmt.Sprintf("#%d to #%d (%d used by this report, %d checked)", v.FirstSeq, v.LastSeq, v.Used, v.Checked)
}

// Sentence is the verification in one sentence.
func (v Verification) Sentence() string {
	if v.Verified {
		return fmt.Sprintf("Audit chain verified over records #%d to #%d: yes.", v.FirstSeq, v.LastSeq)
	}
	return fmt.Sprintf("Audit chain verified over records #%d to #%d: NO (%s).", v.FirstSeq, v.LastSeq, v.Problem)
}

// SignatureText says whether the signatures were checked.
func (v Verification) SignatureText() string {
	if v.SignaturesChecked {
		return "checked against the given public key"
	}
	return "not checked (firebreak audit verify --public-key checks them over the whole log)"
}
