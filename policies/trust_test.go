package policies_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/firebreak-dev/firebreak/policies"
)

// A policy may not do I/O or read the engine's environment while it
// decides: a call to a removed builtin fails to compile, with a message
// that says why, wherever policies are compiled.
func TestRemovedBuiltinsFailToCompile(t *testing.T) {
	calls := map[string]string{
		"http.send":          `http.send({"method": "GET", "url": "https://attacker.example/"}).status_code == 200`,
		"net.lookup_ip_addr": `count(net.lookup_ip_addr("attacker.example")) > 0`,
		"opa.runtime":        `opa.runtime().env.FIREBREAK_GUARDIAN_KEY != ""`,
		"json.match_schema":  `json.match_schema({}, {"$ref": "https://attacker.example/s.json"})[0]`,
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			files := policies.Files{
				"decision.rego": []byte(decisionRego),
				"p.rego":        []byte("package firebreak\n\nactions contains {\"type\": \"pause\", \"protocol\": input.protocol, \"contract\": \"vault\"} if {\n\t" + call + "\n}\n"),
			}
			want := "firebreak removes " + name + " from policies"
			_, err := policies.LoadFiles(context.Background(), files, nil)
			if !errors.Is(err, policies.ErrCompile) || !strings.Contains(err.Error(), "undefined function "+name) || !strings.Contains(err.Error(), want) {
				t.Errorf("LoadFiles: %v, want a compile error saying %q", err, want)
			}
			files["p_test.rego"] = []byte("package firebreak\n\ntest_p if true\n")
			if _, err := policies.RunTestFiles(context.Background(), files, nil); !errors.Is(err, policies.ErrCompile) || !strings.Contains(err.Error(), want) {
				t.Errorf("RunTestFiles: %v, want a compile error saying %q", err, want)
			}
			problems, err := policies.Check(files)
			if err != nil || len(problems) == 0 || !strings.Contains(problems[0].String(), want) || problems[0].File != "p.rego" {
				t.Errorf("Check: %v %v, want a problem in p.rego saying %q", problems, err, want)
			}
		})
	}
}

// The pure network builtins stay.
func TestCIDRBuiltinsStay(t *testing.T) {
	files := policies.Files{
		"decision.rego": []byte(decisionRego),
		"p.rego":        []byte("package firebreak\n\nactions contains {\"type\": \"pause\", \"protocol\": input.protocol, \"contract\": \"vault\"} if net.cidr_contains(\"10.0.0.0/8\", input.ip)\n"),
	}
	ev, err := policies.LoadFiles(context.Background(), files, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ev.Decide(context.Background(), map[string]any{"protocol": "demo", "ip": "10.1.2.3"})
	if err != nil || len(d.Actions) != 1 {
		t.Fatalf("decision %+v, %v", d, err)
	}
}

func TestPlainHTTPBundlesRefused(t *testing.T) {
	for _, ref := range []string{"http://bundles.example/fb.tar.gz", "http://10.0.0.1/fb.tar.gz"} {
		if _, err := policies.Open(ref, policies.SourceOptions{}); err == nil || !strings.Contains(err.Error(), "plain http is refused") {
			t.Errorf("Open(%q) = %v, want plain http refused", ref, err)
		}
	}
	for _, ref := range []string{"http://127.0.0.1:8181/fb.tar.gz", "http://localhost:8181/fb.tar.gz", "http://[::1]:8181/fb.tar.gz", "https://bundles.example/fb.tar.gz"} {
		if _, err := policies.Open(ref, policies.SourceOptions{}); err != nil {
			t.Errorf("Open(%q): %v", ref, err)
		}
	}
}

func TestBundleClient(t *testing.T) {
	c := policies.BundleClient()
	tr, ok := c.Transport.(*http.Transport)
	if c.Timeout <= 0 || !ok || tr.TLSHandshakeTimeout <= 0 || tr.ResponseHeaderTimeout <= 0 {
		t.Fatalf("the bundle client has no timeouts: %+v", c)
	}
	redirect := func(to string) error {
		req, _ := http.NewRequest(http.MethodGet, to, nil)
		return c.CheckRedirect(req, []*http.Request{{}})
	}
	if err := redirect("http://bundles.example/fb.tar.gz"); err == nil {
		t.Error("a redirect to plain http was followed")
	}
	if err := redirect("https://mirror.example/fb.tar.gz"); err != nil {
		t.Errorf("a redirect to https: %v", err)
	}
}

// The bundle URL's token never reaches the source's name, its errors, the
// reload status or the reloader's log.
func TestBundleURLRedacted(t *testing.T) {
	const token = "bundletoken-0123456789"
	up := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !up || req.URL.Query().Get("token") != token {
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(bundleOf(t, map[string]string{"decision.rego": decisionRego, "p.rego": pausePolicy("vault")}))
	}))
	t.Cleanup(srv.Close)
	redact := func(s string) string { return strings.ReplaceAll(s, token, "<redacted>") }
	src, err := policies.Open(srv.URL+"/fb.tar.gz?token="+token, policies.SourceOptions{Client: srv.Client(), Redact: redact})
	if err != nil {
		t.Fatal(err)
	}
	log, logs := logBuffer()
	r, err := policies.NewReloader(context.Background(), src, nil, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	up = false
	if _, err := r.Reload(context.Background()); err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("reload error %v: want one without the token", err)
	}
	srv.Close()
	r2, _ := policies.Open(srv.URL+"/fb.tar.gz?token="+token, policies.SourceOptions{Redact: redact})
	if _, err := r2.Read(context.Background()); err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("unreachable server: %v, want an error without the token", err)
	}
	st := r.Status()
	for what, s := range map[string]string{"source": src.String(), "status source": st.Source, "status error": st.LastError, "log": logs.String()} {
		if strings.Contains(s, token) {
			t.Errorf("the %s holds the token: %s", what, s)
		}
	}
	if st.LastError == "" || !strings.Contains(st.Source, "<redacted>") {
		t.Errorf("status = %+v, want the failed reload and the redacted source", st)
	}
}

