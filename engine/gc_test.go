package engine

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	for _, tc := range []struct {
		name string
		env  map[string]string
		set  int // GC percent before TuneGC
		want int
	}{
		{"default", nil, 100, GCPercent},
		{"GOGC set by the operator stands", map[string]string{"GOGC": "50"}, 50, 50},
		{"GOGC=off stands", map[string]string{"GOGC": "off"}, -1, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(tc.set)
			got := TuneGC(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if now := debug.SetGCPercent(100); got != tc.want || now != tc.want {
				t.Errorf("TuneGC = %d, collector at %d; want %d", got, now, tc.want)
			}
		})
	}
}
