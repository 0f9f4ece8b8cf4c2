package impersonate

import (
	"encoding/json"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// FuzzDecodeRequest feeds arbitrary bodies to the request decoding: it
// never panics, and what it accepts is a JSON-RPC 2.0 call with a method,
// an id that is absent, a number or a string, and params that are absent,
// null, an array or an object; every refusal carries a JSON-RPC code.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`,
		`{"jsonrpc":"2.0","id":"a","method":"eth_sendRawTransaction","params":["0x02f8"]}`,
		`[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},{"jsonrpc":"2.0","method":"x"}]`,
		`{"jsonrpc":"2.0","id":{},"method":"m"}`,
		`{"jsonrpc":"2.0","id":1,"method":"m","params":"x"}`,
		`[]`, `[1,2]`, `{`, ``, `null`, `"x"`, `{"jsonrpc":"1.0"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		calls, _, err := decodeBody(body)
		if err != nil {
			if err.Code == 0 || err.Message == "" {
				t.Fatalf("refusal without code or message: %+v", err)
			}
			return
		}
		if len(calls) == 0 || len(calls) > maxBatch {
			t.Fatalf("%d calls accepted", len(calls))
		}
		for _, raw := range calls {
			req, err := decodeRequest(raw)
			if err != nil {
				if err.Code == 0 || err.Message == "" {
					t.Fatalf("refusal without code or message: %+v", err)
				}
				// The error answer must itself be valid JSON-RPC.
				if !json.Valid(errorResponse(req.ID, err)) {
					t.Fatalf("invalid error answer for %q", raw)
				}
				continue
			}
			if req.JSONRPC != "2.0" || req.Method == "" || !json.Valid(req.raw) {
				t.Fatalf("accepted %q as %+v", raw, req)
			}
			if len(req.ID) > 0 {
				var id any
				if json.Unmarshal(req.ID, &id) != nil {
					t.Fatalf("id %q is not JSON", req.ID)
				}
				switch id.(type) {
				case float64, string:
				default:
					t.Fatalf("accepted id %q", req.ID)
				}
			}
			if ps, ok := req.params(); ok && ps == nil && len(req.Params) > 0 && string(req.Params) != "null" {
				t.Fatalf("params %q read as none", req.Params)
			}
		}
	})
}

// FuzzRewrite feeds arbitrary upstream results to the rewrites, with one
// mapped transaction: they never panic, and valid JSON stays valid JSON.
func FuzzRewrite(f *testing.F) {
	key, _ := crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(31337)), &types.DynamicFeeTx{ChainID: big.NewInt(31337), Gas: 21000})
	if err != nil {
		f.Fatal(err)
	}
	fork := common.HexToHash("0xf0")
	p := &Proxy{toFork: map[common.Hash]common.Hash{}, toLocal: map[common.Hash]common.Hash{}, local: map[common.Hash]localTx{}}
	p.remember(tx, crypto.PubkeyToAddress(key.PublicKey), fork)
	h := `"` + fork.Hex() + `"`
	for _, seed := range []string{
		`{"hash":` + h + `,"blockHash":null,"blockNumber":null,"transactionIndex":null}`,
		`{"transactionHash":` + h + `,"from":"0x00","logs":[{"transactionHash":` + h + `},1,null]}`,
		`{"hash":"0x01","transactions":[` + h + `,{"hash":` + h + `},null,7]}`,
		`[` + h + `,{"transactionHash":` + h + `}]`,
		`null`, `{}`, `[]`, `{"transactions":{}}`, `{"logs":"x"}`, `"0x"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for name, rewrite := range map[string]func(json.RawMessage) json.RawMessage{
			"tx": p.rewriteTx, "block": p.rewriteBlock, "receipt": p.rewriteReceipt,
			"receipts": p.rewriteEach(p.rewriteReceipt), "logs": p.rewriteEach(p.rewriteLog),
		} {
			out := rewrite(raw)
			if json.Valid(raw) && !json.Valid(out) {
				t.Fatalf("%s: %q became %q", name, raw, out)
			}
		}
	})
}
