package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// playground is what 'firebreak demo --keep' leaves running once the demo
// is done: anvil, the embedded NATS and the engine, with a configuration
// file, a detector's and an operator's identity, the detector's signing
// key and example events, and
// the commands to try printed for a newcomer.
type playground struct {
	// dir is the data folder, removed when the playground stops.
	dir string
	// self is how the printed commands run this binary.
	self     string
	anvilBin string
	// operatorToken halts and resumes from the console.
	operatorToken string
	// guardian is the vault's pauser: a key made for this playground, not
	// one of anvil's public accounts, which dry-runs refuse as senders.
	guardian    *local.Signer
	guardianKey string
	stdout      io.Writer
}

// The environment variable the playground's console reads its operator
// token from (in process: the playground makes the token up).
const playgroundTokenEnv = "FIREBREAK_PLAYGROUND_OPERATOR_TOKEN"

func newPlayground(stdout io.Writer, anvilBin string) (*playground, error) {
	if anvilBin == "" {
		var err error
		if anvilBin, err = simulate.FindAnvil(); err != nil {
			return nil, err
		}
	}
	abs, err := filepath.Abs(anvilBin)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "firebreak-playground-")
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	k, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	key := hex.EncodeToString(crypto.FromECDSA(k))
	guardian, err := local.FromHex(key)
	if err != nil {
		return nil, err
	}
	return &playground{dir: dir, self: selfCommand(), anvilBin: abs, operatorToken: hex.EncodeToString(tok),
		guardian: guardian, guardianKey: key, stdout: stdout}, nil
}

