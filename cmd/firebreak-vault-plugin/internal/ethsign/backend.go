// Package ethsign is the Vault secrets engine behind firebreak-vault-plugin:
// it creates or imports secp256k1 keys, keeps them in the mount's storage
// (seal-wrapped where the seal supports it), and signs 32-byte digests and
// EIP-1559 transactions with them. No path ever returns a private key.
//
// Paths, relative to the mount (for example eth/):
//
//	keys/                LIST    names of the keys
//	keys/:name           POST    create a random key, or import one (private_key, hex; write-only)
//	keys/:name           GET     {name, address, policy (whether the key has a signing policy)}
//	keys/:name           DELETE  remove the key (not its policy)
//	keys/:name/sign      POST    digest (0x, 32 bytes) -> signature (0x, 65 bytes, [R || S || V], V in {0, 1})
//	                             or chain_id, nonce, to, value, gas, max_fee_per_gas,
//	                             max_priority_fee_per_gas, data -> signed_transaction (0x raw EIP-2718), hash
//	keys/:name/policy    POST    set the key's signing policy, all of it: chain_ids, targets,
//	                             selectors, max_value (default 0), max_fee_per_gas (default no cap),
//	                             allow_digest (default false)
//	keys/:name/policy    GET     the policy, normalised
//	keys/:name/policy    DELETE  remove the policy
//
// A key without a policy signs whatever it is asked to. A key with one signs
// only transactions on its chains, to its targets, calling its selectors,
// within its value and fee caps, and raw digests only if allow_digest: a
// token that reaches sign can then make the key sign containment and
// nothing else. The policy is meant to be writable by operators only, never
// by the engine's token (see docs/vault-signing-policy.md).
//
// The layout follows Kaleido's vault-plugin-secrets-ethsign where that helps.
package ethsign

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

// keysPrefix is the storage prefix of the keys; it is seal-wrapped.
const keysPrefix = "keys/"

// Errors of the backend. Handlers turn them into Vault error responses.
var (
	// ErrKeyExists means a create or import named a key that already exists;
	// keys are never overwritten, delete the old one first.
	ErrKeyExists = errors.New("ethsign: key already exists")
	// ErrBadPrivateKey means an imported private_key is not a valid
	// secp256k1 key. The message never contains the key.
	ErrBadPrivateKey = errors.New("ethsign: private_key is not a valid hex secp256k1 private key")
	// ErrBadRequest means the sign request's fields could not be decoded.
	ErrBadRequest = errors.New("ethsign: bad sign request")
	// ErrBadPolicy means a signing policy written to keys/:name/policy is
	// invalid; the message says which field and why.
	ErrBadPolicy = errors.New("ethsign: bad key policy")
	// ErrRefused means the key's signing policy does not allow what a sign
	// request asked for; the message says which rule refused it.
	ErrRefused = errors.New("ethsign: refused by key policy")
)

// Factory creates the backend; it is the plugin's logical.Factory.
func Factory(ctx context.Context, conf *logical.BackendConfig) (logical.Backend, error) {
	b := newBackend()
	if err := b.Setup(ctx, conf); err != nil {
		return nil, fmt.Errorf("ethsign: setting up the backend: %w", err)
	}
	return b, nil
}

type backend struct {
	*framework.Backend

	// keys caches the parsed keys by name, as Vault's transit engine caches
	// its keys: a signature then costs no storage round trip to Vault.
	// Deletes, invalidations (another node changed storage) and the
	// backend's cleanup drop entries and zero them.
	mu   sync.RWMutex
	keys map[string]*cachedKey
	gen  uint64 // counts forgets, so that a load racing a delete is not cached
}

type cachedKey struct {
	key     *ecdsa.PrivateKey
	address string
	policy  *keyPolicy // nil: the key has no policy and signs as asked
}

