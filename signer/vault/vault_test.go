package vault_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/hashicorp/vault/api"

	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/vault"
	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

var chainID = big.NewInt(31337)

// importKey imports key into the plugin as name and returns its address.
func importKey(t testing.TB, srv *vaulttest.Server, name string, key *ecdsa.PrivateKey) common.Address {
	t.Helper()
	sec, err := srv.Client().Logical().Write(vaulttest.PluginMount+"/keys/"+name, map[string]any{"private_key": hex.EncodeToString(crypto.FromECDSA(key))})
	if err != nil {
		t.Fatal(err)
	}
	return common.HexToAddress(sec.Data["address"].(string))
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// logBuffer collects a Signer's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newSigner(t testing.TB, cfg vault.Config, logs *logBuffer) *vault.Signer {
	t.Helper()
	var w interface{ Write([]byte) (int, error) } = &logBuffer{}
	if logs != nil {
		w = logs
	}
	s, err := vault.New(context.Background(), cfg, slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// txs are the transactions every mode must sign: EIP-1559 (the plugin's
// transaction path), contract creation, and the types the plugin signs as a
// London hash.
func txs() map[string]*types.Transaction {
	to := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	return map[string]*types.Transaction{
		"dynamic fee": types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: 4, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(3e10), Gas: 60000, To: &to, Value: big.NewInt(1), Data: []byte{0x84, 0x56, 0xcb, 0x59}}),
		"creation":    types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: 0, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 1e6, Data: []byte{0x60, 0x80}}),
		"access list": types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: 5, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 60000, To: &to, AccessList: types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}}}}}),
		"legacy":      types.NewTx(&types.LegacyTx{Nonce: 6, GasPrice: big.NewInt(1e9), Gas: 21000, To: &to, Value: big.NewInt(2)}),
	}
}

