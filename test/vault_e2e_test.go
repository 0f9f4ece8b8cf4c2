package test

import (
	"context"
	"encoding/hex"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/submit"
	"github.com/firebreak-dev/firebreak/signer/vault"
	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

const vaultTokenEnv = "FIREBREAK_TEST_VAULT_TOKEN"

// vaultSigner configures the engine's guardian as a Vault signer that logs
// in with token, read from the environment as cmd would.
func vaultSigner(srv *vaulttest.Server, token string, v engine.VaultSignerOptions) func(*engine.Options) {
	return func(o *engine.Options) {
		v.Address = srv.Addr
		v.Auth.TokenEnv = vaultTokenEnv
		o.Signers = map[string]engine.SignerOptions{"guardian": {Kind: "vault", Vault: &v}}
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
	if rec.State != submit.Mined || rec.Status != 1 {
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
	s := newStackWithGuardian(t, addr, vaultSigner(srv, srv.RootToken, engine.VaultSignerOptions{Mode: vault.ModePlugin, Key: "guardian"}))
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
	s := newStackWithGuardian(t, addr, vaultSigner(srv, srv.RootToken, engine.VaultSignerOptions{Mode: vault.ModeKV, KVPath: "firebreak/guardian"}))
	pauseAndCheckSender(t, s, "vault-kv-1", addr)
}
