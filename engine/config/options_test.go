package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestExampleConfigIsValid(t *testing.T) {
	opts, err := LoadConfig("../../firebreak.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c := opts.Chains[0]; c.Broadcast != "public" || c.MaxFeePerGas != 500 || c.TipPercentile != 99 || c.Confirmations != 1 || c.BumpEveryBlocks != 1 || c.MinTip != 1 {
		t.Errorf("submitter settings from the example: %+v", c)
	}
	if len(opts.Protocols["demo"].Contracts) != 2 || opts.NATS.Port != 4222 || opts.MaxActionsPerEvent != 8 {
		t.Errorf("unexpected options from the example: %+v", opts)
	}
	allow, data := opts.AllowedCalls(), opts.PolicyData()
	if len(allow) != 3 {
		t.Errorf("allowlist = %+v, want 3 entries", allow)
	}
	if _, ok := data["protocols"].(map[string]any)["demo"]; !ok {
		t.Errorf("policy data = %v, want protocols.demo", data)
	}
}

// validConfig is a small valid configuration the tests vary.
var validConfig = func() string {
	b, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		replace [2]string // applied to validConfig
		wantMsg string
	}{
		{"unknown key", [2]string{"data_dir:", "data_dri:"}, "field data_dri not found"},
		{"bad rpc scheme", [2]string{`"https://rpc.example"`, `"ftp://x"`}, "chains[0].rpc"},
		{"chain id zero", [2]string{"id: 1,", "id: 0,"}, "chains[0].id: required"},
		{"bad address", [2]string{"0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x5FbDB23"}, "protocols.p.contracts.vault.address"},
		{"unknown signer", [2]string{"signer: g", "signer: nobody"}, `protocols.p.signer: no signer named "nobody"`},
		{"unknown chain", [2]string{"chain_id: 1\n    signer", "chain_id: 5\n    signer"}, "protocols.p.chain_id: chain 5"},
		{"allowlist contract unknown", [2]string{"contract: p.vault", "contract: p.nope"}, "allowlist[0].contract"},
		{"allowlist not a signature", [2]string{`["pause()"]`, `["pause"]`}, "allowlist[0].functions[0]"},
		{"signer kind", [2]string{"kind: local", "kind: hsm"}, `signers.g.kind: "hsm" is not supported`},
		{"signer with two key sources", [2]string{"key_env: KEY", "key_env: KEY, key_file: /k"}, "set exactly one of key_env and key_file"},
		{"not yaml", [2]string{"data_dir: /tmp/fb", "data_dir: [unclosed"}, "config"},
		{"extra rpc scheme", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", rpc_urls: ["ftp://x"]`}, "chains[0].rpc_urls[0]"},
		{"private rpc scheme", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", private_rpc: "relay.example"`}, "chains[0].private_rpc"},
		{"ws scheme", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", ws: "https://rpc.example/ws"`}, "chains[0].ws: want a ws(s):// URL"},
		{"lease ttl", [2]string{"data_dir: /tmp/fb", "data_dir: /tmp/fb\nnats: {lease_ttl: 1ms}"}, "nats.lease_ttl"},
		{"private without relay", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", broadcast: private`}, `chains[0].broadcast: "private" needs private_rpc`},
		{"unknown broadcast", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", broadcast: everywhere`}, "is not public, private or both"},
		{"unknown relay method", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", private_rpc: "https://r", private_method: eth_send`}, "chains[0].private_method"},
		{"negative cap", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", max_fee_per_gas: -1`}, "chains[0].max_fee_per_gas"},
		{"tip above cap", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", max_fee_per_gas: 10, min_tip: 20`}, "chains[0].min_tip"},
		{"percentile", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", tip_percentile: 101`}, "chains[0].tip_percentile"},
		{"confirmations", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", confirmations: 5000`}, "chains[0].confirmations"},
		{"bump every", [2]string{`rpc: "https://rpc.example"`, `rpc: "https://rpc.example", bump_every_blocks: 5000`}, "chains[0].bump_every_blocks"},
	}
	if _, err := ParseConfig(strings.NewReader(validConfig)); err != nil {
		t.Fatalf("the base config is invalid: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(validConfig, tt.replace[0], tt.replace[1], 1)
			if src == validConfig {
				t.Fatalf("replacement %q not found", tt.replace[0])
			}
			_, err := ParseConfig(strings.NewReader(src))
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestPrivateRelayURLNotInErrors(t *testing.T) {
	src := strings.Replace(validConfig, `rpc: "https://rpc.example"`, `rpc: "https://rpc.example", private_rpc: "relay.example/SECRETKEY"`, 1)
	_, err := ParseConfig(strings.NewReader(src))
	if err == nil || strings.Contains(err.Error(), "SECRETKEY") {
		t.Fatalf("err = %v, want an error that does not repeat the relay URL", err)
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	_, err := LoadConfig("does-not-exist.yaml")
	if !errors.Is(err, ErrConfig) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrConfig wrapping not-exist", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(validConfig))
	if b, err := os.ReadFile("../../firebreak.example.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("chains: [{id: 1}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts, err := ParseConfig(strings.NewReader(string(data)))
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			return
		}
		// A config that parses must be usable without panicking.
		opts.PolicyData()
		opts.AllowedCalls()
	})
}

func TestVaultSignerConfig(t *testing.T) {
	base := strings.Replace(validConfig, "signers: {g: {kind: local, key_env: KEY}}", "signers: {g: {kind: vault, vault: VAULT}}", 1)
	tests := []struct {
		name    string
		vault   string
		wantMsg string // empty: valid
	}{
		{"plugin with token", `{address: "https://v:8200", key: guardian, auth: {token_env: T}}`, ""},
		{"kv with approle", `{address: "http://v:8200", mode: kv, kv_path: fb/g, auth: {method: approle, role_id: r, secret_id_file: /s}}`, ""},
		{"kubernetes", `{address: "http://v:8200", key: g, auth: {method: kubernetes, kubernetes_role: fb}}`, ""},
		{"no address", `{key: g, auth: {token_env: T}}`, "signers.g.vault.address"},
		{"plugin without key", `{address: "http://v:8200", auth: {token_env: T}}`, "signers.g.vault.key"},
		{"kv without path", `{address: "http://v:8200", mode: kv, auth: {token_env: T}}`, "signers.g.vault.kv_path"},
		{"bad mode", `{address: "http://v:8200", mode: transit, key: g, auth: {token_env: T}}`, `"transit" is not plugin or kv`},
		{"no token source", `{address: "http://v:8200", key: g, auth: {}}`, "token_env and token_file"},
		{"approle without secret id", `{address: "http://v:8200", key: g, auth: {method: approle, role_id: r}}`, "approle needs"},
		{"bad method", `{address: "http://v:8200", key: g, auth: {method: ldap}}`, `"ldap" is not token, approle or kubernetes`},
		{"kubernetes without role", `{address: "http://v:8200", key: g, auth: {method: kubernetes}}`, "kubernetes_role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(strings.Replace(base, "VAULT", tt.vault, 1)))
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("valid config refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want a config error mentioning %q", err, tt.wantMsg)
			}
		})
	}
	_, err := ParseConfig(strings.NewReader(strings.Replace(validConfig, "kind: local, key_env: KEY", "kind: vault, key_env: KEY", 1)))
	if err == nil || !strings.Contains(err.Error(), "signers.g.vault: required") {
		t.Errorf("vault signer without a vault block: err = %v", err)
	}
}
