package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nkeys"
)

// Role is what a NATS identity may do on the embedded server (and, with the
// same permissions in its configuration, on an external NATS). The whole
// table is rolePermissions, in permissions.go.
type Role string

// The roles of the trust model (docs/nats.md).
const (
	// RoleEngine is the engine itself: everything it needs, and the only
	// identity that may create, update, delete or purge streams and buckets.
	RoleEngine Role = "engine"
	// RoleDetector is one detection source: it publishes detections.<source>
	// and nothing else.
	RoleDetector Role = "detector"
	// RoleOperator sets and clears the kill switch, writes approvals and
	// reads the audit log, the state buckets and the dead letters.
	RoleOperator Role = "operator"
	// RoleReader reads the audit log and the state buckets, and may relay
	// the engine's notifications (firebreak.notify.>).
	RoleReader Role = "reader"
)

// Roles lists the roles of the parties besides the engine.
var Roles = []Role{RoleDetector, RoleOperator, RoleReader}

// EngineName is the name of the engine's own identity, the one the
// embedded server makes on first start (engine.nk). Other engine identities,
// named otherwise, are for engine replicas on an external NATS: the
// embedded server lets in no engine key but its own.
const EngineName = "engine"

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == RoleEngine || slices.Contains(Roles, r) }

// Identity is one NATS user: an nkey with a role. The store keeps its public
// half; the seed (the private half) is in the file given to its holder.
type Identity struct {
	Role Role `json:"role"`
	// Name is the source for a detector (it may publish detections.<Name>)
	// and a label for an operator or a reader ("alice", "dashboard").
	Name string `json:"name"`
	// PublicKey is the nkey's public key ("U..."): what the server checks
	// the client's signature against. It is not a secret.
	PublicKey string    `json:"public_key"`
	Created   time.Time `json:"created"`
}

// InboxPrefix is the only inbox the identity may subscribe to: replies to
// its requests (JetStream acks, API answers, KV reads) arrive there and no
// other identity can read them. DialWith sets it from the seed.
func (id Identity) InboxPrefix() string { return InboxPrefix(id.PublicKey) }

// InboxPrefix is the inbox prefix of the identity with this public key:
// "_INBOX.<public key>".
func InboxPrefix(publicKey string) string { return "_INBOX." + publicKey }

// Errors of the identity store.
var (
	// ErrIdentityExists: an identity with this role and name is already in
	// the store (remove it first to replace its key).
	ErrIdentityExists = errors.New("ingest: identity already exists")
	// ErrIdentityNotFound: no identity with this role and name.
	ErrIdentityNotFound = errors.New("ingest: no such identity")
	// ErrBadIdentity: a role, a name or a stored file is not valid.
	ErrBadIdentity = errors.New("ingest: invalid identity")
	// ErrInsecureFile: a seed file or the store folder can be read by
	// other users of the machine.
	ErrInsecureFile = errors.New("ingest: file readable by others")
)

// Modes of the identity store: only the user running firebreak reads it.
const (
	identityDirMode  fs.FileMode = 0o700
	identityFileMode fs.FileMode = 0o600
)

// File names in the store: <role>.<name>.json holds the Identity, and
// <role>.<name>.nk the seed when it was not written elsewhere. The engine's
// own identity is engine.json and engine.nk.
const (
	recordExt = ".json"
	seedExt   = ".nk"
	engineKey = "engine"
)

// IdentityDir is the identity store inside a data folder.
func IdentityDir(dataDir string) string { return filepath.Join(dataDir, "nats-identities") }

// ValidateName checks an identity's name: 1 to 64 of [a-z0-9_-], so that
// a detector's name is exactly one subject token (no dots, no wildcards),
// and not "dead", which would publish onto the dead-letter subject.
func ValidateName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("%w: name %q must be 1 to 64 characters", ErrBadIdentity, name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("%w: name %q must match [a-z0-9_-]{1,64}", ErrBadIdentity, name)
		}
	}
	if SubjectPrefix+name == DeadSubject {
		return fmt.Errorf("%w: name %q is reserved for dead letters", ErrBadIdentity, name)
	}
	return nil
}

func baseName(role Role, name string) string {
	if role == RoleEngine && name == EngineName {
		return engineKey
	}
	return string(role) + "." + name
}

