package vault

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/firebreak-dev/firebreak/signer"
)

func TestSecretIsRedacted(t *testing.T) {
	const token = "hvs.TOPSECRET-token-value"
	const secretID = "b7c1-TOPSECRET-secret-id"
	cfg := Config{Address: "http://127.0.0.1:8200", Key: "k", Auth: Auth{Method: AuthAppRole, Token: token, RoleID: "role", SecretID: secretID}}

	var out []string
	for _, verb := range []string{"%s", "%v", "%+v", "%#v", "%q", "%x", "%d"} {
		out = append(out, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, cfg.Auth.Token), fmt.Sprintf(verb, &cfg))
	}
	out = append(out, fmt.Sprint(cfg.Auth.SecretID), cfg.Auth.Token.String(), fmt.Sprintln(cfg))
	j, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(j))
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(h)
		l.Info("config", "cfg", cfg, "token", cfg.Auth.Token, "auth", cfg.Auth)
		l.Info("group", slog.Group("auth", "secret_id", cfg.Auth.SecretID))
	}
	out = append(out, logs.String())

	for _, s := range out {
		if strings.Contains(s, "TOPSECRET") {
			t.Fatalf("a secret leaked: %s", s)
		}
	}
	var decoded struct {
		Auth struct{ Token, SecretID string }
	}
	if err := json.Unmarshal(j, &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Auth.Token != "<secret>" || decoded.Auth.SecretID != "<secret>" || !strings.Contains(logs.String(), "<secret>") {
		t.Fatalf("want <secret> in place of secrets: %s\n%s", j, logs.String())
	}
	if cfg.Auth.Token.Reveal() != token || cfg.Auth.SecretID.Reveal() != secretID {
		t.Fatal("Reveal must return the value")
	}
}

func TestConfigDefaultsAndValidation(t *testing.T) {
	ok := Config{Address: "http://127.0.0.1:8200", Key: "k", Auth: Auth{Token: "t"}}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{name: "token plugin", mutate: func(c *Config) {}},
		{name: "kv", mutate: func(c *Config) { c.Mode, c.Key, c.KVPath = ModeKV, "", "firebreak/pauser" }},
		{name: "approle", mutate: func(c *Config) { c.Auth = Auth{Method: AuthAppRole, RoleID: "r", SecretID: "s"} }},
		{name: "kubernetes", mutate: func(c *Config) { c.Auth = Auth{Method: AuthKubernetes, K8sRole: "firebreak"} }},
		{name: "no address", mutate: func(c *Config) { c.Address = "" }, wantErr: "Address"},
		{name: "address without scheme", mutate: func(c *Config) { c.Address = "127.0.0.1:8200" }, wantErr: "Address"},
		{name: "no key", mutate: func(c *Config) { c.Key = "" }, wantErr: "Key"},
		{name: "kv without path", mutate: func(c *Config) { c.Mode = ModeKV }, wantErr: "KVPath"},
		{name: "bad mode", mutate: func(c *Config) { c.Mode = "hsm" }, wantErr: "Mode"},
		{name: "no token", mutate: func(c *Config) { c.Auth.Token = "" }, wantErr: "Auth.Token"},
		{name: "approle without secret id", mutate: func(c *Config) { c.Auth = Auth{Method: AuthAppRole, RoleID: "r"} }, wantErr: "SecretID"},
		{name: "kubernetes without role", mutate: func(c *Config) { c.Auth = Auth{Method: AuthKubernetes} }, wantErr: "K8sRole"},
		{name: "bad method", mutate: func(c *Config) { c.Auth.Method = "userpass" }, wantErr: "Auth.Method"},
		{name: "negative timeout", mutate: func(c *Config) { c.Timeout = -1 }, wantErr: "Timeout"},
		{name: "missing CA file", mutate: func(c *Config) { c.CACert = "/nonexistent/ca.pem" }, wantErr: "CACert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			got, err := c.withDefaults()
			if err == nil {
				_, err = newClient(got)
			}
			if tt.wantErr != "" {
				if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrConfig about %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Mount != DefaultMount || got.KVMount != DefaultKVMount || got.KVField != DefaultKVField || got.Timeout != DefaultTimeout || got.MaxRetries != DefaultMaxRetries {
				t.Fatalf("defaults not applied: %+v", got)
			}
			if got.Auth.Method == AuthKubernetes && got.Auth.K8sTokenPath != DefaultK8sTokenPath {
				t.Fatalf("K8sTokenPath = %q", got.Auth.K8sTokenPath)
			}
		})
	}
}

