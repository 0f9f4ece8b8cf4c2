package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// The configuration ServerConfig writes for an external nats-server gives
// every identity the permissions of the table, and a server run with it
// enforces them: a detector publishes its own source only.
func TestServerConfig(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "ids")
	seeds := map[string]string{}
	for _, id := range []struct {
		role ingest.Role
		name string
	}{{ingest.RoleDetector, "forta"}, {ingest.RoleOperator, "alice"}, {ingest.RoleReader, "dashboard"}} {
		seed, _, err := ingest.CreateIdentity(store, id.role, id.name, "")
		if err != nil {
			t.Fatal(err)
		}
		seeds[id.name] = seed
	}
	// An engine replica's identity for the external NATS.
	engineSeed, _, err := ingest.CreateIdentity(store, ingest.RoleEngine, "replica-a", "")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := ingest.ListIdentities(store)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := ingest.ServerConfig("FIREBREAK", ids)
	if err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("listen: \"127.0.0.1:-1\"\njetstream { store_dir: %q }\n%s", filepath.Join(dir, "js"), accounts)
	confFile := filepath.Join(dir, "nats-server.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := server.ProcessConfigFile(confFile)
	if err != nil {
		t.Fatalf("nats-server does not accept the configuration: %v\n%s", err, conf)
	}
	if len(opts.Nkeys) != len(ids) {
		t.Fatalf("%d users in the configuration, want %d", len(opts.Nkeys), len(ids))
	}
	for _, id := range ids {
		want, _ := ingest.Permissions(id)
		var got *server.Permissions
		for _, u := range opts.Nkeys {
			if u.Nkey == id.PublicKey {
				got = u.Permissions
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s: the configuration grants\n  %+v %+v\nthe table\n  %+v %+v", id.Role, id.Name, got.Publish, got.Subscribe, want.Publish, want.Subscribe)
		}
	}

	opts.NoLog, opts.NoSigs = true, true
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("the server did not start")
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	engine, err := ingest.DialWith(srv.ClientURL(), "engine", ingest.ConnectOptions{NkeySeedFile: engineSeed})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	ejs, _ := jetstream.New(engine)
	if _, err := ingest.EnsureStream(ctx, ejs, ingest.StreamOptions{}); err != nil {
		t.Fatalf("the engine cannot create its stream on the external server: %v", err)
	}
	forta, err := ingest.DialWith(srv.ClientURL(), "forta", ingest.ConnectOptions{NkeySeedFile: seeds["forta"]})
	if err != nil {
		t.Fatal(err)
	}
	defer forta.Close()
	violation := make(chan error, 4)
	forta.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { violation <- err })
	fjs, _ := jetstream.New(forta)
	ev := validEvent("external")
	ev.Source = "forta"
	if _, err := ingest.Publish(ctx, fjs, ev); err != nil {
		t.Errorf("forta cannot publish its own event: %v", err)
	}
	ev.Source = "tenderly"
	short, stop := context.WithTimeout(ctx, 500*time.Millisecond)
	defer stop()
	if _, err := ingest.Publish(short, fjs, ev); err == nil {
		t.Error("forta published as tenderly")
	}
	select {
	case err := <-violation:
		if !errors.Is(err, nats.ErrPermissionViolation) {
			t.Errorf("async error %v, want a permission violation", err)
		}
	case <-time.After(3 * time.Second):
		t.Error("no permission violation")
	}
	if _, err := ingest.DialWith(srv.ClientURL(), "anonymous", ingest.ConnectOptions{}); err == nil {
		t.Error("an anonymous client connects to the configured server")
	}
}