// selfCommand is how a shell in this directory runs this binary again: the
// path it was started with, or "firebreak" when it was found on PATH.
func selfCommand() string {
	if strings.Contains(os.Args[0], "/") {
		return shellQuote(os.Args[0])
	}
	return "firebreak"
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:=@,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (p *playground) path(name string) string { return filepath.Join(p.dir, name) }

// playgroundConfig is the configuration the engine runs with, written for
// the commands that read one (check, dry-run, approvals).
var playgroundConfig = template.Must(template.New("firebreak.yaml").Parse(`# The playground's configuration, written by 'firebreak demo --keep'. The
# engine runs with it; 'firebreak check' and 'firebreak dry-run' read it.
# Reference: docs/configuration.md.
data_dir: {{.Dir}}
nats:
  host: 127.0.0.1
  port: {{.NATSPort}}
chains:
  - id: {{.ChainID}}
    name: anvil
    rpc: {{.RPC}}
    ws: {{.WS}}
signers:
  # A key made for this playground, funded with test ether on anvil.
  guardian:
    kind: local
    key_file: {{.KeyFile}}
protocols:
  demo:
    chain_id: {{.ChainID}}
    min_confidence: 0.8
    signer: guardian
    contracts:
      vault:
        address: "{{.Vault}}"
        pausable: true
      bridge:
        address: "{{.Bridge}}"
        bridge: true
        # docs/examples/bridge-outflow.json reports 250 tokens: over this.
        outflow_threshold: "100000000000000000000"
        outflow_window: 1h
    roles:
      operator: OPERATOR_ROLE
# Who may make the engine act (docs/SECURITY.md): the demo's own event,
# published with the engine's identity, and the detector "playground", which
# signs its events with detector.key.
sources:
  demo:
    verify: none
  playground:
    verify: ed25519
    public_keys: ["{{.DetectorPublicKey}}"]
ingest:
  # The events in docs/examples carry fixed timestamps, so the playground
  # takes them however old they are. Keep the default (15m) for real.
  max_event_age: 87600h
allowlist:
  - chain_id: {{.ChainID}}
    contract: demo.vault
    functions: ["pause()", "revokeRole(bytes32,address)"]
  - chain_id: {{.ChainID}}
    contract: demo.bridge
    functions: ["freeze()"]
simulate:
  anvil: {{.Anvil}}
`))

// options writes the guardian's key file and the configuration, and
// returns it loaded, with metrics and the console on free loopback ports.
func (p *playground) options(node *simulate.Anvil, d contracts.Demo) (config.Options, error) {
	key := p.path("guardian.key")
	if err := os.WriteFile(key, []byte(p.guardianKey+"\n"), 0o600); err != nil {
		return config.Options{}, err
	}
	seed, pub, err := ingest.GenerateDetectorKey()
	if err != nil {
		return config.Options{}, err
	}
	if err := os.WriteFile(p.path("detector.key"), []byte(seed+"\n"), 0o600); err != nil {
		return config.Options{}, err
	}
	port, err := freeLoopbackPort()
	if err != nil {
		return config.Options{}, err
	}
	f, err := os.OpenFile(p.path("firebreak.yaml"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return config.Options{}, err
	}
	err = playgroundConfig.Execute(f, map[string]any{
		"Dir": p.dir, "NATSPort": port, "ChainID": demoChainID, "RPC": node.URL(), "WS": node.WSURL(), "KeyFile": key,
		"Vault": d.Vault.Hex(), "Bridge": d.Bridge.Hex(), "Anvil": p.anvilBin, "DetectorPublicKey": hex.EncodeToString(pub),
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return config.Options{}, err
	}
	opts, err := config.LoadConfig(p.path("firebreak.yaml"))
	if err != nil {
		return opts, err
	}
	opts.Metrics.Listen = "127.0.0.1:0"
	opts.Console = config.ConsoleOptions{Listen: "127.0.0.1:0", OperatorTokenEnv: playgroundTokenEnv}
	opts.LookupEnv = func(k string) (string, bool) {
		if k == playgroundTokenEnv {
			return p.operatorToken, true
		}
		return "", false
	}
	return opts, nil
}

func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// examples finds docs/examples from the working directory or its parents;
// away from the source tree it writes the bridge outflow example into the
// data folder.
func (p *playground) examples() (string, error) {
	if dir, err := os.Getwd(); err == nil {
		for {
			ex := filepath.Join(dir, "docs", "examples")
			if _, err := os.Stat(filepath.Join(ex, "bridge-outflow.json")); err == nil {
				if rel, err := filepath.Rel(mustGetwd(), ex); err == nil && !strings.HasPrefix(rel, "..") {
					return rel, nil
				}
				return ex, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	ex := p.path("examples")
	if err := os.Mkdir(ex, 0o700); err != nil {
		return "", err
	}
	return ex, os.WriteFile(filepath.Join(ex, "bridge-outflow.json"), []byte(`{"id": "playground-bridge-outflow-1", "source": "playground", "chain_id": 31337,
 "severity": "high", "confidence": 0.93, "alert_type": "anomalous-outflow", "protocol": "demo",
 "title": "250 tokens left the demo bridge in 10 minutes", "timestamp": "2026-11-30T12:00:00Z",
 "metadata": {"contract": "bridge", "amount": "250000000000000000000", "window_seconds": 600}}
`), 0o600)
}

func mustGetwd() string {
	d, _ := os.Getwd()
	return d
}

// run makes the detector's and the operator's identities, waits until the
// engine's NATS lets them in, prints what to try, and keeps everything
// running until ctx ends (Ctrl-C).
func (p *playground) run(ctx context.Context, eng *engine.Engine, rep demoReport, pauseID, rpcURL string) error {
	ids := ingest.IdentityDir(p.dir)
	detector, _, err := ingest.CreateIdentity(ids, ingest.RoleDetector, "playground", "")
	if err != nil {
		return err
	}
	operator, _, err := ingest.CreateIdentity(ids, ingest.RoleOperator, "operator", "")
	if err != nil {
		return err
	}
	url := eng.NATSURL()
	for _, seed := range []string{detector, operator} {
		if err := waitLetIn(ctx, url, seed); err != nil {
			return err
		}
	}
	ex, err := p.examples()
	if err != nil {
		return err
	}
	printDemo(p.stdout, rep)
	fb, q := p.self, shellQuote
	nats := "--nats " + url
	det := "--creds " + q(detector) + " --sign-key-file " + q(p.path("detector.key"))
	op, cfg := "--creds "+q(operator), "--config "+q(p.path("firebreak.yaml"))
	outflow := q(filepath.Join(ex, "bridge-outflow.json"))
	fmt.Fprintf(p.stdout, `
The playground keeps running until Ctrl-C:
  anvil    %s (a block every second)
  NATS     %s (embedded; the engine's identities, a detector's and an operator's)
  console  http://%s/
           operator token for halt and resume: %s
  metrics  http://%s/metrics (and /healthz, /readyz)
  folder   %s
           firebreak.yaml (the engine's configuration), nats-identities/,
           guardian.key (the pauser), detector.key (the detector's signing key)

Try, in another terminal, from this directory:

What would an anomalous bridge outflow do? On a fork, sending nothing:
  %s dry-run %s --event %s

Publish it for real, as the detector "playground", signed (the engine freezes the bridge):
  %s publish %s %s %s

The actions, and the demo's pause in full:
  %s actions list %s %s
  %s actions show %s %s %s

The audit trail of the demo's event:
  %s audit show %s %s %s

The kill switch (the console does the same with the operator token):
  %s halt %s %s --reason "playground drill"
  %s resume %s %s

Can every pauser pause right now?
  %s check %s

More events in %s: critical-exploit.json (the vault is paused
already: a recorded no-op), medium-confidence.json (requires approval, which
only a Safe can give: refused), low-severity.json (no action).

Ctrl-C stops anvil, NATS and the engine, and removes the folder.
`, rpcURL, url, eng.ConsoleAddr(), p.operatorToken, eng.MetricsAddr(), p.dir,
		fb, cfg, outflow,
		fb, nats, det, outflow,
		fb, nats, op, fb, nats, op, pauseID,
		fb, nats, op, q(rep.EventID),
		fb, nats, op, fb, nats, op,
		fb, cfg,
		ex)
	<-ctx.Done()
	fmt.Fprintln(p.stdout, "\nstopping the playground")
	return nil
}

// waitLetIn waits until the embedded server at url lets the identity with
// seed file seed in: it reads new identities every 2 seconds.
func waitLetIn(ctx context.Context, url, seed string) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		nc, err := ingest.DialWith(url, "firebreak-playground", ingest.ConnectOptions{NkeySeedFile: seed})
		if err == nil {
			nc.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the identity %s is not let in: %w", seed, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// close removes the data folder.
func (p *playground) close() { _ = os.RemoveAll(p.dir) }
