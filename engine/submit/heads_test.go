package submit

import "testing"

// An unreachable node is one warning, then reminders that thin out: at 1,
// 4, 16, 64, 256 and 1024 failed reads, then every 1024.
func TestHeadReminders(t *testing.T) {
	var got []uint64
	next := uint64(0)
	for n := uint64(1); n <= 5000; n++ {
		if n == 1 || n == next {
			got = append(got, n)
			next = headReminder(n)
		}
	}
	want := []uint64{1, 4, 16, 64, 256, 1024, 2048, 3072, 4096}
	if len(got) != len(want) {
		t.Fatalf("reminders at %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("reminders at %v, want %v", got, want)
		}
	}
}
