package engine

import (
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/record"
)

// Which first actions a later action with the same call joins, and which
// it takes over from to act again.
func TestJoinable(t *testing.T) {
	plan := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	before, after := plan.Add(-time.Minute), plan.Add(time.Second)
	for _, tc := range []struct {
		name  string
		first record.Record
		join  bool
	}{
		{"pending", record.Record{State: record.Pending}, true},
		{"signed", record.Record{State: record.Signed}, true},
		{"sent", record.Record{State: record.Sent}, true},
		{"included", record.Record{State: record.Included}, true},
		{"mined after the guard read the chain", record.Record{State: record.Mined, Status: 1, MinedAt: after}, true},
		{"mined before this event was decided", record.Record{State: record.Mined, Status: 1, MinedAt: before}, false},
		{"mined and reverted", record.Record{State: record.Mined, Status: 0, MinedAt: after}, false},
		{"satisfied after", record.Record{State: record.Satisfied, CreatedAt: after}, true},
		{"satisfied before", record.Record{State: record.Satisfied, CreatedAt: before}, false},
		{"failed", record.Record{State: record.Failed, CreatedAt: after}, false},
		{"refused", record.Record{State: record.Refused, CreatedAt: after}, false},
		{"itself joined", record.Record{State: record.Joined, CreatedAt: after}, false},
	} {
		if got := joinable(tc.first, plan); got != tc.join {
			t.Errorf("%s: joinable = %v, want %v", tc.name, got, tc.join)
		}
	}
}
