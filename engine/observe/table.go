package observe

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report for a person: one row per finding, the fix
// under each warning and failure, and a closing line.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tPROTOCOL\tCONTRACT\tACTION\tCHAIN\tSIGNER\tCHECK\tDETAIL")
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, f := range r.Findings {
		chain := "-"
		if f.ChainID != 0 {
			chain = strconv.FormatUint(f.ChainID, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(string(f.Status)), dash(f.Protocol), dash(f.Contract),
			dash(f.Action), chain, dash(f.Signer), f.Check, f.Detail)
		if f.Fix != "" && f.Status != StatusOK {
			fmt.Fprintf(tw, "\t\t\t\t\t\t\tfix: %s\n", f.Fix)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var fails, warns int
	for _, f := range r.Findings {
		switch f.Status {
		case StatusFail:
			fails++
		case StatusWarn:
			warns++
		}
	}
	verdict := "READY: every pauser can pause now"
	if !r.OK {
		verdict = "NOT READY: some containment actions cannot be taken now"
	}
	_, err := fmt.Fprintf(w, "\n%s (%d checks, %d failed, %d warnings, %s)\n", verdict, len(r.Findings), fails, warns, r.Took.Round(1e6))
	return err
}
