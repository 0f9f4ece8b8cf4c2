// Package vaulttest starts a real Vault server in dev mode for tests, with
// firebreak-vault-plugin registered and mounted at "eth".
//
// The server binary is built once by test/vaultserver/build.sh into
// .tools/vault-1.21.4/vault (or named by FIREBREAK_VAULT_BIN). Without it the
// tests that need Vault are skipped, unless FIREBREAK_REQUIRE_TOOLS=1, which
// makes them fail (make test sets it).
package vaulttest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/hashicorp/vault/api"
)

const (
	// PluginName is the name the plugin is registered under.
	PluginName = "firebreak-vault-plugin"
	// PluginMount is where Start mounts the plugin.
	PluginMount = "eth"
	// VaultVersion is the version build.sh builds.
	VaultVersion = "1.21.4"

	module = "github.com/firebreak-dev/firebreak"
)

// Server is a running Vault dev server.
type Server struct {
	// Addr is the server's URL, http://127.0.0.1:PORT.
	Addr string
	// RootToken is the dev root token.
	RootToken string
	// UnsealKey is the dev server's unseal key.
	UnsealKey string

	t         testing.TB
	bin       string
	pluginDir string
	home      string
	listen    string
	cmd       *exec.Cmd
	waitErr   chan error
	out       *simulate.ProcessOutput
}

// Start starts a Vault dev server on a free loopback port with the plugin
// mounted at PluginMount; it is killed when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	s := &Server{
		t:         t,
		bin:       bin,
		pluginDir: pluginDir(t),
		home:      t.TempDir(),
		listen:    "127.0.0.1:" + freePort(t),
		RootToken: "root-" + randomHex(t, 8),
	}
	s.Addr = "http://" + s.listen
	t.Cleanup(s.Stop)
	s.start()
	return s
}

// Binary returns the path of the Vault server binary, or skips the test
// (fails it with FIREBREAK_REQUIRE_TOOLS=1) if there is none.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("FIREBREAK_VAULT_BIN")
	if bin == "" {
		bin = filepath.Join(RepoRoot(t), ".tools", "vault-"+VaultVersion, "vault")
	}
	if _, err := os.Stat(bin); err != nil {
		msg := fmt.Sprintf("no Vault server binary at %s (build it with `bash test/vaultserver/build.sh`, about 15 minutes the first time, or set FIREBREAK_VAULT_BIN)", bin)
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// RepoRoot is the directory of firebreak's go.mod, found by walking up from
// the working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && isFirebreakModule(b) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod of module %s above the working directory", module)
		}
		dir = parent
	}
}

func isFirebreakModule(gomod []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == module {
			return true
		}
	}
	return false
}

var (
	pluginOnce sync.Once
	pluginPath string
	pluginErr  error
)

// pluginDir builds the plugin, once per test process, into
// .tools/vaulttest/plugins-<hash of the checkout's path> (renamed into place,
// so concurrent test processes never see half a binary) and returns that
// directory. The directory is per checkout because .tools may be shared by
// several git worktrees (a symlink to the main checkout's): with one
// directory, a test in one worktree could start the plugin another worktree
// built a moment before.
func pluginDir(t testing.TB) string {
	t.Helper()
	root := RepoRoot(t)
	pluginOnce.Do(func() {
		sum := sha256.Sum256([]byte(root))
		dir := filepath.Join(root, ".tools", "vaulttest", "plugins-"+hex.EncodeToString(sum[:6]))
		if pluginErr = os.MkdirAll(dir, 0o755); pluginErr != nil {
			return
		}
		// Vault refuses a plugin directory that is reached through a
		// symlink ("cannot execute files outside of configured plugin
		// directory"), and in a worktree .tools is one.
		if dir, pluginErr = filepath.EvalSymlinks(dir); pluginErr != nil {
			return
		}
		tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d", PluginName, os.Getpid()))
		cmd := exec.Command("go", "build", "-o", tmp, "./cmd/"+PluginName)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			pluginErr = fmt.Errorf("building the plugin: %w\n%s", err, out)
			return
		}
		pluginErr = os.Rename(tmp, filepath.Join(dir, PluginName))
		pluginPath = dir
	})
	if pluginErr != nil {
		t.Fatal(pluginErr)
	}
	return pluginPath
}