// CreateIdentity makes a new nkey for role and name (the detector's source),
// records its public key in the store dir, and writes its seed to seedFile,
// or to dir/<role>.<name>.nk when seedFile is "". Both files are mode 0600
// and neither is ever overwritten. It returns the seed file's path and the
// public key. A running embedded server lets the identity in within its
// reload interval (EmbeddedOptions.ReloadInterval).
//
// An engine identity made here (role engine, any name but "engine") is for
// an engine replica connecting to an external NATS configured with
// ServerConfig; the embedded server ignores it.
func CreateIdentity(dir string, role Role, name, seedFile string) (path, publicKey string, err error) {
	if err := checkRoleName(role, name); err != nil {
		return "", "", err
	}
	if err := ensureDir(dir); err != nil {
		return "", "", err
	}
	if seedFile == "" {
		seedFile = filepath.Join(dir, baseName(role, name)+seedExt)
	}
	record := filepath.Join(dir, baseName(role, name)+recordExt)
	if _, err := os.Lstat(record); err == nil {
		return "", "", fmt.Errorf("%w: %s %s (%s)", ErrIdentityExists, role, name, record)
	}
	id, err := newIdentity(role, name, seedFile)
	if err != nil {
		return "", "", err
	}
	// The record last: the server lets in only identities whose record is
	// complete, and a failed seed write leaves nothing to let in.
	if err := writeRecord(record, id); err != nil {
		_ = os.Remove(seedFile)
		return "", "", err
	}
	return seedFile, id.PublicKey, nil
}

// newIdentity generates a user nkey and writes its seed to seedFile.
func newIdentity(role Role, name, seedFile string) (Identity, error) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		return Identity{}, fmt.Errorf("ingest: generating an nkey: %w", err)
	}
	defer kp.Wipe()
	pub, err := kp.PublicKey()
	if err != nil {
		return Identity{}, fmt.Errorf("ingest: generating an nkey: %w", err)
	}
	seed, err := kp.Seed()
	if err != nil {
		return Identity{}, fmt.Errorf("ingest: generating an nkey: %w", err)
	}
	defer wipe(seed)
	id := Identity{Role: role, Name: name, PublicKey: pub, Created: time.Now().UTC().Truncate(time.Second)}
	header := fmt.Sprintf("# firebreak NATS identity: %s %s\n# public key: %s\n# keep this file secret (mode 0600); anyone holding it acts as this identity\n", role, id.Name, pub)
	content := append([]byte(header), seed...)
	content = append(content, '\n')
	defer wipe(content)
	if err := writeNew(seedFile, content); err != nil {
		return Identity{}, err
	}
	return id, nil
}

// ListIdentities reads every identity recorded in dir, sorted by role and
// name; the engine's own is included. A folder that does not exist holds
// none. Records that cannot be read are skipped and reported in the error
// (wrapping ErrBadIdentity), along with the ones that could.
func ListIdentities(dir string) ([]Identity, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: reading the identity store: %w", err)
	}
	var ids []Identity
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), recordExt) {
			continue
		}
		id, err := readRecord(filepath.Join(dir, e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b Identity) int {
		return strings.Compare(baseName(a.Role, a.Name), baseName(b.Role, b.Name))
	})
	return ids, errors.Join(errs...)
}

// RemoveIdentity deletes an identity's record, and its seed if it is in
// the store. A running embedded server drops the user, and closes its
// connections, within its reload interval.
func RemoveIdentity(dir string, role Role, name string) error {
	if err := checkRoleName(role, name); err != nil {
		return err
	}
	record := filepath.Join(dir, baseName(role, name)+recordExt)
	if err := os.Remove(record); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s %s", ErrIdentityNotFound, role, name)
	} else if err != nil {
		return fmt.Errorf("ingest: removing identity %s %s: %w", role, name, err)
	}
	if err := os.Remove(filepath.Join(dir, baseName(role, name)+seedExt)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ingest: removing the seed of %s %s: %w", role, name, err)
	}
	return nil
}

// checkRoleName checks the role and name of an identity to create or
// remove: the embedded server's own engine identity is neither.
func checkRoleName(role Role, name string) error {
	if !role.Valid() {
		return fmt.Errorf("%w: role %q is not one of detector, operator, reader, engine", ErrBadIdentity, role)
	}
	if name == EngineName {
		return fmt.Errorf("%w: %q names the embedded server's own engine identity, made on first start", ErrBadIdentity, name)
	}
	return ValidateName(name)
}

