package test

import (
	"context"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/hashicorp/vault/api"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer/vault"
	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

const vaultTokenEnv = "FIREBREAK_TEST_VAULT_TOKEN"

// vaultSigner configures the engine's guardian as a Vault signer that logs
// in with token, read from the environment as cmd would.
func vaultSigner(srv *vaulttest.Server, token string, v config.VaultSignerOptions) func(*config.Options) {
	return func(o *config.Options) {
		if v.Address == "" {
			v.Address = srv.Addr
		}
		v.Auth.TokenEnv = vaultTokenEnv
		o.Signers = map[string]config.SignerOptions{"guardian": {Kind: "vault", Vault: &v}}
		o.LookupEnv = func(k string) (string, bool) {
			if k == vaultTokenEnv {
				return token, true
			}
			return "", false
		}
	}
}

// pauseAndCheckSender publishes a critical event and checks that the pause
// was mined, sent from want.
func pauseAndCheckSender(t *testing.T, s *stack, id string, want common.Address) {
	t.Helper()
	s.publish(criticalExploit(id))
	out := s.outcome(id)
	if len(out.Actions) != 1 || out.Actions[0].Outcome != guard.Allowed {
		t.Fatalf("actions = %+v, want one allowed pause", out.Actions)
	}
	rec := s.action(out.Actions[0].ActionID)
	if rec.State != record.Mined || rec.Status != 1 {
		t.Fatalf("action = %+v, want mined", rec)
	}
	tx, _, err := s.client.TransactionByHash(s.ctx, *rec.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
	if err != nil || from != want {
		t.Fatalf("the chain says the pause came from %s (%v), want the Vault key %s", from, err, want)
	}
	if !s.paused() {
		t.Fatal("the vault is not paused")
	}
}

func TestVaultPluginSignerPausesVault(t *testing.T) {
	srv := vaulttest.Start(t)
	// The key is created inside Vault; only its address ever comes out.
	sec, err := srv.Client().Logical().WriteWithContext(context.Background(), vaulttest.PluginMount+"/keys/guardian", nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := common.HexToAddress(sec.Data["address"].(string))
	s := newStackWithGuardian(t, addr, vaultSigner(srv, srv.RootToken, config.VaultSignerOptions{Mode: vault.ModePlugin, Key: "guardian"}))
	pauseAndCheckSender(t, s, "vault-plugin-1", addr)
}

func TestVaultKVSignerPausesVault(t *testing.T) {
	srv := vaulttest.Start(t)
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	// The dev server has KV v2 at secret/.
	_, err := srv.Client().KVv2("secret").Put(context.Background(), "firebreak/guardian",
		map[string]any{"private_key": hex.EncodeToString(crypto.FromECDSA(key))})
	if err != nil {
		t.Fatal(err)
	}
	s := newStackWithGuardian(t, addr, vaultSigner(srv, srv.RootToken, config.VaultSignerOptions{Mode: vault.ModeKV, KVPath: "firebreak/guardian"}))
	pauseAndCheckSender(t, s, "vault-kv-1", addr)
}

// importedVaultKey imports a fresh key into the plugin (so a restarted dev
// server, which forgets everything, can be given the same key again) and
// returns its address and a function that re-imports it.
func importedVaultKey(t *testing.T, srv *vaulttest.Server) (common.Address, func()) {
	t.Helper()
	key, _ := crypto.GenerateKey()
	hexKey := hex.EncodeToString(crypto.FromECDSA(key))
	put := func() {
		t.Helper()
		if _, err := srv.Client().Logical().WriteWithContext(context.Background(), vaulttest.PluginMount+"/keys/guardian",
			map[string]any{"private_key": hexKey}); err != nil {
			t.Fatal(err)
		}
	}
	put()
	return crypto.PubkeyToAddress(key.PublicKey), put
}

// waitWarning waits until the action records a warning containing want,
// while it is still not sent.
func (s *stack) waitWarning(id, want string) record.Record {
	s.t.Helper()
	for {
		rec, err := s.engine.Action(s.ctx, id)
		if err == nil && strings.Contains(rec.Warning, want) {
			if rec.State != record.Pending {
				s.t.Fatalf("action is %s while its signer is unavailable, want pending", rec.State)
			}
			return rec
		}
		if err == nil && rec.State.Final() {
			s.t.Fatalf("action ended (%s: %s) instead of waiting for the signer", rec.State, rec.Error)
		}
		s.sleep(20 * time.Millisecond)
	}
}

// pauseAction publishes a critical event and returns its planned action.
func (s *stack) pauseAction(id string) string {
	s.t.Helper()
	s.publish(criticalExploit(id))
	out := s.outcome(id)
	if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
		s.t.Fatalf("actions = %+v, want one allowed pause", out.Actions)
	}
	return out.Actions[0].ActionID
}

func TestVaultSealedOrStoppedActionWaitsAndRecovers(t *testing.T) {
	for _, tc := range []struct {
		name        string
		fail, heal  func(srv *vaulttest.Server, g *gate)
		wantWarning string
	}{
		{"sealed", func(srv *vaulttest.Server, _ *gate) { srv.Seal() }, func(srv *vaulttest.Server, _ *gate) { srv.Unseal() }, "sealed"},
		// A stopped Vault, seen from the engine: connections refused. A dev
		// server forgets its keys when restarted, which a real Vault does
		// not, so the outage is made by closing a TCP gate in front of the
		// (real) Vault and opening it again.
		{"stopped", func(_ *vaulttest.Server, g *gate) { g.shut() }, func(_ *vaulttest.Server, g *gate) { g.open() }, "unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.Start(t)
			g := newGate(t, strings.TrimPrefix(srv.Addr, "http://"))
			addr, _ := importedVaultKey(t, srv)
			s := newStackWithGuardian(t, addr, vaultSigner(srv, srv.RootToken, config.VaultSignerOptions{Address: "http://" + g.addr, Key: "guardian"}))

			tc.fail(srv, g)
			id := s.pauseAction("vault-" + tc.name)
			rec := s.waitWarning(id, tc.wantWarning)
			if n := s.sent(addr); n != 0 || s.paused() {
				t.Fatalf("with Vault %s: %d transactions sent, paused %v; want none (warning %q)", tc.name, n, s.paused(), rec.Warning)
			}

			// The engine keeps consuming meanwhile.
			low := criticalExploit("low-while-" + tc.name)
			low.Severity = "low"
			s.publish(low)
			s.outcome(low.ID)

			tc.heal(srv, g)
			rec = s.action(id)
			if rec.State != record.Mined || rec.Status != 1 || rec.Warning != "" {
				t.Fatalf("after Vault came back: %+v, want mined with the warning cleared", rec)
			}
			if n := s.sent(addr); n != 1 || !s.paused() {
				t.Fatalf("%d transactions, paused %v; want exactly one pause", n, s.paused())
			}
		})
	}
}

// gate forwards TCP connections on a fixed loopback port to target, and
// can be shut (listener and open connections closed: connection refused)
// and opened again on the same port.
type gate struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func newGate(t *testing.T, target string) *gate {
	g := &gate{t: t, target: target, conns: map[net.Conn]bool{}}
	g.open()
	t.Cleanup(g.shut)
	return g
}

func (g *gate) open() {
	g.t.Helper()
	addr := g.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		g.t.Fatal(err)
	}
	g.mu.Lock()
	g.ln, g.addr = ln, ln.Addr().String()
	g.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go g.forward(c)
		}
	}()
}

