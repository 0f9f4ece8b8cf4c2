package test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"image/png"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/report"
)

// A real engine on anvil and embedded NATS pauses the demo vault on a
// critical event; the incident the engine opened for it (and contained once
// the pause was mined) is reported by 'firebreak incident report' in
// Markdown, HTML and JSON, and each rendering's timeline is the event's
// audit records: the same records in the same order, with the same
// transaction hashes, and the chain verified over them. The HTML page
// renders in headless Chromium without a console message or a request
// beyond the page itself, and a screenshot of it is kept.
func TestIncidentReportFromTheRecord(t *testing.T) {
	s := newStack(t, nil)
	bin := buildFirebreak(t)
	ev := criticalExploit("report-critical-1")
	ev.Title = "Reentrancy drain on the demo vault"
	s.publish(ev)
	out := s.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed {
		t.Fatalf("outcome %+v, want one allowed pause", out)
	}
	act := s.action(out.Actions[0].ActionID)
	if act.State != record.Mined || act.Status != 1 || act.TxHash == nil {
		t.Fatalf("the pause was not mined: %+v", act)
	}
	rd, err := audit.NewReader(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	store, err := incident.OpenStore(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	// The engine opened an incident for the event and, once the pause was
	// mined, contained it; the announcer audits both changes. The report's
	// timeline is the event's records and those incident records, in log
	// order.
	var in incident.Incident
	var recs []audit.Record
	for {
		in, recs = incident.Incident{}, nil
		all, err := store.List(s.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range all {
			if slices.Contains(i.Events, ev.ID) {
				in = i
			}
		}
		evRecs, err := rd.Event(s.ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		incRecs, err := rd.List(s.ctx, audit.Filter{Kind: audit.KindIncident})
		if err != nil {
			t.Fatal(err)
		}
		changes := 0
		for _, r := range incRecs {
			var d struct {
				Incident string `json:"incident"`
			}
			if in.ID != "" && json.Unmarshal(r.Data, &d) == nil && d.Incident == in.ID {
				evRecs = append(evRecs, r)
				changes++
			}
		}
		mined := slices.ContainsFunc(evRecs, func(r audit.Record) bool { return r.Kind == audit.KindMined })
		if in.State == incident.Contained && mined && changes == 2 {
			recs = evRecs
			break
		}
		s.sleep(20 * time.Millisecond)
	}
	slices.SortFunc(recs, func(a, b audit.Record) int { return cmp.Compare(a.Seq, b.Seq) })
	recs = slices.CompactFunc(recs, func(a, b audit.Record) bool { return a.Seq == b.Seq })

	var wantSeqs []uint64
	wantTx := map[uint64]string{}
	for _, r := range recs {
		wantSeqs = append(wantSeqs, r.Seq)
		var d audit.ActionData
		if json.Unmarshal(r.Data, &d) == nil && d.Action.TxHash != nil {
			wantTx[r.Seq] = d.Action.TxHash.Hex()
		}
	}
	if !slices.ContainsFunc(recs, func(r audit.Record) bool { return wantTx[r.Seq] == act.TxHash.Hex() }) {
		t.Fatalf("no record of the event names the mined pause %s: %+v", act.TxHash.Hex(), recs)
	}

	dir := t.TempDir()
	files := map[string]string{}
	for _, format := range []string{"md", "html", "json"} {
		files[format] = filepath.Join(dir, "report."+format)
		cmd := exec.CommandContext(s.ctx, bin, "incident", "report", in.ID, "--format", format, "--out", files[format],
			"--nats", s.engine.NATSURL(), "--creds", s.engine.NATSSeedFile())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("firebreak report --format %s: %v\n%s", format, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "verified over records") || !strings.Contains(stderr.String(), ": yes.") {
			t.Errorf("--format %s: the command does not say the chain verified: %s", format, stderr.String())
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(files[name])
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	var rep report.Report
	if err := json.Unmarshal([]byte(read("json")), &rep); err != nil {
		t.Fatal(err)
	}
	var gotSeqs []uint64
	for _, e := range rep.Timeline {
		gotSeqs = append(gotSeqs, e.Seq)
		if e.TxHash != wantTx[e.Seq] {
			t.Errorf("JSON timeline record %d has tx %q, the audit record %q", e.Seq, e.TxHash, wantTx[e.Seq])
		}
	}
	if !slices.Equal(gotSeqs, wantSeqs) {
		t.Errorf("JSON timeline records %v, the audit log's %v", gotSeqs, wantSeqs)
	}
	if !rep.Verification.Verified || rep.Verification.FirstSeq != wantSeqs[0] || rep.Verification.LastSeq != wantSeqs[len(wantSeqs)-1] {
		t.Errorf("verification %+v", rep.Verification)
	}
	if len(rep.Transactions) != 1 || rep.Transactions[0].TxHash != act.TxHash.Hex() || rep.Transactions[0].Block != act.Block ||
		rep.Transactions[0].GasUsed != act.GasUsed || rep.Gas.GasUsed != act.GasUsed || rep.Gas.FeeMaxWei == "0" {
		t.Errorf("transactions %+v, gas %+v; want the mined pause %s in block %d, %d gas", rep.Transactions, rep.Gas, act.TxHash.Hex(), act.Block, act.GasUsed)
	}
	// The fee is exact, the receipt's: gas used × effective gas price.
	receipt, err := s.client.TransactionReceipt(s.ctx, *act.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	wantFee := new(big.Int).Mul(new(big.Int).SetUint64(receipt.GasUsed), receipt.EffectiveGasPrice).String()
	if rep.Transactions[0].FeeWei != wantFee || rep.Gas.FeeWei != wantFee {
		t.Errorf("fee %q, in all %q; want the receipt's %s wei", rep.Transactions[0].FeeWei, rep.Gas.FeeWei, wantFee)
	}
	if !rep.Summary.Contained || rep.Summary.Allowed != 1 || len(rep.Latencies.Steps) < 4 {
		t.Errorf("summary %+v, latencies %+v", rep.Summary, rep.Latencies)
	}

	// Markdown: the timeline's rows, in order, name the same records; the
	// transaction rows hold the same hashes.
	md := read("md")
	artifact(t, "postmortem.md", []byte(md))
	rowRE := regexp.MustCompile("(?m)^\\| \\d{4}-\\d\\d-\\d\\d [0-9:.]+ \\| #(\\d+) \\|.*$")
	var mdSeqs []uint64
	for _, m := range rowRE.FindAllStringSubmatch(md, -1) {
		n, _ := strconv.ParseUint(m[1], 10, 64)
		mdSeqs = append(mdSeqs, n)
		if tx := wantTx[n]; tx != "" && !strings.Contains(m[0], tx) {
			t.Errorf("Markdown row of record %d lacks its tx %s: %s", n, tx, m[0])
		}
	}
	if !slices.Equal(mdSeqs, wantSeqs) {
		t.Errorf("Markdown timeline records %v, the audit log's %v", mdSeqs, wantSeqs)
	}
	for _, want := range []string{"- Verified: **yes**", "## Root cause", "## Lessons learned", "## Action items", "## Affected contracts", act.TxHash.Hex()} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q", want)
		}
	}

	// HTML: the same, from the table's data-seq attributes.
	page := read("html")
	var htmlSeqs []uint64
	for _, m := range regexp.MustCompile(`<tr class="cat-[a-z]+" data-seq="(\d+)">(.*?)</tr>`).FindAllStringSubmatch(page, -1) {
		n, _ := strconv.ParseUint(m[1], 10, 64)
		htmlSeqs = append(htmlSeqs, n)
		if tx := wantTx[n]; tx != "" && !strings.Contains(m[2], tx) {
			t.Errorf("HTML row of record %d lacks its tx %s", n, tx)
		}
	}
	if !slices.Equal(htmlSeqs, wantSeqs) {
		t.Errorf("HTML timeline records %v, the audit log's %v", htmlSeqs, wantSeqs)
	}

	// The page in headless Chromium, served from a local origin so that
	// any request it made would be seen.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /report.html", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	b := startBrowser(t, srv.URL, "", "")
	do(t, b.ctx, chromedp.Navigate(srv.URL+"/report.html"))
	waitPage(t, b.ctx, "the timeline table", `document.querySelectorAll("#timeline-table tbody tr").length > 0`)
	if n := eval[float64](t, b.ctx, `document.querySelectorAll("#timeline-table tbody tr").length`); int(n) != len(wantSeqs) {
		t.Errorf("the page shows %v timeline rows, want %d", n, len(wantSeqs))
	}
	if n := eval[float64](t, b.ctx, `document.querySelectorAll("#timeline-svg circle").length`); int(n) != len(wantSeqs) {
		t.Errorf("the SVG timeline draws %v records, want %d", n, len(wantSeqs))
	}
	if w := eval[float64](t, b.ctx, `document.getElementById("timeline-svg").getBoundingClientRect().width`); w < 600 {
		t.Errorf("the SVG timeline is %vpx wide in a 1280px window", w)
	}
	if v := eval[string](t, b.ctx, `document.getElementById("verified").innerText`); v != "yes" {
		t.Errorf("the page says verified %q", v)
	}
	text := eval[string](t, b.ctx, `document.body.innerText`)
	for _, want := range []string{act.TxHash.Hex(), "Root cause", "What went well", "Affected addresses", ev.ID} {
		if !strings.Contains(text, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := artifact(t, "postmortem.png", shot)
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot %s is not a PNG: %v", path, err)
	}
	if cfg.Width < 1000 || cfg.Width > 4000 || cfg.Height < 900 || cfg.Height > 40000 {
		t.Errorf("the screenshot is %dx%d: not the size of a rendered report", cfg.Width, cfg.Height)
	}
	b.check()
	b.mu.Lock()
	for _, u := range b.requests {
		if u != srv.URL+"/report.html" && u != srv.URL+"/favicon.ico" {
			t.Errorf("the page asked for %s: it is not self-contained", u)
		}
	}
	b.mu.Unlock()
	t.Log(fmt.Sprintf("report: %d records, #%d to #%d", len(wantSeqs), wantSeqs[0], wantSeqs[len(wantSeqs)-1]))
}
