package ingest_test

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// BenchmarkVerify is what the consumer does to one message before the
// handler, side by side: decode only (no sources configured), verify: none
// (source and freshness checks), and verify: ed25519 (the signature over
// the message too, with and without a key id).
func BenchmarkVerify(b *testing.B) {
	now := time.Now()
	ev := eventFrom("forta", "bench-1", now)
	ev.Metadata = map[string]any{"role": "operator", "account": "0x70997970C51812DC3A010c7D01b50E20D6dC79c8"}
	data, err := ev.Encode()
	if err != nil {
		b.Fatal(err)
	}
	keys := []ed25519.PublicKey{otherKey.Public().(ed25519.PublicKey), detectorKey.Public().(ed25519.PublicKey)}
	opts := ingest.VerifyOptions{MaxAge: 15 * time.Minute, MaxSkew: time.Minute, Now: func() time.Time { return now }}
	withKeyID := signed(detectorKey, data)
	noKeyID := signed(detectorKey, data)
	noKeyID.Del(ingest.HeaderKeyID)
	for _, bc := range []struct {
		name    string
		sources map[string]ingest.Source
		header  nats.Header
	}{
		{"off", nil, nats.Header{}},
		{"none", map[string]ingest.Source{"forta": {}}, nats.Header{}},
		{"ed25519", map[string]ingest.Source{"forta": {Keys: keys}}, withKeyID},
		{"ed25519-no-key-id", map[string]ingest.Source{"forta": {Keys: keys}}, noKeyID},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := opts
			o.Sources = bc.sources
			var v *ingest.Verifier
			if bc.sources != nil {
				v = ingest.NewVerifier(o)
			}
			b.ReportAllocs()
			for b.Loop() {
				if v != nil {
					if err := v.Message("detections.forta", bc.header, data); err != nil {
						b.Fatal(err)
					}
				}
				got, err := event.Decode(data)
				if err != nil {
					b.Fatal(err)
				}
				if v != nil {
					if err := v.Event("detections.forta", got); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
