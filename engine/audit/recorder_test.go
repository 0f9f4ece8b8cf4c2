package audit

import (
	"strings"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/record"
)

func TestActionKind(t *testing.T) {
	for _, tt := range []struct {
		state record.State
		want  Kind
	}{
		{record.Signed, KindSigned},
		{record.Sent, KindSent},
		{record.Mined, KindMined},
		{record.Failed, KindFailed},
		{record.Refused, KindRefused},
		{record.Included, KindIncluded},
		{"confirmed", KindConfirmed},
		{"reorged", KindReorged},
		{"Replaced.By Other", "replaced_by_other"},
		{"", "changed"},
	} {
		t.Run(string(tt.state), func(t *testing.T) {
			if got := actionKind(tt.state); got != tt.want || !got.Valid() {
				t.Errorf("actionKind(%q) = %q, want %q", tt.state, got, tt.want)
			}
		})
	}
}

func TestProbeEventID(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"id":"bad-1","severity":"x"}`, "bad-1"},
		{`{"id":"has space"}`, ""},
		{`{"id":7}`, ""},
		{`not json`, ""},
		{`{"id":"` + strings.Repeat("a", 201) + `"}`, ""},
	} {
		if got := probeEventID([]byte(tt.in)); got != tt.want {
			t.Errorf("probeEventID(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
