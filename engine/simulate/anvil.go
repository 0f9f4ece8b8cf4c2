// Package simulate runs actions on a chain that is not the real one: a
// local anvil node, fresh or forking a live chain, where firebreak can try
// what it would do without broadcasting anything.
//
// anvil.go starts and stops anvil; the demo and the end-to-end tests use it
// for their local chain. A Fork (fork.go) copies a live chain's state:
// anvil --fork-url with the real sender impersonated, or, without anvil, the
// node's own eth_simulateV1 or eth_call. Fork.Run (run.go) tries actions on
// it and checks their post-conditions; the Decoder (decode.go) names calls
// and revert reasons from a table of known ABIs. `firebreak dry-run` and
// shadow mode are built on these.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
)

// AnvilRelPath is where the Makefile installs anvil, relative to the
// repository root.
const AnvilRelPath = ".tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"

// ErrNoAnvil means no anvil binary could be found.
var ErrNoAnvil = errors.New("simulate: anvil not found (run `make tools`, set FIREBREAK_ANVIL, or put anvil on PATH)")

// FindAnvil returns the anvil binary to run: $FIREBREAK_ANVIL, else the
// Makefile's install found from the working directory or its parents, else
// anvil on PATH.
func FindAnvil() (string, error) {
	if p := os.Getenv("FIREBREAK_ANVIL"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: FIREBREAK_ANVIL=%s: %w", ErrNoAnvil, p, err)
		}
		return p, nil
	}
	if dir, err := os.Getwd(); err == nil {
		for {
			p := filepath.Join(dir, AnvilRelPath)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if p, err := exec.LookPath("anvil"); err == nil {
		return p, nil
	}
	return "", ErrNoAnvil
}

// AnvilOptions configure a node.
type AnvilOptions struct {
	// Bin is the anvil binary; empty means FindAnvil.
	Bin string
	// ChainID of the node (anvil's default is 31337).
	ChainID uint64
	// BlockTime, when set, mines a block every interval instead of one per
	// transaction.
	BlockTime time.Duration
	// ForkURL makes the node a fork of that chain; ForkBlock pins the block.
	ForkURL   string
	ForkBlock uint64
	// StartTimeout bounds the wait until the node answers.
	StartTimeout time.Duration
	// Args are passed through verbatim.
	Args []string
}

// Anvil is a running anvil process.
type Anvil struct {
	cmd     *exec.Cmd
	url     string
	stderr  *ProcessOutput
	done    chan struct{}
	waitErr error
}

// StartAnvil starts anvil on a free loopback port and waits until it
// answers eth_chainId.
func StartAnvil(ctx context.Context, opts AnvilOptions) (*Anvil, error) {
	bin := opts.Bin
	if bin == "" {
		var err error
		if bin, err = FindAnvil(); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"--host", "127.0.0.1", "--port", strconv.Itoa(port), "--silent"}
	if opts.ChainID != 0 {
		args = append(args, "--chain-id", strconv.FormatUint(opts.ChainID, 10))
	}
	if opts.BlockTime > 0 {
		args = append(args, "--block-time", strconv.FormatFloat(opts.BlockTime.Seconds(), 'f', -1, 64))
	}
	dir, err := os.MkdirTemp("", "firebreak-anvil-")
	if err != nil {
		return nil, fmt.Errorf("simulate: anvil's working folder: %w", err)
	}
	if opts.ForkURL != "" {
		// The fork URL often holds the provider's API key, and a command
		// line is readable by every user of the machine: anvil gets the
		// name of an endpoint its foundry.toml reads from ETH_RPC_URL.
		if err := os.WriteFile(filepath.Join(dir, "foundry.toml"), []byte(forkConfig), 0o600); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("simulate: anvil's foundry.toml: %w", err)
		}
		args = append(args, "--fork-url", forkEndpoint)
		if opts.ForkBlock != 0 {
			args = append(args, "--fork-block-number", strconv.FormatUint(opts.ForkBlock, 10))
		}
	}
	args = append(args, opts.Args...)
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, anvilEnv(dir, opts.ForkURL)
	stderr := &ProcessOutput{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	// Own process group: a Ctrl-C to firebreak is handled by firebreak,
	// which then stops anvil itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("simulate: starting %s: %w", bin, err)
	}
	a := &Anvil{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), stderr: stderr, done: make(chan struct{})}
	go func() {
		a.waitErr = cmd.Wait()
		_ = os.RemoveAll(dir)
		close(a.done)
	}()

	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	if err := a.waitReady(ctx, timeout); err != nil {
		a.Stop()
		return nil, err
	}
	return a, nil
}

// forkEndpoint is the name anvil is given for the chain it forks; its
// foundry.toml (forkConfig, in anvil's own working folder) maps it to the
// ETH_RPC_URL of anvil's environment.
const (
	forkEndpoint = "firebreak_fork"
	forkConfig   = "# Written by firebreak: the fork URL is in the environment, not on the command line.\n" +
		"[rpc_endpoints]\n" + forkEndpoint + " = \"${ETH_RPC_URL}\"\n"
)

// anvilEnv is all of firebreak's environment anvil gets: PATH, HOME and
// TMPDIR, and the fork URL as ETH_RPC_URL. Never the guardian's key, a
// Vault token or anything else firebreak was started with.
func anvilEnv(dir, forkURL string) []string {
	home := os.Getenv("HOME")
	if home == "" {
		home = dir
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + os.TempDir()}
	if forkURL != "" {
		env = append(env, "ETH_RPC_URL="+forkURL)
	}
	return env
}

// PID is the anvil process's id.
func (a *Anvil) PID() int { return a.cmd.Process.Pid }

// URL is the node's HTTP JSON-RPC endpoint.
func (a *Anvil) URL() string { return a.url }

// WSURL is the node's WebSocket endpoint.
func (a *Anvil) WSURL() string { return "ws" + a.url[len("http"):] }

// Stop kills the node and waits for it to exit. It is safe to call twice.
func (a *Anvil) Stop() {
	select {
	case <-a.done:
		return
	default:
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(3 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.done
	}
}

func (a *Anvil) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var lastErr error
	for pause := 10 * time.Millisecond; ; pause = min(pause*2, 200*time.Millisecond) {
		select {
		case <-a.done:
			return fmt.Errorf("simulate: anvil exited during start-up (%v): %s", a.waitErr, a.stderr.Tail(2000))
		default:
		}
		c, err := rpc.DialContext(ctx, a.url)
		if err == nil {
			var id string
			err = c.CallContext(ctx, &id, "eth_chainId")
			c.Close()
			if err == nil {
				return nil
			}
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("simulate: anvil did not answer within %s (last error: %v): %s", timeout, lastErr, a.stderr.Tail(2000))
		case <-time.After(pause):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("simulate: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