func TestRetryPolicy(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	connRefused := &url.Error{Op: "Get", URL: "http://127.0.0.1:1", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name  string
		ctx   context.Context
		code  int
		err   error
		retry bool
	}{
		{name: "200", code: 200},
		{name: "400 bad request", code: 400},
		{name: "403 permission denied", code: 403},
		{name: "404 no key", code: 404},
		{name: "412 not yet consistent", code: 412},
		{name: "429 rate limited", code: 429},
		{name: "500 internal error", code: 500, retry: true},
		{name: "501 not implemented", code: 501},
		{name: "502 bad gateway", code: 502, retry: true},
		{name: "503 sealed or standby", code: 503, retry: true},
		{name: "connection refused", err: connRefused, retry: true},
		{name: "tls verification", err: &url.Error{Op: "Get", URL: "https://x", Err: &tls.CertificateVerificationError{Err: errors.New("x509")}}},
		{name: "context done", ctx: canceled, code: 503},
		{name: "context done, connection error", ctx: canceled, err: connRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var resp *http.Response
			if tt.code != 0 {
				resp = &http.Response{StatusCode: tt.code}
			}
			retry, _ := retryPolicy(ctx, resp, tt.err)
			if retry != tt.retry {
				t.Fatalf("retry = %v, want %v", retry, tt.retry)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	re := func(code int, msgs ...string) error {
		return fmt.Errorf("wrapped: %w", &api.ResponseError{HTTPMethod: "PUT", URL: "http://v/v1/eth/keys/k/sign", StatusCode: code, Errors: msgs})
	}
	tests := []struct {
		name  string
		err   error
		kinds []error
		text  string
	}{
		{name: "permission denied", err: re(403, "permission denied"), kinds: []error{ErrAuth}, text: "permission denied"},
		{name: "multi-error", err: re(403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"), kinds: []error{ErrAuth}, text: "answered 403: permission denied; invalid token"},
		{name: "sealed", err: re(503, "Vault is sealed"), kinds: []error{ErrSealed, signer.ErrUnavailable}, text: "is sealed"},
		{name: "standby 503", err: re(503, "node is not active"), kinds: []error{signer.ErrUnavailable}, text: "503"},
		{name: "500", err: re(500, "internal error"), kinds: []error{signer.ErrUnavailable}, text: "internal error"},
		{name: "404", err: re(404, `key "k" not found`), kinds: []error{signer.ErrNoKey}, text: "not found"},
		{name: "404 no mount", err: re(404, `no handler for route "eth/keys/k/sign". route entry not found.`), kinds: []error{signer.ErrUnavailable}, text: "nothing is mounted"},
		{name: "400", err: re(400, "digest must be 0x"), text: "answered 400: digest must be 0x"},
		{name: "connection refused", err: &url.Error{Op: "Put", URL: "http://v", Err: syscall.ECONNREFUSED}, kinds: []error{signer.ErrUnavailable}, text: "unreachable: connection refused"},
		{name: "deadline", err: context.DeadlineExceeded, kinds: []error{signer.ErrUnavailable}, text: "unreachable"},
		{name: "canceled", err: context.Canceled, kinds: []error{context.Canceled}},
	}
	all := []error{ErrAuth, ErrSealed, signer.ErrUnavailable, signer.ErrNoKey}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify("signing", "http://v", tt.err)
			for _, k := range all {
				want := false
				for _, w := range tt.kinds {
					want = want || w == k
				}
				if errors.Is(got, k) != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", got, k, !want, want)
				}
			}
			for _, w := range tt.kinds {
				if !errors.Is(got, w) {
					t.Errorf("%v is not %v", got, w)
				}
			}
			if !strings.Contains(got.Error(), tt.text) || strings.Contains(got.Error(), "\n") {
				t.Errorf("message %q: want one line containing %q", got, tt.text)
			}
		})
	}
	var r *api.ResponseError
	if !errors.As(classify("x", "y", re(403)), &r) || r.StatusCode != 403 {
		t.Fatal("the API error must stay reachable with errors.As")
	}
}

// TestKubernetesLogin checks the login request of the kubernetes method: the
// service account JWT is read from its file and sent with the role to
// auth/kubernetes/login (or the configured mount), and the returned token is
// used. No Kubernetes cluster can run here; TestKubernetesAuthInVault runs
// the login against the real Vault with a stand-in for Kubernetes'
// TokenReview API.
func TestKubernetesLogin(t *testing.T) {
	jwtPath := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(jwtPath, []byte("eyJhbGciOi.k8s-service-account.jwt"), 0o600); err != nil {
		t.Fatal(err)
	}
	var gotPath string
	var gotBody map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &gotBody)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"auth":{"client_token":"hvs.from-k8s-login","lease_duration":3600,"renewable":true}}`)
	}))
	defer srv.Close()

	for _, mount := range []string{"", "k8s-prod"} {
		cfg, err := Config{Address: srv.URL, Key: "k", Auth: Auth{Method: AuthKubernetes, K8sRole: "firebreak", K8sTokenPath: jwtPath, Path: mount}}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		client, err := newClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := &Signer{cfg: cfg, client: client, log: slog.New(slog.DiscardHandler)}
		lease, err := s.login(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wantPath := "/v1/auth/kubernetes/login"
		if mount != "" {
			wantPath = "/v1/auth/" + mount + "/login"
		}
		if gotPath != wantPath || gotBody["role"] != "firebreak" || gotBody["jwt"] != "eyJhbGciOi.k8s-service-account.jwt" {
			t.Fatalf("login request %s %v", gotPath, gotBody)
		}
		if client.Token() != "hvs.from-k8s-login" || lease == nil || lease.Auth.LeaseDuration != 3600 {
			t.Fatalf("token %q lease %+v", client.Token(), lease)
		}
	}

	_, err := loginMethod(Auth{Method: AuthKubernetes, K8sRole: "firebreak", K8sTokenPath: filepath.Join(t.TempDir(), "missing")})
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("missing JWT file: %v, want ErrAuth", err)
	}
}

// TestCACert: with CACert the client trusts Vault's TLS certificate; without
// it a certificate from an unknown CA is a (non-retried) unavailability.
func TestCACert(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"errors":["permission denied"]}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshake
	srv.StartTLS()
	defer srv.Close()
	caPath := filepath.Join(t.TempDir(), "ca.pem")
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caPath, pemCert, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAULT_CACERT", "")
	t.Setenv("VAULT_SKIP_VERIFY", "")

	cfg := Config{Address: srv.URL, Key: "k", Auth: Auth{Token: "t"}}
	_, err := New(context.Background(), cfg, nil)
	if !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "certificate") || requests.Load() != 0 {
		t.Fatalf("unknown CA: %v (%d requests), want ErrUnavailable about the certificate", err, requests.Load())
	}
	cfg.CACert = caPath
	if _, err := New(context.Background(), cfg, nil); !errors.Is(err, ErrAuth) || requests.Load() != 1 {
		t.Fatalf("with CACert: %v (%d requests), want Vault's 403 as ErrAuth", err, requests.Load())
	}
}
