package ingest

import (
	"errors"
	"fmt"
	neturl "net/url"
	"os"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// ConnectOptions say how a client proves who it is to NATS, and how it
// checks the server. At most one of CredsFile, NkeySeedFile and Token may be
// set; with none, the client connects as whoever the URL's user:password
// says, or anonymously (which the embedded server refuses).
type ConnectOptions struct {
	// CredsFile is a NATS .creds file (a user JWT and its seed), for a NATS
	// run in operator/JWT mode (nsc).
	CredsFile string
	// NkeySeedFile holds a user nkey seed: the file 'firebreak creds create'
	// writes. It must be mode 0600.
	NkeySeedFile string
	// Token is a token the server was configured with. The caller reads it
	// from the environment (nats.token_env); it never appears in an error.
	Token string
	// InboxPrefix overrides the inbox prefix. With an nkey seed or a creds
	// file it defaults to _INBOX.<public key>, the only inbox the identity's
	// permissions let it read (see InboxPrefix); otherwise to _INBOX.
	InboxPrefix string
	// TLS for the connection; zero means plain TCP unless the URL is tls://.
	TLS TLSOptions
}

// TLSOptions are PEM files: CA verifies the server, Cert and Key are the
// client's certificate for servers that verify clients.
type TLSOptions struct {
	CA, Cert, Key string
}

// Errors of Dial.
var (
	// ErrConnectOptions: ConnectOptions that cannot be used together or
	// whose files are missing or unreadable.
	ErrConnectOptions = errors.New("ingest: invalid NATS connect options")
)

// Dial connects to the NATS servers at url (comma-separated for a cluster)
// and keeps reconnecting for as long as the connection is in use. It is
// DialWith with no credentials.
func Dial(url, name string) (*nats.Conn, error) {
	return DialWith(url, name, ConnectOptions{})
}

// DialWith connects like Dial, authenticating and securing the connection
// as opts say. Errors name the URL without its user information and never
// include a seed or a token.
func DialWith(url, name string, opts ConnectOptions) (*nats.Conn, error) {
	nopts, err := opts.natsOptions()
	if err != nil {
		return nil, err
	}
	nopts = append([]nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false)}, nopts...)
	nc, err := nats.Connect(url, nopts...)
	if err != nil {
		return nil, connectError(url, err)
	}
	return nc, nil
}

// connectError reports a failed connection without the URL's user
// information, even where nats.go's error quotes the URL.
func connectError(rawURL string, err error) error {
	var uerr *neturl.Error
	if errors.As(err, &uerr) {
		// url.Parse quotes the URL and the bad part of it, which may be
		// in the password: say only that it does not parse.
		return fmt.Errorf("%w: the NATS URL %s does not parse (are special characters in the password escaped?)", ErrConnectOptions, RedactURL(rawURL))
	}
	text := err.Error()
	for _, secret := range userinfo(rawURL) {
		text = strings.ReplaceAll(text, secret, "redacted")
	}
	return &scrubbedError{msg: fmt.Sprintf("ingest: connecting to NATS at %s: %s", RedactURL(rawURL), text), err: err}
}

// userinfo returns what must not show of a URL list's user information:
// each whole "user:password", and each password long enough not to be
// an ordinary word of an error message.
func userinfo(rawURL string) []string {
	var out []string
	for _, p := range strings.Split(rawURL, ",") {
		p = strings.TrimSpace(p)
		if i := strings.Index(p, "://"); i >= 0 {
			p = p[i+3:]
		}
		at := strings.LastIndex(p, "@")
		if at <= 0 {
			continue
		}
		out = append(out, p[:at])
		if _, pass, ok := strings.Cut(p[:at], ":"); ok && len(pass) >= 4 {
			out = append(out, pass)
		}
	}
	return out
}

