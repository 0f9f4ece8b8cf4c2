package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/audit"
)

// FuzzRenderers puts arbitrary payloads under arbitrary kinds into the
// fixture (the decoders are lenient: a record that does not decode is
// shown raw) and renders every format: nothing panics, the Markdown never
// holds a raw '<' and the HTML never a script, whatever the payload says.
func FuzzRenderers(f *testing.F) {
	recs := loadFixture(f)
	for _, r := range recs {
		f.Add(string(r.Kind), []byte(r.Data), 5)
	}
	f.Add("incident", []byte(`{"incident":"inc-demo-1","to":"<script>x</script>","note":"a|b*c_[d](e)`+"`"+`"}`), 6)
	f.Add("notified", []byte(`{"channel":"</style><script>","kind":7}`), 13)
	f.Add("mined", []byte(`{"action":{"id":"ev-1/0","gas_used":18446744073709551615,"max_fee_per_gas":"0xffffffffffffffffffffffffffffffffffffffff","status":1}}`), 12)
	f.Fuzz(func(t *testing.T, kind string, data []byte, at int) {
		in := loadFixture(t)
		i := at % len(in)
		if i < 0 {
			i = -i
		}
		if audit.Kind(kind).Valid() {
			in[i].Kind = audit.Kind(kind)
		}
		if json.Valid(data) {
			in[i].Data = json.RawMessage(data)
		}
		r, err := Build(in, fixtureIncident(), Options{GeneratedAt: fixtureGenerated})
		if err != nil {
			return
		}
		for name, write := range Formats {
			var buf bytes.Buffer
			if err := write(&buf, r); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			switch name {
			case "md":
				if strings.Contains(buf.String(), "<") {
					t.Fatalf("the Markdown holds a raw '<':\n%s", buf.String())
				}
			case "html":
				if strings.Contains(strings.ToLower(buf.String()), "<script") {
					t.Fatal("the HTML holds a script element")
				}
			}
		}
		FromRecords("fuzz", []string{"ev-1"}, in)
	})
}

// FuzzReadExport: an export is read or refused with an error, never a panic.
func FuzzReadExport(f *testing.F) {
	for _, r := range loadFixture(f) {
		b, _ := r.Encode()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ReadExport(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range recs {
			if r.Hash == "" {
				t.Fatal("an export line without a hash was accepted")
			}
		}
	})
}
