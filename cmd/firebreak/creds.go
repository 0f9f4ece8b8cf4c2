package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/ingest"
)

const credsUsage = `Usage: firebreak creds <command> [flags]

NATS identities: who may connect to the engine's embedded NATS server, and
what each may do. Every identity is an nkey with a role; the server checks a
signature made with the key's seed and grants the role's permissions only:

  detector  publish detections.<source> and nothing else (one per source)
  operator  halt and resume, sign approvals, read the audit log, the state
            buckets and the dead letters, ask for a dead letter's replay
  reader    read the audit log and the state buckets; receive the engine's
            notifications (firebreak.notify.>) to relay them to people
  engine    the engine itself: everything it needs, and the only identity
            that may create, delete or purge streams and buckets. The
            embedded server makes its own on first start and lets in no
            other; create one (--role engine --name REPLICA) only for an
            engine replica on an external NATS.

Nobody else connects: there is no anonymous access. The identities live in
<data-dir>/nats-identities (mode 0700); a running 'firebreak serve' lets a
new identity in, or a removed one out, within 2 seconds. For an external
NATS, give its server the same permissions (docs/nats.md).

Commands:
  create   --role detector|operator|reader|engine [--source NAME | --name NAME]
           [--out FILE] [--json]: make an identity and write its seed file
  list     [--json]: the identities (role, name, public key; never seeds)
  remove   --role ROLE --name NAME: revoke an identity
  nats-config [--account NAME]: the accounts block of a nats-server
           configuration giving these identities the same permissions

Run 'firebreak creds <command> -h' for its flags.
`

func runCreds(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, credsUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "create":
		return credsCreate(rest, stdout, stderr)
	case "list":
		return credsList(rest, stdout, stderr)
	case "remove", "revoke":
		return credsRemove(rest, stdout, stderr)
	case "nats-config":
		return credsNATSConfig(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, credsUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "firebreak creds: unknown command %q\n\n%s", cmd, credsUsage)
		return exitUsage
	}
}

// createdIdentity is what 'creds create --json' prints.
type createdIdentity struct {
	ingest.Identity
	SeedFile    string `json:"seed_file"`
	InboxPrefix string `json:"inbox_prefix"`
	// Subjects the identity may publish on, from the permission table.
	Publish []string `json:"publish"`
}

func credsCreate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("creds create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "", "detector, operator or reader; engine only for a replica on an external NATS (required)")
	source := fs.String("source", "", "for a detector: the source it publishes as, detections.<source> (required for a detector)")
	name := fs.String("name", "", "for an operator or a reader: a label, such as the person or the dashboard (default: the role); for an engine: the replica (required)")
	dataDir := fs.String("data-dir", "data", "the engine's data folder (data_dir in firebreak.yaml); identities live in <data-dir>/nats-identities")
	out := fs.String("out", "", "write the seed here instead of <data-dir>/nats-identities/<role>.<name>.nk; never overwrites a file")
	asJSON := fs.Bool("json", false, "print the identity as JSON")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak creds create --role detector --source NAME [flags]
       firebreak creds create --role operator|reader [--name NAME] [flags]

Makes a NATS identity: a new nkey whose public key is recorded in the
engine's identity store, and whose seed is written to a file of mode 0600.
The seed is the identity: whoever holds the file can act as it, so hand it
over like a password and keep it nowhere else. A running 'firebreak serve'
lets the identity in within 2 seconds; nothing needs restarting.

Examples:
  firebreak creds create --role detector --source forta --out forta.nk
  firebreak publish --creds forta.nk event.json
  nats --nkey forta.nk --inbox-prefix <printed prefix> req detections.forta "$(cat event.json)"

Names are 1 to 64 of [a-z0-9_-]; "dead" is reserved for dead letters.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	r := ingest.Role(*role)
	var n string
	switch {
	case fs.NArg() != 0:
		fmt.Fprintf(stderr, "firebreak creds create: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	case r == ingest.RoleEngine:
		if *name == "" || *name == ingest.EngineName || *source != "" {
			fmt.Fprintln(stderr, "firebreak creds create: the embedded server's engine identity is made by 'firebreak serve' on first start;\n"+
				"  --role engine --name REPLICA makes one for an engine replica on an external NATS")
			return exitUsage
		}
		n = *name
	case r == ingest.RoleDetector:
		if *source == "" || *name != "" {
			fmt.Fprintln(stderr, "firebreak creds create: a detector needs --source NAME (and no --name): the source it publishes as")
			return exitUsage
		}
		n = *source
	case r == ingest.RoleOperator || r == ingest.RoleReader:
		if *source != "" {
			fmt.Fprintf(stderr, "firebreak creds create: --source is for detectors; name an %s with --name\n", r)
			return exitUsage
		}
		n = *name
		if n == "" {
			n = string(r)
		}
	default:
		fmt.Fprintf(stderr, "firebreak creds create: --role must be detector, operator or reader, got %q\n\n", *role)
		fs.Usage()
		return exitUsage
	}
	if err := ingest.ValidateName(n); err != nil {
		fmt.Fprintln(stderr, "firebreak creds create:", err)
		return exitUsage
	}
	dir := ingest.IdentityDir(*dataDir)
	seed, pub, err := ingest.CreateIdentity(dir, r, n, *out)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak creds create:", err)
		if errors.Is(err, ingest.ErrBadIdentity) {
			return exitUsage
		}
		return exitFailure
	}
	id := ingest.Identity{Role: r, Name: n, PublicKey: pub, Created: time.Now().UTC().Truncate(time.Second)}
	ids, _ := ingest.ListIdentities(dir)
	for _, stored := range ids {
		if stored.PublicKey == pub {
			id = stored
		}
	}
	perms, err := ingest.Permissions(id)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak creds create:", err)
		return exitFailure
	}
	c := createdIdentity{Identity: id, SeedFile: seed, InboxPrefix: id.InboxPrefix(), Publish: perms.Publish.Allow}
	if *asJSON {
		if err := printJSON(stdout, c); err != nil {
			fmt.Fprintln(stderr, "firebreak creds create:", err)
			return exitFailure
		}
		return exitOK
	}
	printCreated(stdout, c, dir)
	return exitOK
}

