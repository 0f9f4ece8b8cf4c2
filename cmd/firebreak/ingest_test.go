package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ingestConfig writes the example configuration with an ingress route whose secret
// is in a file (or, with secretEnv, in an unset variable), and returns its path.
func ingestConfig(t *testing.T, secretEnv bool) string {
	t.Helper()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "oz.secret")
	if err := os.WriteFile(secretFile, []byte("try-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	verify := "{secret_file: " + secretFile + "}"
	if secretEnv {
		verify = "{secret_env: FIREBREAK_TRY_UNSET}"
	}
	cfg := mustRead(t, "../../firebreak.example.yaml") + `
ingress:
  routes:
    oz-vault:
      adapter: oz-monitor
      verify: ` + verify + `
      severity: critical
      confidence: 0.95
      chain_id: 31337
      alert_types: {"Vault drain*": exploit}
`
	path := filepath.Join(dir, "firebreak.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIngestTry(t *testing.T) {
	dir := t.TempDir()
	body := []byte(`{"EVM":{"monitor":{"name":"Vault drain","addresses":[{"address":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}]},` +
		`"transaction":{"hash":"0x` + strings.Repeat("ab", 32) + `","from":"0x90F79bf6EB2c4f870365E785982E1f101E93b906","to":"0x5FbDB2315678afecb367f032d93F642f64180aa3","chainId":31337},"logs":[]}}`)
	payload := filepath.Join(dir, "alert.json")
	if err := os.WriteFile(payload, body, 0o600); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte("try-secret"))
	mac.Write(body)
	mac.Write([]byte(ts))
	sig := hex.EncodeToString(mac.Sum(nil))
	cfg := ingestConfig(t, false)
	signed := []string{"--header", "X-Timestamp: " + ts, "--header", "X-Signature: " + sig, "--at", at.Format(time.RFC3339)}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"signed", append([]string{"ingest", "try", "--route", "oz-vault", "--config", cfg, payload}, signed...), exitOK, []string{
			"verification: ok", "answer: 200, 1 event(s) stored", "protocol demo, chain 31337, severity critical, confidence 0.95, alert type exploit",
			"contract: 0x5FbDB2315678afecb367f032d93F642f64180aa3", `title "Vault drain"`,
		}},
		{"wrong signature", []string{"ingest", "try", "--route", "oz-vault", "--config", cfg, payload, "--header", "X-Timestamp: " + ts, "--header", "X-Signature: " + strings.Repeat("0", 64), "--at", at.Format(time.RFC3339)}, exitFailure, []string{
			"verification: FAILED (bad-signature)", "answer: 401 rejected (bad-signature)", "dead-lettered",
			"were it authentic, the route would make 1 event(s) of it", `"alert_type": "exploit"`,
		}},
		{"too late", append([]string{"ingest", "try", "--route", "oz-vault", "--config", cfg, payload}, signed[:4]...), exitFailure, []string{"stale-timestamp"}},
		{"secret not available", []string{"ingest", "try", "--route", "oz-vault", "--config", ingestConfig(t, true), payload}, exitFailure, []string{
			"verification: not checked", "FIREBREAK_TRY_UNSET is not set", "answer: 200, 1 event(s) stored",
		}},
		{"unknown route", []string{"ingest", "try", "--route", "nope", "--config", cfg, payload}, exitUsage, []string{`no route "nope"`, "oz-vault"}},
		{"no file", []string{"ingest", "try", "--route", "oz-vault", "--config", cfg}, exitUsage, []string{"one payload FILE"}},
		{"bad header", []string{"ingest", "try", "--route", "oz-vault", "--config", cfg, payload, "--header", "nocolon"}, exitUsage, []string{"not Name: value"}},
		{"help", []string{"ingest", "try", "-h"}, exitOK, []string{"without NATS", "docs/ingress.md", "--header"}},
		{"ingest alone", []string{"ingest"}, exitUsage, []string{"ingest try"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output does not mention %q:\n%s%s", w, out, errOut)
				}
			}
			if strings.Contains(out+errOut, "try-secret") {
				t.Error("the route's secret is in the output")
			}
		})
	}

	code, out, errOut := runCLI(t, append([]string{"ingest", "try", "--json", "--route", "oz-vault", "--config", cfg, payload}, signed...)...)
	var rep tryReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("--json: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	if rep.Verification != "ok" || rep.Status != 200 || len(rep.Events) != 1 || rep.Subject != "detections.oz-vault" || rep.Events[0].AlertType != "exploit" {
		t.Errorf("--json report %+v", rep)
	}
}
