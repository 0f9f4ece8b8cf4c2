package submit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// fakeRelay stands in for a private relay (Flashbots Protect cannot be
// reached from a test): it takes eth_sendRawTransaction or
// eth_sendPrivateTransaction ({"tx": raw}), remembers what it got, and
// hands the raw transaction to the real anvil behind it.
type fakeRelay struct {
	node *rpc.Client
	mu   sync.Mutex
	got  map[string]int // method → calls
}

func (f *fakeRelay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID     json.RawMessage   `json:"id"`
		Method string            `json:"method"`
		Params []json.RawMessage `json:"params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Params) != 1 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.got[req.Method]++
	f.mu.Unlock()
	var raw string
	switch req.Method {
	case MethodSendRaw:
		_ = json.Unmarshal(req.Params[0], &raw)
	case MethodSendPrivate:
		var p struct {
			Tx string `json:"tx"`
		}
		_ = json.Unmarshal(req.Params[0], &p)
		raw = p.Tx
	}
	resp := map[string]any{"jsonrpc": "2.0", "id": req.ID}
	var hash string
	if err := f.node.CallContext(r.Context(), &hash, MethodSendRaw, raw); err != nil {
		resp["error"] = map[string]any{"code": -32000, "message": err.Error()}
	} else {
		resp["result"] = hash
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeRelay) calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[method]
}

func TestBroadcastModes(t *testing.T) {
	tests := []struct {
		name       string
		mode       Mode
		method     string
		deadPublic bool // an extra public endpoint that refuses connections
		wantNode   bool // the public node saw eth_sendRawTransaction
		wantRelay  bool
	}{
		{"private with eth_sendPrivateTransaction", Private, MethodSendPrivate, false, false, true},
		{"private with eth_sendRawTransaction", Private, MethodSendRaw, false, false, true},
		{"both", Both, MethodSendPrivate, false, true, true},
		{"public with a dead extra endpoint", Public, MethodSendRaw, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The node's sends are counted by a proxy that only observes.
			proxy := &faultyProxy{failures: map[string][]int{}, seen: map[string]int{}}
			var relay *fakeRelay
			e := newAnvilEnv(t, true, func(e *anvilEnv, c *ChainConfig) {
				target, _ := url.Parse(e.anvil.URL())
				srv := httptest.NewServer(proxy.wrap(httputil.NewSingleHostReverseProxy(target)))
				t.Cleanup(srv.Close)
				node, err := ethclient.DialContext(e.ctx, srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(node.Close)
				relay = &fakeRelay{node: e.rpc, got: map[string]int{}}
				rsrv := httptest.NewServer(relay)
				t.Cleanup(rsrv.Close)
				rc, err := rpc.DialContext(context.Background(), rsrv.URL)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(rc.Close)
				c.Node, c.Mode = node, tt.mode
				c.Private = []Endpoint{{Name: "relay", TransactionSender: NewRelay(rc, tt.method)}}
				if tt.deadPublic {
					dead, err := ethclient.DialContext(e.ctx, "http://127.0.0.1:1")
					if err != nil {
						t.Fatal(err)
					}
					c.Public = []Endpoint{{Name: "dead", TransactionSender: dead}}
				}
			})
			id, done := e.pause()
			if err := <-done; err != nil {
				t.Fatalf("Execute: %v", err)
			}
			rec, _, err := e.store.Get(e.ctx, id)
			if err != nil || rec.State != record.Mined || !e.paused() {
				t.Fatalf("record = %+v (%v), want mined", rec, err)
			}
			proxy.mu.Lock()
			nodeSends := proxy.seen[MethodSendRaw]
			proxy.mu.Unlock()
			if (nodeSends > 0) != tt.wantNode {
				t.Errorf("the public node got %d sends, want any: %v", nodeSends, tt.wantNode)
			}
			if (relay.calls(tt.method) > 0) != tt.wantRelay {
				t.Errorf("the relay got %d %s calls, want any: %v", relay.calls(tt.method), tt.method, tt.wantRelay)
			}
		})
	}
}
