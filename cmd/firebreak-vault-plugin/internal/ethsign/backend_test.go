package ethsign

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/hashicorp/vault/sdk/logical"
)

// testBackend is the backend on in-memory storage; the plugin against a real
// Vault is tested in signer/vault.
func testBackend(t *testing.T) (logical.Backend, logical.Storage) {
	t.Helper()
	conf := logical.TestBackendConfig()
	conf.StorageView = &logical.InmemStorage{}
	b, err := Factory(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	return b, conf.StorageView
}

func request(t *testing.T, b logical.Backend, s logical.Storage, op logical.Operation, path string, data map[string]any) (*logical.Response, error) {
	t.Helper()
	return b.HandleRequest(context.Background(), &logical.Request{Operation: op, Path: path, Storage: s, Data: data})
}

// mustOK runs a request that must succeed.
func mustOK(t *testing.T, b logical.Backend, s logical.Storage, op logical.Operation, path string, data map[string]any) *logical.Response {
	t.Helper()
	resp, err := request(t, b, s, op, path, data)
	if err != nil {
		t.Fatal(err)
	}
	if resp != nil && resp.IsError() {
		t.Fatal(resp.Error())
	}
	return resp
}

func TestBackendKeys(t *testing.T) {
	b, s := testBackend(t)
	key, _ := crypto.GenerateKey()
	keyHex := hex.EncodeToString(crypto.FromECDSA(key))
	want := crypto.PubkeyToAddress(key.PublicKey).Hex()

	resp := mustOK(t, b, s, logical.UpdateOperation, "keys/imported", map[string]any{"private_key": "0x" + keyHex})
	if resp.Data["address"] != want {
		t.Fatalf("import address %v, want %v", resp.Data["address"], want)
	}
	resp = mustOK(t, b, s, logical.UpdateOperation, "keys/random", nil)
	if !common.IsHexAddress(resp.Data["address"].(string)) {
		t.Fatalf("create returned %v", resp.Data)
	}

	resp = mustOK(t, b, s, logical.ReadOperation, "keys/imported", nil)
	if len(resp.Data) != 3 || resp.Data["name"] != "imported" || resp.Data["address"] != want || resp.Data["policy"] != false {
		t.Fatalf("read returned %v, want only name, address and policy false", resp.Data)
	}
	resp = mustOK(t, b, s, logical.ListOperation, "keys/", nil)
	if got := resp.Data["keys"].([]string); len(got) != 2 {
		t.Fatalf("list = %v", got)
	}

	// No overwrite: a second create or import of the same name fails.
	resp, err := request(t, b, s, logical.UpdateOperation, "keys/imported", nil)
	if err != nil || !resp.IsError() || !strings.Contains(resp.Error().Error(), "already exists") {
		t.Fatalf("second create: %v %v", resp, err)
	}
	resp, err = request(t, b, s, logical.UpdateOperation, "keys/bad", map[string]any{"private_key": "0x1234"})
	if err != nil || !resp.IsError() || strings.Contains(resp.Error().Error(), "1234") {
		t.Fatalf("bad import: %v %v", resp, err)
	}

	// The entry is seal-wrapped.
	entry, err := s.Get(context.Background(), "keys/imported")
	if err != nil || entry == nil {
		t.Fatal(entry, err)
	}
	if paths := b.SpecialPaths(); len(paths.SealWrapStorage) != 2 || paths.SealWrapStorage[0] != "keys/" || paths.SealWrapStorage[1] != "policy/" {
		t.Fatalf("SealWrapStorage = %v", paths.SealWrapStorage)
	}

	mustOK(t, b, s, logical.DeleteOperation, "keys/imported", nil)
	resp, err = request(t, b, s, logical.ReadOperation, "keys/imported", nil)
	if err != nil || resp != nil {
		t.Fatalf("read after delete: %v %v", resp, err)
	}
}

func TestBackendSign(t *testing.T) {
	b, s := testBackend(t)
	resp := mustOK(t, b, s, logical.UpdateOperation, "keys/k", nil)
	addr := common.HexToAddress(resp.Data["address"].(string))

	digest := crypto.Keccak256Hash([]byte("pause"))
	resp = mustOK(t, b, s, logical.UpdateOperation, "keys/k/sign", map[string]any{"digest": digest.Hex()})
	sig := hexutil.MustDecode(resp.Data["signature"].(string))
	if len(sig) != 65 || sig[64] > 1 {
		t.Fatalf("signature %x: want 65 bytes with V in {0,1}", sig)
	}
	pub, err := crypto.SigToPub(digest[:], sig)
	if err != nil || crypto.PubkeyToAddress(*pub) != addr {
		t.Fatalf("digest signature recovers to %v (%v), want %v", pub, err, addr)
	}

	resp = mustOK(t, b, s, logical.UpdateOperation, "keys/k/sign", map[string]any{
		"chain_id": "31337", "nonce": "3", "to": "0x00000000000000000000000000000000000000aa",
		"value": "0", "gas": "50000", "max_fee_per_gas": "2000000000", "max_priority_fee_per_gas": "1000000000", "data": "0x8456cb59",
	})
	var tx types.Transaction
	if err := tx.UnmarshalBinary(hexutil.MustDecode(resp.Data["signed_transaction"].(string))); err != nil {
		t.Fatal(err)
	}
	from, err := types.Sender(types.NewLondonSigner(big.NewInt(31337)), &tx)
	if err != nil || from != addr {
		t.Fatalf("tx sender %v (%v), want %v", from, err, addr)
	}
	if tx.Hash().Hex() != resp.Data["hash"] || tx.Nonce() != 3 || tx.Type() != types.DynamicFeeTxType {
		t.Fatalf("tx nonce %d type %d hash %v, response %v", tx.Nonce(), tx.Type(), tx.Hash(), resp.Data)
	}

	_, err = request(t, b, s, logical.UpdateOperation, "keys/missing/sign", map[string]any{"digest": digest.Hex()})
	if code, ok := err.(logical.HTTPCodedError); !ok || code.Code() != 404 {
		t.Fatalf("sign with a missing key: %v, want a 404", err)
	}
	resp, err = request(t, b, s, logical.UpdateOperation, "keys/k/sign", map[string]any{"digest": "0x12"})
	if err != nil || !resp.IsError() {
		t.Fatalf("bad digest: %v %v", resp, err)
	}
}

// TestBackendNeverReturnsKey reads every path after every kind of write and
// checks that the private key's hex never appears in any response.
func TestBackendNeverReturnsKey(t *testing.T) {
	b, s := testBackend(t)
	key, _ := crypto.GenerateKey()
	keyHex := hex.EncodeToString(crypto.FromECDSA(key))

	var seen []string
	record := func(resp *logical.Response, err error) {
		if resp != nil {
			j, _ := json.Marshal(resp)
			seen = append(seen, string(j))
		}
		if err != nil {
			seen = append(seen, err.Error())
		}
	}
	record(request(t, b, s, logical.UpdateOperation, "keys/k", map[string]any{"private_key": keyHex}))
	record(request(t, b, s, logical.UpdateOperation, "keys/k", map[string]any{"private_key": keyHex})) // duplicate
	record(request(t, b, s, logical.ReadOperation, "keys/k", nil))
	record(request(t, b, s, logical.ListOperation, "keys/", nil))
	record(request(t, b, s, logical.UpdateOperation, "keys/k/sign", map[string]any{"digest": "0x" + strings.Repeat("01", 32)}))
	record(request(t, b, s, logical.UpdateOperation, "keys/k/sign", map[string]any{"chain_id": "1", "gas": "21000", "max_fee_per_gas": "1"}))
	record(request(t, b, s, logical.UpdateOperation, "keys/k/sign", map[string]any{"digest": keyHex})) // the key as a (bad) digest
	record(request(t, b, s, logical.HelpOperation, "keys/k", nil))
	record(request(t, b, s, logical.ReadOperation, "keys/k/sign", nil))
	if len(seen) < 8 {
		t.Fatalf("only %d responses recorded", len(seen))
	}
	for _, r := range seen {
		if strings.Contains(strings.ToLower(r), keyHex) {
			t.Fatalf("a response contains the private key: %s", r)
		}
	}
}

// TestBackendKeyCache checks that the cache of parsed keys never outlives
// the key: a deleted key cannot sign, a key re-created under the same name
// signs with the new key, and an invalidation from another node reloads.
func TestBackendKeyCache(t *testing.T) {
	b, s := testBackend(t)
	digest := map[string]any{"digest": crypto.Keccak256Hash([]byte("x")).Hex()}
	signer := func() (common.Address, error) {
		resp, err := request(t, b, s, logical.UpdateOperation, "keys/k/sign", digest)
		if err != nil {
			return common.Address{}, err
		}
		pub, err := crypto.SigToPub(crypto.Keccak256([]byte("x")), hexutil.MustDecode(resp.Data["signature"].(string)))
		if err != nil {
			t.Fatal(err)
		}
		return crypto.PubkeyToAddress(*pub), nil
	}
	importKey := func() common.Address {
		key, _ := crypto.GenerateKey()
		mustOK(t, b, s, logical.UpdateOperation, "keys/k", map[string]any{"private_key": hex.EncodeToString(crypto.FromECDSA(key))})
		return crypto.PubkeyToAddress(key.PublicKey)
	}

	first := importKey()
	if got, err := signer(); err != nil || got != first {
		t.Fatalf("signed by %v (%v), want %v", got, err, first)
	}
	mustOK(t, b, s, logical.DeleteOperation, "keys/k", nil)
	if _, err := signer(); err == nil {
		t.Fatal("a deleted key signed")
	}
	second := importKey()
	if got, err := signer(); err != nil || got != second {
		t.Fatalf("signed by %v (%v), want the re-created key %v", got, err, second)
	}

	// Another node replaced the key in storage and Vault invalidates it here.
	key, _ := crypto.GenerateKey()
	entry, _ := logical.StorageEntryJSON("keys/k", storedKey{PrivateKey: hex.EncodeToString(crypto.FromECDSA(key)), Address: crypto.PubkeyToAddress(key.PublicKey).Hex()})
	if err := s.Put(context.Background(), entry); err != nil {
		t.Fatal(err)
	}
	b.InvalidateKey(context.Background(), "keys/k")
	if got, err := signer(); err != nil || got != crypto.PubkeyToAddress(key.PublicKey) {
		t.Fatalf("after invalidation signed by %v (%v)", got, err)
	}
}
