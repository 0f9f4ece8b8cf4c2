package engine

import "runtime/debug"

// GCPercent is the garbage collector target (GOGC) a running engine is
// given unless the environment sets GOGC. At Go's default of 100 the
// collector runs every few tens of milliseconds under a burst of events,
// and an event that meets a collection waits for it, which shows in the
// event→broadcast p99 (BenchmarkEventToBroadcast back to back on 2 cores:
// 6.1 ms at 100, 4.6-4.8 ms at 400). The price is memory: the heap may
// grow to five times the live data (tens of MB for the engine) before a
// collection.
const GCPercent = 400

// TuneGC sets the collector to GCPercent unless lookupEnv finds GOGC, in
// which case the operator's setting, already applied by the runtime,
// stands. It returns the percent in force (-1: collection off).
func TuneGC(lookupEnv func(string) (string, bool)) int {
	if _, set := lookupEnv("GOGC"); set {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	debug.SetGCPercent(GCPercent)
	return GCPercent
}
