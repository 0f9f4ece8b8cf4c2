package ingest

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// DefaultReloadInterval is how often a running embedded server re-reads
// its identity store.
const DefaultReloadInterval = 2 * time.Second

// ErrInsecureListener: the embedded server was asked to listen beyond
// loopback without authentication.
var ErrInsecureListener = errors.New("ingest: the embedded NATS server listens beyond loopback only with authentication")

// EmbeddedOptions configure the in-process nats-server.
type EmbeddedOptions struct {
	// Dir holds the JetStream store (Dir/nats) and, unless Identities
	// says otherwise, the identity store (Dir/nats-identities).
	Dir string
	// Host and Port to listen on; Port -1 picks a free port (tests).
	Host string
	Port int
	// Identities is the identity store folder; "" means
	// IdentityDir(Dir). The engine's own nkey is generated there on first
	// start.
	Identities string
	// ReloadInterval is how often the store is re-read, so that identities
	// created or removed while the server runs take effect; 0 means
	// DefaultReloadInterval. Reload does it at once.
	ReloadInterval time.Duration
	// Insecure runs the server with no users at all: any client that
	// reaches it may do anything, including deleting the audit stream. It
	// exists for tests written before identities and is refused unless
	// Host is a loopback address.
	Insecure bool
}

// Embedded is an in-process nats-server with JetStream. Unless started
// Insecure, every client authenticates with an nkey from the identity
// store and gets its role's permissions (Permissions); anonymous clients
// cannot connect.
type Embedded struct {
	srv  *server.Server
	base server.Options
	log  *slog.Logger
	dir  string

	engine    nkeys.KeyPair // nil when Insecure
	enginePub string

	mu      sync.Mutex // serialises reloads
	current []Identity // what the server runs with

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// StartEmbedded starts a nats-server in this process and waits until it
// accepts connections. It loads (or, on first start, creates) the engine's
// nkey and lets in every identity of the store.
func StartEmbedded(opts EmbeddedOptions, log *slog.Logger) (*Embedded, error) {
	if opts.Insecure && !isLoopback(opts.Host) {
		return nil, fmt.Errorf("%w: host %q", ErrInsecureListener, opts.Host)
	}
	e := &Embedded{
		log:  log,
		dir:  opts.Identities,
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	if e.dir == "" {
		e.dir = IdentityDir(opts.Dir)
	}
	e.base = server.Options{
		ServerName: "firebreak-embedded",
		Host:       opts.Host,
		Port:       opts.Port,
		JetStream:  true,
		StoreDir:   filepath.Join(opts.Dir, "nats"),
		NoSigs:     true,
		NoLog:      true,
	}
	sopts := e.base
	if !opts.Insecure {
		kp, id, err := engineIdentity(e.dir)
		if err != nil {
			return nil, err
		}
		e.engine, e.enginePub = kp, id.PublicKey
		ids, users, err := e.load()
		if err != nil {
			kp.Wipe()
			return nil, err
		}
		sopts.Nkeys, e.current = users, ids
	}
	srv, err := server.NewServer(&sopts)
	if err != nil {
		e.wipe()
		return nil, fmt.Errorf("ingest: configuring the embedded NATS server: %w", err)
	}
	e.srv = srv
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		e.wipe()
		return nil, fmt.Errorf("ingest: the embedded NATS server did not start within 10s (is %s:%d free?)", opts.Host, opts.Port)
	}
	if opts.Insecure {
		close(e.done)
		log.Warn("embedded NATS server started WITHOUT authentication: any local client may do anything", "url", srv.ClientURL())
		return e, nil
	}
	log.Info("embedded NATS server started", "url", srv.ClientURL(), "store", sopts.StoreDir,
		"identities", e.dir, "users", len(e.current))
	interval := opts.ReloadInterval
	if interval <= 0 {
		interval = DefaultReloadInterval
	}
	go e.watch(interval)
	return e, nil
}

// load reads the store and builds the server's users: the engine's and
// every valid identity. A record that cannot be read is logged and left out.
func (e *Embedded) load() ([]Identity, []*server.NkeyUser, error) {
	ids, err := ListIdentities(e.dir)
	if err != nil && !errors.Is(err, ErrBadIdentity) {
		return nil, nil, err
	}
	if err != nil {
		e.log.Error("identity store: records left out", "dir", e.dir, "err", err)
	}
	ids = slices.DeleteFunc(ids, func(id Identity) bool {
		// Only the seed in the store makes the engine's identity.
		return id.Role == RoleEngine && id.PublicKey != e.enginePub
	})
	users, err := NkeyUsers(ids)
	if err != nil {
		return nil, nil, err
	}
	return ids, users, nil
}

// watch reloads the identities every interval until Shutdown.
func (e *Embedded) watch(interval time.Duration) {
	defer close(e.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			if err := e.Reload(); err != nil {
				e.log.Error("embedded NATS server: reloading identities", "err", err)
			}
		}
	}
}