// checkSigns signs a digest and every kind of transaction with s and checks
// they recover to want.
func checkSigns(t *testing.T, s signer.Signer, want common.Address) {
	t.Helper()
	ctx := context.Background()
	if s.Address() != want {
		t.Fatalf("Address() = %v, want %v", s.Address(), want)
	}
	digest := crypto.Keccak256Hash([]byte("firebreak"))
	sig, err := s.SignDigest(ctx, digest)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := crypto.SigToPub(digest[:], sig)
	if err != nil || crypto.PubkeyToAddress(*pub) != want || len(sig) != 65 || sig[64] > 1 {
		t.Fatalf("digest signature %x does not recover to %v", sig, want)
	}
	for name, tx := range txs() {
		signed, err := s.SignTx(ctx, tx, chainID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		from, err := types.Sender(types.LatestSignerForChainID(chainID), signed)
		if err != nil || from != want {
			t.Fatalf("%s: sender %v (%v), want %v", name, from, err, want)
		}
		if signed.Nonce() != tx.Nonce() || signed.Type() != tx.Type() {
			t.Fatalf("%s: signed a different transaction", name)
		}
	}
}

func TestPluginMode(t *testing.T) {
	srv := vaulttest.Start(t)
	key := newKey(t)
	want := importKey(t, srv, "pauser", key)
	s := newSigner(t, vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, nil)
	checkSigns(t, s, want)

	// The created (random) key works too.
	sec, err := srv.Client().Logical().Write(vaulttest.PluginMount+"/keys/random", nil)
	if err != nil {
		t.Fatal(err)
	}
	s2 := newSigner(t, vault.Config{Address: srv.Addr, Mount: vaulttest.PluginMount, Key: "random", Mode: vault.ModePlugin, Auth: vault.Auth{Method: vault.AuthToken, Token: vault.Secret(srv.RootToken)}}, nil)
	checkSigns(t, s2, common.HexToAddress(sec.Data["address"].(string)))

	// A transaction for another chain than its own is refused before Vault.
	if _, err := s.SignTx(context.Background(), txs()["dynamic fee"], big.NewInt(1)); !errors.Is(err, types.ErrInvalidChainId) {
		t.Fatalf("chain id mismatch: %v", err)
	}
}

func TestKVMode(t *testing.T) {
	srv := vaulttest.Start(t)
	key := newKey(t)
	keyHex := hex.EncodeToString(crypto.FromECDSA(key))
	kv := srv.Client().KVv2("secret")
	ctx := context.Background()
	for path, data := range map[string]map[string]any{
		"firebreak/pauser":    {"private_key": "0x" + keyHex},
		"firebreak/other":     {"hex": keyHex},
		"firebreak/bad":       {"private_key": "0x1234"},
		"firebreak/not-a-key": {"private_key": strings.Repeat("00", 32)},
	} {
		if _, err := kv.Put(ctx, path, data); err != nil {
			t.Fatal(err)
		}
	}
	logs := &logBuffer{}
	s := newSigner(t, vault.Config{Address: srv.Addr, Mode: vault.ModeKV, KVPath: "firebreak/pauser", Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, logs)
	checkSigns(t, s, crypto.PubkeyToAddress(key.PublicKey))
	s2 := newSigner(t, vault.Config{Address: srv.Addr, Mode: vault.ModeKV, KVMount: "secret", KVPath: "firebreak/other", KVField: "hex", Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, logs)
	checkSigns(t, s2, crypto.PubkeyToAddress(key.PublicKey))

	for _, tt := range []struct {
		path, field string
		want        error
	}{
		{"firebreak/missing", "", signer.ErrNoKey},
		{"firebreak/pauser", "no-such-field", signer.ErrNoKey},
		{"firebreak/bad", "", signer.ErrBadKey},
		{"firebreak/not-a-key", "", signer.ErrBadKey},
	} {
		_, err := vault.New(ctx, vault.Config{Address: srv.Addr, Mode: vault.ModeKV, KVPath: tt.path, KVField: tt.field, Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, nil)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s/%s: %v, want %v", tt.path, tt.field, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), keyHex) {
			t.Errorf("the error contains the key: %v", err)
		}
	}
	if strings.Contains(logs.String(), keyHex) || strings.Contains(logs.String(), srv.RootToken) {
		t.Fatalf("a key or token reached the log:\n%s", logs)
	}
}

// enableAppRole enables AppRole auth with a role "firebreak" whose tokens
// may only read and sign with the key "pauser", and returns its role id and
// a secret id. roleData adds settings to the role (token TTLs).
func enableAppRole(t *testing.T, srv *vaulttest.Server, roleData map[string]any) (roleID, secretID string) {
	t.Helper()
	root := srv.Client()
	if err := root.Sys().EnableAuthWithOptions("approle", &api.EnableAuthOptions{Type: "approle"}); err != nil {
		t.Fatal(err)
	}
	if err := root.Sys().PutPolicy("firebreak-pauser", `
path "eth/keys/pauser"      { capabilities = ["read"] }
path "eth/keys/pauser/sign" { capabilities = ["update"] }
`); err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"token_policies": "firebreak-pauser", "token_ttl": "1h"}
	for k, v := range roleData {
		data[k] = v
	}
	if _, err := root.Logical().Write("auth/approle/role/firebreak", data); err != nil {
		t.Fatal(err)
	}
	sec, err := root.Logical().Read("auth/approle/role/firebreak/role-id")
	if err != nil {
		t.Fatal(err)
	}
	roleID = sec.Data["role_id"].(string)
	sec, err = root.Logical().Write("auth/approle/role/firebreak/secret-id", nil)
	if err != nil {
		t.Fatal(err)
	}
	return roleID, sec.Data["secret_id"].(string)
}

func TestAppRole(t *testing.T) {
	srv := vaulttest.Start(t)
	want := importKey(t, srv, "pauser", newKey(t))
	roleID, secretID := enableAppRole(t, srv, nil)

	logs := &logBuffer{}
	cfg := vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Method: vault.AuthAppRole, RoleID: roleID, SecretID: vault.Secret(secretID)}}
	s := newSigner(t, cfg, logs)
	checkSigns(t, s, want)

	// Every AppRole token revoked: the Signer logs in again by itself.
	if _, err := srv.Client().Logical().Write("sys/leases/revoke-prefix/auth/approle/login", nil); err != nil {
		t.Fatal(err)
	}
	checkSigns(t, s, want)
	if !strings.Contains(logs.String(), "Vault refused the token; logging in again") {
		t.Fatalf("no login after the revocation:\n%s", logs)
	}

	// The policy allows only the pauser key.
	importKey(t, srv, "other", newKey(t))
	cfg.Key = "other"
	_, err := vault.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if !errors.Is(err, vault.ErrAuth) {
		t.Fatalf("a key outside the policy: %v, want ErrAuth", err)
	}

	// A wrong secret id is an authentication error that does not quote it.
	cfg.Key = "pauser"
	cfg.Auth.SecretID = "00000000-wrong-secret-id"
	_, err = vault.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if !errors.Is(err, vault.ErrAuth) || strings.Contains(err.Error(), "wrong-secret-id") {
		t.Fatalf("wrong secret id: %v, want ErrAuth without the secret id", err)
	}
	t.Logf("wrong secret id: %v", err)
	if l := logs.String(); strings.Contains(l, secretID) || strings.Contains(l, "wrong-secret-id") || strings.Contains(l, "hvs.") {
		t.Fatalf("a secret reached the log:\n%s", l)
	}
}

