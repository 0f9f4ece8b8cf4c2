package ethsign

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/hashicorp/vault/sdk/logical"
)

const (
	pauseSel    = "0x8456cb59" // pause()
	unpauseSel  = "0x3f4ba83a" // unpause()
	transferSel = "0xa9059cbb" // transfer(address,uint256)
	guarded     = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
	elsewhere   = "0x00000000000000000000000000000000000000bb"
)

// pausePolicy is the policy of a guardian key: pause() on one contract of
// chain 31337, no value, fee cap 100 gwei, no digests.
func pausePolicy(t *testing.T) *keyPolicy {
	t.Helper()
	p, err := parsePolicy(policyInput{
		ChainIDs: []string{"31337"}, Targets: []string{guarded}, Selectors: []string{pauseSel},
		MaxValue: "0", MaxFeePerGas: "100000000000",
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// txRequest is a sign request for the pause, with fields overridden ("-"
// removes one).
func txRequest(t *testing.T, over map[string]string) signRequest {
	t.Helper()
	f := map[string]string{
		"chain_id": "31337", "nonce": "0", "to": guarded, "value": "0", "gas": "60000",
		"max_fee_per_gas": "30000000000", "max_priority_fee_per_gas": "1000000000", "data": pauseSel,
	}
	for k, v := range over {
		if v == "-" {
			delete(f, k)
		} else {
			f[k] = v
		}
	}
	r, err := parseSignRequest(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPolicyCheck(t *testing.T) {
	digest := signRequest{digest: [32]byte{1}}
	tests := []struct {
		name   string
		policy func(*keyPolicy)
		req    signRequest
		want   string // "" for allowed, else the refusal after "ethsign: refused by key policy: "
	}{
		{name: "the pause", req: txRequest(t, nil)},
		{name: "the pause with calldata after the selector", req: txRequest(t, map[string]string{"data": pauseSel + "00"})},
		{name: "the pause at the fee cap", req: txRequest(t, map[string]string{"max_fee_per_gas": "100000000000"})},
		{name: "the target in lower case", req: txRequest(t, map[string]string{"to": strings.ToLower(guarded)})},
		{name: "a transfer", req: txRequest(t, map[string]string{"data": transferSel + strings.Repeat("00", 64)}), want: "selector 0xa9059cbb not allowed"},
		{name: "another selector", req: txRequest(t, map[string]string{"data": unpauseSel}), want: "selector 0x3f4ba83a not allowed"},
		{name: "another target", req: txRequest(t, map[string]string{"to": elsewhere}), want: "target " + common.HexToAddress(elsewhere).Hex() + " not allowed"},
		{name: "another chain", req: txRequest(t, map[string]string{"chain_id": "1"}), want: "chain id 1 not allowed"},
		{name: "a chain id above 2^64", req: txRequest(t, map[string]string{"chain_id": "0x1" + strings.Repeat("0", 16)}), want: "chain id 18446744073709551616 not allowed"},
		{name: "contract creation", req: txRequest(t, map[string]string{"to": "-"}), want: "contract creation (no to) not allowed"},
		{name: "no data", req: txRequest(t, map[string]string{"data": "-"}), want: "data of 0 bytes has no 4-byte selector"},
		{name: "3 bytes of data", req: txRequest(t, map[string]string{"data": "0x8456cb"}), want: "data of 3 bytes has no 4-byte selector"},
		{name: "a non-zero value", req: txRequest(t, map[string]string{"value": "1"}), want: "value 1 wei is above max_value 0"},
		{name: "a fee cap above the policy's", req: txRequest(t, map[string]string{"max_fee_per_gas": "100000000001"}), want: "max_fee_per_gas 100000000001 wei is above the policy's max_fee_per_gas 100000000000"},
		{name: "a raw digest", req: digest, want: "raw digest signing not allowed (allow_digest is false)"},
		{name: "a raw digest with allow_digest", policy: func(p *keyPolicy) { p.allowDigest = true }, req: digest},
		{name: "a value within max_value", policy: func(p *keyPolicy) { p.maxValue.SetUint64(10) }, req: txRequest(t, map[string]string{"value": "10"})},
		{name: "any fee without a cap", policy: func(p *keyPolicy) { p.maxFeePerGas = nil }, req: txRequest(t, map[string]string{"max_fee_per_gas": "1000000000000000"})},
		{name: "a transaction under a digest-only policy", policy: func(p *keyPolicy) {
			p.chainIDs, p.targets, p.selectors, p.allowDigest = nil, nil, nil, true
		}, req: txRequest(t, nil), want: "transactions not allowed (the policy allows digests only)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pausePolicy(t)
			if tt.policy != nil {
				tt.policy(p)
			}
			err := p.check(tt.req)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrRefused) || err.Error() != "ethsign: refused by key policy: "+tt.want {
				t.Fatalf("err = %v, want %q wrapping ErrRefused", err, tt.want)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	valid := func(over func(*policyInput)) policyInput {
		in := policyInput{ChainIDs: []string{"31337"}, Targets: []string{guarded}, Selectors: []string{pauseSel}}
		if over != nil {
			over(&in)
		}
		return in
	}
	tests := []struct {
		name  string
		in    policyInput
		err   string // part of the error; "" for valid
		check func(t *testing.T, p *keyPolicy)
	}{
		{name: "minimal", in: valid(nil), check: func(t *testing.T, p *keyPolicy) {
			if !p.maxValue.IsZero() || p.maxFeePerGas != nil || p.allowDigest {
				t.Fatalf("defaults: max_value %v, max_fee_per_gas %v, allow_digest %v", p.maxValue, p.maxFeePerGas, p.allowDigest)
			}
		}},
		{name: "normal form", in: valid(func(in *policyInput) {
			in.ChainIDs = []string{" 0x7a69 ", "1", "31337"}
			in.Targets = []string{strings.ToLower(guarded), guarded}
			in.Selectors = []string{"0x8456CB59", pauseSel, transferSel}
			in.MaxValue, in.MaxFeePerGas = "0x10", "0x3b9aca00"
		}), check: func(t *testing.T, p *keyPolicy) {
			s := p.stored()
			if strings.Join(s.ChainIDs, ",") != "31337,1" || strings.Join(s.Targets, ",") != guarded ||
				strings.Join(s.Selectors, ",") != pauseSel+","+transferSel || s.MaxValue != "16" || s.MaxFeePerGas != "1000000000" {
				t.Fatalf("stored %+v", s)
			}
		}},
		{name: "digest only", in: policyInput{AllowDigest: true}, check: func(t *testing.T, p *keyPolicy) {
			if len(p.chainIDs) != 0 || !p.allowDigest {
				t.Fatalf("%+v", p)
			}
		}},
		{name: "nothing", in: policyInput{}, err: "it allows nothing"},
		{name: "no selectors", in: valid(func(in *policyInput) { in.Selectors = nil }), err: "go together; missing selectors"},
		{name: "only chain ids", in: policyInput{ChainIDs: []string{"1"}, AllowDigest: true}, err: "missing targets and selectors"},
		{name: "chain id 0", in: valid(func(in *policyInput) { in.ChainIDs = []string{"0"} }), err: `chain id "0" is not an integer from 1 to 2^64-1`},
		{name: "negative chain id", in: valid(func(in *policyInput) { in.ChainIDs = []string{"-1"} }), err: `chain id "-1"`},
		{name: "chain id above 2^64", in: valid(func(in *policyInput) { in.ChainIDs = []string{"18446744073709551616"} }), err: "chain id"},
		{name: "empty chain id", in: valid(func(in *policyInput) { in.ChainIDs = []string{"1", ""} }), err: `chain id ""`},
		{name: "short target", in: valid(func(in *policyInput) { in.Targets = []string{"0x1234"} }), err: `target "0x1234" is not 0x and 40 hex digits`},
		{name: "target without 0x", in: valid(func(in *policyInput) { in.Targets = []string{guarded[2:]} }), err: "is not 0x and 40 hex digits"},
		{name: "target with a bad checksum", in: valid(func(in *policyInput) { in.Targets = []string{"0x5fbDB2315678afecb367f032d93F642f64180aa3"} }), err: "fails its EIP-55 checksum"},
		{name: "zero target", in: valid(func(in *policyInput) { in.Targets = []string{"0x" + strings.Repeat("0", 40)} }), err: "is the zero address"},
		{name: "long target quoted short", in: valid(func(in *policyInput) { in.Targets = []string{strings.Repeat("a", 1000)} }), err: `..." is not 0x`},
		{name: "selector of 3 bytes", in: valid(func(in *policyInput) { in.Selectors = []string{"0x8456cb"} }), err: `selector "0x8456cb" is not 0x and 8 hex digits`},
		{name: "selector without 0x", in: valid(func(in *policyInput) { in.Selectors = []string{"8456cb59"} }), err: "selector"},
		{name: "selector as a signature", in: valid(func(in *policyInput) { in.Selectors = []string{"pause()"} }), err: `selector "pause()"`},
		{name: "max_value negative", in: valid(func(in *policyInput) { in.MaxValue = "-1" }), err: `max_value "-1" is not a decimal or 0x-hex amount of wei`},
		{name: "max_value in ether", in: valid(func(in *policyInput) { in.MaxValue = "1 ether" }), err: "max_value"},
		{name: "max_fee_per_gas zero", in: valid(func(in *policyInput) { in.MaxFeePerGas = "0" }), err: "max_fee_per_gas 0 would refuse every transaction"},
		{name: "max_fee_per_gas in gwei", in: valid(func(in *policyInput) { in.MaxFeePerGas = "30gwei" }), err: `max_fee_per_gas "30gwei"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePolicy(tt.in)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tt.check != nil {
					tt.check(t, p)
				}
				// The stored form parses to the same policy.
				again, err := parsePolicy(p.stored())
				if err != nil || again.stored().MaxValue != p.stored().MaxValue || strings.Join(again.stored().Targets, ",") != strings.Join(p.stored().Targets, ",") {
					t.Fatalf("stored form does not round-trip: %+v, %v", again, err)
				}
				return
			}
			if !errors.Is(err, ErrBadPolicy) || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want ErrBadPolicy containing %q", err, tt.err)
			}
		})
	}
}

// TestBackendPolicy runs the policy path on the backend: write (CLI-style
// comma lists and JSON lists), read, the key's policy flag, refusals at
// sign, unknown fields, delete; and that the policy outlives its key.
func TestBackendPolicy(t *testing.T) {
	b, s := testBackend(t)
	mustOK(t, b, s, logical.UpdateOperation, "keys/guardian", nil)

	flag := func() any {
		return mustOK(t, b, s, logical.ReadOperation, "keys/guardian", nil).Data["policy"]
	}
	if got := flag(); got != false {
		t.Fatalf("policy flag before a policy = %v", got)
	}
	resp, err := request(t, b, s, logical.ReadOperation, "keys/guardian/policy", nil)
	if err != nil || resp != nil {
		t.Fatalf("read of no policy: %v %v", resp, err)
	}

	found, exists, err := b.HandleExistenceCheck(context.Background(), &logical.Request{Operation: logical.CreateOperation, Path: "keys/guardian/policy", Storage: s})
	if err != nil || !found || exists {
		t.Fatalf("existence before a write: found %v, exists %v, %v", found, exists, err)
	}
	resp = mustOK(t, b, s, logical.CreateOperation, "keys/guardian/policy", map[string]any{
		"chain_ids": "31337,1", "targets": strings.ToLower(guarded), "selectors": pauseSel,
		"max_value": "0", "max_fee_per_gas": "100000000000", "allow_digest": "false",
	})
	if resp.Data["targets"].([]string)[0] != guarded || resp.Data["max_fee_per_gas"] != "100000000000" {
		t.Fatalf("write returned %v", resp.Data)
	}
	_, exists, err = b.HandleExistenceCheck(context.Background(), &logical.Request{Operation: logical.CreateOperation, Path: "keys/guardian/policy", Storage: s})
	if err != nil || !exists {
		t.Fatalf("existence after a write: %v %v", exists, err)
	}
	if got := flag(); got != true {
		t.Fatalf("policy flag = %v", got)
	}

	pause := map[string]any{"chain_id": "31337", "to": guarded, "gas": "60000", "max_fee_per_gas": "30000000000", "data": pauseSel}
	mustOK(t, b, s, logical.UpdateOperation, "keys/guardian/sign", pause)
	refused := func(data map[string]any, want string) {
		t.Helper()
		resp, err := request(t, b, s, logical.UpdateOperation, "keys/guardian/sign", data)
		if err != nil || resp == nil || !resp.IsError() || resp.Error().Error() != "ethsign: refused by key policy: "+want {
			t.Fatalf("sign %v: %v %v, want refused: %s", data, resp, err, want)
		}
	}
	refused(map[string]any{"digest": crypto.Keccak256Hash(nil).Hex()}, "raw digest signing not allowed (allow_digest is false)")

	// A write replaces the whole policy: allow_digest now, and the target
	// list as a JSON list; max_fee_per_gas left out is no cap again.
	resp = mustOK(t, b, s, logical.UpdateOperation, "keys/guardian/policy", map[string]any{
		"chain_ids": []any{31337}, "targets": []any{guarded, elsewhere}, "selectors": []any{pauseSel}, "allow_digest": true,
	})
	if resp.Data["max_fee_per_gas"] != "" || resp.Data["allow_digest"] != true || len(resp.Data["targets"].([]string)) != 2 {
		t.Fatalf("second write returned %v", resp.Data)
	}
	mustOK(t, b, s, logical.UpdateOperation, "keys/guardian/sign", map[string]any{"digest": crypto.Keccak256Hash(nil).Hex()})
	pause["max_fee_per_gas"] = "1000000000000"
	mustOK(t, b, s, logical.UpdateOperation, "keys/guardian/sign", pause)
	refused(map[string]any{"chain_id": "1", "to": guarded, "gas": "60000", "max_fee_per_gas": "1", "data": pauseSel}, "chain id 1 not allowed")

	for _, bad := range []struct {
		data map[string]any
		want string
	}{
		{map[string]any{"chain_id": "1", "targets": guarded, "selectors": pauseSel}, `ethsign: bad key policy: unknown field "chain_id"`},
		{map[string]any{"chain_ids": "1", "targets": guarded}, "ethsign: bad key policy: chain_ids, targets and selectors go together; missing selectors"},
		{map[string]any{"chain_ids": "1", "targets": guarded, "selectors": "transfer"}, `ethsign: bad key policy: selector "transfer" is not 0x and 8 hex digits`},
		{map[string]any{}, "ethsign: bad key policy: it allows nothing"},
	} {
		resp, err := request(t, b, s, logical.UpdateOperation, "keys/guardian/policy", bad.data)
		if err != nil || resp == nil || !resp.IsError() || !strings.HasPrefix(resp.Error().Error(), bad.want) {
			t.Fatalf("write %v: %v %v, want %q", bad.data, resp, err, bad.want)
		}
	}
	// A refused write left the policy as it was.
	mustOK(t, b, s, logical.UpdateOperation, "keys/guardian/sign", map[string]any{"digest": crypto.Keccak256Hash(nil).Hex()})

	// Deleting the key keeps the policy: the key imported again is bound.
	mustOK(t, b, s, logical.DeleteOperation, "keys/guardian", nil)
	mustOK(t, b, s, logical.UpdateOperation, "keys/guardian", nil)
	refused(map[string]any{"chain_id": "1", "to": guarded, "gas": "60000", "max_fee_per_gas": "1", "data": pauseSel}, "chain id 1 not allowed")

	mustOK(t, b, s, logical.DeleteOperation, "keys/guardian/policy", nil)
	if got := flag(); got != false {
		t.Fatalf("policy flag after delete = %v", got)
	}
	mustOK(t, b, s, logical.UpdateOperation, "keys/guardian/sign", map[string]any{"chain_id": "1", "to": guarded, "gas": "60000", "max_fee_per_gas": "1", "data": pauseSel})
}

// TestBackendPolicyCache checks that the cached key never signs under a
// policy that is gone: a policy written, changed or deleted here or by
// another node (an invalidation) applies to the next signature, and a
// stored policy that does not validate refuses everything.
func TestBackendPolicyCache(t *testing.T) {
	b, s := testBackend(t)
	ctx := context.Background()
	mustOK(t, b, s, logical.UpdateOperation, "keys/k", nil)
	digest := map[string]any{"digest": crypto.Keccak256Hash([]byte("x")).Hex()}
	signs := func() bool {
		t.Helper()
		resp, err := request(t, b, s, logical.UpdateOperation, "keys/k/sign", digest)
		if err != nil {
			t.Fatal(err)
		}
		return !resp.IsError()
	}
	if !signs() { // cached now, with no policy
		t.Fatal("no policy, refused")
	}
	mustOK(t, b, s, logical.UpdateOperation, "keys/k/policy", map[string]any{"chain_ids": "1", "targets": guarded, "selectors": pauseSel})
	if signs() {
		t.Fatal("signed a digest after a policy without allow_digest was written")
	}

	put := func(value string) {
		t.Helper()
		if err := s.Put(ctx, &logical.StorageEntry{Key: "policy/k", Value: []byte(value)}); err != nil {
			t.Fatal(err)
		}
		b.InvalidateKey(ctx, "policy/k")
	}
	// Another node allowed digests.
	put(`{"allow_digest": true}`)
	if !signs() {
		t.Fatal("refused after another node allowed digests")
	}
	// Another node wrote a policy this version does not understand.
	put(`{"chain_ids": ["1"], "targets": ["nope"], "selectors": ["` + pauseSel + `"], "allow_digest": true}`)
	_, err := request(t, b, s, logical.UpdateOperation, "keys/k/sign", digest)
	if err == nil || !strings.Contains(err.Error(), `stored policy of key "k" is invalid`) {
		t.Fatalf("sign under an invalid stored policy: %v", err)
	}
	put(`not json`)
	if _, err := request(t, b, s, logical.UpdateOperation, "keys/k/sign", digest); err == nil {
		t.Fatal("signed under a policy that is not JSON")
	}
	// Another node deleted it.
	if err := s.Delete(ctx, "policy/k"); err != nil {
		t.Fatal(err)
	}
	b.InvalidateKey(ctx, "policy/k")
	if !signs() {
		t.Fatal("refused after the policy was deleted")
	}
}

// FuzzParsePolicy: never panics, and what it accepts is stored in a form
// that parses to the same policy.
func FuzzParsePolicy(f *testing.F) {
	f.Add("31337", guarded, pauseSel, "0", "100000000000", false)
	f.Add("0x7a69", strings.ToLower(guarded), "0xA9059CBB", "0x0", "", true)
	f.Add("", "", "", "", "", true)
	f.Add("-1", "0x", "0x", "1e18", "0", false)
	f.Fuzz(func(t *testing.T, chainID, target, selector, maxValue, maxFee string, allowDigest bool) {
		in := policyInput{MaxValue: maxValue, MaxFeePerGas: maxFee, AllowDigest: allowDigest}
		for _, l := range []struct {
			dst *[]string
			s   string
		}{{&in.ChainIDs, chainID}, {&in.Targets, target}, {&in.Selectors, selector}} {
			if l.s != "" {
				*l.dst = strings.Split(l.s, ",")
			}
		}
		p, err := parsePolicy(in)
		if err != nil {
			if !errors.Is(err, ErrBadPolicy) {
				t.Fatalf("error %v is not ErrBadPolicy", err)
			}
			return
		}
		again, err := parsePolicy(p.stored())
		if err != nil {
			t.Fatalf("stored form %+v does not parse: %v", p.stored(), err)
		}
		a, b := p.stored(), again.stored()
		if strings.Join(a.ChainIDs, ",") != strings.Join(b.ChainIDs, ",") || strings.Join(a.Targets, ",") != strings.Join(b.Targets, ",") ||
			strings.Join(a.Selectors, ",") != strings.Join(b.Selectors, ",") || a.MaxValue != b.MaxValue || a.MaxFeePerGas != b.MaxFeePerGas || a.AllowDigest != b.AllowDigest {
			t.Fatalf("stored form changed: %+v -> %+v", a, b)
		}
	})
}
