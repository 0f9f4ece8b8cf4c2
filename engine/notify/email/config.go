package email

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// Config is an email channel: the SMTP server, the envelope, and the
// login (its password a secret).
type Config struct {
	// Smarthost is the server's host:port (587, submission, usually).
	Smarthost string
	From      string
	To        []string
	// Username and Password log in with AUTH PLAIN, only after STARTTLS;
	// no Username sends without logging in.
	Username string
	Password notify.Secret
	// Hello is the name given in EHLO; empty is "localhost".
	Hello string
	// TLS configures STARTTLS; nil verifies the server's certificate for
	// the smarthost's host name against the system's roots.
	TLS *tls.Config
}

// FromOptions reads an email channel's configuration: the password from
// the environment or a file, the CA bundle from ca_file.
func FromOptions(o config.ChannelOptions, read notify.SecretReader) (Config, error) {
	c := Config{Smarthost: o.Smarthost, From: o.From, To: o.To, Username: o.Username, Hello: o.Hello}
	if o.Username != "" {
		pw, err := notify.ReadSecret(read, "password", o.PasswordEnv, o.PasswordFile)
		if err != nil {
			return c, err
		}
		c.Password = pw
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return c, fmt.Errorf("email: ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return c, fmt.Errorf("email: ca_file %s holds no PEM certificate", o.CAFile)
		}
		host, _, _ := net.SplitHostPort(o.Smarthost)
		c.TLS = &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}
	}
	return c, nil
}
