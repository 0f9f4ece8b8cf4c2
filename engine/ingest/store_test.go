package ingest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// The store keeps every file to its owner: the folder 0700, records and
// seeds 0600; it never overwrites a file, refuses names that are not one
// subject token, and DialWith refuses a seed others can read.
func TestIdentityFiles(t *testing.T) {
	dir := ingest.IdentityDir(t.TempDir())
	out := filepath.Join(t.TempDir(), "op.nk")
	opSeed, opPub, err := ingest.CreateIdentity(dir, ingest.RoleOperator, "alice", out)
	if err != nil {
		t.Fatal(err)
	}
	if opSeed != out {
		t.Errorf("seed written to %s, want %s", opSeed, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "operator.alice.nk")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a seed written elsewhere is also in the store (%v)", err)
	}
	detSeed, detPub, err := ingest.CreateIdentity(dir, ingest.RoleDetector, "forta", "")
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]os.FileMode{
		dir:     0o700,
		detSeed: 0o600,
		filepath.Join(dir, "detector.forta.json"): 0o600,
		opSeed: 0o600,
		filepath.Join(dir, "operator.alice.json"): 0o600,
	}
	for path, want := range modes {
		fi, err := os.Stat(path)
		if err != nil {
			t.Error(err)
			continue
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v", path, got, want)
		}
	}
	for _, f := range []string{detSeed, opSeed} {
		data, _ := os.ReadFile(f)
		kp, err := nkeys.ParseDecoratedUserNKey(data)
		if err != nil {
			t.Fatalf("%s is not a user nkey seed file: %v", f, err)
		}
		pub, _ := kp.PublicKey()
		if pub != detPub && pub != opPub {
			t.Errorf("%s holds key %s, not the one returned", f, pub)
		}
	}

	ids, err := ingest.ListIdentities(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range ids {
		got = append(got, fmt.Sprintf("%s/%s", id.Role, id.Name))
		if id.Role == ingest.RoleDetector && id.PublicKey != detPub {
			t.Errorf("listed key %s, created %s", id.PublicKey, detPub)
		}
	}
	if want := []string{"detector/forta", "operator/alice"}; !slices.Equal(got, want) {
		t.Errorf("identities %v, want %v", got, want)
	}

	if _, _, err := ingest.CreateIdentity(dir, ingest.RoleDetector, "forta", ""); !errors.Is(err, ingest.ErrIdentityExists) {
		t.Errorf("creating forta twice: %v, want ErrIdentityExists", err)
	}
	if _, _, err := ingest.CreateIdentity(dir, ingest.RoleReader, "other", out); !errors.Is(err, ingest.ErrIdentityExists) {
		t.Errorf("writing a seed over an existing file: %v, want ErrIdentityExists", err)
	}
	if ids, _ := ingest.ListIdentities(dir); len(ids) != 2 {
		t.Errorf("a failed create left a record: %v", ids)
	}
	if err := ingest.RemoveIdentity(dir, ingest.RoleReader, "nobody"); !errors.Is(err, ingest.ErrIdentityNotFound) {
		t.Errorf("removing an unknown identity: %v, want ErrIdentityNotFound", err)
	}
	for _, bad := range []struct {
		role ingest.Role
		name string
	}{
		{ingest.RoleEngine, "engine"}, {ingest.RoleDetector, "engine"}, {"admin", "x"}, {ingest.RoleDetector, "dead"},
		{ingest.RoleDetector, "oz.monitor"}, {ingest.RoleDetector, "*"}, {ingest.RoleDetector, ">"}, {ingest.RoleDetector, ""},
		{ingest.RoleOperator, "Alice"}, {ingest.RoleReader, strings.Repeat("a", 65)},
	} {
		if _, _, err := ingest.CreateIdentity(dir, bad.role, bad.name, ""); !errors.Is(err, ingest.ErrBadIdentity) {
			t.Errorf("CreateIdentity(%q, %q): %v, want ErrBadIdentity", bad.role, bad.name, err)
		}
	}

	if err := os.Chmod(detSeed, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.DialWith("nats://127.0.0.1:1", "x", ingest.ConnectOptions{NkeySeedFile: detSeed}); !errors.Is(err, ingest.ErrInsecureFile) {
		t.Errorf("dialing with a world-readable seed: %v, want ErrInsecureFile", err)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nats://127.0.0.1:4222", "nats://127.0.0.1:4222"},
		{"nats://alice:s3cret@nats.example:4222", "nats://redacted@nats.example:4222"},
		{"tls://token-abc@nats.example:4222", "tls://redacted@nats.example:4222"},
		{"nats://a:b@n1:4222, nats://c:d@n2:4222", "nats://redacted@n1:4222,nats://redacted@n2:4222"},
		{"alice:s3cret@nats.example:4222", "redacted@nats.example:4222"},
		{"nats://al%ice:s3cr@t@host:1", "<redacted>"},
	}
	for _, tt := range tests {
		got := ingest.RedactURL(tt.in)
		if got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for _, secret := range []string{"s3cret", "token-abc", "a:b", "c:d"} {
			if strings.Contains(got, secret) {
				t.Errorf("RedactURL(%q) = %q shows %q", tt.in, got, secret)
			}
		}
	}
}

// Errors of DialWith never show a seed, a token or a URL's password.
func TestDialErrorsHoldNoSecret(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.nk")
	badSeed := "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU"
	if err := os.WriteFile(bad, []byte(badSeed+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		url    string
		opts   ingest.ConnectOptions
		secret string
	}{
		{"password in the URL", "nats://admin:pa55-word@127.0.0.1:1", ingest.ConnectOptions{}, "pa55-word"},
		{"a URL that does not parse", "nats://admin:pa55-w%zzord@127.0.0.1:1", ingest.ConnectOptions{}, "pa55-w"},
		{"a cluster URL list", "nats://127.0.0.1:1,nats://admin:pa55-list@127.0.0.1:2", ingest.ConnectOptions{}, "pa55-list"},
		{"token", "nats://127.0.0.1:1", ingest.ConnectOptions{Token: "tok-9f8e7d"}, "tok-9f8e7d"},
		{"bad seed", "nats://127.0.0.1:1", ingest.ConnectOptions{NkeySeedFile: bad}, badSeed},
		{"two credentials", "nats://127.0.0.1:1", ingest.ConnectOptions{NkeySeedFile: bad, Token: "tok-1a2b3c"}, "tok-1a2b3c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := ingest.DialWith(tt.url, "x", tt.opts)
			if err == nil {
				nc.Close()
				t.Fatal("connected")
			}
			if strings.Contains(err.Error(), tt.secret) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

// The permission table names other packages' resources; they must agree.
func TestResourceNamesAgree(t *testing.T) {
	pairs := []struct{ here, there string }{
		{ingest.AuditStream, audit.Stream},
		{ingest.AuditSubjects, audit.SubjectPrefix + ">"},
		{ingest.ActionsBucket, record.ActionsBucket},
		{ingest.LeasesBucket, submit.LeasesBucket},
		{ingest.ControlBucket, guard.ControlBucket},
		{ingest.HaltKey, guard.HaltKey},
		{ingest.ApprovalsBucket, safe.ApprovalsBucket},
	}
	for _, p := range pairs {
		if p.here != p.there {
			t.Errorf("ingest names %q where its owner says %q", p.here, p.there)
		}
	}
}

// One --creds flag takes both kinds of credential file: a .creds file
// (user JWT and seed) and a bare nkey seed.
func TestCredentialFile(t *testing.T) {
	dir := t.TempDir()
	user, _ := nkeys.CreateUser()
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	account, _ := nkeys.CreateAccount()
	token, err := jwt.NewUserClaims(pub).Encode(account)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := jwt.FormatUserConfig(token, seed)
	if err != nil {
		t.Fatal(err)
	}
	credsFile, seedFile := filepath.Join(dir, "user.creds"), filepath.Join(dir, "user.nk")
	if err := os.WriteFile(credsFile, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	if o, err := ingest.CredentialFile(credsFile); err != nil || o.CredsFile != credsFile || o.NkeySeedFile != "" {
		t.Errorf("a .creds file gives %+v, %v", o, err)
	}
	if o, err := ingest.CredentialFile(seedFile); err != nil || o.NkeySeedFile != seedFile || o.CredsFile != "" {
		t.Errorf("a seed file gives %+v, %v", o, err)
	}
	// Both are read and checked before dialing: the failure is the
	// connection, not the file.
	for _, o := range []ingest.ConnectOptions{{CredsFile: credsFile}, {NkeySeedFile: seedFile}} {
		_, err := ingest.DialWith("nats://127.0.0.1:1", "x", o)
		if err == nil || errors.Is(err, ingest.ErrConnectOptions) || strings.Contains(err.Error(), string(seed)) {
			t.Errorf("dialing with %+v: %v", o, err)
		}
	}
	if _, err := ingest.CredentialFile(filepath.Join(dir, "missing")); !errors.Is(err, ingest.ErrConnectOptions) {
		t.Errorf("a missing file: %v", err)
	}
}
