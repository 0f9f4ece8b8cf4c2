package report

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

func parseExport(data []byte) ([]audit.Record, error) { return ReadExport(bytes.NewReader(data)) }

var fixtureGenerated = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func buildFixture(t *testing.T) *Report {
	t.Helper()
	r, err := Build(loadFixture(t), fixtureIncident(), Options{GeneratedAt: fixtureGenerated})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The report of the fixture holds what its records say: the incident's
// records in the log's order (not the other event's), each transaction
// hash, the refusal and why, the fees from gas used and the fee caps, and
// a chain verified over the span.
func TestBuildFromRecords(t *testing.T) {
	r := buildFixture(t)
	var seqs []uint64
	var cats []string
	for _, e := range r.Timeline {
		seqs = append(seqs, e.Seq)
		cats = append(cats, e.Category)
	}
	if want := []uint64{1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15}; !slices.Equal(seqs, want) {
		t.Errorf("timeline records %v, want %v (the incident's, in order)", seqs, want)
	}
	wantCats := []string{CatAlert, CatDecision, CatGuard, CatRefused, CatAction, CatIncident, CatTransaction, CatTransaction,
		CatTransaction, CatTransaction, CatTransaction, CatNotification, CatIncident}
	if !slices.Equal(cats, wantCats) {
		t.Errorf("categories %v, want %v", cats, wantCats)
	}
	for _, tc := range []struct {
		seq  uint64
		tx   string
		text string
	}{
		{1, fixtureExploit.Hex(), "critical exploit alert from forta"},
		{3, "", "rev-3f2a9c"},
		{5, "", "not on the allowlist"},
		{8, fixtureTx1.Hex(), "signed"},
		{11, fixtureTx2.Hex(), "bump 1"},
		{13, fixtureTx2.Hex(), "block 42"},
		{15, "", "detected → contained by engine: every allowed action is final"},
	} {
		i := slices.IndexFunc(r.Timeline, func(e Entry) bool { return e.Seq == tc.seq })
		e := r.Timeline[i]
		if e.TxHash != tc.tx || !strings.Contains(e.Summary, tc.text) {
			t.Errorf("record %d: tx %q summary %q; want tx %q and %q", tc.seq, e.TxHash, e.Summary, tc.tx, tc.text)
		}
	}
	if !slices.Equal(r.Events, []EventRef{{Label: "E1", ID: "ev-1"}}) || r.Timeline[0].Event != "E1" {
		t.Errorf("events %+v, first entry's label %q", r.Events, r.Timeline[0].Event)
	}
	s := r.Summary
	if s.Requested != 2 || s.Allowed != 1 || s.Refused != 1 || s.Succeeded != 1 || s.Failed != 0 || !s.Contained || s.Events != 1 {
		t.Errorf("summary %+v", s)
	}
	if len(r.Transactions) != 1 {
		t.Fatalf("transactions %+v", r.Transactions)
	}
	tx := r.Transactions[0]
	if tx.TxHash != fixtureTx2.Hex() || !slices.Equal(tx.Attempts, []string{fixtureTx1.Hex(), fixtureTx2.Hex()}) || tx.Block != 42 || tx.GasUsed != 28934 {
		t.Errorf("transaction %+v", tx)
	}
	// 28934 gas × 6 gwei tip and × 48 gwei fee cap.
	if tx.FeeMinWei != "173604000000000" || tx.FeeMaxWei != "1388832000000000" || tx.FeeWei != "" {
		t.Errorf("fees %s to %s (exact %q)", tx.FeeMinWei, tx.FeeMaxWei, tx.FeeWei)
	}
	if r.Gas.GasUsed != 28934 || r.Gas.FeeMaxWei != tx.FeeMaxWei {
		t.Errorf("gas %+v", r.Gas)
	}
	var names []string
	for _, m := range r.Latencies.Milestones {
		names = append(names, m.Name)
	}
	if want := []string{MilestoneAlert, MilestoneReceived, MilestoneDecision, MilestoneBroadcast, MilestoneInclusion, MilestoneFinal}; !slices.Equal(names, want) {
		t.Errorf("milestones %v, want %v", names, want)
	}
	if ms, ok := r.step(MilestoneAlert, MilestoneReceived); !ok || ms != 120 {
		t.Errorf("alert to received %v ms, want the 120 ms between the event's timestamp and received_at", ms)
	}
	for _, st := range r.Latencies.Steps {
		if st.MS < 0 {
			t.Errorf("step %s → %s is negative: %v ms", st.From, st.To, st.MS)
		}
	}
	if len(r.Contracts) != 1 || r.Contracts[0].Name != "demo.vault" || r.Contracts[0].Address != fixtureVault.Hex() ||
		!slices.Equal(r.Contracts[0].Verdicts, []string{"allowed", "refused"}) {
		t.Errorf("contracts %+v", r.Contracts)
	}
	roles := map[string][]string{}
	for _, a := range r.Addresses {
		roles[a.Address] = a.Roles
	}
	if !slices.Contains(roles[fixtureAttacker.Hex()], "attacker (detector)") || !slices.Contains(roles[fixtureGuardian.Hex()], "firebreak signer (guardian)") {
		t.Errorf("addresses %+v", r.Addresses)
	}
	v := r.Verification
	if !v.Verified || v.FirstSeq != 1 || v.LastSeq != 15 || v.Checked != 15 || v.Used != 13 || v.Problem != "" || v.FirstPrev != strings.Repeat("0", 64) {
		t.Errorf("verification %+v", v)
	}
	if len(r.Sections) == 0 || r.Sections[1].Title != "Root cause" {
		t.Errorf("sections %+v", r.Sections)
	}
}

// rehash recomputes a record's hash as the audit log does (SHA-256 of its
// canonical form without hash and signature), to forge a record whose own
// hash is right but whose place in the chain is not.
func rehash(t *testing.T, r audit.Record) audit.Record {
	t.Helper()
	r.Hash, r.Sig, r.KeyID = "", "", ""
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	r.Hash = hex.EncodeToString(sum[:])
	return r
}

// A report over a damaged chain says so, naming the first record out of
// place, whether the damage is in a record it uses or in another
// incident's record between them.
func TestVerificationFindsDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, recs []audit.Record) []audit.Record
		want   string
	}{
		{"a used record altered", func(t *testing.T, recs []audit.Record) []audit.Record {
			recs[4].Data = json.RawMessage(strings.Replace(string(recs[4].Data), "not on the allowlist", "allowed after all", 1))
			return recs
		}, "record 5: "},
		{"a record between them missing", func(t *testing.T, recs []audit.Record) []audit.Record {
			return slices.Delete(recs, 8, 9) // record 9, the other event's
		}, "record 9 is missing"},
		{"a record replaced, its own hash recomputed", func(t *testing.T, recs []audit.Record) []audit.Record {
			recs[8].Data = json.RawMessage(`{"forged":true}`)
			recs[8] = rehash(t, recs[8])
			return recs
		}, "record 10: its prev hash does not match"},
		{"two versions of one record", func(t *testing.T, recs []audit.Record) []audit.Record {
			forged := recs[5]
			forged.Data = json.RawMessage(`{"forged":true}`)
			return append(recs, rehash(t, forged))
		}, "record 6: two different records"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := tc.damage(t, loadFixture(t))
			r, err := Build(recs, fixtureIncident(), Options{GeneratedAt: fixtureGenerated})
			if err != nil {
				t.Fatal(err)
			}
			if r.Verification.Verified || !strings.Contains(r.Verification.Problem, tc.want) {
				t.Fatalf("verification %+v, want not verified, problem %q", r.Verification, tc.want)
			}
			var md, html bytes.Buffer
			if err := WriteMarkdown(&md, r); err != nil {
				t.Fatal(err)
			}
			if err := WriteHTML(&html, r); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(md.String(), "- Verified: **no**") || !strings.Contains(html.String(), `class="badge no">no<`) {
				t.Error("a rendering does not say the chain did not verify")
			}
		})
	}
}

