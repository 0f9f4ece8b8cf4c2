package engine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/submit"
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
	return ln.Addr().String()
}

// Every connection dialChains hands out (the guard's, the submitter's,
// the Safe runner's, the probes' and the watcher's) fails a call to a hung
// node once rpc_timeout has passed, with an error naming the chain and
// the call, that the submitter retries as a connection failure.
func TestHungNodeCallsFailAfterRPCTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	addr := hungNode(t)
	c := config.ChainOptions{ID: 7, RPC: "http://" + addr, WS: "ws://" + addr, RPCURLs: []string{"http://" + addr}, RPCTimeout: 200 * time.Millisecond}
	conns, err := dialChains(ctx, []config.ChainOptions{c}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer conns.close()
	if conns.submit[7].Heads != nil {
		t.Errorf("a ws endpoint that never completes its handshake was kept")
	}
	var to common.Address
	calls := []struct {
		name string
		call string
		f    func(context.Context) error
	}{
		{"guard precondition read", "eth_call", func(ctx context.Context) error {
			_, err := conns.callers[7].CallContract(ctx, ethereum.CallMsg{To: &to}, nil)
			return err
		}},
		{"submitter estimate", "eth_estimateGas", func(ctx context.Context) error {
			_, err := conns.submit[7].Node.EstimateGas(ctx, ethereum.CallMsg{To: &to})
			return err
		}},
		{"submitter receipt", "eth_getTransactionReceipt", func(ctx context.Context) error {
			_, err := conns.submit[7].Node.TransactionReceipt(ctx, common.Hash{})
			return err
		}},
		{"extra endpoint send", "eth_sendRawTransaction", func(ctx context.Context) error {
			return conns.submit[7].Public[0].SendTransaction(ctx, types.NewTx(&types.LegacyTx{To: &to}))
		}},
		{"safe read", "eth_getBlockByNumber", func(ctx context.Context) error {
			_, err := conns.safes[7].HeaderByNumber(ctx, nil)
			return err
		}},
		{"watcher and probes", "eth_getLogs", func(ctx context.Context) error {
			_, err := conns.clients[7].FilterLogs(ctx, ethereum.FilterQuery{})
			return err
		}},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f(ctx)
			var te *RPCTimeoutError
			if !errors.As(err, &te) || te.Chain != 7 || te.Call != tt.call || te.After != c.RPCTimeout {
				t.Fatalf("err = %v, want an RPCTimeoutError for chain 7, %s", err, tt.call)
			}
			if want := "chain 7: " + tt.call + ": no answer within rpc_timeout (200ms)"; err.Error() != want {
				t.Errorf("err = %q, want %q", err, want)
			}
			if !submit.Retryable(err) {
				t.Errorf("the submitter does not retry %v", err)
			}
		})
	}
	// The caller's own end is its own, not the node's fault.
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	if _, err := conns.clients[7].HeaderByNumber(cctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// A chain whose only rpc is a hung WebSocket fails the start within
// rpc_timeout instead of hanging it.
func TestHungWebSocketNodeFailsTheDial(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := config.ChainOptions{ID: 7, RPC: "ws://" + hungNode(t), RPCTimeout: 200 * time.Millisecond}
	if _, err := dialChains(ctx, []config.ChainOptions{c}, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		t.Fatal("dialChains succeeded on a hung node")
	}
}