// scrubbedError is an error whose text was cleaned of secrets; errors.Is
// still sees what it wraps (nats.ErrAuthorization, ...).
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// natsOptions turns opts into nats.go options, checking the files first so
// that a mistake is reported as one, not as a refused connection.
func (opts ConnectOptions) natsOptions() ([]nats.Option, error) {
	set := 0
	for _, s := range []string{opts.CredsFile, opts.NkeySeedFile, opts.Token} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return nil, fmt.Errorf("%w: use one of a creds file, an nkey seed file or a token", ErrConnectOptions)
	}
	var out []nats.Option
	inbox := opts.InboxPrefix
	switch {
	case opts.CredsFile != "":
		pub, err := publicKeyOf(opts.CredsFile)
		if err != nil {
			return nil, err
		}
		if inbox == "" {
			inbox = InboxPrefix(pub)
		}
		out = append(out, nats.UserCredentials(opts.CredsFile))
	case opts.NkeySeedFile != "":
		pub, err := publicKeyOf(opts.NkeySeedFile)
		if err != nil {
			return nil, err
		}
		if inbox == "" {
			inbox = InboxPrefix(pub)
		}
		o, err := nats.NkeyOptionFromSeed(opts.NkeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("%w: nkey seed file %s: %w", ErrConnectOptions, opts.NkeySeedFile, err)
		}
		out = append(out, o)
	case opts.Token != "":
		out = append(out, nats.Token(opts.Token))
	}
	if inbox != "" {
		out = append(out, nats.CustomInboxPrefix(inbox))
	}
	if t := opts.TLS; t != (TLSOptions{}) {
		if (t.Cert == "") != (t.Key == "") {
			return nil, fmt.Errorf("%w: a TLS client certificate needs both cert and key", ErrConnectOptions)
		}
		for _, f := range []string{t.CA, t.Cert, t.Key} {
			if f == "" {
				continue
			}
			if _, err := os.Stat(f); err != nil {
				return nil, fmt.Errorf("%w: TLS: %w", ErrConnectOptions, err)
			}
		}
		if t.CA != "" {
			out = append(out, nats.RootCAs(t.CA))
		}
		if t.Cert != "" {
			out = append(out, nats.ClientCert(t.Cert, t.Key))
		}
		if t.CA == "" && t.Cert == "" {
			out = append(out, nats.Secure())
		}
	}
	return out, nil
}

// CredentialFile returns the ConnectOptions for a credential file of
// either kind: a NATS .creds file (it holds a user JWT) sets CredsFile,
// anything else NkeySeedFile. One --creds flag thus takes both.
func CredentialFile(path string) (ConnectOptions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ConnectOptions{}, fmt.Errorf("%w: %w", ErrConnectOptions, err)
	}
	defer wipe(data)
	if strings.Contains(string(data), "-----BEGIN NATS USER JWT-----") {
		return ConnectOptions{CredsFile: path}, nil
	}
	return ConnectOptions{NkeySeedFile: path}, nil
}

// publicKeyOf reads the user public key of an nkey seed or .creds file,
// refusing one that others can read.
func publicKeyOf(path string) (string, error) {
	kp, err := readSeedFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrConnectOptions, err)
	}
	defer kp.Wipe()
	pub, err := kp.PublicKey()
	if err != nil || !nkeys.IsValidPublicUserKey(pub) {
		return "", fmt.Errorf("%w: %s holds no user nkey", ErrConnectOptions, path)
	}
	return pub, nil
}

// RedactURL returns a NATS URL (or a comma-separated list of them) with any
// user information replaced by "redacted", so it can be logged or put in
// an error. A part that does not parse is replaced whole unless it plainly
// holds no '@'.
func RedactURL(u string) string {
	parts := strings.Split(u, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if !strings.Contains(p, "@") {
			parts[i] = p
			continue
		}
		pu, err := neturl.Parse(p)
		if err != nil || pu.Host == "" {
			if !strings.Contains(p, "://") {
				if pu2, err2 := neturl.Parse("nats://" + p); err2 == nil && pu2.Host != "" {
					pu2.User = neturl.User("redacted")
					parts[i] = strings.TrimPrefix(pu2.String(), "nats://")
					continue
				}
			}
			parts[i] = "<redacted>"
			continue
		}
		if pu.User != nil {
			pu.User = neturl.User("redacted")
		}
		parts[i] = pu.String()
	}
	return strings.Join(parts, ",")
}
