package engine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

func TestAuditConfig(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"env", "audit: {signing_key_env: AUDIT_KEY}\n", ""},
		{"file and retry", "audit: {signing_key_file: /etc/firebreak/audit.key, retry_for: 1m}\n", ""},
		{"both", "audit: {signing_key_env: A, signing_key_file: /k}\n", "set at most one of signing_key_env and signing_key_file"},
		{"negative retry", "audit: {retry_for: -1s}\n", "audit.retry_for"},
		{"unknown key", "audit: {signing_key: abc}\n", "field signing_key not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.ParseConfig(strings.NewReader(validYAML + tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrConfig mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestAuditKeyErrorsHideTheKey(t *testing.T) {
	const notAKey = "s3cr3t-but-not-hex-0123456789abcdef"
	path := filepath.Join(t.TempDir(), "audit.key")
	if err := os.WriteFile(path, []byte(notAKey), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, a := range []config.AuditOptions{{SigningKeyEnv: "K"}, {SigningKeyFile: path}, {SigningKeyEnv: "MISSING"}} {
		opts := config.DefaultOptions()
		opts.Audit = a
		opts.LookupEnv = func(name string) (string, bool) { return notAKey, name == "K" }
		e := &Engine{opts: opts}
		_, _, err := e.auditKey()
		if !errors.Is(err, config.ErrConfig) || strings.Contains(err.Error(), notAKey) {
			t.Errorf("%+v: err = %v; want ErrConfig without the key", a, err)
		}
	}
}

func TestAuditSecrets(t *testing.T) {
	opts := config.DefaultOptions()
	opts.NATS.URL = "nats://firebreak:natspass123@nats-1:4222,nats://nats-2:4222"
	opts.Chains = []config.ChainOptions{
		{ID: 1, RPC: "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef"},
		{ID: 2, RPC: "https://rpc.example/?apikey=tok_live_abcdef"},
		{ID: 3, RPC: "http://127.0.0.1:8545", WS: "wss://ws.example/ws_key_0123456789abcdef",
			RPCURLs: []string{"https://more.example/?key=more_key_987"}, PrivateRPC: "https://relay.example/relay_key_0123456789"},
	}
	secretIDFile := filepath.Join(t.TempDir(), "secret-id")
	if err := os.WriteFile(secretIDFile, []byte("approle-secret-id-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts.Signers = map[string]config.SignerOptions{
		"g": {Kind: "local", KeyEnv: "GKEY"},
		"v": {Kind: "vault", Vault: &config.VaultSignerOptions{
			Address: "https://vault:s3cretpw@vault.internal:8200",
			Auth:    config.VaultAuthOptions{Method: "approle", TokenEnv: "VAULT_TOKEN", SecretIDFile: secretIDFile},
		}},
	}
	env := map[string]string{"GKEY": "0x59c6995e998f97a5a0044966", "VAULT_TOKEN": "hvs.CAESIvaulttoken"}
	opts.LookupEnv = func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	e := &Engine{opts: opts}
	got := e.opts.Secrets("auditseedauditseed")
	for _, want := range []string{
		"natspass123", "0123456789abcdef0123456789abcdef", "tok_live_abcdef", "https://rpc.example/?apikey=tok_live_abcdef",
		"0x59c6995e998f97a5a0044966", "59c6995e998f97a5a0044966", "auditseedauditseed",
		"hvs.CAESIvaulttoken", "approle-secret-id-123", "s3cretpw",
		"ws_key_0123456789abcdef", "more_key_987", "relay_key_0123456789",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("secrets %q lack %q", got, want)
		}
	}
	if slices.Contains(got, "http://127.0.0.1:8545") || slices.Contains(got, "v3") {
		t.Errorf("secrets %q include a URL or route with nothing secret", got)
	}
}

// The submitter's changes become records; a new transaction hash for an
// action already signed is a bump, whatever the submitter calls its state.
func TestActionChangesBecomeRecords(t *testing.T) {
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := ingest.Dial(srv.ClientURL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir() // not ./data: its audit checkpoint would refuse the next run's fresh stream
	e := &Engine{opts: opts, log: quietLog(), now: time.Now}
	a, err := e.openAudit(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	h1, h2, h3 := common.HexToHash("0x01"), common.HexToHash("0x02"), common.HexToHash("0x03")
	base := record.Record{Intent: record.Intent{ID: "act-0", EventID: "ev-1", Protocol: "demo"}}
	for _, step := range []struct {
		state         record.State
		hash          *common.Hash
		bumps, reorgs int
		warning       string
	}{
		{record.Signed, &h1, 0, 0, ""},
		{record.Sent, &h1, 0, 0, ""},
		{record.Signed, &h2, 0, 0, ""}, // a new hash before the submitter counted bumps
		{record.Sent, &h2, 0, 0, ""},
		{record.Sent, &h3, 1, 0, ""},
		{record.Sent, &h3, 1, 0, "fee cap 100 gwei blocks a replacement"},
		{record.Included, &h3, 1, 0, "fee cap 100 gwei blocks a replacement"},
		{record.Sent, &h3, 1, 1, ""},
		{record.Included, &h3, 1, 1, ""},
		{"finalized", &h3, 1, 1, ""},
		{record.Mined, &h3, 1, 1, ""},
	} {
		rec := base
		rec.State, rec.TxHash, rec.Bumps, rec.Reorgs, rec.Warning = step.state, step.hash, step.bumps, step.reorgs, step.warning
		a.ActionChanged(ctx, rec)
	}
	a.Close() // writes what is queued
	rd, err := audit.NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := rd.Event(ctx, "ev-1")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range recs {
		kinds = append(kinds, string(r.Kind))
		if r.ActionID != "act-0" {
			t.Errorf("record %d has action %q", r.Seq, r.ActionID)
		}
	}
	if got := strings.Join(kinds, " "); got != "signed sent bumped sent bumped warning included reorged included finalized mined" {
		t.Errorf("kinds = %s", got)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
