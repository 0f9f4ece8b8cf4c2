package record

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

// BenchmarkRecordFirstAction is what the in-flight claim adds on the way
// to the send: recording a new action alone, and claiming its call first,
// side by side on one real NATS server.
func BenchmarkRecordFirstAction(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	js := natstest.JetStream(b)
	store, err := NewStore(ctx, js, 1)
	if err != nil {
		b.Fatal(err)
	}
	inflight, err := NewInflight(ctx, js, 1)
	if err != nil {
		b.Fatal(err)
	}
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	now := time.Now()
	seq := 0 // a new call each time (b.Run calls the body more than once): every claim wins
	for _, claim := range []bool{false, true} {
		b.Run(map[bool]string{false: "record", true: "claim+record"}[claim], func(b *testing.B) {
			for range b.N {
				seq++
				data := fmt.Appendf(nil, "%d", seq)
				in := Intent{ID: IntentID("bench", 1, vault, data), ChainID: 1, To: vault, Data: data, Signer: "g", Type: "pause"}
				if claim {
					if _, ok, err := inflight.Claim(ctx, CallKey(1, vault, data), in.ID); err != nil || !ok {
						b.Fatal(ok, err)
					}
				}
				if _, _, ok, err := store.Create(ctx, in, now); err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
