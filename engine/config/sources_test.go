package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTrustConfig(t *testing.T) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	hexKey, b64Key := hex.EncodeToString(pub), base64.StdEncoding.EncodeToString(pub)
	tests := []struct {
		name, yaml string
		wantErr    string // empty: valid
	}{
		{"ed25519 hex key", "sources: {forta: {verify: ed25519, public_keys: [" + hexKey + "]}}", ""},
		{"ed25519 base64 and 0x keys", "sources: {forta: {verify: ed25519, public_keys: [\"" + b64Key + "\", \"0x" + hexKey + "\"]}}", ""},
		{"none", "sources: {own-bot: {verify: none}}", ""},
		{"empty section", "sources: {}", ""},
		{"max event age", "ingest: {max_event_age: 2m}", ""},
		{"protected roles", "guard: {protected_roles: [MINTER_ROLE, \"0x" + strings.Repeat("ab", 32) + "\"]}", ""},
		{"https bundle", "policy_bundle: https://bundles.example/fb.tar.gz", ""},
		{"loopback http bundle", "policy_bundle: http://127.0.0.1:8181/fb.tar.gz", ""},
		{"localhost http bundle", "policy_bundle: http://localhost:8181/fb.tar.gz", ""},
		{"signed bundle", "policy_bundle: ./fb.tar.gz\npolicy_bundle_verification_key: /etc/fb/bundle.pem\npolicy_bundle_verification_algorithm: ES256", ""},

		{"unknown mode", "sources: {forta: {verify: hmac}}", `sources.forta.verify: "hmac" is not ed25519 or none`},
		{"no mode", "sources: {forta: {}}", `sources.forta.verify: "" is not ed25519 or none`},
		{"ed25519 without keys", "sources: {forta: {verify: ed25519}}", "sources.forta.public_keys: at least one"},
		{"short key", "sources: {forta: {verify: ed25519, public_keys: [abcd]}}", "sources.forta.public_keys[0]: the key is 2 bytes"},
		{"not a key", "sources: {forta: {verify: ed25519, public_keys: [\"not a key!\"]}}", "sources.forta.public_keys[0]"},
		{"keys with none", "sources: {forta: {verify: none, public_keys: [" + hexKey + "]}}", "only for verify: ed25519"},
		{"reserved source", "sources: {dead: {verify: none}}", "sources.dead:"},
		{"source with dot", "sources: {\"a.b\": {verify: none}}", "sources.a.b:"},
		{"upper-case source", "sources: {Forta: {verify: none}}", "sources.Forta:"},
		{"negative age", "ingest: {max_event_age: -1m}", "ingest.max_event_age"},
		{"tiny age", "ingest: {max_event_age: 1ms}", "ingest.max_event_age"},
		{"bad role id", "guard: {protected_roles: [\"0x1234\"]}", "guard.protected_roles[0]"},
		{"empty role", "guard: {protected_roles: [\"\"]}", "guard.protected_roles[0]"},
		{"plain http bundle", "policy_bundle: http://bundles.example/fb.tar.gz", "policy_bundle: plain http is refused"},
		{"key without bundle", "policy_bundle_verification_key: /etc/fb/bundle.pem", "policy_bundle_verification_key: only for policy_bundle"},
		{"algorithm without key", "policy_bundle: ./fb.tar.gz\npolicy_bundle_verification_algorithm: RS256", "set policy_bundle_verification_key too"},
		{"unknown algorithm", "policy_bundle: ./fb.tar.gz\npolicy_bundle_verification_key: /k.pem\npolicy_bundle_verification_algorithm: HS256", "policy_bundle_verification_algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, err := ParseConfig(strings.NewReader(validConfig + tt.yaml + "\n"))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrConfig mentioning %q (opts %+v)", err, tt.wantErr, opts.Sources)
			}
		})
	}
}

func TestSourcesConfigured(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want bool
	}{{"", false}, {"sources: {}", true}, {"sources: {forta: {verify: none}}", true}} {
		opts, err := ParseConfig(strings.NewReader(validConfig + tt.yaml + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if opts.SourcesConfigured() != tt.want {
			t.Errorf("%q: SourcesConfigured = %v, want %v", tt.yaml, !tt.want, tt.want)
		}
	}
}

func TestEventMaxAgeDefault(t *testing.T) {
	if got := (IngestOptions{}).EventMaxAge(); got != 15*time.Minute {
		t.Errorf("default max event age = %v, want 15m", got)
	}
	if got := (IngestOptions{MaxEventAge: time.Hour}).EventMaxAge(); got != time.Hour {
		t.Errorf("configured max event age = %v", got)
	}
}

func TestProtectedRolesInPolicyData(t *testing.T) {
	id := "0x" + strings.Repeat("AB", 32)
	opts, err := ParseConfig(strings.NewReader(validConfig + "guard: {protected_roles: [MINTER_ROLE, \"" + id + "\", DEFAULT_ADMIN_ROLE]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"DEFAULT_ADMIN_ROLE", "0x" + strings.Repeat("0", 64), "MINTER_ROLE", strings.ToLower(id)}
	got := opts.PolicyData()["protected_roles"].([]any)
	if len(got) != len(want) {
		t.Fatalf("data.protected_roles = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("data.protected_roles[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}
