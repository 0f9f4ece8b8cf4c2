package impersonate_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/engine/simulate/impersonate"
)

const (
	chainID = 31337
	// Anvil's first development key deploys the demo; it is never a stand-in.
	adminKey = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	// The account's nonce on the fork, so that a stand-in's nonce of 0
	// could not pass for it.
	accountNonce = 7
)

// fixture is an anvil chain with the demo protocol whose guardian S is a
// fresh account (funded here, in the test's setup only), a fresh stand-in
// key K with no ETH and no role, and the proxy in front of the chain.
type fixture struct {
	ctx      context.Context
	anvil    *simulate.Anvil
	fork     *ethclient.Client // the chain, directly
	proxy    *impersonate.Proxy
	client   *ethclient.Client // through the proxy
	demo     contracts.Demo
	account  common.Address // S
	standIn  *ecdsa.PrivateKey
	standInA common.Address // K
}

func anvilBin(t testing.TB) string {
	t.Helper()
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return bin
}

func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: anvilBin(t), ChainID: chainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	f := &fixture{ctx: ctx, anvil: a, account: crypto.PubkeyToAddress(newKey(t).PublicKey), standIn: newKey(t)}
	f.standInA = crypto.PubkeyToAddress(f.standIn.PublicKey)
	if f.fork, err = ethclient.DialContext(ctx, a.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.fork.Close)
	f.forkCall(nil, "anvil_setBalance", f.account, (*hexutil.Big)(big.NewInt(1e18)))
	f.forkCall(nil, "anvil_setNonce", f.account, hexutil.Uint64(accountNonce))
	admin, _ := crypto.HexToECDSA(adminKey)
	operator := crypto.PubkeyToAddress(newKey(t).PublicKey)
	if f.demo, err = contracts.DeployDemo(ctx, f.fork, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), f.account, operator, nil); err != nil {
		t.Fatal(err)
	}
	f.proxy, err = impersonate.Start(ctx, impersonate.Options{
		Upstream: a.URL(),
		StandIns: map[common.Address]common.Address{f.standInA: f.account},
	}, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.proxy.Close(); err != nil {
			t.Error(err)
		}
	})
	if f.client, err = ethclient.DialContext(ctx, f.proxy.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.client.Close)
	return f
}

func (f *fixture) forkCall(result any, method string, args ...any) {
	if err := f.fork.Client().CallContext(f.ctx, result, method, args...); err != nil {
		panic(method + ": " + err.Error()) // setup of a test that cannot go on
	}
}