func TestWrongTokenAndMissingKey(t *testing.T) {
	srv := vaulttest.Start(t)
	importKey(t, srv, "pauser", newKey(t))
	ctx := context.Background()

	_, err := vault.New(ctx, vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Token: "hvs.not-a-real-token"}}, nil)
	if !errors.Is(err, vault.ErrAuth) || strings.Contains(err.Error(), "not-a-real-token") {
		t.Fatalf("wrong token: %v, want ErrAuth without the token", err)
	}
	t.Logf("wrong token: %v", err)

	_, err = vault.New(ctx, vault.Config{Address: srv.Addr, Key: "nope", Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, nil)
	if !errors.Is(err, signer.ErrNoKey) {
		t.Fatalf("missing key: %v, want ErrNoKey", err)
	}
	t.Logf("missing key: %v", err)

	// A key deleted after New: signing fails with ErrNoKey.
	s := newSigner(t, vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, nil)
	if _, err := srv.Client().Logical().Delete(vaulttest.PluginMount + "/keys/pauser"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignDigest(ctx, [32]byte{1}); !errors.Is(err, signer.ErrNoKey) {
		t.Fatalf("deleted key: %v, want ErrNoKey", err)
	}
	if _, err := s.SignTx(ctx, txs()["dynamic fee"], chainID); !errors.Is(err, signer.ErrNoKey) {
		t.Fatalf("deleted key, tx: %v, want ErrNoKey", err)
	}

	// A token revoked after New: ErrAuth.
	tok, err := srv.Client().Auth().Token().Create(&api.TokenCreateRequest{Policies: []string{"root"}})
	if err != nil {
		t.Fatal(err)
	}
	importKey(t, srv, "pauser", newKey(t))
	s = newSigner(t, vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Token: vault.Secret(tok.Auth.ClientToken)}}, nil)
	if err := srv.Client().Auth().Token().RevokeTree(tok.Auth.ClientToken); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignDigest(ctx, [32]byte{1}); !errors.Is(err, vault.ErrAuth) || strings.Contains(err.Error(), tok.Auth.ClientToken) {
		t.Fatalf("revoked token: %v, want ErrAuth", err)
	}
}

func TestSealedThenUnsealed(t *testing.T) {
	srv := vaulttest.Start(t)
	want := importKey(t, srv, "pauser", newKey(t))
	s := newSigner(t, vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, nil)
	ctx := context.Background()

	srv.Seal()
	_, err := s.SignDigest(ctx, [32]byte{1})
	if !errors.Is(err, vault.ErrSealed) || !errors.Is(err, signer.ErrUnavailable) {
		t.Fatalf("sealed: %v, want ErrSealed and ErrUnavailable", err)
	}
	t.Logf("sealed: %v", err)
	if _, err := s.SignTx(ctx, txs()["dynamic fee"], chainID); !errors.Is(err, vault.ErrSealed) {
		t.Fatalf("sealed, tx: %v", err)
	}

	srv.Unseal()
	checkSigns(t, s, want)
}

func TestStoppedThenRestarted(t *testing.T) {
	srv := vaulttest.Start(t)
	key := newKey(t)
	want := importKey(t, srv, "pauser", key)
	s := newSigner(t, vault.Config{Address: srv.Addr, Key: "pauser", Timeout: 2 * time.Second, Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, nil)
	ctx := context.Background()

	srv.Stop()
	start := time.Now()
	_, err := s.SignDigest(ctx, [32]byte{1})
	if !errors.Is(err, signer.ErrUnavailable) || errors.Is(err, vault.ErrSealed) || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("stopped: %v, want ErrUnavailable saying Vault is unreachable", err)
	}
	t.Logf("stopped: %v (after %v, retries included)", err, time.Since(start).Round(time.Millisecond))
	if _, err := vault.New(ctx, vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}, nil); !errors.Is(err, signer.ErrUnavailable) {
		t.Fatalf("New with Vault stopped: %v", err)
	}

	// Dev mode keeps nothing: the restarted server gets the key imported
	// again, and the same Signer (same root token) works.
	srv.Restart()
	importKey(t, srv, "pauser", key)
	checkSigns(t, s, want)
}

