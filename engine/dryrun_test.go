package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
)

// A throw-away key made for these tests; it guards nothing anywhere.
const testKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"

func TestDryRunConfig(t *testing.T) {
	tests := []struct {
		name    string
		replace [2]string
		wantMsg string // empty: valid
	}{
		{"address only", [2]string{"key_env: KEY", `address: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"`}, ""},
		{"address and key", [2]string{"key_env: KEY", `key_env: KEY, address: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"`}, ""},
		{"bad address", [2]string{"key_env: KEY", `address: "0x2c75"`}, "signers.g.address"},
		{"no key, no address", [2]string{"kind: local, key_env: KEY", "kind: local"}, "set key_env or key_file (or only address"},
		{"simulate method", [2]string{"data_dir: /tmp/fb", "data_dir: /tmp/fb\nsimulate: {method: tenderly}"}, "simulate.method"},
		{"simulate settings", [2]string{"data_dir: /tmp/fb", "data_dir: /tmp/fb\nshadow: true\nsimulate: {method: eth_call, anvil: /opt/anvil, probe_timeout: 2s, start_timeout: 1m}"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(validYAML, tt.replace[0], tt.replace[1], 1)
			if src == validYAML {
				t.Fatalf("replacement %q not found", tt.replace[0])
			}
			opts, err := config.ParseConfig(strings.NewReader(src))
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want ErrConfig mentioning %q (opts %+v)", err, tt.wantMsg, opts.Simulate)
			}
		})
	}
	opts, err := config.ParseConfig(strings.NewReader(strings.Replace(validYAML, "data_dir: /tmp/fb", "data_dir: /tmp/fb\nshadow: true\nsimulate: {probe_timeout: 2s}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if !opts.Shadow || opts.Simulate.ProbeTimeout != 2*time.Second || opts.Simulate.StartTimeout != 30*time.Second || opts.Simulate.Method != "auto" {
		t.Errorf("shadow %v, simulate %+v: want shadow, probe 2s and the other defaults", opts.Shadow, opts.Simulate)
	}
}

func TestSenderAddress(t *testing.T) {
	key, _ := crypto.HexToECDSA(testKey)
	fromKey := crypto.PubkeyToAddress(key.PublicKey)
	other := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(testKey), 0o600); err != nil {
		t.Fatal(err)
	}
	ksDir := t.TempDir()
	ks := keystore.NewKeyStore(ksDir, keystore.LightScryptN, keystore.LightScryptP)
	ksAccount, err := ks.ImportECDSA(key, "passphrase")
	if err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	tests := []struct {
		name    string
		signer  config.SignerOptions
		env     map[string]string
		want    common.Address
		wantErr string
	}{
		{"address, no key", config.SignerOptions{Kind: "local", SafeSignerOptions: config.SafeSignerOptions{Address: other.Hex()}}, nil, other, ""},
		{"address wins over an unset key", config.SignerOptions{Kind: "local", KeyEnv: "K", SafeSignerOptions: config.SafeSignerOptions{Address: other.Hex()}}, nil, other, ""},
		{"derived from key_env", config.SignerOptions{Kind: "local", KeyEnv: "K"}, map[string]string{"K": testKey}, fromKey, ""},
		{"derived from key_file", config.SignerOptions{Kind: "local", KeyFile: keyFile}, nil, fromKey, ""},
		{"keystore, no passphrase needed", config.SignerOptions{Kind: "local", KeyFile: ksAccount.URL.Path}, nil, fromKey, ""},
		{"key variable unset", config.SignerOptions{Kind: "local", KeyEnv: "K"}, nil, common.Address{}, "K is not set (or set signers.g.address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := config.Options{Signers: map[string]config.SignerOptions{"g": tt.signer}, LookupEnv: env(tt.env)}
			got, err := senderAddress(o, "g")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Fatal("the error shows the key")
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %s, %v; want %s", got.Hex(), err, tt.want.Hex())
			}
		})
	}

	// A configured address that does not match the key is refused when
	// the key is loaded to send, so serve never signs as someone else.
	o := config.Options{Signers: map[string]config.SignerOptions{"g": {Kind: "local", KeyEnv: "K", SafeSignerOptions: config.SafeSignerOptions{Address: other.Hex()}}}, LookupEnv: env(map[string]string{"K": testKey})}
	if _, err := localSigner(o, o.Signers["g"]); err == nil || !strings.Contains(err.Error(), "but the key is for") || strings.Contains(err.Error(), testKey) {
		t.Fatalf("err = %v, want a mismatch error without the key", err)
	}
	o.Signers["g"] = config.SignerOptions{Kind: "local", SafeSignerOptions: config.SafeSignerOptions{Address: other.Hex()}}
	if _, err := localSigner(o, o.Signers["g"]); err == nil || !strings.Contains(err.Error(), "not to send") {
		t.Fatalf("err = %v, want: an address is not enough to send", err)
	}
}
