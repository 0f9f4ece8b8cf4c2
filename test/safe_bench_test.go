package test

import (
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// BenchmarkSafeEventToBroadcast measures, on anvil with a real 2-of-3 Safe
// and the engine's embedded NATS, the time from publishing a critical event
// to the node accepting the Safe's execTransaction (the action's SentAt),
// with the pause signed on the hot path by two local owner signers
// ("live") and with the pause pre-signed ("presigned"). Between events the
// admin unpauses the vault (and, pre-signed, the engine re-signs for the
// new Safe nonce); that setup is not in the figures.
//
//	make tools && go test -run '^$' -bench SafeEventToBroadcast -benchtime 30x ./test/
func BenchmarkSafeEventToBroadcast(b *testing.B) {
	for _, presign := range []bool{false, true} {
		name := "live"
		if presign {
			name = "presigned"
		}
		b.Run(name, func(b *testing.B) {
			s := newSafeStack(b, safeConfig{owners: []string{"owner0", "owner1"}, presign: presign})
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
				if presign {
					s.presigned(s.safeNonce())
				}
				ev := criticalExploit(fmt.Sprintf("bench-%s-%d", name, i))
				b.StartTimer()
				start := time.Now()
				s.publish(ev)
				rec := s.action(s.outcome(ev.ID).Actions[0].ActionID)
				b.StopTimer()
				if rec.State != submit.Mined || rec.Status != 1 {
					b.Fatalf("action %+v", rec)
				}
				lat = append(lat, rec.SentAt.Sub(start))
			}
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-event→broadcast-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-event→broadcast-ms")
		})
	}
}