func TestTokenRenewal(t *testing.T) {
	srv := vaulttest.Start(t)
	want := importKey(t, srv, "pauser", newKey(t))
	// A renewable token that expires after 4s unless renewed.
	tok, err := srv.Client().Auth().Token().Create(&api.TokenCreateRequest{Policies: []string{"root"}, TTL: "4s", Renewable: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	s := newSigner(t, vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Token: vault.Secret(tok.Auth.ClientToken)}}, logs)
	time.Sleep(7 * time.Second)
	checkSigns(t, s, want)
	if !strings.Contains(logs.String(), "renewed the Vault token") {
		t.Fatalf("no renewal logged:\n%s", logs)
	}
	if strings.Contains(logs.String(), tok.Auth.ClientToken) {
		t.Fatal("the token reached the log")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAppRoleLoginAgain: an AppRole token that reaches its max TTL is
// replaced by a new login, and the Signer keeps working. (With TTLs of a
// few seconds, the watcher's one-second granularity can let the token
// expire just before it logs in again; SignDigest then logs in itself.)
func TestAppRoleLoginAgain(t *testing.T) {
	srv := vaulttest.Start(t)
	want := importKey(t, srv, "pauser", newKey(t))
	roleID, secretID := enableAppRole(t, srv, map[string]any{"token_ttl": "2s", "token_max_ttl": "3s"})
	logs := &logBuffer{}
	s := newSigner(t, vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Method: vault.AuthAppRole, RoleID: roleID, SecretID: vault.Secret(secretID)}}, logs)
	time.Sleep(5 * time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("signer log:\n%s", logs)
		}
	})
	checkSigns(t, s, want)
	if !strings.Contains(logs.String(), "reached its end of life; logging in again") {
		t.Fatalf("no second login after the max TTL:\n%s", logs)
	}
	if strings.Contains(logs.String(), secretID) {
		t.Fatal("the secret id reached the log")
	}
}

// TestKubernetesAuthInVault logs in with the kubernetes method against the
// real Vault's Kubernetes auth engine. No Kubernetes runs here: its
// TokenReview API, which Vault calls to check the service account token, is
// an httptest server that approves exactly the token the Signer read from
// its file.
func TestKubernetesAuthInVault(t *testing.T) {
	srv := vaulttest.Start(t)
	want := importKey(t, srv, "pauser", newKey(t))

	const ns, sa, uid = "firebreak", "firebreak-engine", "6a8c-uid"
	b64 := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{
		"iss":                                    "kubernetes/serviceaccount",
		"sub":                                    "system:serviceaccount:" + ns + ":" + sa,
		"kubernetes.io/serviceaccount/namespace": ns,
		"kubernetes.io/serviceaccount/service-account.name": sa,
		"kubernetes.io/serviceaccount/service-account.uid":  uid,
	})
	jwt := b64([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + b64(claims) + "." + b64([]byte("not-verified-by-vault-without-pem-keys"))
	jwtPath := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(jwtPath, []byte(jwt), 0o600); err != nil {
		t.Fatal(err)
	}

	var reviews atomic.Int32
	k8s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review struct {
			Spec struct {
				Token string `json:"token"`
			} `json:"spec"`
		}
		_ = json.NewDecoder(r.Body).Decode(&review)
		if r.URL.Path != "/apis/authentication.k8s.io/v1/tokenreviews" || r.Header.Get("Authorization") != "Bearer reviewer-jwt" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		reviews.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
			"status": map[string]any{
				"authenticated": review.Spec.Token == jwt,
				"user":          map[string]any{"username": "system:serviceaccount:" + ns + ":" + sa, "uid": uid},
			},
		})
	}))
	defer k8s.Close()

	root := srv.Client()
	if err := root.Sys().EnableAuthWithOptions("kubernetes", &api.EnableAuthOptions{Type: "kubernetes"}); err != nil {
		t.Fatal(err)
	}
	if err := root.Sys().PutPolicy("firebreak-pauser", `
path "eth/keys/pauser"      { capabilities = ["read"] }
path "eth/keys/pauser/sign" { capabilities = ["update"] }
`); err != nil {
		t.Fatal(err)
	}
	for path, data := range map[string]map[string]any{
		"auth/kubernetes/config":              {"kubernetes_host": k8s.URL, "disable_local_ca_jwt": true, "token_reviewer_jwt": "reviewer-jwt"},
		"auth/kubernetes/role/firebreak":      {"bound_service_account_names": sa, "bound_service_account_namespaces": ns, "token_policies": "firebreak-pauser", "token_ttl": "1h"},
		"auth/kubernetes/role/other-accounts": {"bound_service_account_names": "someone-else", "bound_service_account_namespaces": ns, "token_policies": "firebreak-pauser"},
	} {
		if _, err := root.Logical().Write(path, data); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}

	logs := &logBuffer{}
	cfg := vault.Config{Address: srv.Addr, Key: "pauser", Auth: vault.Auth{Method: vault.AuthKubernetes, K8sRole: "firebreak", K8sTokenPath: jwtPath}}
	s := newSigner(t, cfg, logs)
	checkSigns(t, s, want)
	if reviews.Load() == 0 {
		t.Fatal("Vault never reviewed the token")
	}

	cfg.Auth.K8sRole = "other-accounts"
	_, err := vault.New(context.Background(), cfg, nil)
	if !errors.Is(err, vault.ErrAuth) || strings.Contains(err.Error(), jwt) {
		t.Fatalf("a role that does not bind the service account: %v, want ErrAuth without the JWT", err)
	}
	t.Logf("role not bound: %v", err)
	if strings.Contains(logs.String(), jwt) {
		t.Fatal("the service account token reached the log")
	}
}
