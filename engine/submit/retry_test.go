package submit

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// faultyProxy forwards JSON-RPC to a real node but answers the first
// failures[method] calls of a method with an HTTP status instead. It is a
// fake on purpose: anvil never rate-limits or fails with 5xx, and those are
// the faults under test.
type faultyProxy struct {
	mu       sync.Mutex
	failures map[string][]int // method → statuses to answer, in order
	seen     map[string]int
}

func (p *faultyProxy) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct {
			Method string `json:"method"`
		}
		_ = json.Unmarshal(body, &req)
		p.mu.Lock()
		p.seen[req.Method]++
		var status int
		if fs := p.failures[req.Method]; len(fs) > 0 {
			status, p.failures[req.Method] = fs[0], fs[1:]
		}
		p.mu.Unlock()
		if status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// node is a client of e's anvil over HTTP through the proxy.
func (p *faultyProxy) node(e *anvilEnv) *ethclient.Client {
	e.t.Helper()
	target, err := url.Parse(e.anvil.URL())
	if err != nil {
		e.t.Fatal(err)
	}
	srv := httptest.NewServer(p.wrap(httputil.NewSingleHostReverseProxy(target)))
	e.t.Cleanup(srv.Close)
	client, err := ethclient.DialContext(e.ctx, srv.URL)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(client.Close)
	return client
}

// count is how many calls of method reached the proxy.
func (p *faultyProxy) count(method string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[method]
}

func TestTransientErrorsAreRetried(t *testing.T) {
	proxy := &faultyProxy{
		failures: map[string][]int{
			"eth_estimateGas":        {http.StatusServiceUnavailable},
			"eth_sendRawTransaction": {http.StatusTooManyRequests, http.StatusBadGateway},
		},
		seen: map[string]int{},
	}
	e := newAnvilEnv(t, true, func(e *anvilEnv, c *ChainConfig) { c.Node = proxy.node(e) })
	id, done := e.pause()
	if err := <-done; err != nil {
		t.Fatalf("Execute: %v", err)
	}
	rec, _, err := e.store.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != record.Mined || len(rec.Attempts) != 1 || !e.paused() {
		t.Fatalf("record = %+v, want one transaction mined", rec)
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if proxy.seen["eth_estimateGas"] != 2 || proxy.seen["eth_sendRawTransaction"] != 3 {
		t.Errorf("calls = %v, want estimateGas 503 then retried once, send 429, 502, then retried", proxy.seen)
	}
}

func TestClientErrorIsNotRetried(t *testing.T) {
	proxy := &faultyProxy{
		failures: map[string][]int{"eth_estimateGas": {http.StatusUnauthorized, http.StatusUnauthorized}},
		seen:     map[string]int{},
	}
	e := newAnvilEnv(t, true, func(e *anvilEnv, c *ChainConfig) { c.Node = proxy.node(e) })
	id, done := e.pause()
	if err := <-done; err == nil {
		t.Fatal("Execute succeeded through a 401")
	}
	rec, _, _ := e.store.Get(e.ctx, id)
	if rec.State != record.Failed || proxy.seen["eth_estimateGas"] != 1 {
		t.Fatalf("state %s after %d estimateGas calls, want failed after exactly 1", rec.State, proxy.seen["eth_estimateGas"])
	}
}