func (f *fixture) paused(t testing.TB) bool {
	t.Helper()
	v := contracts.NewProtectedVault()
	p, err := bind.Call(v.Instance(f.fork, f.demo.Vault), &bind.CallOpts{Context: f.ctx}, v.PackPaused(), v.UnpackPaused)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pauseTx is pause() on the vault signed by key with the nonce and the fee
// cap and tip given.
func (f *fixture) pauseTx(t testing.TB, key *ecdsa.PrivateKey, nonce uint64, feeCap, tip *big.Int) *types.Transaction {
	t.Helper()
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(chainID)), &types.DynamicFeeTx{
		ChainID: big.NewInt(chainID), Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: 100_000,
		To: &f.demo.Vault, Data: contracts.NewProtectedVault().PackPause(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func (f *fixture) fees(t testing.TB) (feeCap, tip *big.Int) {
	t.Helper()
	head, err := f.client.HeaderByNumber(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tip = big.NewInt(1e9)
	return new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip), tip
}

func TestStandInPausesAsTheAccount(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	vault := contracts.NewProtectedVault()

	nonce, err := f.client.PendingNonceAt(ctx, f.standInA)
	if err != nil {
		t.Fatal(err)
	}
	if nonce != accountNonce {
		t.Fatalf("stand-in's pending nonce through the proxy = %d, want the account's %d", nonce, accountNonce)
	}
	if bal, err := f.client.BalanceAt(ctx, f.standInA, nil); err != nil || bal.Cmp(big.NewInt(1e18)) != 0 {
		t.Fatalf("stand-in's balance through the proxy = %v, %v; want the account's 1e18", bal, err)
	}
	if bal, err := f.fork.BalanceAt(ctx, f.standInA, nil); err != nil || bal.Sign() != 0 {
		t.Fatalf("stand-in's balance on the fork = %v, %v; want 0", bal, err)
	}

	pause := ethereum.CallMsg{From: f.standInA, To: &f.demo.Vault, Data: vault.PackPause()}
	if _, err := f.client.EstimateGas(ctx, pause); err != nil {
		t.Fatalf("estimating pause() from the stand-in: %v", err)
	}
	stranger := ethereum.CallMsg{From: crypto.PubkeyToAddress(newKey(t).PublicKey), To: &f.demo.Vault, Data: vault.PackPause()}
	if _, err := f.client.EstimateGas(ctx, stranger); err == nil {
		t.Fatal("estimating pause() from a key with no role succeeded; want a revert")
	}
	if _, err := f.client.CallContract(ctx, pause, nil); err != nil {
		t.Fatalf("eth_call pause() from the stand-in: %v", err)
	}

	feeCap, tip := f.fees(t)
	tx := f.pauseTx(t, f.standIn, nonce, feeCap, tip)
	if err := f.client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	receipt, err := bind.WaitMined(ctx, f.client, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if !f.paused(t) {
		t.Fatal("vault not paused on the fork")
	}
	if f.proxy.Sent() != 1 {
		t.Fatalf("Sent() = %d, want 1", f.proxy.Sent())
	}
	fork, ok := f.proxy.ForkHash(tx.Hash())
	if !ok || fork == tx.Hash() {
		t.Fatalf("ForkHash(local) = %s, %v; want a different fork hash", fork, ok)
	}
	if local, ok := f.proxy.LocalHash(fork); !ok || local != tx.Hash() {
		t.Fatalf("LocalHash(fork) = %s, %v; want %s", local, ok, tx.Hash())
	}
	forkReceipt, err := f.fork.TransactionReceipt(ctx, fork)
	if err != nil {
		t.Fatal(err)
	}
	var forkTx struct {
		From common.Address `json:"from"`
	}
	f.forkCall(&forkTx, "eth_getTransactionByHash", fork)
	if forkTx.From != f.account {
		t.Fatalf("fork transaction from %s, want the account %s", forkTx.From, f.account)
	}

	if receipt.Status != types.ReceiptStatusSuccessful || receipt.TxHash != tx.Hash() {
		t.Fatalf("receipt by local hash: status %d, hash %s; want 1, %s", receipt.Status, receipt.TxHash, tx.Hash())
	}
	if len(receipt.Logs) == 0 || receipt.Logs[0].TxHash != tx.Hash() {
		t.Fatalf("receipt's logs %+v; want the Paused event with the local hash", receipt.Logs)
	}
	if receipt.BlockHash != forkReceipt.BlockHash {
		t.Fatalf("receipt's block %s, the fork's %s", receipt.BlockHash, forkReceipt.BlockHash)
	}
	var rawReceipt struct {
		From common.Address `json:"from"`
	}
	if err := f.client.Client().CallContext(ctx, &rawReceipt, "eth_getTransactionReceipt", tx.Hash()); err != nil || rawReceipt.From != f.standInA {
		t.Fatalf("receipt's from = %s, %v; want the stand-in %s", rawReceipt.From, err, f.standInA)
	}

	block, err := f.client.BlockByNumber(ctx, receipt.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	if block.Hash() != receipt.BlockHash {
		t.Fatalf("block's hash %s, want the fork's %s", block.Hash(), receipt.BlockHash)
	}
	found := false
	for _, btx := range block.Transactions() {
		found = found || btx.Hash() == tx.Hash()
		if btx.Hash() == fork {
			t.Fatal("block through the proxy still holds the fork hash")
		}
	}
	if !found {
		t.Fatalf("block %d through the proxy holds no transaction %s", block.NumberU64(), tx.Hash())
	}
	var hashesOnly struct {
		Transactions []common.Hash `json:"transactions"`
	}
	if err := f.client.Client().CallContext(ctx, &hashesOnly, "eth_getBlockByHash", receipt.BlockHash, false); err != nil {
		t.Fatal(err)
	}
	if len(hashesOnly.Transactions) != 1 || hashesOnly.Transactions[0] != tx.Hash() {
		t.Fatalf("block's hashes %v, want [%s]", hashesOnly.Transactions, tx.Hash())
	}
	var blockReceipts []*types.Receipt
	if err := f.client.Client().CallContext(ctx, &blockReceipts, "eth_getBlockReceipts", hexutil.EncodeBig(receipt.BlockNumber)); err != nil {
		t.Fatal(err)
	}
	if len(blockReceipts) != 1 || blockReceipts[0].TxHash != tx.Hash() {
		t.Fatalf("block receipts %+v; want the local hash", blockReceipts)
	}

	got, pending, err := f.client.TransactionByHash(ctx, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if pending || got.Hash() != tx.Hash() {
		t.Fatalf("TransactionByHash(local): pending %v, hash %s; want mined, %s", pending, got.Hash(), tx.Hash())
	}
	if from, err := f.client.TransactionSender(ctx, got, receipt.BlockHash, receipt.TransactionIndex); err != nil || from != f.standInA {
		t.Fatalf("sender = %s, %v; want the stand-in %s", from, err, f.standInA)
	}

	logs, err := f.client.FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{f.demo.Vault}, FromBlock: receipt.BlockNumber, ToBlock: receipt.BlockNumber})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || logs[0].TxHash != tx.Hash() {
		t.Fatalf("logs %+v; want one with the local hash", logs)
	}
	// The account's nonce moved on the fork, and the stand-in's with it.
	if n, err := f.client.NonceAt(ctx, f.standInA, nil); err != nil || n != accountNonce+1 {
		t.Fatalf("stand-in's nonce after the pause = %d, %v; want %d", n, err, accountNonce+1)
	}
}

// The submitter's fee bump: with automine off, a re-priced transaction of
// the same nonce replaces the first one on the fork, and it is the one mined.
func TestReplacementIsTheOneMined(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	f.forkCall(nil, "evm_setAutomine", false)

	feeCap, tip := f.fees(t)
	first := f.pauseTx(t, f.standIn, accountNonce, feeCap, tip)
	if err := f.client.SendTransaction(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, pending, err := f.client.TransactionByHash(ctx, first.Hash())
	if err != nil {
		t.Fatalf("TransactionByHash(pending local): %v", err)
	}
	if !pending || got.Hash() != first.Hash() {
		t.Fatalf("pending transaction: pending %v, hash %s; want pending, %s", pending, got.Hash(), first.Hash())
	}
	bump := func(v *big.Int) *big.Int {
		return new(big.Int).Div(new(big.Int).Mul(v, big.NewInt(120)), big.NewInt(100))
	}
	second := f.pauseTx(t, f.standIn, accountNonce, bump(feeCap), bump(tip))
	if err := f.client.SendTransaction(ctx, second); err != nil {
		t.Fatalf("replacement: %v", err)
	}
	if f.paused(t) {
		t.Fatal("vault paused before any block was mined")
	}
	f.forkCall(nil, "evm_mine")

	receipt, err := f.client.TransactionReceipt(ctx, second.Hash())
	if err != nil {
		t.Fatalf("replacement's receipt: %v", err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful || receipt.TxHash != second.Hash() {
		t.Fatalf("replacement's receipt: status %d, hash %s", receipt.Status, receipt.TxHash)
	}
	if _, err := f.client.TransactionReceipt(ctx, first.Hash()); !errors.Is(err, ethereum.NotFound) {
		t.Fatalf("replaced transaction's receipt: %v; want not found", err)
	}
	if _, _, err := f.client.TransactionByHash(ctx, first.Hash()); !errors.Is(err, ethereum.NotFound) {
		t.Fatalf("replaced transaction: %v; want not found", err)
	}
	block, err := f.client.BlockByNumber(ctx, receipt.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(block.Transactions()); n != 1 || block.Transactions()[0].Hash() != second.Hash() {
		t.Fatalf("mined block holds %d transactions; want only the replacement %s", n, second.Hash())
	}
	if !f.paused(t) || f.proxy.Sent() != 2 {
		t.Fatalf("paused %v, Sent() %d; want true, 2", f.paused(t), f.proxy.Sent())
	}
}

// A transaction from a key that is not a stand-in is anvil's business: it
// goes through untouched, under the same hash on both sides.
func TestOtherSendersPassThrough(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	key := newKey(t)
	addr := crypto.PubkeyToAddress(key.PublicKey)
	f.forkCall(nil, "anvil_setBalance", addr, (*hexutil.Big)(big.NewInt(1e18)))
	feeCap, tip := f.fees(t)
	to := common.HexToAddress("0xbb")
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(chainID)), &types.DynamicFeeTx{
		ChainID: big.NewInt(chainID), Nonce: 0, GasTipCap: tip, GasFeeCap: feeCap, Gas: 21_000, To: &to, Value: big.NewInt(5),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	receipt, err := bind.WaitMined(ctx, f.fork, tx.Hash())
	if err != nil {
		t.Fatalf("the fork has no receipt under the signed hash: %v", err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("status %d", receipt.Status)
	}
	if _, ok := f.proxy.ForkHash(tx.Hash()); ok || f.proxy.Sent() != 0 {
		t.Fatalf("a non-stand-in transaction was impersonated (Sent() = %d)", f.proxy.Sent())
	}
	// A stranger's pause signed and sent through the proxy reverts: only
	// stand-ins act as the account.
	stranger := f.pauseTx(t, key, 1, feeCap, tip)
	if err := f.client.SendTransaction(ctx, stranger); err != nil {
		t.Fatal(err)
	}
	if r, err := bind.WaitMined(ctx, f.client, stranger.Hash()); err != nil || r.Status != types.ReceiptStatusFailed {
		t.Fatalf("stranger's pause: %v, %v; want a failed receipt", r, err)
	}
	if f.paused(t) {
		t.Fatal("a stranger paused the vault")
	}
}

func TestUnsignedSendsAreRefused(t *testing.T) {
	f := newFixture(t)
	call := map[string]any{"from": f.account, "to": f.demo.Vault, "data": hexutil.Bytes(contracts.NewProtectedVault().PackPause())}
	for _, tc := range []struct {
		method string
		args   []any
	}{
		{"eth_sendTransaction", []any{call}},
		{"eth_sendUnsignedTransaction", []any{call}},
		{"anvil_stopImpersonatingAccount", []any{f.account}},
		{"anvil_impersonateAccount", []any{f.standInA}},
	} {
		t.Run(tc.method, func(t *testing.T) {
			var res json.RawMessage
			err := f.client.Client().CallContext(f.ctx, &res, tc.method, tc.args...)
			if err == nil || !strings.Contains(err.Error(), "refused") {
				t.Fatalf("%s through the proxy: %s, %v; want refused", tc.method, res, err)
			}
		})
	}
	if f.paused(t) || f.proxy.Sent() != 0 {
		t.Fatal("a refused send reached the fork")
	}
}

// A node that is not anvil (a real chain's node, here a local stand-in that
// answers JSON-RPC the way geth does) is refused at Start.
func TestStartRefusesAnUpstreamThatIsNotAnvil(t *testing.T) {
	geth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		if req.Method == "eth_chainId" {
			_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":` + string(req.ID) + `,"result":"0x1"}`))
			return
		}
		_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":` + string(req.ID) + `,"error":{"code":-32601,"message":"the method ` + req.Method + ` does not exist/is not available"}}`))
	}))
	defer geth.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>not found</html>", http.StatusNotFound)
	}))
	defer html.Close()
	standIns := map[common.Address]common.Address{common.HexToAddress("0x0a"): common.HexToAddress("0x0b")}

	for _, tc := range []struct {
		name, url string
		want      error
	}{
		{"geth", geth.URL, impersonate.ErrNotAnvil},
		{"not JSON-RPC", html.URL, impersonate.ErrNotAnvil},
		{"not http", "ws://127.0.0.1:1", impersonate.ErrOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := impersonate.Start(t.Context(), impersonate.Options{Upstream: tc.url, StandIns: standIns}, testLog(t))
			if err == nil {
				p.Close()
				t.Fatal("Start succeeded in front of a node that is not anvil")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v; want %v", err, tc.want)
			}
		})
	}
}

func TestStartRefusesBadOptions(t *testing.T) {
	a, b := common.HexToAddress("0x0a"), common.HexToAddress("0x0b")
	for name, standIns := range map[string]map[common.Address]common.Address{
		"none":       nil,
		"itself":     {a: a},
		"zero":       {a: {}},
		"both sides": {a: b, b: common.HexToAddress("0x0c")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := impersonate.Start(t.Context(), impersonate.Options{Upstream: "http://127.0.0.1:1", StandIns: standIns}, nil)
			if !errors.Is(err, impersonate.ErrOptions) {
				t.Fatalf("err = %v; want ErrOptions", err)
			}
		})
	}
}

func TestMalformedRequestsGetJSONRPCErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name   string
		method string
		body   string
		status int
		code   int // of the (first) error; 0 for a batch with one good call
	}{
		{"empty", http.MethodPost, "", 400, -32600},
		{"truncated", http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":`, 400, -32700},
		{"empty batch", http.MethodPost, `[]`, 400, -32600},
		{"not an object", http.MethodPost, `[1]`, 200, -32600},
		{"no method", http.MethodPost, `{"jsonrpc":"2.0","id":1}`, 200, -32600},
		{"old version", http.MethodPost, `{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}`, 200, -32600},
		{"params a string", http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":"x"}`, 200, -32602},
		{"bad raw tx", http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x02zz"]}`, 200, -32602},
		{"too large", http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["` + strings.Repeat("a", 9<<20) + `"]}`, 413, -32600},
		{"GET", http.MethodGet, "", 405, -32600},
		{"batch", http.MethodPost, `[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"id":2}]`, 200, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(f.ctx, tc.method, f.proxy.URL(), strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			type answer struct {
				ID     json.RawMessage `json:"id"`
				Result json.RawMessage `json:"result"`
				Error  *struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			var answers []answer
			if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
				if err := json.Unmarshal(body, &answers); err != nil {
					t.Fatalf("%v: %s", err, body)
				}
			} else {
				var a answer
				if err := json.Unmarshal(body, &a); err != nil {
					t.Fatalf("%v: %s", err, body)
				}
				answers = []answer{a}
			}
			if tc.code == 0 {
				if len(answers) != 2 || answers[0].Error != nil || string(answers[0].Result) != `"0x7a69"` || answers[1].Error == nil || answers[1].Error.Code != -32600 {
					t.Fatalf("batch answers: %s", body)
				}
				return
			}
			if answers[0].Error == nil || answers[0].Error.Code != tc.code || answers[0].Error.Message == "" {
				t.Fatalf("answer %s; want error %d", body, tc.code)
			}
		})
	}
}

// A fork URL may carry a provider's key: an upstream that cannot be reached
// is named in no error.
func TestStartErrorsNameNoUpstreamSecret(t *testing.T) {
	const key, password = "providerkey0123456789", "basicpassw0rd"
	upstream := "http://firebreak:" + password + "@127.0.0.1:1/v3/" + key
	_, err := impersonate.Start(t.Context(), impersonate.Options{
		Upstream: upstream, StandIns: map[common.Address]common.Address{common.HexToAddress("0x0a"): common.HexToAddress("0x0b")},
	}, testLog(t))
	if !errors.Is(err, impersonate.ErrNotAnvil) {
		t.Fatalf("err = %v; want ErrNotAnvil", err)
	}
	if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), password) {
		t.Fatalf("error names the upstream's secret: %v", err)
	}
}

// Legacy and access-list transactions from a stand-in go through as the
// account too, sent in one JSON-RPC batch with a read, as ethclient's
// BatchCallContext does.
func TestLegacyAndAccessListInABatch(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	head, err := f.client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	price := new(big.Int).Mul(head.BaseFee, big.NewInt(2))
	signer := types.LatestSignerForChainID(big.NewInt(chainID))
	bridge := contracts.NewTokenBridge()
	legacy, err := types.SignNewTx(f.standIn, signer, &types.LegacyTx{
		Nonce: accountNonce, GasPrice: price, Gas: 100_000, To: &f.demo.Vault, Data: contracts.NewProtectedVault().PackPause(),
	})
	if err != nil {
		t.Fatal(err)
	}
	accessList, err := types.SignNewTx(f.standIn, signer, &types.AccessListTx{
		ChainID: big.NewInt(chainID), Nonce: accountNonce + 1, GasPrice: price, Gas: 100_000, To: &f.demo.Bridge, Data: bridge.PackFreeze(),
		AccessList: types.AccessList{{Address: f.demo.Bridge}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rawLegacy, _ := legacy.MarshalBinary()
	rawAccessList, _ := accessList.MarshalBinary()
	var h1, h2 common.Hash
	var id string
	batch := []rpc.BatchElem{
		{Method: "eth_sendRawTransaction", Args: []any{hexutil.Bytes(rawLegacy)}, Result: &h1},
		{Method: "eth_chainId", Result: &id},
		{Method: "eth_sendRawTransaction", Args: []any{hexutil.Bytes(rawAccessList)}, Result: &h2},
	}
	if err := f.client.Client().BatchCallContext(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for i, e := range batch {
		if e.Error != nil {
			t.Fatalf("batch element %d (%s): %v", i, e.Method, e.Error)
		}
	}
	if h1 != legacy.Hash() || h2 != accessList.Hash() || id != "0x7a69" {
		t.Fatalf("batch answered %s, %s, %s; want the local hashes and 0x7a69", h1, id, h2)
	}
	for _, tx := range []*types.Transaction{legacy, accessList} {
		r, err := bind.WaitMined(ctx, f.client, tx.Hash())
		if err != nil || r.Status != types.ReceiptStatusSuccessful || r.TxHash != tx.Hash() || r.Type != tx.Type() {
			t.Fatalf("type %d: receipt %+v, %v", tx.Type(), r, err)
		}
		got, _, err := f.client.TransactionByHash(ctx, tx.Hash())
		if err != nil || got.Hash() != tx.Hash() {
			t.Fatalf("type %d: TransactionByHash: %v", tx.Type(), err)
		}
	}
	frozen, err := bind.Call(bridge.Instance(f.fork, f.demo.Bridge), &bind.CallOpts{Context: ctx}, bridge.PackFrozen(), bridge.UnpackFrozen)
	if err != nil || !frozen || !f.paused(t) || f.proxy.Sent() != 2 {
		t.Fatalf("frozen %v (%v), paused %v, Sent() %d; want both, 2", frozen, err, f.paused(t), f.proxy.Sent())
	}
}

// The proxy tops up nothing: an account without ETH for gas cannot send,
// and the drill sees the node's refusal, not a success.
func TestAccountWithoutETHIsAFinding(t *testing.T) {
	f := newFixture(t)
	f.forkCall(nil, "anvil_setBalance", f.account, (*hexutil.Big)(big.NewInt(0)))
	feeCap, tip := f.fees(t)
	err := f.client.SendTransaction(f.ctx, f.pauseTx(t, f.standIn, accountNonce, feeCap, tip))
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "funds") {
		t.Fatalf("send from an account without ETH: %v; want the node's insufficient funds", err)
	}
	if f.proxy.Sent() != 0 || f.paused(t) {
		t.Fatalf("Sent() = %d, paused %v; want nothing sent", f.proxy.Sent(), f.paused(t))
	}
	if bal, err := f.fork.BalanceAt(f.ctx, f.account, nil); err != nil || bal.Sign() != 0 {
		t.Fatalf("account's balance %v, %v; the proxy must not top it up", bal, err)
	}
}

// The same signed transaction sent twice (a submitter's rebroadcast) is one
// transaction: the node answers what it answers, Sent counts it once.
func TestRebroadcastIsOneTransaction(t *testing.T) {
	f := newFixture(t)
	f.forkCall(nil, "evm_setAutomine", false)
	feeCap, tip := f.fees(t)
	tx := f.pauseTx(t, f.standIn, accountNonce, feeCap, tip)
	if err := f.client.SendTransaction(f.ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := f.client.SendTransaction(f.ctx, tx); err != nil && !strings.Contains(err.Error(), "already") {
		t.Fatalf("rebroadcast: %v; want success or the node's already known", err)
	}
	f.forkCall(nil, "evm_mine")
	if r, err := f.client.TransactionReceipt(f.ctx, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("receipt %v, %v", r, err)
	}
	if n := f.proxy.Sent(); n != 1 {
		t.Fatalf("Sent() = %d, want 1", n)
	}
}

// What a drill does: anvil --fork-url of a "live" chain (here another anvil
// with the demo), the proxy in front of the fork. The stand-in's pause
// lands on the fork as the guardian's; the live chain is untouched.
func TestPauseOnAForkOfALiveChain(t *testing.T) {
	live := newFixture(t) // its proxy is not used: the live chain is the fork's source
	ctx := live.ctx
	fork, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: anvilBin(t), ChainID: chainID, ForkURL: live.anvil.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fork.Stop)
	p, err := impersonate.Start(ctx, impersonate.Options{
		Upstream: fork.URL(), StandIns: map[common.Address]common.Address{live.standInA: live.account},
	}, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	client, err := ethclient.DialContext(ctx, p.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	nonce, err := client.PendingNonceAt(ctx, live.standInA)
	if err != nil || nonce != accountNonce {
		t.Fatalf("stand-in's nonce on the fork = %d, %v; want the guardian's %d", nonce, err, accountNonce)
	}
	feeCap, tip := live.fees(t)
	tx := live.pauseTx(t, live.standIn, nonce, feeCap, tip)
	if err := client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	r, err := bind.WaitMined(ctx, client, tx.Hash())
	if err != nil || r.Status != types.ReceiptStatusSuccessful || r.TxHash != tx.Hash() {
		t.Fatalf("receipt %+v, %v", r, err)
	}
	v := contracts.NewProtectedVault()
	onFork, err := bind.Call(v.Instance(client, live.demo.Vault), &bind.CallOpts{Context: ctx}, v.PackPaused(), v.UnpackPaused)
	if err != nil || !onFork {
		t.Fatalf("paused on the fork = %v, %v; want true", onFork, err)
	}
	if live.paused(t) {
		t.Fatal("the live chain was paused: the drill must only touch its fork")
	}
}
