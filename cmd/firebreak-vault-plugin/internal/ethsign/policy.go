package ethsign

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/holiman/uint256"
)

// policiesPrefix is the storage prefix of the keys' signing policies; it is
// seal-wrapped like the keys. A policy belongs to the key's name but is
// stored apart from the key, so that deleting a key and importing its
// replacement under the same name (a rotation) never leaves the new key
// without its policy, not even for a moment; and a policy can be written
// before its key exists.
const policiesPrefix = "policy/"

var policyFields = map[string]*framework.FieldSchema{
	"name": {Type: framework.TypeString, Description: "Name of the key.", Required: true},
	"chain_ids": {
		Type:        framework.TypeCommaStringSlice,
		Description: "Chain ids transactions may be signed for (decimal or 0x-hex).",
	},
	"targets": {
		Type:        framework.TypeCommaStringSlice,
		Description: "0x addresses transactions may call (checksummed or lower case). Contract creation is never allowed.",
	},
	"selectors": {
		Type:        framework.TypeCommaStringSlice,
		Description: "4-byte function selectors (0x and 8 hex digits) transactions may call.",
	},
	"max_value": {
		Type:        framework.TypeString,
		Description: "Largest value in wei a transaction may carry (decimal or 0x-hex); default 0.",
	},
	"max_fee_per_gas": {
		Type:        framework.TypeString,
		Description: "Largest max_fee_per_gas in wei a transaction may offer; empty for no cap.",
	},
	"allow_digest": {
		Type:        framework.TypeBool,
		Description: "Whether raw 32-byte digests may be signed; default false. A digest can be the signing hash of any transaction, so true lets the key sign anything.",
	},
}

// keyPolicy is a key's signing policy, validated. With a policy, the key
// signs a transaction only if every one of its rules allows it, and a raw
// digest only if allowDigest.
type keyPolicy struct {
	chainIDs     []uint64
	targets      []common.Address
	selectors    [][4]byte
	maxValue     *uint256.Int
	maxFeePerGas *uint256.Int // nil: no cap
	allowDigest  bool
}

// policyInput is a policy as the operator writes it and as it is stored:
// strings, before validation. A stored policy goes through parsePolicy again
// when it is loaded, so an entry that was corrupted or written by another
// version refuses to sign instead of allowing more than it says.
type policyInput struct {
	ChainIDs     []string `json:"chain_ids"`
	Targets      []string `json:"targets"`
	Selectors    []string `json:"selectors"`
	MaxValue     string   `json:"max_value"`
	MaxFeePerGas string   `json:"max_fee_per_gas"`
	AllowDigest  bool     `json:"allow_digest"`
}

// parsePolicy validates a policy. Duplicates are dropped; the order of each
// list is kept.
func parsePolicy(in policyInput) (*keyPolicy, error) {
	p := &keyPolicy{
		chainIDs:    []uint64{},
		targets:     []common.Address{},
		selectors:   [][4]byte{},
		maxValue:    new(uint256.Int),
		allowDigest: in.AllowDigest,
	}
	for _, s := range in.ChainIDs {
		s = strings.TrimSpace(s)
		v, err := parseUint256(s)
		if err != nil || v.IsZero() || !v.IsUint64() {
			return nil, fmt.Errorf("%w: chain id %s is not an integer from 1 to 2^64-1", ErrBadPolicy, quote(s))
		}
		if !slices.Contains(p.chainIDs, v.Uint64()) {
			p.chainIDs = append(p.chainIDs, v.Uint64())
		}
	}
	for _, s := range in.Targets {
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, "0x") || len(s) != 42 || !common.IsHexAddress(s) {
			return nil, fmt.Errorf("%w: target %s is not 0x and 40 hex digits", ErrBadPolicy, quote(s))
		}
		a := common.HexToAddress(s)
		// Mixed case claims an EIP-55 checksum; a wrong one is most likely a
		// typo, and a typo here would make the engine's own pause refused.
		if digits := s[2:]; digits != strings.ToLower(digits) && digits != strings.ToUpper(digits) && a.Hex() != s {
			return nil, fmt.Errorf("%w: target %s fails its EIP-55 checksum (a typo?); give it checksummed or in lower case", ErrBadPolicy, s)
		}
		if a == (common.Address{}) {
			return nil, fmt.Errorf("%w: target %s is the zero address", ErrBadPolicy, s)
		}
		if !slices.Contains(p.targets, a) {
			p.targets = append(p.targets, a)
		}
	}
	for _, s := range in.Selectors {
		s = strings.TrimSpace(s)
		b, err := hexutil.Decode(s)
		if err != nil || len(b) != 4 {
			return nil, fmt.Errorf("%w: selector %s is not 0x and 8 hex digits", ErrBadPolicy, quote(s))
		}
		sel := [4]byte(b)
		if !slices.Contains(p.selectors, sel) {
			p.selectors = append(p.selectors, sel)
		}
	}

	// The three lists allow transactions together: a policy with targets
	// but no selectors is a mistake, not "any function".
	var missing []string
	for _, l := range []struct {
		name string
		n    int
	}{{"chain_ids", len(p.chainIDs)}, {"targets", len(p.targets)}, {"selectors", len(p.selectors)}} {
		if l.n == 0 {
			missing = append(missing, l.name)
		}
	}
	switch {
	case len(missing) == 3 && !p.allowDigest:
		return nil, fmt.Errorf("%w: it allows nothing: give chain_ids, targets and selectors to allow transactions, or allow_digest=true", ErrBadPolicy)
	case len(missing) > 0 && len(missing) < 3:
		return nil, fmt.Errorf("%w: chain_ids, targets and selectors go together; missing %s", ErrBadPolicy, strings.Join(missing, " and "))
	}

	if s := strings.TrimSpace(in.MaxValue); s != "" {
		v, err := parseUint256(s)
		if err != nil {
			return nil, fmt.Errorf("%w: max_value %s is not a decimal or 0x-hex amount of wei below 2^256", ErrBadPolicy, quote(s))
		}
		p.maxValue = v
	}
	if s := strings.TrimSpace(in.MaxFeePerGas); s != "" {
		v, err := parseUint256(s)
		if err != nil {
			return nil, fmt.Errorf("%w: max_fee_per_gas %s is not a decimal or 0x-hex amount of wei below 2^256", ErrBadPolicy, quote(s))
		}
		if v.IsZero() {
			return nil, fmt.Errorf("%w: max_fee_per_gas 0 would refuse every transaction; leave it empty for no cap", ErrBadPolicy)
		}
		p.maxFeePerGas = v
	}
	return p, nil
}

