package ingest

import "testing"

// The protocols the consumer tests rely on to be in different lanes.
func TestLaneOfIsStableAndSpreads(t *testing.T) {
	if laneOf("hung", 8) == laneOf("alpha", 8) || laneOf("hung", 8) == laneOf("delta", 8) {
		t.Fatalf("hung shares a lane with alpha or delta: %d %d %d", laneOf("hung", 8), laneOf("alpha", 8), laneOf("delta", 8))
	}
	seen := map[int]bool{}
	for _, p := range []string{"alpha", "beta", "gamma", "delta"} {
		if laneOf(p, 8) != laneOf(p, 8) {
			t.Fatalf("laneOf(%q) is not stable", p)
		}
		seen[laneOf(p, 8)] = true
	}
	if len(seen) < 2 {
		t.Fatal("four protocols all share one lane of eight")
	}
	if laneOf("x", 1) != 0 {
		t.Fatal("one lane is lane 0")
	}
}
