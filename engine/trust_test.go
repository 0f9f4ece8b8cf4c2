package engine

import (
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// A dry-run protects the accounts the engine would: configured addresses,
// Safes, and addresses derived from local keys.
func TestSenderAccounts(t *testing.T) {
	key, _ := crypto.HexToECDSA(testKey)
	fromKey := crypto.PubkeyToAddress(key.PublicKey)
	safe := common.HexToAddress("0x00000000000000000000000000000000000005af")
	vault := common.HexToAddress("0x000000000000000000000000000000000000000b")
	o := config.Options{
		Signers: map[string]config.SignerOptions{
			"local": {Kind: "local", KeyEnv: "K"},
			"safe":  {Kind: "safe", SafeSignerOptions: config.SafeSignerOptions{Address: safe.Hex()}},
			"vault": {Kind: "vault", SafeSignerOptions: config.SafeSignerOptions{Address: vault.Hex()}},
			"nokey": {Kind: "vault"}, // no address: a dry-run cannot know it, and is refused anyway
		},
		LookupEnv: func(name string) (string, bool) { return testKey, name == "K" },
	}
	got := senderAccounts(o)
	for _, want := range []common.Address{fromKey, safe, vault} {
		if !slices.Contains(got, want) {
			t.Errorf("senderAccounts = %v, want %s among them", got, want.Hex())
		}
	}
	if len(got) != 3 {
		t.Errorf("senderAccounts = %v, want 3", got)
	}
}

// The engine's verifier is the configuration's sources: none without the
// section, and the configured keys and maximum age with it.
func TestVerifierFromConfig(t *testing.T) {
	if verifier(config.Options{}, time.Now) != nil {
		t.Fatal("a verifier without a sources section")
	}
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	o := config.Options{
		Sources: map[string]config.SourceOptions{"forta": {Verify: config.VerifyEd25519, PublicKeys: []string{hex.EncodeToString(key.Public().(ed25519.PublicKey))}}},
		Ingest:  config.IngestOptions{MaxEventAge: time.Minute},
	}
	v := verifier(o, func() time.Time { return now })
	data := []byte(`{"id":"x"}`)
	h := nats.Header{}
	h.Set(ingest.HeaderSignature, ingest.SignatureHeader(key, data))
	if err := v.Message("detections.forta", h, data); err != nil {
		t.Fatalf("a message signed by the configured key: %v", err)
	}
	if err := v.Message("detections.other", h, data); err == nil {
		t.Fatal("a source not configured was accepted")
	}
	old := event.Event{Source: "forta", Timestamp: now.Add(-2 * time.Minute)}
	if err := v.Event("detections.forta", old); err == nil {
		t.Fatal("an event older than ingest.max_event_age was accepted")
	}
}