// engineIdentity loads the engine's nkey from dir, generating it on first
// start. The seed file must be readable by its owner only.
func engineIdentity(dir string) (nkeys.KeyPair, Identity, error) {
	if err := ensureDir(dir); err != nil {
		return nil, Identity{}, err
	}
	seedFile := filepath.Join(dir, engineKey+seedExt)
	record := filepath.Join(dir, engineKey+recordExt)
	if _, err := os.Lstat(seedFile); errors.Is(err, fs.ErrNotExist) {
		id, err := newIdentity(RoleEngine, EngineName, seedFile)
		if err != nil {
			return nil, Identity{}, err
		}
		_ = os.Remove(record) // a record left without its seed is stale
		if err := writeRecord(record, id); err != nil {
			return nil, Identity{}, err
		}
	}
	kp, err := readSeedFile(seedFile)
	if err != nil {
		return nil, Identity{}, err
	}
	pub, err := kp.PublicKey()
	if err != nil {
		kp.Wipe()
		return nil, Identity{}, fmt.Errorf("%w: %s: %w", ErrBadIdentity, seedFile, err)
	}
	id, err := readRecord(record)
	if err != nil || id.PublicKey != pub || id.Role != RoleEngine {
		// The seed is the truth: rewrite a missing or stale record.
		id = Identity{Role: RoleEngine, Name: EngineName, PublicKey: pub, Created: time.Now().UTC().Truncate(time.Second)}
		_ = os.Remove(record)
		if err := writeRecord(record, id); err != nil {
			kp.Wipe()
			return nil, Identity{}, err
		}
	}
	return kp, id, nil
}

// readSeedFile reads a user nkey seed file (a bare seed, commented or not,
// or a .creds file), refusing one that others can read.
func readSeedFile(path string) (nkeys.KeyPair, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: reading seed file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: seed file %s has mode %v, want 0600 (chmod 600 it)", ErrInsecureFile, path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: reading seed file: %w", err)
	}
	defer wipe(data)
	kp, err := nkeys.ParseDecoratedUserNKey(data)
	if err != nil {
		// nkeys' errors name the problem, never the content.
		return nil, fmt.Errorf("%w: seed file %s: %w", ErrBadIdentity, path, err)
	}
	return kp, nil
}

func readRecord(path string) (Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrBadIdentity, err)
	}
	var id Identity
	if err := json.Unmarshal(data, &id); err != nil {
		return Identity{}, fmt.Errorf("%w: %s: %w", ErrBadIdentity, path, err)
	}
	switch {
	case !id.Role.Valid():
		return Identity{}, fmt.Errorf("%w: %s: role %q", ErrBadIdentity, path, id.Role)
	case id.Name != EngineName && ValidateName(id.Name) != nil,
		id.Name == EngineName && id.Role != RoleEngine:
		return Identity{}, fmt.Errorf("%w: %s: name %q", ErrBadIdentity, path, id.Name)
	case filepath.Base(path) != baseName(id.Role, id.Name)+recordExt:
		// The file name is the key of the store: one identity per role
		// and name, so a copied record cannot grant a second key the same
		// rights unnoticed.
		return Identity{}, fmt.Errorf("%w: %s records %s %s", ErrBadIdentity, path, id.Role, id.Name)
	case !nkeys.IsValidPublicUserKey(id.PublicKey):
		return Identity{}, fmt.Errorf("%w: %s: public key is not a user nkey", ErrBadIdentity, path)
	}
	return id, nil
}

func writeRecord(path string, id Identity) error {
	data, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return err
	}
	return writeNew(path, append(data, '\n'))
}

// writeNew creates path with mode 0600, refusing to replace anything, and
// removes what it wrote if it could not finish.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, identityFileMode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s", ErrIdentityExists, path)
	}
	if err != nil {
		return fmt.Errorf("ingest: writing %s: %w", path, err)
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("ingest: writing %s: %w", path, err)
	}
	// O_CREATE's mode is filtered by the umask; this one is not.
	if err := os.Chmod(path, identityFileMode); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("ingest: writing %s: %w", path, err)
	}
	return nil
}

// ensureDir creates the store folder with mode 0700, and refuses one that
// others can read or enter.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, identityDirMode); err != nil {
		return fmt.Errorf("ingest: creating the identity store: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("ingest: creating the identity store: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: identity store %s has mode %v, want 0700 (chmod 700 it)", ErrInsecureFile, dir, fi.Mode().Perm())
	}
	return nil
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 'x'
	}
}
