package webhook

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// docs/ingress.md lists the vendor mappings exactly as adapt ships them.
func TestDocsListTheShippedMappings(t *testing.T) {
	b, err := os.ReadFile("../../../docs/ingress.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	rows := 0
	for _, a := range adapt.Adapters {
		for k, v := range adapt.DefaultSeverities(a) {
			rows++
			if row := fmt.Sprintf("| %s | `%s` | `%s` |", a, k, v); !strings.Contains(doc, row) {
				t.Errorf("docs/ingress.md lacks the severity row %s", row)
			}
		}
		for k, v := range adapt.DefaultAlertTypes(a) {
			rows++
			if row := fmt.Sprintf("| %s | `%s` | `%s` |", a, k, v); !strings.Contains(doc, row) {
				t.Errorf("docs/ingress.md lacks the alert-type row %s", row)
			}
		}
	}
	for name, id := range adapt.DefaultChains() {
		rows++
		i := strings.Index(doc, fmt.Sprintf("\n| %d | ", id))
		if i < 0 || !strings.Contains(doc[i+1:i+1+strings.Index(doc[i+1:], "\n")], "`"+name+"`") {
			t.Errorf("docs/ingress.md's chain row for %d does not name %q", id, name)
		}
	}
	// No row for a mapping that is not shipped.
	if n := strings.Count(doc, "\n| forta | `") + strings.Count(doc, "\n| hypernative | `") + strings.Count(doc, "\n| sec3 | `"); n != rows-len(adapt.DefaultChains()) {
		t.Errorf("docs/ingress.md has %d vendor mapping rows, adapt ships %d", n, rows-len(adapt.DefaultChains()))
	}
}
