package test

import (
	"testing"

	"github.com/firebreak-dev/firebreak/engine/config"
)

// BenchmarkEventToBroadcastRecordChecks is BenchmarkEventToBroadcast with
// the check before every signature (the engine's MAC and the allowlist in
// force) on, as firebreak always runs, and off, side by side in one run:
// what the checks cost on the way from event to broadcast.
func BenchmarkEventToBroadcastRecordChecks(b *testing.B) {
	b.Run("checks=on", func(b *testing.B) { benchEventToBroadcast(b, nil, nil) })
	b.Run("checks=off", func(b *testing.B) {
		benchEventToBroadcast(b, nil, func(o *config.Options) { o.Records.Unchecked = true })
	})
}
