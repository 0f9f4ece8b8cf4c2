package test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// lockedBuffer is an io.Writer the engine's goroutines share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secretNode serves upstream's JSON-RPC only to requests that carry what a
// provider's URL would: a key in the path, a token in the query, a
// password in the user info. It returns that URL.
func secretNode(t testing.TB, upstream, pathKey, token, password string) string {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = nil
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

// passwordNATS is an external NATS server (JetStream) that only lets in
// user engine with password; it returns the URL with the credentials.
func passwordNATS(t testing.TB, password string) string {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		ServerName: "secrets", Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: filepath.Join(t.TempDir(), "nats"),
		Username: "engine", Password: password, NoSigs: true, NoLog: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return "nats://engine:" + password + "@127.0.0.1:" + strconv.Itoa(srv.Addr().(*net.TCPAddr).Port)
}

// shippedBundle is the shipped policies as an OPA bundle (.tar.gz of the
// .rego files).
func shippedBundle(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := fs.WalkDir(os.DirFS("../policies"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := os.ReadFile(filepath.Join("../policies", p))
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: "/" + p, Mode: 0o644, Size: int64(len(src))}); err != nil {
			return err
		}
		_, err = tw.Write(src)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bundleServer serves the shipped bundle on loopback to requests with the
// token, until fail is called; it returns the URL with the token.
func bundleServer(t testing.TB, token string) (string, func()) {
	t.Helper()
	b := shippedBundle(t)
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() || r.URL.Query().Get("token") != token {
			http.Error(w, "bundle server down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/bundles/firebreak.tar.gz?token=" + token, func() { failing.Store(true) }
}

// anvilChildren reads the command line and environment of this process's
// anvil children.
func anvilChildren(t testing.TB) (cmdlines, environs []string) {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	me := strconv.Itoa(os.Getpid())
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 2 || fields[1] != me {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if !strings.Contains(string(cmdline), "anvil") {
			continue
		}
		environ, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		cmdlines = append(cmdlines, strings.ReplaceAll(string(cmdline), "\x00", " "))
		environs = append(environs, strings.ReplaceAll(string(environ), "\x00", "\n"))
	}
	return cmdlines, environs
}

// No RPC, NATS or bundle URL secret, no key and no token appears in the
// engine's log lines, in its errors, in the policy status 'firebreak policy
// status' prints, in the audit log, or in the command line and environment
// of the anvil a dry-run forks with. The secrets are real: the RPC only
// answers with its path key, query token and password, NATS only with its
// password, the bundle server only with its token.
func TestNoSecretInLogsErrorsStatusAuditOrAnvil(t *testing.T) {
	const (
		rpcKey    = "rpckey0123456789abcdef"
		rpcToken  = "rpctoken-0123456789"
		rpcPass   = "rpcpassw0rd-0123"
		natsPass  = "natspassw0rd-0123"
		bundleTok = "bundletoken-0123456789"
		vaultTok  = "hvs.vaulttoken-0123456789" // only in the process environment
	)
	// In the process environment too, as 'firebreak serve' would have them:
	// anvil must not inherit them.
	t.Setenv("FIREBREAK_GUARDIAN_KEY", "0x"+guardianKey)
	t.Setenv("VAULT_TOKEN", vaultTok)
	env := map[string]string{"FIREBREAK_GUARDIAN_KEY": "0x" + guardianKey, "FIREBREAK_AUDIT_KEY": auditSeed}
	secrets := map[string]string{
		"RPC path key": rpcKey, "RPC token": rpcToken, "RPC password": rpcPass, "NATS password": natsPass,
		"bundle token": bundleTok, "Vault token": vaultTok, "guardian key": guardianKey, "audit key": auditSeed,
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	node := startAnvil(t, ctx)
	client, err := ethclient.DialContext(ctx, node.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	guardian, operator := mustSigner(t, guardianKey), mustSigner(t, operatorKey)
	admin, _ := crypto.HexToECDSA(adminKey)
	demo, err := contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), guardian.Address(), operator.Address(), big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	rpc := secretNode(t, node.URL(), rpcKey, rpcToken, rpcPass)
	bundleURL, failBundle := bundleServer(t, bundleTok)
	reload := make(chan struct{})

	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.NATS.URL = passwordNATS(t, natsPass)
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: rpc}}
	opts.Signers = map[string]config.SignerOptions{"guardian": {Kind: "local", KeyEnv: "FIREBREAK_GUARDIAN_KEY"}}
	opts.Audit.SigningKeyEnv = "FIREBREAK_AUDIT_KEY"
	opts.LookupEnv = func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	opts.PolicyBundle, opts.PolicyReload, opts.ReloadPolicies = bundleURL, 0, reload
	opts.Simulate.Method = "anvil"
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, MinConfidence: &minConf, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{"vault": {Address: demo.Vault.Hex(), Pausable: true}},
		Roles:     map[string]string{"operator": "OPERATOR_ROLE"},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"pause()"}}}

	var logs lockedBuffer
	log := slog.New(slog.NewJSONHandler(io.MultiWriter(&logs, testWriter{t}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := &stack{t: t, ctx: ctx, anvil: node, client: client, demo: demo, guardian: guardian, operator: operator, guardianAddr: guardian.Address()}
	s.engine = runEngine(t, ctx, opts, log)
	s.js = dialJS(t, s.engine)

	// The whole path: a critical event paused through the secret RPC, a
	// rejected message, a failed policy reload.
	ev := criticalExploit("secrets-1")
	s.publish(ev)
	if rec := s.action(s.outcome(ev.ID).Actions[0].ActionID); rec.State != record.Mined || !s.paused() {
		t.Fatalf("the pause through the secret RPC: %+v", rec)
	}
	if _, err := s.js.Publish(ctx, "detections.forta", []byte(`{"id":"secrets-bad","severity":"apocalyptic"}`)); err != nil {
		t.Fatal(err)
	}
	failBundle()
	reload <- struct{}{}
	for s.engine.PolicyStatus().Failures == 0 {
		s.sleep(10 * time.Millisecond)
	}
	kv, err := s.js.KeyValue(ctx, guard.ControlBucket)
	if err != nil {
		t.Fatal(err)
	}
	var status []byte
	for {
		e, err := kv.Get(ctx, decide.PolicyStatusKey)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(e.Value(), []byte(`"failures":1`)) {
			status = e.Value()
			break
		}
		s.sleep(10 * time.Millisecond)
	}
	rd, err := audit.NewReader(ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	s.story(rd, ev.ID, audit.KindMined)
	s.story(rd, "secrets-bad", audit.KindRejected)
	var export bytes.Buffer
	if _, err := rd.Export(ctx, &export); err != nil {
		t.Fatal(err)
	}
	statusJSON, _ := json.Marshal(s.engine.PolicyStatus())

	// Errors: an engine whose chain's ws endpoint is unreachable at the
	// same secret URL, a dry-run forking a node that does not answer.
	bad := opts
	bad.Chains = []config.ChainOptions{{ID: chainID, RPC: "ws://firebreak:" + rpcPass + "@127.0.0.1:1/v3/" + rpcKey + "?token=" + rpcToken}}
	bad.DataDir, bad.ReloadPolicies = t.TempDir(), nil
	var runErr error
	if eng, err := engine.New(bad, log); err != nil {
		runErr = err
	} else {
		runErr = eng.Run(ctx)
	}
	if runErr == nil {
		t.Fatal("an engine with an unreachable chain started")
	}
	dryOpts := opts
	dryOpts.PolicyBundle, dryOpts.ReloadPolicies = "", nil // the bundle server is down now
	_, dryErr := engine.DryRun(ctx, dryOpts, criticalExploit("dry-bad"), engine.DryRunOptions{ForkURL: "http://firebreak:" + rpcPass + "@127.0.0.1:1/v3/" + rpcKey + "?token=" + rpcToken}, log)
	if dryErr == nil {
		t.Fatal("a dry-run forked a node that does not answer")
	}

	// A dry-run forking the secret RPC: anvil's command line and
	// environment while it runs.
	var cmdlines, environs []string
	dry, err := engine.DryRun(ctx, dryOpts, criticalExploit("dry-1"), engine.DryRunOptions{ForkURL: rpc, Progress: func(msg string) {
		if strings.HasPrefix(msg, "fork ready") {
			cmdlines, environs = anvilChildren(t)
		}
	}}, log)
	if err != nil {
		t.Fatal(err)
	}
	dryJSON, _ := json.Marshal(dry)
	var forkEnv string
	for i, c := range cmdlines {
		if strings.Contains(environs[i], "ETH_RPC_URL=") {
			forkEnv = environs[i]
			if !strings.Contains(c, "--fork-url firebreak_fork") {
				t.Errorf("the fork's command line %q", c)
			}
			cmdlines = []string{c}
		}
	}
	if forkEnv == "" {
		t.Fatalf("no anvil fork found among this process's children (%d anvils)", len(cmdlines))
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(forkEnv), "\n") {
		name, val, _ := strings.Cut(line, "=")
		names = append(names, name)
		if name == "ETH_RPC_URL" {
			if val != rpc {
				t.Errorf("ETH_RPC_URL is %q, want the fork URL", val)
			}
			continue
		}
		for what, sec := range secrets {
			if strings.Contains(val, sec) {
				t.Errorf("anvil's environment variable %s holds the %s", name, what)
			}
		}
	}
	if strings.Join(names, " ") != "PATH HOME TMPDIR ETH_RPC_URL" {
		t.Errorf("anvil's environment is %v, want PATH HOME TMPDIR ETH_RPC_URL", names)
	}

	for where, text := range map[string]string{
		"log": logs.String(), "policy status in NATS": string(status), "engine policy status": string(statusJSON),
		"audit log": export.String(), "Run error": runErr.Error(), "dry-run error": dryErr.Error(),
		"dry-run outcome": string(dryJSON), "anvil command line": strings.Join(cmdlines, "\n"),
	} {
		for what, sec := range secrets {
			if strings.Contains(strings.ToLower(text), strings.ToLower(sec)) {
				t.Errorf("the %s holds the %s:\n%s", where, what, text)
			}
		}
	}
	t.Logf("Run error: %v\ndry-run error: %v\nstatus: %s\nanvil: %s\n%s", runErr, dryErr, status, cmdlines, forkEnv)
	// What was redacted is still useful: the hosts are named.
	for where, want := range map[string][2]string{
		"log":           {logs.String(), "nats://127.0.0.1:"},
		"log, unharmed": {logs.String(), "firebreak engine running"},
		"policy status": {string(status), "/…"},
		"Run error":     {runErr.Error(), "ws://127.0.0.1:1/…"},
		"dry-run error": {dryErr.Error(), "http://127.0.0.1:1/…"},
	} {
		if !strings.Contains(want[0], want[1]) {
			t.Errorf("the %s does not name the redacted URL %q:\n%s", where, want[1], want[0])
		}
	}
}