func newBackend() *backend {
	b := &backend{keys: make(map[string]*cachedKey)}
	b.Backend = &framework.Backend{
		Help:        strings.TrimSpace(backendHelp),
		BackendType: logical.TypeLogical,
		Invalidate:  b.invalidate,
		Clean:       b.forgetAll,
		PathsSpecial: &logical.Paths{
			SealWrapStorage: []string{keysPrefix, policiesPrefix},
		},
		Paths: []*framework.Path{
			{
				Pattern: "keys/?$",
				Operations: map[logical.Operation]framework.OperationHandler{
					logical.ListOperation: &framework.PathOperation{Callback: b.listKeys},
				},
				HelpSynopsis: "List the names of the keys.",
			},
			{
				Pattern: "keys/" + framework.GenericNameRegex("name") + "/sign$",
				Fields:  signFields,
				Operations: map[logical.Operation]framework.OperationHandler{
					logical.UpdateOperation: &framework.PathOperation{Callback: b.sign},
				},
				HelpSynopsis: "Sign a 32-byte digest or an EIP-1559 transaction with the key, if its policy allows it.",
			},
			{
				Pattern:        "keys/" + framework.GenericNameRegex("name") + "/policy$",
				Fields:         policyFields,
				ExistenceCheck: b.policyExists,
				Operations: map[logical.Operation]framework.OperationHandler{
					// Create and update are both declared, so that an ACL
					// can tell setting a first policy from changing one.
					logical.CreateOperation: &framework.PathOperation{Callback: b.writePolicy},
					logical.UpdateOperation: &framework.PathOperation{Callback: b.writePolicy},
					logical.ReadOperation:   &framework.PathOperation{Callback: b.readPolicy},
					logical.DeleteOperation: &framework.PathOperation{Callback: b.deletePolicy},
				},
				HelpSynopsis:    "Set, read or remove the key's signing policy.",
				HelpDescription: strings.TrimSpace(policyHelp),
			},
			{
				Pattern: "keys/" + framework.GenericNameRegex("name") + "$",
				Fields: map[string]*framework.FieldSchema{
					"name": {Type: framework.TypeString, Description: "Name of the key.", Required: true},
					"private_key": {
						Type:         framework.TypeString,
						Description:  "Hex secp256k1 private key to import (write-only). Omit it to create a random key.",
						DisplayAttrs: &framework.DisplayAttributes{Sensitive: true},
					},
				},
				Operations: map[logical.Operation]framework.OperationHandler{
					logical.UpdateOperation: &framework.PathOperation{Callback: b.createKey},
					logical.ReadOperation:   &framework.PathOperation{Callback: b.readKey},
					logical.DeleteOperation: &framework.PathOperation{Callback: b.deleteKey},
				},
				HelpSynopsis: "Create, import, read (name and address only) or delete a key.",
			},
		},
	}
	return b
}

var signFields = map[string]*framework.FieldSchema{
	"name":                     {Type: framework.TypeString, Description: "Name of the key.", Required: true},
	"digest":                   {Type: framework.TypeString, Description: "0x-hex 32-byte digest to sign."},
	"chain_id":                 {Type: framework.TypeString, Description: "Chain id (decimal or 0x-hex)."},
	"nonce":                    {Type: framework.TypeString, Description: "Nonce (decimal or 0x-hex)."},
	"to":                       {Type: framework.TypeString, Description: "0x recipient address; empty for contract creation."},
	"value":                    {Type: framework.TypeString, Description: "Value in wei (decimal or 0x-hex)."},
	"gas":                      {Type: framework.TypeString, Description: "Gas limit (decimal or 0x-hex)."},
	"max_fee_per_gas":          {Type: framework.TypeString, Description: "Fee cap in wei (decimal or 0x-hex)."},
	"max_priority_fee_per_gas": {Type: framework.TypeString, Description: "Tip cap in wei (decimal or 0x-hex)."},
	"data":                     {Type: framework.TypeString, Description: "0x-hex call data."},
}

// storedKey is the storage entry of one key.
type storedKey struct {
	PrivateKey string `json:"private_key"` // hex, no 0x
	Address    string `json:"address"`
}