// quote is s quoted for an error message, cut short: policy fields are not
// secret, but an error should not echo a megabyte back.
func quote(s string) string {
	if len(s) > 70 {
		s = s[:70] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// check returns nil if the policy allows r, or why not (wrapping
// ErrRefused). The reasons name what was refused but never what the policy
// allows: a token that may sign but not read the policy should not learn it
// by asking.
func (p *keyPolicy) check(r signRequest) error {
	if r.tx == nil {
		if !p.allowDigest {
			return fmt.Errorf("%w: raw digest signing not allowed (allow_digest is false)", ErrRefused)
		}
		return nil
	}
	tx := r.tx
	if len(p.chainIDs) == 0 {
		return fmt.Errorf("%w: transactions not allowed (the policy allows digests only)", ErrRefused)
	}
	if !r.chainID.IsUint64() || !slices.Contains(p.chainIDs, r.chainID.Uint64()) {
		return fmt.Errorf("%w: chain id %s not allowed", ErrRefused, r.chainID)
	}
	if tx.To() == nil {
		return fmt.Errorf("%w: contract creation (no to) not allowed", ErrRefused)
	}
	if !slices.Contains(p.targets, *tx.To()) {
		return fmt.Errorf("%w: target %s not allowed", ErrRefused, tx.To().Hex())
	}
	data := tx.Data()
	if len(data) < 4 {
		return fmt.Errorf("%w: data of %d bytes has no 4-byte selector", ErrRefused, len(data))
	}
	if !slices.Contains(p.selectors, [4]byte(data[:4])) {
		return fmt.Errorf("%w: selector %s not allowed", ErrRefused, hexutil.Encode(data[:4]))
	}
	if tx.Value().Cmp(p.maxValue.ToBig()) > 0 {
		return fmt.Errorf("%w: value %s wei is above max_value %s", ErrRefused, tx.Value(), p.maxValue.Dec())
	}
	if p.maxFeePerGas != nil && tx.GasFeeCap().Cmp(p.maxFeePerGas.ToBig()) > 0 {
		return fmt.Errorf("%w: max_fee_per_gas %s wei is above the policy's max_fee_per_gas %s", ErrRefused, tx.GasFeeCap(), p.maxFeePerGas.Dec())
	}
	return nil
}

// stored is the policy in its normal form: decimal numbers, checksummed
// addresses, lower-case selectors.
func (p *keyPolicy) stored() policyInput {
	in := policyInput{
		ChainIDs:    make([]string, len(p.chainIDs)),
		Targets:     make([]string, len(p.targets)),
		Selectors:   make([]string, len(p.selectors)),
		MaxValue:    p.maxValue.Dec(),
		AllowDigest: p.allowDigest,
	}
	for i, c := range p.chainIDs {
		in.ChainIDs[i] = new(big.Int).SetUint64(c).String()
	}
	for i, a := range p.targets {
		in.Targets[i] = a.Hex()
	}
	for i, s := range p.selectors {
		in.Selectors[i] = hexutil.Encode(s[:])
	}
	if p.maxFeePerGas != nil {
		in.MaxFeePerGas = p.maxFeePerGas.Dec()
	}
	return in
}

// responseData is what reading or writing the policy returns.
func (p *keyPolicy) responseData(name string) map[string]any {
	s := p.stored()
	return map[string]any{
		"name":            name,
		"chain_ids":       p.chainIDs,
		"targets":         s.Targets,
		"selectors":       s.Selectors,
		"max_value":       s.MaxValue,
		"max_fee_per_gas": s.MaxFeePerGas,
		"allow_digest":    s.AllowDigest,
	}
}

func (b *backend) policyExists(ctx context.Context, req *logical.Request, d *framework.FieldData) (bool, error) {
	return policyStored(ctx, req.Storage, d.Get("name").(string))
}

// writePolicy sets the whole policy of a key: a field left out takes its
// default, it does not keep its old value, so what was written is all
// there is.
func (b *backend) writePolicy(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	// Vault ignores fields a path does not declare; here a misspelt field
	// (chain_id=1) would leave a rule at its default without a word.
	if f := unknownField(req.Data, policyFields); f != "" {
		return logical.ErrorResponse("%v: unknown field %q; the fields are chain_ids, targets, selectors, max_value, max_fee_per_gas, allow_digest", ErrBadPolicy, f), nil
	}
	p, err := parsePolicy(policyInput{
		ChainIDs:     d.Get("chain_ids").([]string),
		Targets:      d.Get("targets").([]string),
		Selectors:    d.Get("selectors").([]string),
		MaxValue:     d.Get("max_value").(string),
		MaxFeePerGas: d.Get("max_fee_per_gas").(string),
		AllowDigest:  d.Get("allow_digest").(bool),
	})
	if err != nil {
		return logical.ErrorResponse(err.Error()), nil
	}
	entry, err := logical.StorageEntryJSON(policiesPrefix+name, p.stored())
	if err != nil {
		return nil, fmt.Errorf("encoding the policy of key %q: %w", name, err)
	}
	entry.SealWrap = true
	// As in deleteKey: forget before and after, so that no load racing
	// the write caches the old policy.
	b.forget(name)
	if err := req.Storage.Put(ctx, entry); err != nil {
		return nil, fmt.Errorf("storing the policy of key %q: %w", name, err)
	}
	b.forget(name)
	return &logical.Response{Data: p.responseData(name)}, nil
}

func (b *backend) readPolicy(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	p, err := loadPolicy(ctx, req.Storage, name)
	if err != nil || p == nil {
		return nil, err
	}
	return &logical.Response{Data: p.responseData(name)}, nil
}

func (b *backend) deletePolicy(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	b.forget(name)
	if err := req.Storage.Delete(ctx, policiesPrefix+name); err != nil {
		return nil, fmt.Errorf("deleting the policy of key %q: %w", name, err)
	}
	b.forget(name)
	return nil, nil
}

// loadPolicy returns the stored policy of key name, or nil if it has none.
func loadPolicy(ctx context.Context, s logical.Storage, name string) (*keyPolicy, error) {
	entry, err := s.Get(ctx, policiesPrefix+name)
	if err != nil {
		return nil, fmt.Errorf("reading the policy of key %q: %w", name, err)
	}
	if entry == nil {
		return nil, nil
	}
	var in policyInput
	if err := json.Unmarshal(entry.Value, &in); err != nil {
		return nil, fmt.Errorf("stored policy of key %q is not valid JSON", name)
	}
	p, err := parsePolicy(in)
	if err != nil {
		return nil, fmt.Errorf("stored policy of key %q is invalid: %w", name, err)
	}
	return p, nil
}

// policyStored says whether key name has a policy, valid or not.
func policyStored(ctx context.Context, s logical.Storage, name string) (bool, error) {
	entry, err := s.Get(ctx, policiesPrefix+name)
	if err != nil {
		return false, fmt.Errorf("reading the policy of key %q: %w", name, err)
	}
	return entry != nil, nil
}

// unknownField returns a field of data that schema does not declare (the
// first in sorted order), or "".
func unknownField(data map[string]any, schema map[string]*framework.FieldSchema) string {
	var unknown []string
	for f := range data {
		if _, ok := schema[f]; !ok {
			unknown = append(unknown, f)
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	sort.Strings(unknown)
	return unknown[0]
}
