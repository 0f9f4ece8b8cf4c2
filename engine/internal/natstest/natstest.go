// Package natstest starts the real NATS server the engine's package tests
// run against: nats-server in process, with JetStream in a temporary
// folder, on a free loopback port. It is for tests only.
package natstest

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Server starts a JetStream-enabled nats-server for the test and stops it
// when the test ends.
func Server(t testing.TB) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		ServerName: "natstest", Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: filepath.Join(t.TempDir(), "nats"), NoSigs: true, NoLog: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		t.Fatal("natstest: the NATS server did not start within 10s")
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv
}

// JetStream starts a server (see Server) and returns a JetStream context
// on a connection to it that closes when the test ends.
func JetStream(t testing.TB) jetstream.JetStream {
	t.Helper()
	return Connect(t, Server(t))
}

// Connect returns a JetStream context on a connection to srv that closes
// when the test ends: for a test that also needs the server itself (to
// stop JetStream under the engine, say).
func Connect(t testing.TB, srv *server.Server) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name(t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// Cluster starts n JetStream-enabled nats-servers in process, routed into
// one cluster on loopback ports, and returns them once JetStream has a
// meta leader that sees every peer: for tests of what differs on a
// replicated (R3) stream.
func Cluster(t testing.TB, n int) []*server.Server {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
	}
	var routes []*url.URL
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", p)})
	}
	dir := t.TempDir()
	servers := make([]*server.Server, n)
	for i := range servers {
		srv, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: -1, JetStream: true,
			StoreDir: filepath.Join(dir, fmt.Sprintf("n%d", i+1)), NoSigs: true, NoLog: true,
			Cluster: server.ClusterOpts{Name: "natstest", Host: "127.0.0.1", Port: ports[i]},
			Routes:  routes,
		})
		if err != nil {
			t.Fatal(err)
		}
		go srv.Start()
		t.Cleanup(func() {
			srv.Shutdown()
			srv.WaitForShutdown()
		})
		servers[i] = srv
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, srv := range servers {
		if !srv.ReadyForConnections(10 * time.Second) {
			t.Fatalf("natstest: server %s did not start", srv.Name())
		}
	}
	for time.Now().Before(deadline) {
		for _, srv := range servers {
			// The leader lists only the peers that are online with
			// JetStream and have sent their stats: before that an R3
			// stream has "no suitable peers for placement".
			if srv.JetStreamIsLeader() && len(srv.JetStreamClusterPeers()) == n {
				return servers
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("natstest: the cluster had no JetStream meta leader seeing every peer within 30s")
	return nil
}

// Restartable is a JetStream server a test can stop and start again, on
// the same port and folder: a real NATS outage, after which every stream
// and bucket is back. Stopping and starting JetStream inside a running
// server instead (ShutdownJetStream, EnableJetStream) races in the
// server itself under -race.
type Restartable struct {
	t    testing.TB
	opts server.Options
	srv  *server.Server
}

// NewRestartable starts a Restartable server, stopped when the test ends.
func NewRestartable(t testing.TB) *Restartable {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	r := &Restartable{t: t, opts: server.Options{
		ServerName: "natstest", Host: "127.0.0.1", Port: port, JetStream: true,
		StoreDir: filepath.Join(t.TempDir(), "nats"), NoSigs: true, NoLog: true,
	}}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// URL is the server's client URL; it stays the same across restarts.
func (r *Restartable) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", r.opts.Port) }

// Start starts the server (again).
func (r *Restartable) Start() {
	r.t.Helper()
	opts := r.opts
	srv, err := server.NewServer(&opts)
	if err != nil {
		r.t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		r.t.Fatal("natstest: the NATS server did not start within 10s")
	}
	r.srv = srv
}

// Stop stops the server; a stopped one stays stopped.
func (r *Restartable) Stop() {
	if r.srv == nil {
		return
	}
	r.srv.Shutdown()
	r.srv.WaitForShutdown()
	r.srv = nil
}

// Connect returns a JetStream context on a connection to r that
// reconnects for as long as the test runs, with nothing buffered while it
// is away (a publish then fails at once, as a client of a down server
// sees it), and closes when the test ends.
func (r *Restartable) Connect() jetstream.JetStream {
	r.t.Helper()
	nc, err := nats.Connect(r.URL(), nats.Name(r.t.Name()), nats.MaxReconnects(-1),
		nats.ReconnectWait(20*time.Millisecond), nats.ReconnectBufSize(-1))
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		r.t.Fatal(err)
	}
	return js
}
