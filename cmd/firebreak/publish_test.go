package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// publish --keygen makes a detector key; publish --sign-key-file signs
// with it, and the engine's Verifier, configured with the printed public
// key as sources.forta.public_keys, accepts what was published.
func TestPublishSigned(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "forta.key")
	code, out, errOut := runCLI(t, "publish", "--keygen", keyFile)
	if code != exitOK {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	st, err := os.Stat(keyFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v: want mode 0600", st, err)
	}
	m := regexp.MustCompile(`public_keys: \["([0-9a-f]{64})"\]`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("keygen printed no sources snippet:\n%s", out)
	}
	opts, err := config.ParseConfig(strings.NewReader("data_dir: " + dir + "\nsources: {forta: {verify: ed25519, public_keys: [\"" + m[1] + "\"]}}\n"))
	if err != nil {
		t.Fatalf("the printed snippet is not a valid configuration: %v", err)
	}
	if code, _, errOut := runCLI(t, "publish", "--keygen", keyFile); code == exitOK || !strings.Contains(errOut, "exists") {
		t.Fatalf("keygen over an existing key: exit %d, %s", code, errOut)
	}

	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := srv.Dial(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	// The detector publishes with its own NATS identity, as it would for real.
	seed, _, err := ingest.CreateIdentity(srv.IdentityDir(), ingest.RoleDetector, "forta", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	evFile := filepath.Join(dir, "ev.json")
	now := time.Now().UTC().Format(time.RFC3339)
	if err := os.WriteFile(evFile, []byte(fmt.Sprintf(`{"id":"signed-1","source":"forta","chain_id":1,"severity":"critical","confidence":0.95,"alert_type":"exploit","protocol":"demo","timestamp":%q}`, now)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "publish", "--nats", srv.ClientURL(), "--creds", seed, "--sign-key-file", keyFile, evFile)
	if code != exitOK || !strings.Contains(out, "signed by key") {
		t.Fatalf("publish: exit %d\n%s%s", code, out, errOut)
	}
	c, err := js.OrderedConsumer(ctx, ingest.Stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := c.Next()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := config.ParseEd25519PublicKey(opts.Sources["forta"].PublicKeys[0])
	v := ingest.NewVerifier(ingest.VerifyOptions{Sources: map[string]ingest.Source{"forta": {Keys: []ed25519.PublicKey{pub}}}, MaxAge: time.Hour, MaxSkew: time.Minute})
	if err := v.Message(msg.Subject(), msg.Headers(), msg.Data()); err != nil {
		t.Fatalf("the published message does not verify: %v", err)
	}
	ev, err := event.Decode(msg.Data())
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Event(msg.Subject(), ev); err != nil {
		t.Fatal(err)
	}

	// A key file that is not a seed is refused, without its content.
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not-a-seed-but-a-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "publish", "--nats", srv.ClientURL(), "--creds", seed, "--sign-key-file", bad, evFile)
	if code != exitUsage || strings.Contains(errOut, "not-a-seed-but-a-secret") || !strings.Contains(errOut, "--sign-key-file") {
		t.Fatalf("bad key: exit %d, %s", code, errOut)
	}
}