func (b *backend) listKeys(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	names, err := req.Storage.List(ctx, keysPrefix)
	if err != nil {
		return nil, fmt.Errorf("listing keys: %w", err)
	}
	return logical.ListResponse(names), nil
}

func (b *backend) createKey(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	existing, err := req.Storage.Get(ctx, keysPrefix+name)
	if err != nil {
		return nil, fmt.Errorf("reading key %q: %w", name, err)
	}
	if existing != nil {
		return logical.ErrorResponse("%v: %q; delete it first", ErrKeyExists, name), nil
	}

	var key *ecdsa.PrivateKey
	if imported, ok := d.GetOk("private_key"); ok {
		key, err = parsePrivateKey(imported.(string))
		if err != nil {
			return logical.ErrorResponse(err.Error()), nil
		}
	} else {
		key, err = crypto.GenerateKey()
		if err != nil {
			return nil, fmt.Errorf("generating a key: %w", err)
		}
	}
	defer zeroKey(key)

	raw := crypto.FromECDSA(key)
	defer clear(raw)
	address := crypto.PubkeyToAddress(key.PublicKey)
	entry, err := logical.StorageEntryJSON(keysPrefix+name, storedKey{
		PrivateKey: hex.EncodeToString(raw),
		Address:    address.Hex(),
	})
	if err != nil {
		return nil, fmt.Errorf("encoding key %q: %w", name, err)
	}
	entry.SealWrap = true
	if err := req.Storage.Put(ctx, entry); err != nil {
		return nil, fmt.Errorf("storing key %q: %w", name, err)
	}
	return &logical.Response{Data: map[string]any{"name": name, "address": address.Hex()}}, nil
}

func (b *backend) readKey(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	k, err := loadKey(ctx, req.Storage, name)
	if err != nil || k == nil {
		return nil, err
	}
	// Whether the key has a policy, so that a readiness check can flag one
	// without, using a token that may read the key but not its policy.
	hasPolicy, err := policyStored(ctx, req.Storage, name)
	if err != nil {
		return nil, err
	}
	return &logical.Response{Data: map[string]any{"name": name, "address": k.Address, "policy": hasPolicy}}, nil
}

func (b *backend) deleteKey(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	b.forget(name)
	if err := req.Storage.Delete(ctx, keysPrefix+name); err != nil {
		return nil, fmt.Errorf("deleting key %q: %w", name, err)
	}
	b.forget(name)
	return nil, nil
}

// signingKey returns the parsed key called name, with its policy, from the
// cache or from storage, or nil if there is none. A stored policy that does
// not validate is an error: the key then signs nothing rather than anything.
func (b *backend) signingKey(ctx context.Context, s logical.Storage, name string) (*cachedKey, error) {
	b.mu.RLock()
	k, gen := b.keys[name], b.gen
	b.mu.RUnlock()
	if k != nil {
		return k, nil
	}
	stored, err := loadKey(ctx, s, name)
	if err != nil || stored == nil {
		return nil, err
	}
	key, err := parsePrivateKey(stored.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("stored key %q is corrupt: %w", name, err)
	}
	policy, err := loadPolicy(ctx, s, name)
	if err != nil {
		zeroKey(key)
		return nil, err
	}
	k = &cachedKey{key: key, address: stored.Address, policy: policy}
	b.mu.Lock()
	defer b.mu.Unlock()
	if cached := b.keys[name]; cached != nil {
		zeroKey(key)
		return cached, nil
	}
	if b.gen == gen {
		b.keys[name] = k
	}
	return k, nil
}

// forget drops the cached key called name. The key is not zeroed: a
// signature in flight may still use it; the garbage collector frees it.
func (b *backend) forget(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	delete(b.keys, name)
}

func (b *backend) forgetAll(context.Context) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	clear(b.keys)
}

func (b *backend) invalidate(_ context.Context, key string) {
	for _, prefix := range []string{keysPrefix, policiesPrefix} {
		if name, ok := strings.CutPrefix(key, prefix); ok {
			b.forget(name)
		}
	}
}

