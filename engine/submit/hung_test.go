package submit

import (
	"context"
	"errors"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"go.uber.org/goleak"
)

// hungNode is a TCP gate that accepts connections and never answers: a
// node that is up for the kernel and dead for every request.
func hungNode(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

func testTx(t testing.TB) *types.Transaction {
	key, err := crypto.HexToECDSA(guardianKey)
	if err != nil {
		t.Fatal(err)
	}
	chain := big.NewInt(anvilChainID)
	to := crypto.PubkeyToAddress(key.PublicKey)
	return types.MustSignNewTx(key, types.LatestSignerForChainID(chain), &types.DynamicFeeTx{
		ChainID: chain, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9), Gas: 21_000, To: &to,
	})
}

// A send to an endpoint that never answers fails after the timeout as a
// connection failure (so it is retried), naming the endpoint.
func TestBroadcastToHungEndpointTimesOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hung, err := ethclient.DialContext(ctx, hungNode(t))
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	err = broadcast(ctx, []Endpoint{{Name: "rpc_urls[0]", TransactionSender: hung}}, testTx(t), 100*time.Millisecond, discardLog())
	if !errors.Is(err, ErrConnection) || !Retryable(err) || !strings.Contains(err.Error(), "rpc_urls[0] gave no answer within rpc_timeout (100ms)") {
		t.Fatalf("err = %v, want a retryable connection error naming the endpoint and the timeout", err)
	}
}

// Sends to a hung endpoint beside one that accepts leave no goroutine
// behind once the timeout has passed: before, each send left one for
// good, i.e. one per bump per block.
func TestBroadcastToHungEndpointDoesNotLeak(t *testing.T) {
	e := newAnvilEnv(t, false, nil) // the tx stays in the pool: sent again, it is known
	hung, err := ethclient.DialContext(e.ctx, hungNode(t))
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	node, err := ethclient.DialContext(e.ctx, e.anvil.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	// Everything running now (the submitter, anvil's client, NATS) is
	// not the broadcasts'.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	eps := []Endpoint{{Name: "hung", TransactionSender: hung}, {Name: "node", TransactionSender: node}, {Name: "hung2", TransactionSender: hung}}
	tx := testTx(t)
	for i := range 20 {
		// The node accepts the first and knows the others: each returns
		// at once, the hung sends go on in the background.
		if err := broadcast(e.ctx, eps, tx, 200*time.Millisecond, discardLog()); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	// Idle keep-alive connections to the node are the HTTP client's, not
	// a send's: closed here so that only what the sends started is left.
	node.Close()
	hung.Close()
}