func printCreated(w io.Writer, c createdIdentity, dir string) {
	fmt.Fprintf(w, "created %s identity %q\n", c.Role, c.Name)
	fmt.Fprintf(w, "  public key:   %s\n", c.PublicKey)
	fmt.Fprintf(w, "  seed file:    %s (mode 0600; it IS the identity: keep it secret)\n", c.SeedFile)
	fmt.Fprintf(w, "  inbox prefix: %s\n", c.InboxPrefix)
	fmt.Fprintf(w, "  store:        %s\n\n", dir)
	switch c.Role {
	case ingest.RoleDetector:
		fmt.Fprintf(w, "It may publish %s%s and nothing else.\n", ingest.SubjectPrefix, c.Name)
		fmt.Fprintf(w, "  firebreak publish --creds %s EVENT.json\n", c.SeedFile)
		fmt.Fprintf(w, "  nats --nkey %s --inbox-prefix %s req %s%s \"$(cat EVENT.json)\"\n", c.SeedFile, c.InboxPrefix, ingest.SubjectPrefix, c.Name)
	case ingest.RoleOperator:
		fmt.Fprintln(w, "It may halt and resume, sign approvals and read the audit log, the state and the dead letters.")
		fmt.Fprintf(w, "  firebreak halt --creds %s --reason TEXT\n", c.SeedFile)
		fmt.Fprintf(w, "  firebreak audit list --creds %s\n", c.SeedFile)
	case ingest.RoleEngine:
		fmt.Fprintln(w, "It may do everything the engine does, on an external NATS configured with 'firebreak creds nats-config'.")
		fmt.Fprintln(w, "The embedded server ignores it: it lets in no engine key but its own.")
		fmt.Fprintf(w, "  nats:\n    url: nats://nats.example:4222\n    nkey_seed_file: %s\n", c.SeedFile)
	case ingest.RoleReader:
		fmt.Fprintln(w, "It may read the audit log and the state buckets, receive firebreak.notify.>, and write nothing.")
		fmt.Fprintf(w, "  firebreak audit list --creds %s\n", c.SeedFile)
		fmt.Fprintf(w, "  nats --nkey %s --inbox-prefix %s kv get %s %s\n", c.SeedFile, c.InboxPrefix, ingest.ControlBucket, ingest.HaltKey)
	}
	fmt.Fprintln(w, "\nA running 'firebreak serve' with this data folder lets it in within 2 seconds.")
	fmt.Fprintln(w, "For an external NATS, add the public key to its configuration with the same role (docs/nats.md).")
	fmt.Fprintln(w, "Other NATS clients must use the inbox prefix above: it is the only inbox this identity may read.")
}

