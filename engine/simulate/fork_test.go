package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
)

// Anvil's first public development key: it deploys the demo on the "live"
// chain only, never sends on a fork.
const liveAdminKey = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

// live is a "live" chain for fork tests: a real anvil with the demo
// protocol, whose guardian is a fresh key (not one of anvil's defaults,
// which a fork would overwrite).
type live struct {
	anvil    *Anvil
	client   *ethclient.Client
	demo     contracts.Demo
	guardian common.Address
	operator common.Address
}

func anvilBin(t testing.TB) string {
	t.Helper()
	bin, err := FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return bin
}

func startLive(t testing.TB, ctx context.Context) *live {
	t.Helper()
	a, err := StartAnvil(ctx, AnvilOptions{Bin: anvilBin(t), ChainID: 31337})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	client, err := ethclient.DialContext(ctx, a.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	l := &live{anvil: a, client: client, guardian: newAddress(t), operator: newAddress(t)}
	if err := client.Client().CallContext(ctx, nil, "anvil_setBalance", l.guardian, (*hexutil.Big)(big.NewInt(1e18))); err != nil {
		t.Fatal(err)
	}
	admin, _ := crypto.HexToECDSA(liveAdminKey)
	if l.demo, err = contracts.DeployDemo(ctx, client, bind.NewKeyedTransactor(admin, big.NewInt(31337)), l.guardian, l.operator, big.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}
	return l
}

func newAddress(t testing.TB) common.Address {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return crypto.PubkeyToAddress(k.PublicKey)
}

func (l *live) paused(t *testing.T, ctx context.Context) bool {
	t.Helper()
	v := contracts.NewProtectedVault()
	p, err := bind.Call(v.Instance(l.client, l.demo.Vault), &bind.CallOpts{Context: ctx}, v.PackPaused(), v.UnpackPaused)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sel(sig string) []byte { return crypto.Keccak256([]byte(sig))[:4] }

func pauseAction(l *live, from common.Address) Action {
	return Action{Type: "pause", Target: "demo.vault", From: from, To: l.demo.Vault, Data: sel("pause()"),
		Check: &Check{Description: "paused() == true", To: l.demo.Vault, Data: sel("paused()"), Want: true}}
}

func TestForkRunsActionsWithoutTouchingTheChain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := startLive(t, ctx)
	v, b := contracts.NewProtectedVault(), contracts.NewTokenBridge()
	operatorRole := crypto.Keccak256Hash([]byte("OPERATOR_ROLE"))
	headBefore, _ := l.client.BlockNumber(ctx)

	for _, method := range []Method{MethodAnvil, MethodSimulateV1, MethodCall} {
		t.Run(string(method), func(t *testing.T) {
			f, err := OpenFork(ctx, ForkOptions{URL: l.anvil.URL(), ChainID: 31337, Method: method, AnvilBin: anvilBin(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			stranger := newAddress(t)
			res, err := f.Run(ctx, []Action{
				pauseAction(l, l.guardian),
				{Type: "freeze_bridge", Target: "demo.bridge", From: l.guardian, To: l.demo.Bridge, Data: b.PackFreeze(),
					Check: &Check{Description: "frozen() == true", To: l.demo.Bridge, Data: b.PackFrozen(), Want: true}},
				// The guardian is no admin: revoking a role must fail, decoded.
				{Type: "revoke_role", Target: "demo.vault", From: l.guardian, To: l.demo.Vault, Data: v.PackRevokeRole(operatorRole, l.operator),
					Check: &Check{Description: "hasRole == false", To: l.demo.Vault, Data: v.PackHasRole(operatorRole, l.operator), Want: false}},
				// Nor may a stranger pause.
				pauseAction(l, stranger),
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Method != method || res.OK {
				t.Fatalf("method %s ok %v, want %s and not ok (two actions must fail)", res.Method, res.OK, method)
			}
			pause, freeze, revoke, strangerPause := res.Actions[0], res.Actions[1], res.Actions[2], res.Actions[3]
			for _, a := range []ActionResult{pause, freeze} {
				if a.Status != StatusOK || a.GasUsed == 0 {
					t.Errorf("%s: status %s gas %d, want ok with gas", a.Type, a.Status, a.GasUsed)
				}
				want := StatusPass
				if method == MethodCall {
					want = StatusUnknown
				}
				if a.PostCondition == nil || a.PostCondition.Status != want {
					t.Errorf("%s: post-condition %+v, want %s", a.Type, a.PostCondition, want)
				}
			}
			if pause.Call.String() != "pause()" {
				t.Errorf("decoded call %q", pause.Call)
			}
			if got := revoke.Call.String(); got != "revokeRole(role=OPERATOR_ROLE, account="+l.operator.Hex()+")" {
				t.Errorf("decoded call %q", got)
			}
			wantRevert := map[*ActionResult]string{
				&revoke:        "AccessControlUnauthorizedAccount(account=" + l.guardian.Hex() + ", neededRole=DEFAULT_ADMIN_ROLE)",
				&strangerPause: "AccessControlUnauthorizedAccount(account=" + stranger.Hex() + ", neededRole=PAUSER_ROLE)",
			}
			for a, want := range wantRevert {
				if a.Status != StatusReverted || a.Revert == nil || a.Revert.String() != want {
					t.Errorf("%s from %s: status %s revert %v, want reverted with %s", a.Type, a.From.Hex(), a.Status, a.Revert, want)
				}
				if a.PostCondition != nil {
					t.Errorf("%s: a failed action's post-condition was checked: %+v", a.Type, a.PostCondition)
				}
			}
		})
	}
	// The live chain saw none of it.
	if l.paused(t, ctx) {
		t.Error("paused() is true on the live chain")
	}
	if n, _ := l.client.NonceAt(ctx, l.guardian, nil); n != 0 {
		t.Errorf("the guardian's live nonce is %d, want 0", n)
	}
	if head, _ := l.client.BlockNumber(ctx); head != headBefore {
		t.Errorf("the live chain moved from block %d to %d", headBefore, head)
	}
}

func TestForkIsStoppedOnClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := startLive(t, ctx)
	f, err := OpenFork(ctx, ForkOptions{URL: l.anvil.URL(), Method: MethodAnvil, AnvilBin: anvilBin(t)})
	if err != nil {
		t.Fatal(err)
	}
	url := f.anvil.URL()
	if n := forkingChildren(t, l.anvil.URL()); n != 1 {
		t.Fatalf("%d anvil forks running, want 1", n)
	}
	f.Close()
	if n := forkingChildren(t, l.anvil.URL()); n != 0 {
		t.Fatalf("%d anvil forks running after Close, want 0", n)
	}
	f.Close() // twice is fine
	select {
	case <-f.anvil.done:
	default:
		t.Fatal("anvil still runs after Close")
	}
	if c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://")); err == nil {
		c.Close()
		t.Fatalf("the fork still listens on %s", url)
	}
}

func TestForkRefusesAnvilDefaultAccounts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := startLive(t, ctx)
	// What anvil itself says its default accounts are.
	var accounts []common.Address
	if err := l.client.Client().CallContext(ctx, &accounts, "eth_accounts"); err != nil {
		t.Fatal(err)
	}
	if len(accounts) != len(anvilDefaultAccounts) {
		t.Fatalf("anvil has %d default accounts, the table %d", len(accounts), len(anvilDefaultAccounts))
	}
	for _, a := range accounts {
		if !IsAnvilDefaultAccount(a) {
			t.Errorf("%s is one of anvil's default accounts and missing from the table", a.Hex())
		}
	}
	f, err := OpenFork(ctx, ForkOptions{URL: l.anvil.URL(), Method: MethodSimulateV1})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Run(ctx, []Action{pauseAction(l, accounts[1])}); !errors.Is(err, ErrDefaultAccount) {
		t.Fatalf("err = %v, want ErrDefaultAccount", err)
	}
}

func TestOpenForkFailsClearly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	closed := freeAddr(t)
	// A node that accepts connections and never answers: no real node
	// misbehaves on demand, so a bare listener plays it.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	tests := []struct {
		name string
		opts ForkOptions
		want error
	}{
		{"refused", ForkOptions{URL: "http://" + closed + "/v2/SECRETKEY"}, ErrForkUnreachable},
		{"silent", ForkOptions{URL: "http://" + silent.Addr().String() + "/v2/SECRETKEY", ProbeTimeout: 300 * time.Millisecond}, ErrForkUnreachable},
		{"not a URL", ForkOptions{URL: "ftp://x"}, ErrForkUnreachable},
		{"bad method", ForkOptions{URL: "http://x", Method: "tenderly"}, ErrBadMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := OpenFork(ctx, tt.opts)
			if err == nil {
				f.Close()
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRETKEY") {
				t.Errorf("the error shows the URL's secret path: %v", err)
			}
		})
	}

	t.Run("wrong chain", func(t *testing.T) {
		l := startLive(t, ctx)
		_, err := OpenFork(ctx, ForkOptions{URL: l.anvil.URL(), ChainID: 1})
		if !errors.Is(err, ErrChainMismatch) {
			t.Fatalf("err = %v, want ErrChainMismatch", err)
		}
	})
	t.Run("fork block after the head", func(t *testing.T) {
		// The node answers, but the block asked for does not exist yet:
		// refused before anvil is started.
		l := startLive(t, ctx)
		_, err := OpenFork(ctx, ForkOptions{URL: l.anvil.URL(), Block: 1 << 40, Method: MethodAnvil, AnvilBin: anvilBin(t)})
		if err == nil || !strings.Contains(err.Error(), "after the head") {
			t.Fatalf("err = %v, want a fork block after the head refused", err)
		}
	})
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestOpenForkCancelledStopsAnvil is Ctrl-C while the fork starts: the
// context ends as anvil is being started, and no anvil is left running.
func TestOpenForkCancelledStopsAnvil(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := startLive(t, ctx)
	runCtx, interrupt := context.WithCancel(ctx)
	_, err := OpenFork(runCtx, ForkOptions{URL: l.anvil.URL(), Method: MethodAnvil, AnvilBin: anvilBin(t), Progress: func(msg string) {
		if strings.HasPrefix(msg, "starting an anvil fork") {
			interrupt()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := forkingChildren(t, l.anvil.URL()); n != 0 {
		t.Fatalf("%d anvil fork(s) of %s still running after the interrupt", n, l.anvil.URL())
	}
}

// forkingChildren counts this process's children that fork url (anvils
// with ETH_RPC_URL=url in their environment).
func forkingChildren(t *testing.T, url string) int {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	me := strconv.Itoa(os.Getpid())
	n := 0
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// stat: pid (comm) state ppid ...
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 2 || fields[1] != me || fields[0] == "Z" {
			continue
		}
		// The fork URL is in anvil's environment, never on its command line.
		environ, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		if strings.Contains("\x00"+string(environ)+"\x00", "\x00ETH_RPC_URL="+url+"\x00") {
			n++
		}
	}
	return n
}

// TestAutoWithoutAnvilFallsBack: with no anvil installed, auto asks the
// node (eth_simulateV1); a node without eth_simulateV1 gets eth_call, and
// the result says which method ran.
func TestAutoWithoutAnvilFallsBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := startLive(t, ctx)
	t.Setenv("FIREBREAK_ANVIL", filepath.Join(t.TempDir(), "no-anvil-here"))

	f, err := OpenFork(ctx, ForkOptions{URL: l.anvil.URL()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Run(ctx, []Action{pauseAction(l, l.guardian)})
	f.Close()
	if err != nil || res.Method != MethodSimulateV1 || !res.OK || res.Actions[0].PostCondition.Status != StatusPass {
		t.Fatalf("res = %+v, err %v; want eth_simulateV1 with the post-condition checked", res, err)
	}

	// Anvil and geth both offer eth_simulateV1; older nodes answer
	// "method not found". A proxy in front of the real anvil plays such a
	// node and passes every other request through.
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		_ = json.Unmarshal(body, &req)
		if req.Method == "eth_simulateV1" {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"the method eth_simulateV1 does not exist/is not available"}}`, req.ID)
			return
		}
		resp, err := http.Post(l.anvil.URL(), "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, resp.Body)
	}))
	defer old.Close()
	f, err = OpenFork(ctx, ForkOptions{URL: old.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err = f.Run(ctx, []Action{pauseAction(l, l.guardian), pauseAction(l, newAddress(t))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != MethodCall || !strings.Contains(strings.Join(res.Warnings, "\n"), "does not offer eth_simulateV1") {
		t.Fatalf("method %s, warnings %q: want eth_call, saying why", res.Method, res.Warnings)
	}
	if a := res.Actions[0]; a.Status != StatusOK || a.PostCondition.Status != StatusUnknown {
		t.Errorf("guardian's pause = %+v, want ok, post-condition not checked", a)
	}
	if a := res.Actions[1]; a.Status != StatusReverted || a.Revert == nil || a.Revert.Name != "AccessControlUnauthorizedAccount" {
		t.Errorf("stranger's pause = %+v, want the decoded AccessControlUnauthorizedAccount", a)
	}
	if res.OK {
		t.Error("a failing action is reported ok")
	}
	// The stranger never held ether: the report warns that the real
	// transaction could not pay for gas.
	if !strings.Contains(strings.Join(res.Warnings, "\n"), res.Actions[1].From.Hex()+" holds no ether") {
		t.Errorf("warnings %q do not mention the penniless sender", res.Warnings)
	}
}
