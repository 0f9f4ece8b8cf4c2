package chaos

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// natsNode is one nats-server process of the cluster.
type natsNode struct {
	name, conf string
	port       int
	cmd        *exec.Cmd
	done       chan struct{}
	out        *simulate.ProcessOutput
}

// cluster is three nats-server processes with routes between them, their
// accounts the table `firebreak creds nats-config` prints.
type cluster struct {
	t     *testing.T
	nodes []*natsNode
	ids   string // the identity folder of creds create
}

// firebreakCLI runs the firebreak binary and fails the test if it fails.
func firebreakCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(suite.firebreak, args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("firebreak %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// createIdentity makes an nkey identity with `firebreak creds create` and
// returns its seed file.
func (c *cluster) createIdentity(role, name string) string {
	c.t.Helper()
	seed := filepath.Join(c.t.TempDir(), role+"."+name+".nk")
	flag := "--name"
	if role == "detector" {
		flag = "--source"
	}
	firebreakCLI(c.t, "creds", "create", "--data-dir", c.ids, "--role", role, flag, name, "--out", seed)
	return seed
}

// startCluster writes the accounts of the identities created so far and
// starts three routed nats-server processes with JetStream.
func (c *cluster) start(ctx context.Context) {
	t := c.t
	t.Helper()
	dir := t.TempDir()
	accounts := filepath.Join(dir, "firebreak-accounts.conf")
	if err := os.WriteFile(accounts, []byte(firebreakCLI(t, "creds", "nats-config", "--data-dir", c.ids)), 0o600); err != nil {
		t.Fatal(err)
	}
	ports, routes := make([]int, 3), make([]int, 3)
	for i := range 3 {
		ports[i], routes[i] = freePort(t), freePort(t)
	}
	var routeURLs []string
	for _, p := range routes {
		routeURLs = append(routeURLs, fmt.Sprintf("%q", fmt.Sprintf("nats-route://127.0.0.1:%d", p)))
	}
	for i := range 3 {
		n := &natsNode{name: fmt.Sprintf("n%d", i+1), port: ports[i], conf: filepath.Join(dir, fmt.Sprintf("n%d.conf", i+1)), out: &simulate.ProcessOutput{}}
		conf := fmt.Sprintf(`server_name: %s
listen: 127.0.0.1:%d
jetstream { store_dir: %q }
cluster {
  name: chaos
  listen: 127.0.0.1:%d
  routes: [%s]
}
include "firebreak-accounts.conf"
`, n.name, n.port, filepath.Join(dir, n.name), routes[i], strings.Join(routeURLs, ", "))
		if err := os.WriteFile(n.conf, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		c.nodes = append(c.nodes, n)
		n.start(t)
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.kill()
			if t.Failed() {
				t.Logf("nats-server %s output:\n%s", n.name, n.out.String())
			}
		}
	})
}

func (n *natsNode) start(t *testing.T) {
	t.Helper()
	fmt.Fprintf(n.out, "----- start -----\n")
	cmd := exec.Command(suite.natsServer, "-c", n.conf)
	cmd.Stdout, cmd.Stderr = n.out, n.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.cmd, n.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(n.done)
}

func (n *natsNode) kill() {
	if n.cmd == nil {
		return
	}
	select {
	case <-n.done:
	default:
		fmt.Fprintf(n.out, "----- SIGKILL -----\n")
		_ = n.cmd.Process.Signal(syscall.SIGKILL)
		<-n.done
	}
}

// url lists every node, as an engine's nats.url does.
func (c *cluster) url() string {
	var u []string
	for _, n := range c.nodes {
		u = append(u, fmt.Sprintf("nats://127.0.0.1:%d", n.port))
	}
	return strings.Join(u, ",")
}

// ready waits until JetStream answers in the cluster (a meta leader is
// elected), as the identity with seed.
func (c *cluster) ready(ctx context.Context, seed string) {
	c.t.Helper()
	var last error
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	ok := wait(ctx, func() bool {
		nc, err := ingest.DialWith(c.url(), "chaos-ready", ingest.ConnectOptions{NkeySeedFile: seed})
		if err != nil {
			last = err
			return false
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err == nil {
			actx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err = js.AccountInfo(actx)
			cancel()
		}
		last = err
		return err == nil
	})
	if !ok {
		c.t.Fatalf("the NATS cluster did not become ready: %v", last)
	}
}

// leaderOf returns the node leading stream.
func (c *cluster) leaderOf(ctx context.Context, js jetstream.JetStream, stream string) (*natsNode, error) {
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.Cluster == nil {
		return nil, fmt.Errorf("stream %s has no cluster information", stream)
	}
	if info.Config.Replicas != 3 {
		return nil, fmt.Errorf("stream %s has %d replicas, want 3", stream, info.Config.Replicas)
	}
	for _, n := range c.nodes {
		if n.name == info.Cluster.Leader {
			return n, nil
		}
	}
	return nil, fmt.Errorf("stream %s: leader %q is none of the nodes", stream, info.Cluster.Leader)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
