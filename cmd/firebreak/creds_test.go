package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

var publicKeyRe = regexp.MustCompile(`\bU[A-Z2-7]{55}\b`)

func TestCredsCreateDetector(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := runCLI(t, "creds", "create", "--role", "detector", "--source", "forta", "--data-dir", data)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	seed := filepath.Join(ingest.IdentityDir(data), "detector.forta.nk")
	for _, want := range []string{publicKeyRe.FindString(out), seed, "detections.forta", "firebreak publish --creds " + seed, "nats --nkey " + seed, "--inbox-prefix _INBOX.U"} {
		if want == "" || !strings.Contains(out, want) {
			t.Errorf("output does not show %q:\n%s", want, out)
		}
	}
	for path, mode := range map[string]os.FileMode{ingest.IdentityDir(data): 0o700, seed: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v, want mode %v", path, err, mode)
		}
	}
	secret, _ := os.ReadFile(seed)
	if s := seedLine(secret); s == "" || strings.Contains(out+errOut, s) {
		t.Errorf("the seed is printed, or the file holds none:\n%s", out)
	}
}

// seedLine is the seed in a seed file.
func seedLine(data []byte) string {
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, "SU") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func TestCredsCreateAndListJSON(t *testing.T) {
	data := t.TempDir()
	out := filepath.Join(t.TempDir(), "ops.nk")
	code, stdout, errOut := runCLI(t, "creds", "create", "--role", "operator", "--data-dir", data, "--out", out, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var created struct {
		Role        string   `json:"role"`
		Name        string   `json:"name"`
		PublicKey   string   `json:"public_key"`
		SeedFile    string   `json:"seed_file"`
		InboxPrefix string   `json:"inbox_prefix"`
		Publish     []string `json:"publish"`
	}
	if err := json.Unmarshal([]byte(stdout), &created); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if created.Role != "operator" || created.Name != "operator" || created.SeedFile != out ||
		created.InboxPrefix != "_INBOX."+created.PublicKey || !publicKeyRe.MatchString(created.PublicKey) {
		t.Errorf("created %+v", created)
	}
	if !strings.Contains(strings.Join(created.Publish, " "), "$KV.FIREBREAK_CONTROL.halt") {
		t.Errorf("an operator's publish permissions %v do not include the kill switch", created.Publish)
	}
	if code, _, errOut := runCLI(t, "creds", "create", "--role", "reader", "--name", "dashboard", "--data-dir", data); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}

	code, stdout, errOut = runCLI(t, "creds", "list", "--data-dir", data, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var ids []ingest.Identity
	if err := json.Unmarshal([]byte(stdout), &ids); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if len(ids) != 2 || ids[0].Role != ingest.RoleOperator || ids[0].PublicKey != created.PublicKey || ids[1].Name != "dashboard" {
		t.Errorf("listed %+v", ids)
	}
	code, text, _ := runCLI(t, "creds", "list", "--data-dir", data)
	if code != exitOK || !strings.Contains(text, "ROLE") || !strings.Contains(text, created.PublicKey) || !strings.Contains(text, "dashboard") {
		t.Errorf("exit %d, list:\n%s", code, text)
	}
	secret, _ := os.ReadFile(out)
	if s := seedLine(secret); s == "" || strings.Contains(stdout+text, s) {
		t.Error("list shows a seed")
	}
}

func TestCredsUsage(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := runCLI(t, "creds", "create", "--role", "detector", "--source", "forta", "--data-dir", data); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	tests := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{[]string{"creds"}, exitUsage, "Commands:"},
		{[]string{"creds", "frob"}, exitUsage, `unknown command "frob"`},
		{[]string{"creds", "create", "-h"}, exitOK, "firebreak publish --creds"},
		{[]string{"creds", "list", "-h"}, exitOK, "Seeds are never shown"},
		{[]string{"creds", "remove", "-h"}, exitOK, "Revokes"},
		{[]string{"creds", "create"}, exitUsage, "--role must be detector, operator or reader"},
		{[]string{"creds", "create", "--role", "admin"}, exitUsage, "--role must be"},
		{[]string{"creds", "remove", "--role", "engine", "--name", "engine", "--data-dir", data}, exitUsage, "embedded server's own engine identity"},
		{[]string{"creds", "create", "--role", "engine"}, exitUsage, "made by 'firebreak serve'"},
		{[]string{"creds", "create", "--role", "engine", "--name", "engine"}, exitUsage, "--name REPLICA"},
		{[]string{"creds", "create", "--role", "engine", "--name", "replica-a", "--data-dir", data}, exitOK, "nkey_seed_file"},
		{[]string{"creds", "create", "--role", "detector"}, exitUsage, "needs --source"},
		{[]string{"creds", "create", "--role", "detector", "--source", "x", "--name", "y"}, exitUsage, "needs --source NAME (and no --name)"},
		{[]string{"creds", "create", "--role", "operator", "--source", "forta"}, exitUsage, "--source is for detectors"},
		{[]string{"creds", "create", "--role", "detector", "--source", "oz.monitor", "--data-dir", data}, exitUsage, "[a-z0-9_-]"},
		{[]string{"creds", "create", "--role", "detector", "--source", "dead", "--data-dir", data}, exitUsage, "reserved"},
		{[]string{"creds", "create", "--role", "detector", "--source", "forta", "--data-dir", data}, exitFailure, "already exists"},
		{[]string{"creds", "remove", "--role", "detector", "--name", "tenderly", "--data-dir", data}, exitFailure, "no such identity"},
		{[]string{"creds", "remove", "--role", "detector"}, exitUsage, "Usage: firebreak creds remove"},
		{[]string{"creds", "list", "--data-dir", t.TempDir()}, exitOK, "no identities"},
		{[]string{"creds", "nats-config", "-h"}, exitOK, "holds public keys only"},
		{[]string{"creds", "nats-config", "--data-dir", t.TempDir()}, exitFailure, "no identities"},
		{[]string{"creds", "nats-config", "--data-dir", data}, exitOK, `allow: ["detections.forta"]`},
		{[]string{"help"}, exitOK, "creds"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output does not mention %q:\n%s%s", tt.want, out, errOut)
			}
		})
	}
}

