package submit

import (
	"math/big"
	"sort"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// BenchmarkBaseFeeSpikeToFirstBump measures, on a real anvil with mining
// off, how many blocks pass between a block whose base fee is above the
// pending transaction's fee cap and the block the submitter priced its
// first bump at (0: it bumped at the spike block itself, so the bump can
// be in the very next block), and how long after that block's arrival the
// bump was recorded. Goal: at most 1 block.
func BenchmarkBaseFeeSpikeToFirstBump(b *testing.B) {
	e := newAnvilEnv(b, false, nil)
	e.sub.log = discardLog()
	someone := common.HexToAddress("0x000000000000000000000000000000000000bEEF")
	rounds := max(b.N, 20)
	var blocks []float64
	var delays []time.Duration
	b.ResetTimer()
	for range rounds {
		e.spike(big.NewInt(1e9)) // a fresh start: spikes do not compound
		e.synced()
		id, done := e.execute(someone, nil)
		sent := e.wait(id, "the first send", func(r record.Record) bool { return r.State == record.Sent })
		e.pooled(sent.Attempts[0].Hash)
		e.spike(new(big.Int).Mul(feeCap(sent.Attempts[0]), big.NewInt(2)))
		spiked := time.Now()
		spikeBlock := e.head().Number.Uint64()
		bumped := e.wait(id, "the first bump", func(r record.Record) bool { return r.Bumps >= 1 })
		delays = append(delays, time.Since(spiked))
		blocks = append(blocks, float64(bumped.Attempts[1].Head)-float64(spikeBlock))
		e.mineUntil(id, done)
	}
	b.StopTimer()
	sort.Float64s(blocks)
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	b.ReportMetric(blocks[len(blocks)-1], "max_blocks_spike_to_bump")
	b.ReportMetric(percentile(delays, 50), "p50_ms_spike_to_bump")
	b.ReportMetric(percentile(delays, 99), "p99_ms_spike_to_bump")
	b.ReportMetric(float64(len(blocks)), "spikes")
}

func percentile(d []time.Duration, p int) float64 {
	i := (len(d)*p + 99) / 100
	i = min(max(i-1, 0), len(d)-1)
	return float64(d[i].Microseconds()) / 1000
}