func (s *Server) start() {
	t := s.t
	t.Helper()
	s.out = &simulate.ProcessOutput{}
	s.cmd = exec.Command(s.bin, "server", "-dev",
		"-dev-root-token-id="+s.RootToken,
		"-dev-listen-address="+s.listen,
		"-dev-plugin-dir="+s.pluginDir,
		"-dev-no-store-token",
	)
	s.cmd.Env = append(cleanEnv(), "HOME="+s.home, "VAULT_LOG_LEVEL=warn")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	ownProcessGroup(s.cmd)
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting vault: %v", err)
	}
	s.waitErr = make(chan error, 1)
	go func(cmd *exec.Cmd, ch chan error) { ch <- cmd.Wait() }(s.cmd, s.waitErr)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.waitHealthy(ctx); err != nil {
		t.Fatalf("vault did not become healthy: %v\n%s", err, s.out.String())
	}
	// The dev banner with the unseal key may come a moment after health.
	for s.UnsealKey == "" {
		for _, line := range strings.Split(s.out.String(), "\n") {
			if k, ok := strings.CutPrefix(strings.TrimSpace(line), "Unseal Key: "); ok {
				s.UnsealKey = strings.TrimSpace(k)
			}
		}
		if s.UnsealKey != "" {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no unseal key in the dev server's output:\n%s", s.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := s.Client().Sys().MountWithContext(ctx, PluginMount, &api.MountInput{Type: PluginName}); err != nil {
		t.Fatalf("mounting the plugin at %s: %v\n%s", PluginMount, err, s.out.String())
	}
}

// cleanEnv is the environment without VAULT_* variables, so that a
// developer's Vault settings cannot leak into the test server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VAULT_") {
			env = append(env, kv)
		}
	}
	return env
}

func (s *Server) waitHealthy(ctx context.Context) error {
	url := s.Addr + "/v1/sys/health"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("health: %s", resp.Status)
		}
		select {
		case werr := <-s.waitErr:
			s.waitErr <- werr
			return fmt.Errorf("vault exited: %v", werr)
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Client returns an API client for the server with the root token.
func (s *Server) Client() *api.Client {
	s.t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = s.Addr
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	c.SetToken(s.RootToken)
	return c
}

// Stop kills the server and its plugin processes and waits for it to exit.
// It is safe to call twice.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	killGroup(s.cmd)
	<-s.waitErr
	s.cmd = nil
}

// Restart starts the server again on the same address with the same root
// token. Dev mode keeps everything in memory: mounts other than the plugin's,
// keys and roles are gone.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Seal seals the server.
func (s *Server) Seal() {
	s.t.Helper()
	if err := s.Client().Sys().Seal(); err != nil {
		s.t.Fatalf("sealing vault: %v", err)
	}
}

// Unseal unseals the server with the dev unseal key.
func (s *Server) Unseal() {
	s.t.Helper()
	st, err := s.Client().Sys().Unseal(s.UnsealKey)
	if err != nil || st.Sealed {
		s.t.Fatalf("unsealing vault: %v (status %+v)", err, st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.waitHealthy(ctx); err != nil {
		s.t.Fatalf("vault not healthy after unseal: %v", err)
	}
}

// CLI runs Vault's command line client (the server binary) against the
// server with token, the root token if token is empty, and returns what it
// printed, stdout and stderr together. Tests use it to run commands as
// documented for operators, exactly as they would type them.
func (s *Server) CLI(token string, args ...string) (string, error) {
	if token == "" {
		token = s.RootToken
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = append(cleanEnv(), "HOME="+s.home, "VAULT_ADDR="+s.Addr, "VAULT_TOKEN="+token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("vault %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// Logs returns what the server has printed so far.
func (s *Server) Logs() string { return s.out.String() }

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
