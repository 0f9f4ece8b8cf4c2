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
