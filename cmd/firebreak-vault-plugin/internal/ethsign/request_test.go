package ethsign

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func TestParseSignRequest(t *testing.T) {
	to := "0x00000000000000000000000000000000000000aa"
	tx := func(over map[string]string) map[string]string {
		f := map[string]string{
			"chain_id": "1", "nonce": "7", "to": to, "value": "0x0de0b6b3a7640000",
			"gas": "21000", "max_fee_per_gas": "30000000000", "max_priority_fee_per_gas": "0x3b9aca00", "data": "0xdeadbeef",
		}
		for k, v := range over {
			if v == "-" {
				delete(f, k)
			} else {
				f[k] = v
			}
		}
		return f
	}
	tests := []struct {
		name    string
		fields  map[string]string
		wantErr bool
		check   func(t *testing.T, r signRequest)
	}{
		{name: "digest", fields: map[string]string{"digest": "0x" + strings.Repeat("ab", 32)}, check: func(t *testing.T, r signRequest) {
			if r.tx != nil || r.digest[31] != 0xab {
				t.Fatalf("got %+v", r)
			}
		}},
		{name: "digest too short", fields: map[string]string{"digest": "0x" + strings.Repeat("ab", 31)}, wantErr: true},
		{name: "digest without 0x", fields: map[string]string{"digest": strings.Repeat("ab", 32)}, wantErr: true},
		{name: "empty digest", fields: map[string]string{"digest": ""}, wantErr: true},
		{name: "nothing", fields: map[string]string{}, wantErr: true},
		{name: "digest and tx", fields: tx(map[string]string{"digest": "0x" + strings.Repeat("00", 32)}), wantErr: true},
		{name: "full tx", fields: tx(nil), check: func(t *testing.T, r signRequest) {
			if r.chainID.Int64() != 1 || r.tx.Nonce() != 7 || r.tx.Gas() != 21000 || *r.tx.To() != common.HexToAddress(to) {
				t.Fatalf("got %+v", r.tx)
			}
			if r.tx.Value().Cmp(big.NewInt(1e18)) != 0 || r.tx.GasTipCap().Int64() != 1e9 || r.tx.GasFeeCap().Int64() != 30e9 {
				t.Fatalf("fees/value: %v %v %v", r.tx.Value(), r.tx.GasTipCap(), r.tx.GasFeeCap())
			}
			if string(r.tx.Data()) != "\xde\xad\xbe\xef" {
				t.Fatalf("data %x", r.tx.Data())
			}
		}},
		{name: "contract creation", fields: tx(map[string]string{"to": "-"}), check: func(t *testing.T, r signRequest) {
			if r.tx.To() != nil {
				t.Fatal("want nil to")
			}
		}},
		{name: "optional fields default to 0", fields: tx(map[string]string{"nonce": "-", "value": "-", "max_priority_fee_per_gas": "-", "data": "-"}), check: func(t *testing.T, r signRequest) {
			if r.tx.Nonce() != 0 || r.tx.Value().Sign() != 0 || r.tx.GasTipCap().Sign() != 0 || len(r.tx.Data()) != 0 {
				t.Fatalf("got %+v", r.tx)
			}
		}},
		{name: "hex with leading zeros", fields: tx(map[string]string{"nonce": "0x0007"}), check: func(t *testing.T, r signRequest) {
			if r.tx.Nonce() != 7 {
				t.Fatalf("nonce %d", r.tx.Nonce())
			}
		}},
		{name: "no chain id", fields: tx(map[string]string{"chain_id": "-"}), wantErr: true},
		{name: "chain id 0", fields: tx(map[string]string{"chain_id": "0"}), wantErr: true},
		{name: "no gas", fields: tx(map[string]string{"gas": "-"}), wantErr: true},
		{name: "no fee cap", fields: tx(map[string]string{"max_fee_per_gas": "-"}), wantErr: true},
		{name: "negative value", fields: tx(map[string]string{"value": "-1"}), wantErr: true},
		{name: "value above 2^256", fields: tx(map[string]string{"value": "0x1" + strings.Repeat("0", 64)}), wantErr: true},
		{name: "nonce above 2^64", fields: tx(map[string]string{"nonce": "18446744073709551616"}), wantErr: true},
		{name: "tip above cap", fields: tx(map[string]string{"max_priority_fee_per_gas": "30000000001"}), wantErr: true},
		{name: "short to", fields: tx(map[string]string{"to": "0x1234"}), wantErr: true},
		{name: "to without 0x", fields: tx(map[string]string{"to": strings.TrimPrefix(to, "0x")}), wantErr: true},
		{name: "odd data", fields: tx(map[string]string{"data": "0xabc"}), wantErr: true},
		{name: "data too long", fields: tx(map[string]string{"data": "0x" + strings.Repeat("00", maxDataLen+1)}), wantErr: true},
		{name: "word as number", fields: tx(map[string]string{"gas": "lots"}), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseSignRequest(tt.fields)
			if tt.wantErr {
				if !errors.Is(err, ErrBadRequest) {
					t.Fatalf("err = %v, want ErrBadRequest", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}

func TestParsePrivateKey(t *testing.T) {
	valid := strings.Repeat("11", 32)
	tests := []struct {
		in string
		ok bool
	}{
		{valid, true},
		{"0x" + valid, true},
		{" " + valid + "\n", true},
		{strings.Repeat("11", 31), false},
		{strings.Repeat("zz", 32), false},
		{strings.Repeat("00", 32), false}, // zero is not a key
		{"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", false}, // the curve order
		{"", false},
	}
	for _, tt := range tests {
		_, err := parsePrivateKey(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parsePrivateKey(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && tt.in != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
			t.Errorf("error %q quotes the key", err)
		}
	}
}

// FuzzParseSignRequest feeds arbitrary field values to the decoder: it must
// never panic, and anything it accepts must be a well-formed request.
func FuzzParseSignRequest(f *testing.F) {
	f.Add("", "1", "0", "0x00000000000000000000000000000000000000aa", "0", "21000", "1", "0", "0x")
	f.Add("0x"+strings.Repeat("ab", 32), "", "", "", "", "", "", "", "")
	f.Add("", "0x01", "0xff", "", "0x0de0b6b3a7640000", "0x5208", "0x10", "0x10", "0xdeadbeef")
	f.Add("", "-1", "+3", "0x", "1e18", "0x", "0x-1", "  7 ", "0xzz")
	f.Fuzz(func(t *testing.T, digest, chainID, nonce, to, value, gas, feeCap, tipCap, data string) {
		fields := map[string]string{
			"chain_id": chainID, "nonce": nonce, "to": to, "value": value, "gas": gas,
			"max_fee_per_gas": feeCap, "max_priority_fee_per_gas": tipCap, "data": data,
		}
		if digest != "" {
			fields["digest"] = digest
		}
		r, err := parseSignRequest(fields)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("error %v is not ErrBadRequest", err)
			}
			return
		}
		if r.tx == nil {
			return
		}
		if r.chainID.Sign() <= 0 || r.tx.GasTipCap().Cmp(r.tx.GasFeeCap()) > 0 || r.tx.Value().BitLen() > 256 {
			t.Fatalf("accepted a malformed tx: %+v", r.tx)
		}
		if _, err := r.tx.MarshalBinary(); err != nil {
			t.Fatalf("accepted tx does not encode: %v", err)
		}
	})
}

// FuzzParsePrivateKey: never panics, never quotes its input in an error, and
// what it accepts round-trips.
func FuzzParsePrivateKey(f *testing.F) {
	f.Add(strings.Repeat("11", 32))
	f.Add("0x" + strings.Repeat("ff", 32))
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := parsePrivateKey(s)
		if err != nil {
			if len(s) > 8 && strings.Contains(err.Error(), s) {
				t.Fatalf("error %q quotes the input", err)
			}
			return
		}
		if key.D.Sign() <= 0 {
			t.Fatal("accepted a zero key")
		}
	})
}
