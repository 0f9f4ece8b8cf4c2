package submit

import (
	"context"
	"io"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// Anvil's public development keys: test ether on throw-away chains.
const (
	adminKey    = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	guardianKey = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
	operatorKey = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
)

// newTestStore starts a real embedded NATS server with JetStream and
// returns the actions store on it.
func newTestStore(t testing.TB) *record.Store {
	t.Helper()
	store, _ := newTestStoreOn(t)
	return store
}

// newTestStoreOn is newTestStore on a server the test can stop and start
// again, returned as well.
func newTestStoreOn(t testing.TB) (*record.Store, *natstest.Restartable) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := natstest.NewRestartable(t)
	store, err := record.NewStore(ctx, srv.Connect(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return store, srv
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testLog sends the submitter's log to the test's log.
func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}

// logLines passes the submitter's log to the test's log and keeps the
// lines, for a test to wait until the submitter says something.
type logLines struct {
	t     testing.TB
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.t.Log(string(p[:len(p)-1]))
	l.mu.Lock()
	l.lines = append(l.lines, string(p))
	l.mu.Unlock()
	return len(p), nil
}

// waitFor blocks until a line containing text is logged.
func (l *logLines) waitFor(ctx context.Context, text string) {
	l.t.Helper()
	for {
		l.mu.Lock()
		for _, line := range l.lines {
			if strings.Contains(line, text) {
				l.mu.Unlock()
				return
			}
		}
		l.mu.Unlock()
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			l.t.Fatalf("timed out waiting for the log line %q", text)
		}
	}
}

// changes collects every record OnChange reports, for tests to wait on.
type changes struct {
	mu      sync.Mutex
	recs    []record.Record
	updated chan struct{}
}

func newChanges() *changes { return &changes{updated: make(chan struct{})} }

func (c *changes) onChange(_ context.Context, rec record.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, rec)
	close(c.updated)
	c.updated = make(chan struct{})
}

// wait blocks until a reported record satisfies ok, and returns it.
func (c *changes) wait(t testing.TB, ctx context.Context, what string, ok func(record.Record) bool) record.Record {
	t.Helper()
	seen := 0
	for {
		c.mu.Lock()
		recs, ch := c.recs[seen:], c.updated
		seen = len(c.recs)
		c.mu.Unlock()
		for _, r := range recs {
			if ok(r) {
				return r
			}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (c *changes) all() []record.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]record.Record(nil), c.recs...)
}

// signedAt makes rec a record in state st holding a transaction of its
// call signed with hexKey at nonce, as the submitter records one.
func signedAt(t testing.TB, rec *record.Record, hexKey string, st record.State, nonce uint64) {
	t.Helper()
	key, err := crypto.HexToECDSA(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	chain := new(big.Int).SetUint64(rec.ChainID)
	to := rec.To
	tx := types.MustSignNewTx(key, types.LatestSignerForChainID(chain), &types.DynamicFeeTx{
		ChainID: chain, Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9), Gas: 50_000, To: &to, Data: rec.Data,
	})
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	hash := tx.Hash()
	rec.State, rec.From, rec.Nonce, rec.TxHash, rec.RawTx, rec.GasLimit = st, crypto.PubkeyToAddress(key.PublicKey), &nonce, &hash, raw, 50_000
	rec.Attempts = []record.Attempt{{Hash: hash, Nonce: nonce, Status: record.AttemptSent, At: time.Now()}}
}
