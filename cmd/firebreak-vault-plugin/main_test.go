package main

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

// vaultHTTP sends one request to Vault with the root token and returns the
// status and the raw body, so that tests see exactly what a client would.
func vaultHTTP(t *testing.T, srv *vaulttest.Server, method, path string, body any) (int, string) {
	t.Helper()
	return vaultHTTPAs(t, srv, srv.RootToken, method, path, body)
}

// vaultHTTPAs is vaultHTTP with another token.
func vaultHTTPAs(t *testing.T, srv *vaulttest.Server, token, method, path string, body any) (int, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, srv.Addr+"/v1/"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Vault-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var v struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v.Data
}

// TestPluginInVault runs the plugin in a real Vault: create, import, read,
// list, sign a digest and a transaction, delete; and checks that no path
// ever returns the private key.
func TestPluginInVault(t *testing.T) {
	srv := vaulttest.Start(t)
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keyHex := hex.EncodeToString(crypto.FromECDSA(key))
	want := crypto.PubkeyToAddress(key.PublicKey)

	var bodies []string
	call := func(wantCode int, method, path string, body any) map[string]any {
		t.Helper()
		code, b := vaultHTTP(t, srv, method, path, body)
		bodies = append(bodies, b)
		if code != wantCode {
			t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, wantCode)
		}
		if code != http.StatusOK {
			return nil
		}
		return decode(t, b)
	}

	d := call(200, "POST", "eth/keys/imported", map[string]any{"private_key": "0x" + keyHex})
	if d["address"] != want.Hex() || d["name"] != "imported" {
		t.Fatalf("import: %v", d)
	}
	d = call(200, "POST", "eth/keys/random", nil)
	random := common.HexToAddress(d["address"].(string))
	call(400, "POST", "eth/keys/imported", map[string]any{"private_key": keyHex}) // no overwrite
	call(400, "POST", "eth/keys/bad", map[string]any{"private_key": keyHex[:10]})

	d = call(200, "GET", "eth/keys/imported", nil)
	if len(d) != 3 || d["address"] != want.Hex() || d["policy"] != false {
		t.Fatalf("read: %v, want only name, address and policy false", d)
	}
	d = call(200, "LIST", "eth/keys", nil)
	if keys, _ := d["keys"].([]any); len(keys) != 2 {
		t.Fatalf("list: %v", d)
	}

	for name, addr := range map[string]common.Address{"imported": want, "random": random} {
		digest := crypto.Keccak256Hash([]byte(name))
		d = call(200, "POST", "eth/keys/"+name+"/sign", map[string]any{"digest": digest.Hex()})
		sig := hexutil.MustDecode(d["signature"].(string))
		pub, err := crypto.SigToPub(digest[:], sig)
		if err != nil || len(sig) != 65 || sig[64] > 1 || crypto.PubkeyToAddress(*pub) != addr {
			t.Fatalf("%s: digest signature %x does not recover to %v", name, sig, addr)
		}

		// Numbers as JSON numbers and as strings, both accepted.
		d = call(200, "POST", "eth/keys/"+name+"/sign", map[string]any{
			"chain_id": 31337, "nonce": "9", "to": "0x00000000000000000000000000000000000000aa", "value": "1000000000000000000",
			"gas": 60000, "max_fee_per_gas": "30000000000", "max_priority_fee_per_gas": "0x3b9aca00", "data": "0x8456cb59",
		})
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(hexutil.MustDecode(d["signed_transaction"].(string))); err != nil {
			t.Fatal(err)
		}
		from, err := types.Sender(types.NewLondonSigner(big.NewInt(31337)), tx)
		if err != nil || from != addr || tx.Hash().Hex() != d["hash"] || tx.Nonce() != 9 || tx.Value().String() != "1000000000000000000" {
			t.Fatalf("%s: tx from %v (%v), hash %v vs %v", name, from, err, tx.Hash(), d["hash"])
		}
	}
	call(404, "POST", "eth/keys/missing/sign", map[string]any{"digest": crypto.Keccak256Hash(nil).Hex()})
	call(400, "POST", "eth/keys/imported/sign", map[string]any{"digest": "0x1234"})
	call(400, "POST", "eth/keys/imported/sign", map[string]any{"chain_id": "1"})

	// Every other way to read the mount.
	for _, p := range []string{"eth/keys/imported?help=1", "eth/keys/imported/sign?help=1", "eth/?help=1", "sys/internal/specs/openapi"} {
		call(200, "GET", p, nil)
	}
	code, b := vaultHTTP(t, srv, "GET", "eth/keys/imported/sign", nil)
	bodies = append(bodies, b)
	if code < 400 {
		t.Fatalf("GET on the sign path: %d %s", code, b)
	}

	call(204, "DELETE", "eth/keys/imported", nil)
	call(404, "GET", "eth/keys/imported", nil)

	for _, b := range bodies {
		if strings.Contains(strings.ToLower(b), keyHex) {
			t.Fatalf("Vault returned the private key: %s", b)
		}
	}
	if strings.Contains(strings.ToLower(srv.Logs()), keyHex) {
		t.Fatal("the private key is in Vault's log")
	}
}
