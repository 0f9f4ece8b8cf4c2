package simulate

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// secretNode serves upstream's JSON-RPC only to requests that carry the
// secrets a provider's URL would: a key in the path, a token in the
// query, a password in the user info. It returns that URL.
func secretNode(t testing.TB, upstream, pathKey, token, password string) string {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // anvil hanging up at its stop
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pass, _ := r.BasicAuth()
		if r.URL.Path != "/v3/"+pathKey || r.URL.Query().Get("token") != token || pass != password {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		r.URL.Path, r.URL.RawQuery = "/", ""
		r.Header.Del("Authorization")
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("firebreak", password)
	u.Path, u.RawQuery = "/v3/"+pathKey, "token="+token
	return u.String()
}

// procFile reads /proc/<pid>/<name>, NUL-separated, as a list.
func procFile(t testing.TB, pid int, name string) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + name)
	if err != nil {
		t.Skipf("no /proc on this system: %v", err)
	}
	var out []string
	for _, f := range bytes.Split(bytes.TrimRight(b, "\x00"), []byte{0}) {
		out = append(out, string(f))
	}
	return out
}

// The fork URL (with its key, token and password) is not on anvil's
// command line, which every user of the machine can read, and anvil's
// environment holds PATH, HOME, TMPDIR and ETH_RPC_URL only: not the
// guardian's key or the Vault token firebreak was started with.
func TestAnvilForkGetsNoSecrets(t *testing.T) {
	const (
		pathKey  = "providerkey0123456789abcdef"
		token    = "querytoken-0123456789"
		password = "basicpassw0rd-xyz"
		guardKey = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
		vaultTok = "hvs.vaulttoken-never-for-anvil"
	)
	t.Setenv("FIREBREAK_GUARDIAN_KEY", guardKey)
	t.Setenv("VAULT_TOKEN", vaultTok)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := startLive(t, ctx)
	node := secretNode(t, l.anvil.URL(), pathKey, token, password)

	f, err := OpenFork(ctx, ForkOptions{URL: node, Method: MethodAnvil, AnvilBin: anvilBin(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.ChainID() != 31337 {
		t.Fatalf("the fork serves chain %d, want the upstream's 31337", f.ChainID())
	}
	// The fork really reads the upstream through the secret URL: the
	// demo vault's code is there.
	var code string
	if err := f.node.CallContext(ctx, &code, "eth_getCode", l.demo.Vault, "latest"); err != nil || len(code) < 10 {
		t.Fatalf("eth_getCode on the fork: %q, %v", code, err)
	}

	pid := f.anvil.PID()
	cmdline := strings.Join(procFile(t, pid, "cmdline"), " ")
	u, _ := url.Parse(node)
	for _, s := range []string{pathKey, token, password, u.Host} {
		if strings.Contains(cmdline, s) {
			t.Errorf("anvil's command line %q holds %q", cmdline, s)
		}
	}
	if !strings.Contains(cmdline, "--fork-url "+forkEndpoint) {
		t.Errorf("anvil's command line %q does not name the fork endpoint", cmdline)
	}
	env := procFile(t, pid, "environ")
	var names []string
	for _, kv := range env {
		name, val, _ := strings.Cut(kv, "=")
		names = append(names, name)
		if strings.Contains(val, guardKey) || strings.Contains(val, vaultTok) {
			t.Errorf("anvil's environment holds a secret: %s", name)
		}
		if name == "ETH_RPC_URL" && val != node {
			t.Errorf("ETH_RPC_URL = %q, want the fork URL", val)
		}
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "ETH_RPC_URL HOME PATH TMPDIR" {
		t.Errorf("anvil's environment has %v, want ETH_RPC_URL HOME PATH TMPDIR only", names)
	}
}

// An unreachable node: Go's error repeats the URL (password masked, path
// and query as they are); OpenFork's names it by its redacted URL only.
func TestForkErrorsHoldNoURLSecret(t *testing.T) {
	const pathKey, token, password = "providerkey0123456789abcdef", "querytoken-0123456789", "basicpassw0rd-xyz"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	node := "http://firebreak:" + password + "@127.0.0.1:1/v3/" + pathKey + "?token=" + token
	_, err := OpenFork(ctx, ForkOptions{URL: node, Method: MethodAnvil, AnvilBin: anvilBin(t), ProbeTimeout: 5 * time.Second})
	if err == nil {
		t.Fatal("an unreachable node was forked")
	}
	for _, s := range []string{pathKey, token, password} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("the error %q holds %q", err, s)
		}
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "http://127.0.0.1:1/…") {
		t.Errorf("the error %q does not name the node by its redacted URL", err)
	}
}
