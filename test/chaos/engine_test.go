package chaos

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// engineConfig is what one `firebreak serve` is given; write turns it
// into firebreak.yaml.
type engineConfig struct {
	dataDir string
	// natsPort runs the embedded server on that port; natsURL (comma-
	// separated for a cluster) uses an external NATS instead, with
	// seedFile, instance and replicas.
	natsPort           int
	natsURL, seedFile  string
	instance           string
	replicas           int
	macKeyFile         string
	rpc                string
	vaults             []string
	detectorPublicKey  []byte
	vaultAddr, vaultKV string // the signer is Vault's plugin key vaultKV at vaultAddr
}

func (c engineConfig) yaml() string {
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: %q\n", c.dataDir)
	if c.natsURL == "" {
		fmt.Fprintf(&b, "nats: {host: 127.0.0.1, port: %d}\n", c.natsPort)
	} else {
		fmt.Fprintf(&b, "nats: {url: %q, nkey_seed_file: %q, instance: %s, replicas: %d, lease_ttl: 3s}\n",
			c.natsURL, c.seedFile, c.instance, c.replicas)
	}
	if c.macKeyFile != "" {
		fmt.Fprintf(&b, "records: {mac_key_file: %q}\n", c.macKeyFile)
	}
	b.WriteString("metrics: {listen: \"off\"}\n")
	fmt.Fprintf(&b, "chains:\n  - {id: %d, name: anvil, rpc: %q}\n", contracts.DevChainID, c.rpc)
	if c.vaultAddr == "" {
		b.WriteString("signers:\n  guardian: {kind: local, key_env: FIREBREAK_GUARDIAN_KEY}\n")
	} else {
		fmt.Fprintf(&b, "signers:\n  guardian: {kind: vault, vault: {address: %q, mode: plugin, key: %s, auth: {token_env: FIREBREAK_VAULT_TOKEN}}}\n",
			c.vaultAddr, c.vaultKV)
	}
	fmt.Fprintf(&b, "sources:\n  forta: {verify: ed25519, public_keys: [%q]}\n", hex.EncodeToString(c.detectorPublicKey))
	b.WriteString("protocols:\n")
	for i, v := range c.vaults {
		fmt.Fprintf(&b, "  p%d:\n    chain_id: %d\n    min_confidence: 0.8\n    signer: guardian\n    contracts:\n      vault: {address: %q, pausable: true}\n",
			i, contracts.DevChainID, v)
	}
	b.WriteString("allowlist:\n")
	for i := range c.vaults {
		fmt.Fprintf(&b, "  - {chain_id: %d, contract: p%d.vault, functions: [\"pause()\"]}\n", contracts.DevChainID, i)
	}
	return b.String()
}

func (c engineConfig) write(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(c.yaml()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// engineProc is one `firebreak serve` child process; start again after
// kill restarts it on the same configuration.
type engineProc struct {
	t      *testing.T
	name   string
	config string
	env    []string
	cmd    *exec.Cmd
	out    *simulate.ProcessOutput
	done   chan struct{}
	starts int
}

func newEngine(t *testing.T, name, config string, env ...string) *engineProc {
	p := &engineProc{t: t, name: name, config: config, env: env, out: &simulate.ProcessOutput{}}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("engine %s (%d starts) output:\n%s", p.name, p.starts, p.out.String())
		}
	})
	return p
}

func (p *engineProc) start() {
	p.t.Helper()
	p.starts++
	fmt.Fprintf(p.out, "----- start %d -----\n", p.starts)
	cmd := exec.Command(suite.firebreak, "serve", "--config", p.config)
	// Secrets reach the engine by environment, never on its command line.
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(p.done)
}

// running reports whether the process is alive.
func (p *engineProc) running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// ready reports whether the engine, since its last start, said it runs.
func (p *engineProc) ready() bool {
	out := p.out.String()
	marker := fmt.Sprintf("----- start %d -----", p.starts)
	i := strings.LastIndex(out, marker)
	return i >= 0 && strings.Contains(out[i:], `msg="firebreak engine running"`)
}

// lastLine is the last line the engine printed.
func (p *engineProc) lastLine() string {
	lines := strings.Split(strings.TrimSpace(p.out.String()), "\n")
	return lines[len(lines)-1]
}

// kill SIGKILLs the engine and waits until it is gone.
func (p *engineProc) kill() {
	if p.running() {
		fmt.Fprintf(p.out, "----- SIGKILL -----\n")
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
}

// stop asks the engine to stop (SIGTERM), then kills it.
func (p *engineProc) stop() {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

// wait polls cond every 100 ms until it holds or ctx ends.
func wait(ctx context.Context, cond func() bool) bool {
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// auditVerify runs `firebreak audit verify` against the engine's NATS with
// seed, as an operator would.
func auditVerify(ctx context.Context, natsURL, seed string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, suite.firebreak, "audit", "verify", "--nats", natsURL, "--creds", seed)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