func (g *gate) forward(c net.Conn) {
	up, err := net.Dial("tcp", g.target)
	if err != nil {
		c.Close()
		return
	}
	g.mu.Lock()
	if g.ln == nil { // shut while this connection was being set up
		g.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	g.conns[c], g.conns[up] = true, true
	g.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

func (g *gate) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ln != nil {
		g.ln.Close()
		g.ln = nil
	}
	for c := range g.conns {
		c.Close()
		delete(g.conns, c)
	}
}

func TestVaultRefusalsFailWithSpecificErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		break_  func(t *testing.T, srv *vaulttest.Server, token string)
		wantErr string
	}{
		{"wrong token", func(t *testing.T, srv *vaulttest.Server, token string) {
			if err := srv.Client().Auth().Token().RevokeOrphanWithContext(context.Background(), token); err != nil {
				t.Fatal(err)
			}
		}, "permission denied"},
		{"missing key", func(t *testing.T, srv *vaulttest.Server, _ string) {
			if _, err := srv.Client().Logical().DeleteWithContext(context.Background(), vaulttest.PluginMount+"/keys/guardian"); err != nil {
				t.Fatal(err)
			}
		}, "no key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := vaulttest.Start(t)
			addr, reimport := importedVaultKey(t, srv)
			// The engine gets its own token, which the test can revoke.
			tok, err := srv.Client().Auth().Token().CreateWithContext(context.Background(), &api.TokenCreateRequest{Policies: []string{"root"}})
			if err != nil {
				t.Fatal(err)
			}
			s := newStackWithGuardian(t, addr, vaultSigner(srv, tok.Auth.ClientToken, config.VaultSignerOptions{Key: "guardian"}))

			tc.break_(t, srv, tok.Auth.ClientToken)
			rec := s.action(s.pauseAction("vault-" + strings.ReplaceAll(tc.name, " ", "-")))
			if rec.State != record.Failed || !strings.Contains(strings.ToLower(rec.Error), tc.wantErr) {
				t.Fatalf("action = %s %q, want failed with %q", rec.State, rec.Error, tc.wantErr)
			}
			if strings.Contains(rec.Error, tok.Auth.ClientToken) {
				t.Fatal("the recorded error contains the Vault token")
			}
			if n := s.sent(addr); n != 0 || s.paused() {
				t.Fatalf("%d transactions sent, paused %v; want none", n, s.paused())
			}
			if tc.name == "missing key" {
				// The engine kept running: with the key back, the next event acts.
				reimport()
				rec := s.action(s.pauseAction("vault-key-back"))
				if rec.State != record.Mined || !s.paused() {
					t.Fatalf("after the key came back: %+v", rec)
				}
			}
		})
	}
}
