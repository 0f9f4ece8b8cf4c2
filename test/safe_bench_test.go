package test

import (
	"fmt"
	"math/big"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// BenchmarkSafeEventToBroadcast measures, on anvil with a real 2-of-3 Safe
// and the engine's embedded NATS, the time from publishing a critical event
// to the node accepting the Safe's execTransaction (the action's SentAt),
// with the pause signed on the hot path by two local owner signers
// ("live") and with the pause pre-signed ("presigned"); "single-key" is
// the same pause sent by one local key, for comparison. Between events the
// admin unpauses the vault (and, pre-signed, the engine re-signs for the
// new Safe nonce); that setup is not in the figures.
//
//	make tools && go test -run '^$' -bench SafeEventToBroadcast -benchtime 30x ./test/
func BenchmarkSafeEventToBroadcast(b *testing.B) {
	engine.TuneGC(os.LookupEnv) // the collector as firebreak serve runs it
	// One pause per iteration: more than the default rate limit allows.
	noLimit := func(o *config.Options) { o.Guardrails.RateLimit = 0 }
	b.Run("single-key", func(b *testing.B) {
		benchPauses(b, newStack(b, noLimit), func() {})
	})
	for _, presign := range []bool{false, true} {
		name := "live"
		if presign {
			name = "presigned"
		}
		b.Run(name, func(b *testing.B) {
			s := newSafeStack(b, safeConfig{owners: []string{"owner0", "owner1"}, presign: presign, configure: noLimit})
			ready := func() {}
			if presign {
				ready = func() { s.presigned(s.safeNonce()) }
			}
			benchPauses(b, s.stack, ready)
		})
	}
}

// benchPauses publishes b.N critical events, unpausing the vault and
// waiting for ready between them, and reports event→broadcast latency.
func benchPauses(b *testing.B, s *stack, ready func()) {
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(chainID))
	auth.Context = s.ctx
	vault := contracts.NewProtectedVault()
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if s.paused() {
			tx, err := bind.Transact(vault.Instance(s.client, s.demo.Vault), auth, vault.PackUnpause())
			if err != nil {
				b.Fatal(err)
			}
			if r, err := bind.WaitMined(s.ctx, s.client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
				b.Fatalf("unpause: %v", err)
			}
		}
		ready()
		ev := criticalExploit(fmt.Sprintf("bench-%s-%d", b.Name(), i))
		b.StartTimer()
		start := time.Now()
		s.publish(ev)
		out := s.outcome(ev.ID)
		if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
			b.Fatalf("event %d: actions %+v, want one pause", i, out.Actions)
		}
		rec := s.action(out.Actions[0].ActionID)
		b.StopTimer()
		if rec.State != record.Mined || rec.Status != 1 {
			b.Fatalf("action %+v", rec)
		}
		lat = append(lat, rec.SentAt.Sub(start))
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-event→broadcast-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-event→broadcast-ms")
}