func (b *backend) sign(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	fields := make(map[string]string, len(signFields))
	for f := range signFields {
		if v, ok := d.GetOk(f); ok && f != "name" {
			fields[f] = v.(string)
		}
	}
	r, err := parseSignRequest(fields)
	if err != nil {
		return logical.ErrorResponse(err.Error()), nil
	}

	k, err := b.signingKey(ctx, req.Storage, name)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, logical.CodedError(http.StatusNotFound, fmt.Sprintf("key %q not found", name))
	}
	if k.policy != nil {
		if err := k.policy.check(r); err != nil {
			// A refusal may be a stolen token at work, or the engine asking
			// for something its operator did not allow: either way worth a
			// line in Vault's own log, not only in the caller's.
			b.Logger().Warn("sign refused by key policy", "key", name, "reason", err.Error())
			return logical.ErrorResponse(err.Error()), nil
		}
	}
	key := k.key

	if r.tx == nil {
		sig, err := crypto.Sign(r.digest[:], key)
		if err != nil {
			return nil, fmt.Errorf("signing with key %q: %w", name, err)
		}
		return &logical.Response{Data: map[string]any{"signature": hexutil.Encode(sig)}}, nil
	}
	signed, err := types.SignTx(r.tx, types.NewLondonSigner(r.chainID), key)
	if err != nil {
		return nil, fmt.Errorf("signing a transaction with key %q: %w", name, err)
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encoding the signed transaction: %w", err)
	}
	return &logical.Response{Data: map[string]any{
		"signed_transaction": hexutil.Encode(raw),
		"hash":               signed.Hash().Hex(),
		"address":            k.address,
	}}, nil
}

// loadKey returns the stored key called name, or nil if there is none.
func loadKey(ctx context.Context, s logical.Storage, name string) (*storedKey, error) {
	entry, err := s.Get(ctx, keysPrefix+name)
	if err != nil {
		return nil, fmt.Errorf("reading key %q: %w", name, err)
	}
	if entry == nil {
		return nil, nil
	}
	var k storedKey
	if err := json.Unmarshal(entry.Value, &k); err != nil {
		// The error text of encoding/json can quote input: never wrap it.
		return nil, fmt.Errorf("stored key %q is not valid JSON", name)
	}
	if !common.IsHexAddress(k.Address) {
		return nil, fmt.Errorf("stored key %q has no valid address", name)
	}
	return &k, nil
}

// parsePrivateKey decodes a hex secp256k1 private key, with or without 0x.
// Its errors never contain the input.
func parsePrivateKey(s string) (*ecdsa.PrivateKey, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != 32 {
		clear(raw)
		return nil, ErrBadPrivateKey
	}
	defer clear(raw)
	key, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, ErrBadPrivateKey
	}
	return key, nil
}

// zeroKey overwrites the private scalar of key. Best effort: big.Int may
// have copied its words before.
func zeroKey(key *ecdsa.PrivateKey) {
	if key != nil && key.D != nil {
		clear(key.D.Bits())
	}
}

const backendHelp = `
The firebreak ethsign backend keeps secp256k1 keys in Vault and signs
Ethereum digests and EIP-1559 transactions with them. Private keys can be
created or imported but are never returned. A key may have a signing policy
(keys/:name/policy) that limits what it signs.
`

const policyHelp = `
A key's signing policy limits what the key signs. With a policy, a transaction
is signed only if its chain id is in chain_ids, its to is in targets (contract
creation is refused), the first 4 bytes of its data are in selectors, its value
is at most max_value (default 0) and its max_fee_per_gas at most
max_fee_per_gas (if set). A raw digest is signed only with allow_digest=true;
a digest can be any transaction's signing hash, so that allows everything.

A write sets the whole policy: fields left out take their defaults. Deleting
the key keeps its policy, so a key imported again under the same name is
bound by it at once. Without a policy the key signs whatever it is asked to.

  vault write eth/keys/guardian/policy chain_ids=1 targets=0x... \
      selectors=0x8456cb59 max_value=0 max_fee_per_gas=200000000000 allow_digest=false
`
