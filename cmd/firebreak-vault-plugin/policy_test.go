package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/signer/vault"
	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

const (
	pauseSel    = "0x8456cb59" // pause()
	unpauseSel  = "0x3f4ba83a" // unpause()
	transferSel = "0xa9059cbb" // transfer(address,uint256)
	// guarded is the contract the guardian key may pause.
	guarded   = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
	elsewhere = "0x00000000000000000000000000000000000000bB"
	feeCap    = "100000000000" // 100 gwei, the policy's max_fee_per_gas
	refused   = "ethsign: refused by key policy: "
)

var transferData = transferSel + strings.Repeat("00", 64)

// pauseRequest is the sign request for the guardian's pause, with fields
// overridden (nil removes one).
func pauseRequest(over map[string]any) map[string]any {
	r := map[string]any{
		"chain_id": "31337", "nonce": "0", "to": guarded, "value": "0", "gas": "60000",
		"max_fee_per_gas": "30000000000", "max_priority_fee_per_gas": "1000000000", "data": pauseSel,
	}
	for k, v := range over {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return r
}

// vaultErrors returns the messages of a Vault error answer.
func vaultErrors(t *testing.T, body string) []string {
	t.Helper()
	var v struct {
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v.Errors
}

// importKey imports a new key as name with the root token and returns
// its address.
func importKey(t *testing.T, srv *vaulttest.Server, name string) common.Address {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	code, b := vaultHTTP(t, srv, "POST", "eth/keys/"+name, map[string]any{"private_key": hex.EncodeToString(crypto.FromECDSA(key))})
	if code != http.StatusOK {
		t.Fatalf("importing %s: %d %s", name, code, b)
	}
	return crypto.PubkeyToAddress(key.PublicKey)
}

// writeGuardianPolicy sets the guardian's policy with the command of
// docs/vault-signing-policy.md, as an operator types it.
func writeGuardianPolicy(t *testing.T, srv *vaulttest.Server) {
	t.Helper()
	out, err := srv.CLI("", "write", "eth/keys/guardian/policy",
		"chain_ids=31337", "targets="+strings.ToLower(guarded), "selectors="+pauseSel,
		"max_value=0", "max_fee_per_gas="+feeCap, "allow_digest=false")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// TestKeyPolicyInVault runs the signing policy in a real Vault: the guardian
// key with a policy signs the pause to its contract on its chain and refuses
// everything else, with the reason, and says so in Vault's log; a key
// without a policy signs as before; bad policies are refused field by field.
func TestKeyPolicyInVault(t *testing.T) {
	srv := vaulttest.Start(t)
	call := func(wantCode int, method, path string, body any) map[string]any {
		t.Helper()
		code, b := vaultHTTP(t, srv, method, path, body)
		if code != wantCode {
			t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, wantCode)
		}
		if code != http.StatusOK {
			return nil
		}
		return decode(t, b)
	}

	guardian := importKey(t, srv, "guardian")
	d := call(200, "GET", "eth/keys/guardian", nil)
	if d["policy"] != false {
		t.Fatalf("key before its policy: %v", d)
	}
	writeGuardianPolicy(t, srv)
	d = call(200, "GET", "eth/keys/guardian/policy", nil)
	if j, _ := json.Marshal(d); string(j) != `{"allow_digest":false,"chain_ids":[31337],"max_fee_per_gas":"100000000000","max_value":"0","name":"guardian","selectors":["0x8456cb59"],"targets":["`+guarded+`"]}` {
		t.Fatalf("policy read back as %s", j)
	}
	if d = call(200, "GET", "eth/keys/guardian", nil); d["policy"] != true {
		t.Fatalf("key with its policy: %v", d)
	}

	// The pause is signed.
	d = call(200, "POST", "eth/keys/guardian/sign", pauseRequest(nil))
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(hexutil.MustDecode(d["signed_transaction"].(string))); err != nil {
		t.Fatal(err)
	}
	from, err := types.Sender(types.NewLondonSigner(big.NewInt(31337)), tx)
	if err != nil || from != guardian || tx.To().Hex() != guarded || hexutil.Encode(tx.Data()) != pauseSel {
		t.Fatalf("pause signed by %v (%v) to %v data %x", from, err, tx.To(), tx.Data())
	}

	for _, tt := range []struct {
		name string
		req  map[string]any
		want string
	}{
		{"a transfer", pauseRequest(map[string]any{"data": transferData}), "selector 0xa9059cbb not allowed"},
		{"another target", pauseRequest(map[string]any{"to": elsewhere}), "target " + common.HexToAddress(elsewhere).Hex() + " not allowed"},
		{"another selector", pauseRequest(map[string]any{"data": unpauseSel}), "selector 0x3f4ba83a not allowed"},
		{"a non-zero value", pauseRequest(map[string]any{"value": "1"}), "value 1 wei is above max_value 0"},
		{"a fee cap above max_fee_per_gas", pauseRequest(map[string]any{"max_fee_per_gas": "100000000001"}),
			"max_fee_per_gas 100000000001 wei is above the policy's max_fee_per_gas 100000000000"},
		{"another chain id", pauseRequest(map[string]any{"chain_id": 1}), "chain id 1 not allowed"},
		{"contract creation", pauseRequest(map[string]any{"to": nil}), "contract creation (no to) not allowed"},
		{"data shorter than a selector", pauseRequest(map[string]any{"data": "0x8456cb"}), "data of 3 bytes has no 4-byte selector"},
		{"a raw digest", map[string]any{"digest": crypto.Keccak256Hash([]byte("anything")).Hex()}, "raw digest signing not allowed (allow_digest is false)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, b := vaultHTTP(t, srv, "POST", "eth/keys/guardian/sign", tt.req)
			if errs := vaultErrors(t, b); code != http.StatusBadRequest || len(errs) != 1 || errs[0] != refused+tt.want {
				t.Fatalf("%d %s, want 400 %q", code, b, refused+tt.want)
			}
		})
	}
	// The refusals reach Vault's own log, where an operator would look
	// for a stolen token at work.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(srv.Logs(), "sign refused by key policy"); {
		if time.Now().After(deadline) {
			t.Fatalf("no refusal in Vault's log:\n%s", srv.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Bad policies are refused with what is wrong, and change nothing.
	for _, tt := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"chain_id": "31337", "targets": guarded, "selectors": pauseSel}, `ethsign: bad key policy: unknown field "chain_id"`},
		{map[string]any{"chain_ids": "31337", "targets": guarded, "selectors": "pause()"}, `ethsign: bad key policy: selector "pause()" is not 0x and 8 hex digits`},
		{map[string]any{"chain_ids": "31337", "targets": "0x5fbDB2315678afecb367f032d93F642f64180aa3", "selectors": pauseSel}, "fails its EIP-55 checksum"},
		{map[string]any{"chain_ids": "0", "targets": guarded, "selectors": pauseSel}, `ethsign: bad key policy: chain id "0" is not an integer from 1 to 2^64-1`},
		{map[string]any{"chain_ids": "31337", "targets": guarded}, "ethsign: bad key policy: chain_ids, targets and selectors go together; missing selectors"},
		{map[string]any{"chain_ids": "31337", "targets": guarded, "selectors": pauseSel, "max_value": "1 ether"}, `max_value "1 ether" is not`},
		{map[string]any{"allow_digest": false}, "ethsign: bad key policy: it allows nothing"},
	} {
		code, b := vaultHTTP(t, srv, "POST", "eth/keys/guardian/policy", tt.body)
		if errs := vaultErrors(t, b); code != http.StatusBadRequest || len(errs) != 1 || !strings.Contains(errs[0], tt.want) {
			t.Fatalf("policy %v: %d %s, want 400 with %q", tt.body, code, b, tt.want)
		}
	}
	if d = call(200, "GET", "eth/keys/guardian/policy", nil); d["allow_digest"] != false || len(d["selectors"].([]any)) != 1 {
		t.Fatalf("a refused write changed the policy: %v", d)
	}

	// A key without a policy signs as it always did.
	importKey(t, srv, "plain")
	call(200, "POST", "eth/keys/plain/sign", pauseRequest(map[string]any{"data": transferData, "to": elsewhere, "value": "5"}))
	call(200, "POST", "eth/keys/plain/sign", map[string]any{"digest": crypto.Keccak256Hash(nil).Hex()})

	// Deleting the key keeps its policy: the key imported again under the
	// same name (a rotation) is bound by it at once.
	call(204, "DELETE", "eth/keys/guardian", nil)
	importKey(t, srv, "guardian")
	code, b := vaultHTTP(t, srv, "POST", "eth/keys/guardian/sign", map[string]any{"digest": crypto.Keccak256Hash(nil).Hex()})
	if code != http.StatusBadRequest || !strings.Contains(b, refused) {
		t.Fatalf("re-imported key signed a digest: %d %s", code, b)
	}

	// Without its policy, the key signs as asked again.
	if out, err := srv.CLI("", "delete", "eth/keys/guardian/policy"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	call(404, "GET", "eth/keys/guardian/policy", nil)
	if d = call(200, "GET", "eth/keys/guardian", nil); d["policy"] != false {
		t.Fatalf("key after its policy was deleted: %v", d)
	}
	call(200, "POST", "eth/keys/guardian/sign", map[string]any{"digest": crypto.Keccak256Hash(nil).Hex()})
}

// docHCL returns the HCL block of docs/vault-signing-policy.md whose first
// line is "# name:", so that the policies tested are the ones documented.
func docHCL(t *testing.T, name string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(vaulttest.RepoRoot(t), "docs", "vault-signing-policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(doc), "```hcl\n")
	for _, b := range blocks[1:] {
		b, _, _ = strings.Cut(b, "```")
		if strings.HasPrefix(b, "# "+name+":") {
			return b
		}
	}
	t.Fatalf("no hcl block starting with %q in docs/vault-signing-policy.md", "# "+name+":")
	return ""
}

// aclToken writes hcl as the ACL policy name and returns a new token with
// it (and Vault's default policy, as any token gets), both with the
// commands an operator would use.
func aclToken(t *testing.T, srv *vaulttest.Server, name, hcl string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name+".hcl")
	if err := os.WriteFile(file, []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := srv.CLI("", "policy", "write", name, file); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := srv.CLI("", "token", "create", "-policy="+name, "-field=token")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}

// TestEngineACLInVault checks the engine's documented ACL policy in a real
// Vault: its token signs the pause (the key's policy still applies), reads
// the key's name, address and policy flag, and gets 403 permission denied
// for everything else: the policy (read, write, create, delete), the key
// list, creating, importing and deleting keys, other keys, its own ACL, the
// mount. The engine's own signer starts and signs with that token; with
// sign alone it could not start. The key administrators' documented ACL can
// manage keys and policies but not sign; create without update sets a
// policy once.
func TestEngineACLInVault(t *testing.T) {
	srv := vaulttest.Start(t)
	guardian := importKey(t, srv, "guardian")
	importKey(t, srv, "other")
	writeGuardianPolicy(t, srv)
	readPolicy := func() string {
		t.Helper()
		code, b := vaultHTTP(t, srv, "GET", "eth/keys/guardian/policy", nil)
		if code != http.StatusOK {
			t.Fatalf("%d %s", code, b)
		}
		j, _ := json.Marshal(decode(t, b))
		return string(j)
	}
	policyBefore := readPolicy()

	engine := aclToken(t, srv, "firebreak-engine", docHCL(t, "firebreak-engine"))
	as := func(token string, wantCode int, method, path string, body any) string {
		t.Helper()
		code, b := vaultHTTPAs(t, srv, token, method, path, body)
		if code != wantCode {
			t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, wantCode)
		}
		return b
	}

	as(engine, 200, "POST", "eth/keys/guardian/sign", pauseRequest(nil))
	if b := as(engine, 400, "POST", "eth/keys/guardian/sign", pauseRequest(map[string]any{"data": transferData})); !strings.Contains(b, refused+"selector 0xa9059cbb not allowed") {
		t.Fatalf("transfer with the engine's token: %s", b)
	}
	d := decode(t, as(engine, 200, "GET", "eth/keys/guardian", nil))
	if len(d) != 3 || d["address"] != guardian.Hex() || d["policy"] != true {
		t.Fatalf("the engine read the key as %v, want only name, address and policy true", d)
	}

	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	someKey := hex.EncodeToString(crypto.FromECDSA(k))
	openPolicy := map[string]any{"chain_ids": "1,31337", "targets": elsewhere, "selectors": transferSel, "max_value": "1000000000000000000000", "allow_digest": true}
	for _, tt := range []struct {
		what, method, path string
		body               any
	}{
		{"read the policy", "GET", "eth/keys/guardian/policy", nil},
		{"change the policy", "POST", "eth/keys/guardian/policy", openPolicy},
		{"replace the policy (PUT)", "PUT", "eth/keys/guardian/policy", openPolicy},
		{"delete the policy", "DELETE", "eth/keys/guardian/policy", nil},
		{"create a policy for another key", "POST", "eth/keys/other/policy", openPolicy},
		{"list the keys", "LIST", "eth/keys", nil},
		{"list the keys (GET ?list)", "GET", "eth/keys?list=true", nil},
		{"create a key", "POST", "eth/keys/mine", nil},
		{"import a key", "POST", "eth/keys/mine", map[string]any{"private_key": someKey}},
		{"import over the guardian", "POST", "eth/keys/guardian", map[string]any{"private_key": someKey}},
		{"delete the guardian", "DELETE", "eth/keys/guardian", nil},
		{"delete another key", "DELETE", "eth/keys/other", nil},
		{"sign with another key", "POST", "eth/keys/other/sign", map[string]any{"digest": crypto.Keccak256Hash(nil).Hex()}},
		{"read another key", "GET", "eth/keys/other", nil},
		{"widen its own ACL", "PUT", "sys/policies/acl/firebreak-engine", map[string]any{"policy": `path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }`}},
		{"unmount the plugin", "DELETE", "sys/mounts/eth", nil},
	} {
		code, b := vaultHTTPAs(t, srv, engine, tt.method, tt.path, tt.body)
		if code != http.StatusForbidden || !strings.Contains(b, "permission denied") {
			t.Errorf("the engine's token could %s (%s %s): %d %s, want 403 permission denied", tt.what, tt.method, tt.path, code, b)
		}
	}
	// Nothing changed.
	if after := readPolicy(); after != policyBefore {
		t.Fatalf("the policy changed: %s, was %s", after, policyBefore)
	}
	if d := decode(t, as(srv.RootToken, 200, "LIST", "eth/keys", nil)); len(d["keys"].([]any)) != 2 {
		t.Fatalf("keys now %v", d)
	}

	// The engine's own signer starts with that token, signs the pause, and
	// the key's policy refuses a digest and a transfer.
	ctx := context.Background()
	s, err := vault.New(ctx, vault.Config{Address: srv.Addr, Key: "guardian", Auth: vault.Auth{Token: vault.Secret(engine)}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	to := common.HexToAddress(guarded)
	pauseTx := func(data []byte) *types.Transaction {
		return types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(31337), Nonce: 1, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(3e10), Gas: 60000, To: &to, Data: data})
	}
	signed, err := s.SignTx(ctx, pauseTx(hexutil.MustDecode(pauseSel)), big.NewInt(31337))
	if err != nil {
		t.Fatal(err)
	}
	if from, err := types.Sender(types.NewLondonSigner(big.NewInt(31337)), signed); err != nil || from != guardian || s.Address() != guardian {
		t.Fatalf("signer %v signed as %v (%v), want %v", s.Address(), from, err, guardian)
	}
	if _, err := s.SignTx(ctx, pauseTx(hexutil.MustDecode(transferData)), big.NewInt(31337)); err == nil || !strings.Contains(err.Error(), refused+"selector 0xa9059cbb not allowed") {
		t.Fatalf("signer signed a transfer: %v", err)
	}
	if _, err := s.SignDigest(ctx, crypto.Keccak256Hash([]byte("x"))); err == nil || !strings.Contains(err.Error(), refused+"raw digest signing not allowed") {
		t.Fatalf("signer signed a digest: %v", err)
	}

	// With update on sign alone the token signs, but the engine's signer
	// cannot start: it reads its key's address first. That is why the
	// documented policy grants read on the key as well.
	signOnly := aclToken(t, srv, "sign-only", `path "eth/keys/guardian/sign" { capabilities = ["update"] }`)
	as(signOnly, 200, "POST", "eth/keys/guardian/sign", pauseRequest(nil))
	if _, err := vault.New(ctx, vault.Config{Address: srv.Addr, Key: "guardian", Auth: vault.Auth{Token: vault.Secret(signOnly)}}, slog.New(slog.DiscardHandler)); !errors.Is(err, vault.ErrAuth) {
		t.Fatalf("signer with a sign-only token: %v, want ErrAuth", err)
	}

	// The key administrators' policy manages keys and policies, and signs
	// nothing.
	admin := aclToken(t, srv, "firebreak-keys", docHCL(t, "firebreak-keys"))
	as(admin, 200, "LIST", "eth/keys", nil)
	as(admin, 200, "POST", "eth/keys/third", nil)
	as(admin, 200, "POST", "eth/keys/third/policy", map[string]any{"chain_ids": "31337", "targets": guarded, "selectors": pauseSel})
	as(admin, 200, "GET", "eth/keys/third/policy", nil)
	as(admin, 204, "DELETE", "eth/keys/third/policy", nil)
	as(admin, 204, "DELETE", "eth/keys/third", nil)
	as(admin, 403, "POST", "eth/keys/guardian/sign", pauseRequest(nil))

	// Setting a first policy is create, changing one is update: an ACL
	// with create alone sets a policy once and cannot loosen it.
	once := aclToken(t, srv, "policy-once", `path "eth/keys/+/policy" { capabilities = ["create", "read"] }`)
	as(once, 200, "POST", "eth/keys/other/policy", map[string]any{"chain_ids": "31337", "targets": guarded, "selectors": pauseSel})
	as(once, 403, "POST", "eth/keys/other/policy", openPolicy)
	as(once, 403, "DELETE", "eth/keys/other/policy", nil)
}