// Reload re-reads the identity store now and, if it changed, gives the
// server the new users: new identities can connect at once, removed ones
// are disconnected. The server also does this by itself every
// ReloadInterval.
func (e *Embedded) Reload() error {
	if e.engine == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ids, users, err := e.load()
	if err != nil {
		return err
	}
	if slices.Equal(ids, e.current) {
		return nil
	}
	opts := e.base
	opts.Nkeys = users
	if err := e.srv.ReloadOptions(&opts); err != nil {
		return fmt.Errorf("ingest: reloading the embedded NATS server's users: %w", err)
	}
	added, removed := diffIdentities(e.current, ids)
	e.current = ids
	for _, id := range added {
		e.log.Info("NATS identity added", "role", id.Role, "name", id.Name, "public_key", id.PublicKey)
	}
	for _, id := range removed {
		e.log.Info("NATS identity removed", "role", id.Role, "name", id.Name, "public_key", id.PublicKey)
	}
	return nil
}

func diffIdentities(old, cur []Identity) (added, removed []Identity) {
	for _, id := range cur {
		if !slices.Contains(old, id) {
			added = append(added, id)
		}
	}
	for _, id := range old {
		if !slices.Contains(cur, id) {
			removed = append(removed, id)
		}
	}
	return added, removed
}

// ClientURL is the URL clients connect to. It carries no credentials:
// clients bring their own (ConnectOptions).
func (e *Embedded) ClientURL() string { return e.srv.ClientURL() }

// IdentityDir is the identity store the server lets identities in from.
func (e *Embedded) IdentityDir() string { return e.dir }

// EngineSeedFile is the engine's nkey seed file, for a tool on the same
// machine that must act as the engine (DialWith with NkeySeedFile); "" when
// the server runs Insecure.
func (e *Embedded) EngineSeedFile() string {
	if e.engine == nil {
		return ""
	}
	return EngineSeedPath(e.dir)
}

// EngineSeedPath is where the engine's nkey seed lives in the identity
// store dir (see IdentityDir), for a tool on the same machine that must act
// as the engine.
func EngineSeedPath(dir string) string { return filepath.Join(dir, engineKey+seedExt) }

// Dial connects to the server in process, through a pipe instead of a
// loopback socket, as the engine: the engine's own traffic (deliveries,
// audit appends, action records) costs no system call.
func (e *Embedded) Dial(name string) (*nats.Conn, error) {
	opts := []nats.Option{nats.InProcessServer(e.srv), nats.Name(name), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false)}
	if e.engine != nil {
		opts = append(opts, nats.Nkey(e.enginePub, e.engine.Sign))
	}
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("ingest: connecting to the embedded NATS server: %w", err)
	}
	return nc, nil
}

// Shutdown stops the server and waits until it has stopped.
func (e *Embedded) Shutdown() {
	e.once.Do(func() {
		close(e.stop)
		<-e.done
		e.srv.Shutdown()
		e.srv.WaitForShutdown()
		e.wipe()
	})
}

func (e *Embedded) wipe() {
	if e.engine != nil {
		e.engine.Wipe()
	}
}

// isLoopback reports whether host only ever accepts connections from this
// machine: "localhost" or a loopback IP. "" and "0.0.0.0" listen
// everywhere.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