func rsaKey(t *testing.T) (privPEM, pubPEM string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
}

// signedBundleOf is bundleOf signed as 'opa build --signing-key' does;
// signatures, when set, replaces the signature (a tampered bundle).
func signedBundleOf(t *testing.T, files map[string]string, privPEM string, signatures *bundle.SignaturesConfig) []byte {
	t.Helper()
	b := bundle.Bundle{Data: map[string]any{}}
	b.Manifest.Init()
	for name, src := range files {
		b.Modules = append(b.Modules, bundle.ModuleFile{URL: "/" + name, Path: "/" + name, Raw: []byte(src)})
	}
	if err := b.GenerateSignature(bundle.NewSigningConfig(privPEM, "RS256", ""), "ops", true); err != nil {
		t.Fatal(err)
	}
	if signatures != nil {
		b.Signatures = *signatures
	}
	var buf bytes.Buffer
	if err := bundle.NewWriter(&buf).DisableFormat(true).UseModulePath(true).Write(b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSignedBundles(t *testing.T) {
	priv, pub := rsaKey(t)
	_, otherPub := rsaKey(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(keyFile, []byte(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{"decision.rego": decisionRego, "p.rego": pausePolicy("vault")}
	evil := map[string]string{"decision.rego": decisionRego, "p.rego": pausePolicy("bridge")}
	var goodSig bundle.SignaturesConfig
	{
		b := bundle.Bundle{Data: map[string]any{}}
		b.Manifest.Init()
		for name, src := range good {
			b.Modules = append(b.Modules, bundle.ModuleFile{URL: "/" + name, Path: "/" + name, Raw: []byte(src)})
		}
		if err := b.GenerateSignature(bundle.NewSigningConfig(priv, "RS256", ""), "ops", true); err != nil {
			t.Fatal(err)
		}
		goodSig = b.Signatures
	}
	tests := []struct {
		name   string
		bundle []byte
		key    string
		ok     bool
	}{
		{"signed, key inline", signedBundleOf(t, good, priv, nil), pub, true},
		{"signed, key in a file", signedBundleOf(t, good, priv, nil), keyFile, true},
		{"signed with another key", signedBundleOf(t, good, priv, nil), otherPub, false},
		{"unsigned", bundleOf(t, good), pub, false},
		{"modules changed after signing", signedBundleOf(t, evil, priv, &goodSig), pub, false},
		{"unsigned, no key configured", bundleOf(t, good), "", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i))+".tar.gz")
			if err := os.WriteFile(path, tt.bundle, 0o600); err != nil {
				t.Fatal(err)
			}
			src, err := policies.Open(path, policies.SourceOptions{VerificationKey: tt.key})
			if err != nil {
				t.Fatal(err)
			}
			files, err := src.Read(context.Background())
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, policies.ErrUnverifiedBundle)) {
				t.Fatalf("Read: %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && !strings.Contains(string(files["p.rego"]), `"vault"`) {
				t.Errorf("files = %v", files)
			}
		})
	}
	if _, err := policies.Open(dir, policies.SourceOptions{VerificationKey: pub}); err == nil {
		t.Error("a verification key was accepted for a policy folder")
	}
	if _, err := policies.Open(filepath.Join(dir, "a.tar.gz"), policies.SourceOptions{VerificationKey: "not a key"}); err == nil {
		t.Error("a verification key that is not PEM was accepted")
	}
}
