package main

import (
	"context"
	"slices"
	"testing"
)

// drillBenchRuns is how many drills BenchmarkDrill runs.
const drillBenchRuns = 10

// BenchmarkDrill runs the reentrancy-drain drill drillBenchRuns times as
// `firebreak drill` does by default (1 s blocks, the attacker at 2 gwei,
// min_tip 5 gwei) and reports the median and the worst run of each figure:
// blocks and ms from the first malicious transaction to detection,
// broadcast and inclusion, and the share of the funds saved.
func BenchmarkDrill(b *testing.B) {
	bin := drillAnvil(b)
	o := defaultDrillOptions()
	o.Anvil = bin
	var reps []drillReport
	for b.Loop() {
		reps = reps[:0]
		for range drillBenchRuns {
			rep, err := drill(context.Background(), o)
			if err != nil {
				b.Fatal(err)
			}
			if !rep.Contained {
				b.Fatalf("run %d: not contained: %v", len(reps), rep.Notes)
			}
			reps = append(reps, rep)
		}
	}
	figure := func(name string, higherIsWorse bool, f func(drillReport) float64) {
		v := make([]float64, len(reps))
		for i, r := range reps {
			v[i] = f(r)
		}
		slices.Sort(v)
		worst := v[len(v)-1]
		if !higherIsWorse {
			worst = v[0]
		}
		b.ReportMetric(v[len(v)/2], name+"_median")
		b.ReportMetric(worst, name+"_worst")
	}
	deref := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	figure("blocks_to_inclusion", true, func(r drillReport) float64 { return float64(*r.BlocksToInclusion) })
	figure("ms_to_detection", true, func(r drillReport) float64 { return deref(r.MSToDetection) })
	figure("ms_to_broadcast", true, func(r drillReport) float64 { return deref(r.MSToBroadcast) })
	figure("ms_to_inclusion", true, func(r drillReport) float64 { return deref(r.MSToInclusion) })
	figure("saved_pct", false, func(r drillReport) float64 { return r.SavedPct })
}