// With the audit public key the signatures are checked too (from record
// 1); with another key the report says the chain did not verify.
func TestVerificationChecksSignatures(t *testing.T) {
	other := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	for _, tc := range []struct {
		name string
		key  ed25519.PublicKey
		recs func([]audit.Record) []audit.Record
		ok   bool
		want string
	}{
		{"the audit key", fixtureKey().Public().(ed25519.PublicKey), nil, true, ""},
		{"another key", other.Public().(ed25519.PublicKey), nil, false, "signed by key"},
		{"not from record 1", fixtureKey().Public().(ed25519.PublicKey), func(r []audit.Record) []audit.Record { return r[2:] }, false, "from record 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := loadFixture(t)
			if tc.recs != nil {
				recs = tc.recs(recs)
			}
			r, err := Build(recs, fixtureIncident(), Options{GeneratedAt: fixtureGenerated, PublicKey: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			v := r.Verification
			if v.Verified != tc.ok || v.SignaturesChecked != tc.ok || !strings.Contains(v.Problem, tc.want) {
				t.Fatalf("verification %+v, want verified %v, problem %q", v, tc.ok, tc.want)
			}
		})
	}
}

func TestBuildRefusesWhatItCannotReport(t *testing.T) {
	recs := loadFixture(t)
	if _, err := Build(recs, incident.Incident{ID: "empty"}, Options{}); !errors.Is(err, ErrNoIncident) {
		t.Errorf("an incident with no event: %v, want ErrNoIncident", err)
	}
	if _, err := Build(recs, incident.Incident{ID: "elsewhere", Events: []string{"not-in-this-log"}}, Options{}); !errors.Is(err, ErrNoRecords) {
		t.Errorf("an incident whose events are not in the log: %v, want ErrNoRecords", err)
	}
	// Another incident's change records are not this one's.
	in := fixtureIncident()
	in.ID = "inc-other"
	r, err := Build(recs, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range r.Timeline {
		if e.Category == CatIncident {
			t.Errorf("record %d, about inc-demo-1, is in the report of inc-other", e.Seq)
		}
	}
}

// An incident the store never held (a drill's) is built from its events'
// records.
func TestFromRecords(t *testing.T) {
	in := FromRecords("drill-1", []string{"ev-1"}, loadFixture(t))
	if in.Protocol != "demo" || in.Severity != "critical" || in.State != incident.Contained || !slices.Equal(in.Actions, []string{"ev-1/0"}) ||
		in.OpenedAt.IsZero() || len(in.History) != 2 {
		t.Fatalf("incident %+v", in)
	}
	r, err := Build(loadFixture(t), in, Options{GeneratedAt: fixtureGenerated})
	if err != nil || !r.Summary.Contained || !r.Verification.Verified {
		t.Fatalf("report %+v, %v", r, err)
	}
}

// Collect reads from a real audit stream what the export holds about the
// incident, and the records between, so the report is the same.
func TestCollectFromTheStream(t *testing.T) {
	js := natstest.JetStream(t)
	appendFixture(t, js)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rd, err := audit.NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := Collect(ctx, rd, fixtureIncident())
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for _, r := range recs {
		got = append(got, r.Seq)
	}
	if want := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}; !slices.Equal(got, want) {
		t.Errorf("collected records %v, want the span %v (record 16, after the incident, not read)", got, want)
	}
	fromStream, err := Build(recs, fixtureIncident(), Options{GeneratedAt: fixtureGenerated})
	if err != nil {
		t.Fatal(err)
	}
	fromExport := buildFixture(t)
	a, _ := json.Marshal(fromStream)
	b, _ := json.Marshal(fromExport)
	if !bytes.Equal(a, b) {
		t.Errorf("the report from the stream differs from the report from the export:\n%s\n%s", a, b)
	}
	if _, err := Collect(ctx, rd, incident.Incident{ID: "x", Events: []string{"nothing"}}); !errors.Is(err, ErrNoRecords) {
		t.Errorf("an incident with no record: %v, want ErrNoRecords", err)
	}
}

// The renderings of the fixture are kept in testdata/; go test -update
// rewrites them.
func TestGolden(t *testing.T) {
	r := buildFixture(t)
	for name, write := range Formats {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := write(&buf, r); err != nil {
				t.Fatal(err)
			}
			path := "testdata/incident." + name
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s (go test -update rewrites it after a deliberate change):\n%s", name, path, buf.String())
			}
		})
	}
}

// The event's title holds markup; neither rendering lets it through, and
// the HTML page asks for nothing outside itself.
func TestRenderingsEscapeAndStandAlone(t *testing.T) {
	r := buildFixture(t)
	var md, html bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "<") {
		t.Error("the Markdown holds a raw '<': outside text can become HTML")
	}
	if !strings.Contains(md.String(), `Reentrancy &lt;script&gt;alert(1)&lt;/script&gt; \| \*drain\*`) {
		t.Error("the Markdown lacks the title, escaped")
	}
	page := html.String()
	if strings.Contains(page, "<script") || !strings.Contains(page, "Reentrancy &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the HTML lets the title's markup through, or lacks the title")
	}
	for _, bad := range []string{"src=", "href=", "url(", "@import", "<link", "<img", "<iframe", "<object"} {
		if strings.Contains(page, bad) {
			t.Errorf("the HTML holds %q: it would ask for something outside itself", bad)
		}
	}
	for _, want := range []string{"<style>", "<svg", fixtureTx2.Hex(), "Root cause", "Lessons learned", "Action items"} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
}
