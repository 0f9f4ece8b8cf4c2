package ingest

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// EmbeddedOptions configure the in-process nats-server.
type EmbeddedOptions struct {
	// Dir holds the JetStream store (Dir/jetstream).
	Dir string
	// Host and Port to listen on; Port -1 picks a free port (tests).
	Host string
	Port int
}

// Embedded is an in-process nats-server with JetStream.
type Embedded struct {
	srv *server.Server
}

// StartEmbedded starts a nats-server in this process and waits until it
// accepts connections.
func StartEmbedded(opts EmbeddedOptions, log *slog.Logger) (*Embedded, error) {
	srv, err := server.NewServer(&server.Options{
		ServerName: "firebreak-embedded",
		Host:       opts.Host,
		Port:       opts.Port,
		JetStream:  true,
		StoreDir:   filepath.Join(opts.Dir, "nats"),
		NoSigs:     true,
		NoLog:      true,
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: configuring the embedded NATS server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("ingest: the embedded NATS server did not start within 10s (is %s:%d free?)", opts.Host, opts.Port)
	}
	log.Info("embedded NATS server started", "url", srv.ClientURL(), "store", filepath.Join(opts.Dir, "nats"))
	return &Embedded{srv: srv}, nil
}

// ClientURL is the URL clients connect to.
func (e *Embedded) ClientURL() string { return e.srv.ClientURL() }

// Dial connects to the server in process, through a pipe instead of a
// loopback socket: the engine's own traffic (deliveries, audit appends,
// action records) costs no system call.
func (e *Embedded) Dial(name string) (*nats.Conn, error) {
	nc, err := nats.Connect("", nats.InProcessServer(e.srv), nats.Name(name), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false))
	if err != nil {
		return nil, fmt.Errorf("ingest: connecting to the embedded NATS server: %w", err)
	}
	return nc, nil
}

// Shutdown stops the server and waits until it has stopped.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