// The whole path for a new detector: 'creds create' against the data folder
// of a running embedded server, then a client with --creds publishes its
// own events within a few seconds; after 'creds remove' it is refused.
func TestCredsConnectToRunningServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	data := t.TempDir()
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: data, Host: "127.0.0.1", Port: -1}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	engine, err := srv.Dial("engine")
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	ejs, _ := jetstream.New(engine)
	if _, err := ingest.EnsureStream(ctx, ejs, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}

	seed := filepath.Join(t.TempDir(), "forta.nk")
	if code, _, errOut := runCLI(t, "creds", "create", "--role", "detector", "--source", "forta", "--data-dir", data, "--out", seed); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	nf := addNATSFlags(fs)
	if err := fs.Parse([]string{"--nats", srv.ClientURL(), "--creds", seed}); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) (string, bool) { return "", false }
	deadline := time.Now().Add(3 * ingest.DefaultReloadInterval)
	for {
		nc, err := nf.dial("detector", noEnv)
		if err == nil {
			js, _ := jetstream.New(nc)
			ev := event.Event{ID: "via-creds", Source: "forta", ChainID: 1, Severity: event.SeverityHigh, Confidence: 1,
				AlertType: "exploit", Protocol: "demo", Timestamp: time.Now().UTC()}
			_, err = ingest.Publish(ctx, js, ev)
			nc.Close()
			if err != nil {
				t.Fatalf("the new detector cannot publish its own event: %v", err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new identity cannot connect: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	if code, _, errOut := runCLI(t, "creds", "remove", "--role", "detector", "--name", "forta", "--data-dir", data); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	if nc, err := nf.dial("detector", noEnv); err == nil {
		nc.Close()
		t.Error("a removed identity can still connect")
	}
}

// --token-env names a variable; the token comes from the environment and
// shows in no error.
func TestCredsNATSFlags(t *testing.T) {
	parse := func(args ...string) natsFlags {
		t.Helper()
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		nf := addNATSFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return nf
	}
	env := func(name string) (string, bool) {
		if name == "NATS_TOKEN" {
			return "tok-31337-secret", true
		}
		return "", false
	}
	opts, err := parse("--token-env", "NATS_TOKEN", "--tls-ca", "ca.pem").connectOptions(env)
	if err != nil || opts.Token != "tok-31337-secret" || opts.TLS.CA != "ca.pem" {
		t.Errorf("options %+v, %v", opts, err)
	}
	if _, err := parse("--token-env", "UNSET").connectOptions(env); err == nil || !strings.Contains(err.Error(), "$UNSET is not set") {
		t.Errorf("an unset token variable: %v", err)
	}
	_, err = parse("--nats", "nats://u:pw-secret@127.0.0.1:1", "--token-env", "NATS_TOKEN").dial("x", env)
	if err == nil {
		t.Fatal("connected to port 1")
	}
	for _, secret := range []string{"tok-31337-secret", "pw-secret"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows %q: %v", secret, err)
		}
	}
	if _, err := parse("--creds", filepath.Join(t.TempDir(), "missing.nk")).connectOptions(env); err == nil {
		t.Error("a missing --creds file is accepted")
	}
}
