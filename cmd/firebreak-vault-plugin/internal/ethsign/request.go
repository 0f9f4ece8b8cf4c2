package ethsign

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"
)

// maxDataLen bounds the call data of a transaction to sign (128 KiB, the
// txpool's default transaction size limit).
const maxDataLen = 128 * 1024

// signRequest is a decoded sign request: either a digest or a transaction.
type signRequest struct {
	digest  [32]byte
	tx      *types.Transaction // nil for a digest
	chainID *big.Int
}

var txFieldNames = []string{"chain_id", "nonce", "to", "value", "gas", "max_fee_per_gas", "max_priority_fee_per_gas", "data"}

// parseSignRequest decodes the string fields of a sign request. A request
// carries either digest or a transaction (chain_id, gas and max_fee_per_gas
// required; nonce, value, max_priority_fee_per_gas default to 0; an empty to
// creates a contract), never both.
func parseSignRequest(fields map[string]string) (signRequest, error) {
	var r signRequest
	hasTx := false
	for _, f := range txFieldNames {
		if fields[f] != "" {
			hasTx = true
		}
	}
	digest, hasDigest := fields["digest"]
	switch {
	case hasDigest && hasTx:
		return r, fmt.Errorf("%w: give either digest or transaction fields, not both", ErrBadRequest)
	case hasDigest:
		b, err := hexutil.Decode(strings.TrimSpace(digest))
		if err != nil || len(b) != 32 {
			return r, fmt.Errorf("%w: digest must be 0x followed by 64 hex digits", ErrBadRequest)
		}
		copy(r.digest[:], b)
		return r, nil
	case !hasTx:
		return r, fmt.Errorf("%w: give a digest or transaction fields", ErrBadRequest)
	}

	var err error
	num := func(field string, required bool) *uint256.Int {
		if err != nil {
			return nil
		}
		var v *uint256.Int
		v, err = parseNumber(field, fields[field], required)
		return v
	}
	chainID := num("chain_id", true)
	nonce := num("nonce", false)
	value := num("value", false)
	gas := num("gas", true)
	feeCap := num("max_fee_per_gas", true)
	tipCap := num("max_priority_fee_per_gas", false)
	if err != nil {
		return r, err
	}
	if chainID.IsZero() {
		return r, fmt.Errorf("%w: chain_id must not be 0", ErrBadRequest)
	}
	if !nonce.IsUint64() || !gas.IsUint64() {
		return r, fmt.Errorf("%w: nonce and gas must fit in 64 bits", ErrBadRequest)
	}
	if tipCap.Gt(feeCap) {
		return r, fmt.Errorf("%w: max_priority_fee_per_gas %s is above max_fee_per_gas %s", ErrBadRequest, tipCap.Dec(), feeCap.Dec())
	}

	var to *common.Address
	if s := strings.TrimSpace(fields["to"]); s != "" {
		if !strings.HasPrefix(s, "0x") || !common.IsHexAddress(s) {
			return r, fmt.Errorf("%w: to must be a 0x address of 20 bytes", ErrBadRequest)
		}
		a := common.HexToAddress(s)
		to = &a
	}
	var data []byte
	if s := strings.TrimSpace(fields["data"]); s != "" && s != "0x" {
		if len(s) > 2+2*maxDataLen {
			return r, fmt.Errorf("%w: data is longer than %d bytes", ErrBadRequest, maxDataLen)
		}
		data, err = hexutil.Decode(s)
		if err != nil {
			return r, fmt.Errorf("%w: data must be 0x-hex bytes: %v", ErrBadRequest, err)
		}
	}

	r.chainID = chainID.ToBig()
	r.tx = types.NewTx(&types.DynamicFeeTx{
		ChainID:   r.chainID,
		Nonce:     nonce.Uint64(),
		GasTipCap: tipCap.ToBig(),
		GasFeeCap: feeCap.ToBig(),
		Gas:       gas.Uint64(),
		To:        to,
		Value:     value.ToBig(),
		Data:      data,
	})
	return r, nil
}

// parseNumber decodes a non-negative integer of at most 256 bits, decimal
// or 0x-hex. An empty optional field is 0.
func parseNumber(field, s string, required bool) (*uint256.Int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return nil, fmt.Errorf("%w: %s is required", ErrBadRequest, field)
		}
		return new(uint256.Int), nil
	}
	v, err := parseUint256(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s must be a decimal or 0x-hex integer below 2^256: %v", ErrBadRequest, field, err)
	}
	return v, nil
}

// parseUint256 decodes a non-negative integer of at most 256 bits, decimal
// or 0x-hex, without surrounding space.
func parseUint256(s string) (*uint256.Int, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		// uint256 rejects leading zeros after 0x; callers pad freely.
		digits := strings.TrimLeft(s[2:], "0")
		if digits == "" && len(s) > 2 {
			digits = "0"
		}
		return uint256.FromHex("0x" + digits)
	}
	return uint256.FromDecimal(s)
}