func credsList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("creds list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "data", "the engine's data folder (data_dir in firebreak.yaml)")
	asJSON := fs.Bool("json", false, "print the identities as JSON")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak creds list [--data-dir DIR] [--json]

Lists the NATS identities of the store in <data-dir>/nats-identities: role,
name, public key and when it was made. Seeds are never shown. An unreadable
record is reported and left out (the server leaves it out too).

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	ids, err := ingest.ListIdentities(ingest.IdentityDir(*dataDir))
	if err != nil {
		fmt.Fprintln(stderr, "firebreak creds list:", err)
		if len(ids) == 0 && !errors.Is(err, ingest.ErrBadIdentity) {
			return exitFailure
		}
	}
	if *asJSON {
		if ids == nil {
			ids = []ingest.Identity{}
		}
		if err := printJSON(stdout, ids); err != nil {
			fmt.Fprintln(stderr, "firebreak creds list:", err)
			return exitFailure
		}
		return exitOK
	}
	if len(ids) == 0 {
		fmt.Fprintf(stdout, "no identities in %s ('firebreak serve' makes the engine's on first start)\n", ingest.IdentityDir(*dataDir))
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tNAME\tPUBLIC KEY\tCREATED")
	for _, id := range ids {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", id.Role, id.Name, id.PublicKey, id.Created.Format(time.RFC3339))
	}
	_ = tw.Flush()
	return exitOK
}

func credsRemove(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("creds remove", flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "", "detector, operator or reader; engine only for a replica on an external NATS (required)")
	name := fs.String("name", "", "the identity's name: a detector's source, or the operator's or reader's label (required)")
	dataDir := fs.String("data-dir", "data", "the engine's data folder (data_dir in firebreak.yaml)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak creds remove --role ROLE --name NAME [--data-dir DIR]

Revokes a NATS identity: its record (and its seed, if it is in the store)
is deleted, and a running 'firebreak serve' disconnects it and refuses it
within 2 seconds. Use it when a seed file may have leaked, then create a
new identity for the same role and name.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 0 || *role == "" || *name == "" {
		fs.Usage()
		return exitUsage
	}
	if err := ingest.RemoveIdentity(ingest.IdentityDir(*dataDir), ingest.Role(*role), *name); err != nil {
		fmt.Fprintln(stderr, "firebreak creds remove:", err)
		if errors.Is(err, ingest.ErrBadIdentity) {
			return exitUsage
		}
		return exitFailure
	}
	fmt.Fprintf(stdout, "removed %s identity %q: a running server refuses it within 2 seconds\n", *role, *name)
	return exitOK
}

func credsNATSConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("creds nats-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "data", "the engine's data folder (data_dir in firebreak.yaml)")
	account := fs.String("account", "FIREBREAK", "the NATS account holding firebreak's streams, buckets and users")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak creds nats-config [--data-dir DIR] [--account NAME]

Prints the accounts block of a nats-server configuration that gives every
identity of the store exactly the permissions the embedded server gives it:
one account with JetStream, one nkey user per identity, no anonymous user.
Paste it into the configuration of an external NATS (see docs/nats.md for
the rest: listen, TLS, JetStream, cluster), and run it again after each
'creds create' or 'creds remove'. It holds public keys only.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	ids, err := ingest.ListIdentities(ingest.IdentityDir(*dataDir))
	if err != nil {
		fmt.Fprintln(stderr, "firebreak creds nats-config:", err)
		if len(ids) == 0 && !errors.Is(err, ingest.ErrBadIdentity) {
			return exitFailure
		}
	}
	if len(ids) == 0 {
		fmt.Fprintf(stderr, "firebreak creds nats-config: no identities in %s\n", ingest.IdentityDir(*dataDir))
		return exitFailure
	}
	conf, err := ingest.ServerConfig(*account, ids)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak creds nats-config:", err)
		return exitFailure
	}
	_, _ = stdout.Write(conf)
	return exitOK
}

// natsFlags are the flags of every command that connects to NATS: where,
// and as whom. Bind them with addNATSFlags, then dial.
type natsFlags struct {
	url, creds, tokenEnv, tlsCA, tlsCert, tlsKey *string
}

// addNATSFlags adds --nats, --creds, --token-env and --tls-ca/-cert/-key to fs.
func addNATSFlags(fs *flag.FlagSet) natsFlags {
	return natsFlags{
		url:      fs.String("nats", "nats://127.0.0.1:4222", "NATS server URL (the default is where 'firebreak serve' runs its embedded server)"),
		creds:    fs.String("creds", "", "credential file: an nkey seed from 'firebreak creds create', or a NATS .creds file (user JWT)"),
		tokenEnv: fs.String("token-env", "", "name of the environment variable holding a NATS token (never the token itself)"),
		tlsCA:    fs.String("tls-ca", "", "PEM file of the CA that signed the NATS server's certificate"),
		tlsCert:  fs.String("tls-cert", "", "PEM client certificate, for a NATS server that verifies clients"),
		tlsKey:   fs.String("tls-key", "", "PEM key of --tls-cert"),
	}
}

// connectOptions turns the flags into ingest.ConnectOptions, reading the
// token from the environment.
func (f natsFlags) connectOptions(lookupEnv func(string) (string, bool)) (ingest.ConnectOptions, error) {
	var opts ingest.ConnectOptions
	if *f.creds != "" {
		var err error
		if opts, err = ingest.CredentialFile(filepath.Clean(*f.creds)); err != nil {
			return opts, fmt.Errorf("--creds: %w", err)
		}
	}
	if env := strings.TrimSpace(*f.tokenEnv); env != "" {
		tok, ok := lookupEnv(env)
		if !ok || tok == "" {
			return opts, fmt.Errorf("--token-env: $%s is not set", env)
		}
		opts.Token = tok
	}
	opts.TLS = ingest.TLSOptions{CA: *f.tlsCA, Cert: *f.tlsCert, Key: *f.tlsKey}
	return opts, nil
}

// dial connects as the flags say; the error names no secret.
func (f natsFlags) dial(name string, lookupEnv func(string) (string, bool)) (*nats.Conn, error) {
	opts, err := f.connectOptions(lookupEnv)
	if err != nil {
		return nil, err
	}
	return ingest.DialWith(*f.url, name, opts)
}
