package engine

import (
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// NATSConnectOptions are the credentials and TLS settings o gives for an
// external NATS, the token read from the environment.
func NATSConnectOptions(o config.Options) (ingest.ConnectOptions, error) {
	n := o.NATS
	var opts ingest.ConnectOptions
	switch {
	case n.Creds != "":
		opts.CredsFile = n.Creds
	case n.NkeySeedFile != "":
		opts.NkeySeedFile = n.NkeySeedFile
	case n.TokenEnv != "":
		tok, err := o.Secret(n.TokenEnv, "")
		if err != nil {
			return opts, fmt.Errorf("nats.token_env: %w", err)
		}
		opts.Token = tok
	}
	opts.TLS = ingest.TLSOptions{CA: n.TLS.CA, Cert: n.TLS.Cert, Key: n.TLS.Key}
	return opts, nil
}

func (e *Engine) dialExternal(name string) (*nats.Conn, error) {
	copts, err := NATSConnectOptions(e.opts)
	if err != nil {
		return nil, err
	}
	return ingest.DialWith(e.opts.NATS.URL, name, copts)
}

// DialNATS connects to the engine's NATS as the engine: in process to the
// embedded server, or with the configured credentials to an external one.
// For programs that embed the engine (the demo, tests). Valid after Ready.
func (e *Engine) DialNATS(name string) (*nats.Conn, error) {
	if e.embedded != nil {
		return e.embedded.Dial(name)
	}
	return e.dialExternal(name)
}

// NATSSeedFile is the embedded server's engine nkey seed file, for a
// second program on this machine that must connect as the engine (a
// replica in a test); "" with an external NATS. Valid after Ready.
func (e *Engine) NATSSeedFile() string {
	if e.embedded == nil {
		return ""
	}
	return e.embedded.EngineSeedFile()
}

// connectNATS starts the embedded server (no nats.url) or dials the
// external one, and connects as the engine. shutdown stops the embedded
// server; it runs after the connection closes.
func (e *Engine) connectNATS() (nc *nats.Conn, url string, shutdown func(), err error) {
	if e.opts.NATS.URL != "" {
		nc, err = e.dialExternal("firebreak-engine")
		return nc, e.opts.NATS.URL, func() {}, err
	}
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: e.opts.DataDir, Host: e.opts.NATS.Host, Port: e.opts.NATS.Port}, e.log)
	if err != nil {
		return nil, "", nil, err
	}
	if nc, err = srv.Dial("firebreak-engine"); err != nil {
		srv.Shutdown()
		return nil, "", nil, err
	}
	e.embedded = srv
	return nc, srv.ClientURL(), srv.Shutdown, nil
}
