package engine

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
	"github.com/firebreak-dev/firebreak/engine/ingest/webhook"
	"github.com/firebreak-dev/firebreak/signer"
)

// verifier authenticates detections from the configured sources; nil
// when the configuration has no sources section (any source, unverified,
// which the consumer warns about).
func verifier(o config.Options, now func() time.Time) *ingest.Verifier {
	if !o.SourcesConfigured() {
		return nil
	}
	sources := make(map[string]ingest.Source, len(o.Sources))
	for name, s := range o.Sources {
		var keys []ed25519.PublicKey
		for _, text := range s.PublicKeys {
			if k, err := config.ParseEd25519PublicKey(text); err == nil { // validated
				keys = append(keys, k)
			}
		}
		sources[name] = ingest.Source{Keys: keys}
	}
	// The webhook ingress verified its events with the vendor's own scheme
	// and publishes them, as the engine, unsigned on detections.<source>:
	// those sources need no detector signature. Issue no detector
	// credentials for them (docs/SECURITY.md).
	for name, r := range o.Ingress.Routes {
		src := r.Source
		if src == "" {
			src = name
		}
		if _, ok := sources[src]; !ok {
			sources[src] = ingest.Source{}
		}
	}
	return ingest.NewVerifier(ingest.VerifyOptions{
		Sources: sources, MaxAge: o.Ingest.EventMaxAge(), MaxSkew: config.MaxClockSkew, Now: now,
	})
}

// signerAccounts are the addresses of the built signers: the guard never
// revokes a role from, or blocks, an account firebreak acts with.
func signerAccounts(signers map[string]signer.Signer) []common.Address {
	out := make([]common.Address, 0, len(signers))
	for _, s := range signers {
		out = append(out, s.Address())
	}
	return out
}

// senderAccounts are the addresses of the configured signers that can be
// known without signing (configured, or derived from a local key): what a
// dry-run protects, as the engine protects its built signers.
func senderAccounts(o config.Options) []common.Address {
	var out []common.Address
	for name := range o.Signers {
		if a, err := senderAddress(o, name); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// vendorRoutes are the adapters of the sources whose messages are vendor
// payloads (sources.<name>.vendor_route), each its route's adapter and
// verification under the source's own name.
func vendorRoutes(o config.Options) (map[string]*adapt.Route, error) {
	out := map[string]*adapt.Route{}
	for name, s := range o.Sources {
		if s.VendorRoute == "" {
			continue
		}
		r, err := webhook.Route(o, s.VendorRoute)
		if err != nil {
			return nil, fmt.Errorf("sources.%s.vendor_route: %w", name, err)
		}
		r.Source = name
		out[name] = &r
	}
	return out, nil
}
