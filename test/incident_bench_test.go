package test

import (
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// BenchmarkIncidentContainedToSlack measures, on anvil with the engine's
// embedded NATS and a local HTTP server standing in for Slack's incoming
// webhook, the delay from a pause's inclusion (the action recorded mined,
// its MinedAt) to the Slack stand-in receiving the incident.contained
// message. Each iteration is one incident: a critical event, its pause,
// the contained message; then an operator resolves it and the admin
// unpauses the vault (setup, not in the figures).
//
//	make tools && go test -run '^$' -bench IncidentContainedToSlack -benchtime 100x ./test/
func BenchmarkIncidentContainedToSlack(b *testing.B) {
	engine.TuneGC(os.LookupEnv)
	slack := newStandIn(b, "slack", answerOK)
	cs := channels{"slack": slack}
	is := newIncidentStack(b, func(o *config.Options) {
		cs.configure(o)
		o.Guardrails.RateLimit = 0 // one pause per iteration
	})
	st, err := incident.OpenStore(is.ctx, is.js)
	if err != nil {
		b.Fatal(err)
	}
	admin, _ := crypto.HexToECDSA(adminKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(chainID))
	auth.Context = is.ctx
	vault := contracts.NewProtectedVault()
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		ev := criticalExploit(fmt.Sprintf("bench-incident-%d", i))
		is.publish(ev)
		out := is.outcome(ev.ID)
		if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
			b.Fatalf("event %d: actions %+v, want one pause", i, out.Actions)
		}
		rec := is.action(out.Actions[0].ActionID)
		if rec.State != record.Mined || rec.Status != 1 {
			b.Fatalf("action %+v", rec)
		}
		in := is.incidentOf(ev.ID, incident.Contained)
		var got delivery
		is.until("the contained message on Slack", func() bool {
			_, ds := slack.got()
			for _, d := range ds {
				if d.change == "incident.contained" && strings.Contains(d.body, in.ID) {
					got = d
					return true
				}
			}
			return false
		})
		lat = append(lat, got.at.Sub(rec.MinedAt))
		b.StopTimer()
		if _, err := st.Transition(is.ctx, in.ID, incident.Resolved, "bench", "next iteration", time.Now()); err != nil {
			b.Fatal(err)
		}
		tx, err := bind.Transact(vault.Instance(is.client, is.demo.Vault), auth, vault.PackUnpause())
		if err != nil {
			b.Fatal(err)
		}
		if r, err := bind.WaitMined(is.ctx, is.client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
			b.Fatalf("unpause: %v", err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-included→slack-ms")
	b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-included→slack-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-included→slack-ms")
}
