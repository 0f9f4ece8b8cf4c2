package vault_test

import (
	"context"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/signer/vault"
	"github.com/firebreak-dev/firebreak/test/vaulttest"
)

// BenchmarkVaultSignDigest is a digest signature round trip through a real
// Vault on loopback, signature check included, per mode. It reports the
// median and the 99th percentile of the b.N round trips (goal: p99 ≤ 5 ms).
func BenchmarkVaultSignDigest(b *testing.B) {
	srv := vaulttest.Start(b)
	for _, mode := range []string{vault.ModePlugin, vault.ModeKV} {
		b.Run(mode, func(b *testing.B) {
			s := benchSigner(b, srv, mode)
			digest := crypto.Keccak256Hash([]byte("firebreak"))
			benchRoundTrips(b, func(ctx context.Context) error {
				_, err := s.SignDigest(ctx, digest)
				return err
			})
		})
	}
}

// BenchmarkVaultSignTx is an EIP-1559 transaction signature round trip
// through a real Vault on loopback, sender check included.
func BenchmarkVaultSignTx(b *testing.B) {
	srv := vaulttest.Start(b)
	to := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: 4, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(3e10), Gas: 60000, To: &to, Data: []byte{0x84, 0x56, 0xcb, 0x59}})
	for _, mode := range []string{vault.ModePlugin, vault.ModeKV} {
		b.Run(mode, func(b *testing.B) {
			s := benchSigner(b, srv, mode)
			benchRoundTrips(b, func(ctx context.Context) error {
				_, err := s.SignTx(ctx, tx, chainID)
				return err
			})
		})
	}
}

func benchSigner(b *testing.B, srv *vaulttest.Server, mode string) *vault.Signer {
	b.Helper()
	key := newKey(b)
	cfg := vault.Config{Address: srv.Addr, Mode: mode, Auth: vault.Auth{Token: vault.Secret(srv.RootToken)}}
	switch mode {
	case vault.ModePlugin:
		// The benchmark framework runs this once per b.N it tries, and
		// the plugin never overwrites a key: a fresh name each time.
		cfg.Key = "bench-" + common.Bytes2Hex(crypto.Keccak256(crypto.FromECDSA(key))[:4])
		importKey(b, srv, cfg.Key, key)
	case vault.ModeKV:
		if _, err := srv.Client().KVv2("secret").Put(context.Background(), "bench", map[string]any{"private_key": common.Bytes2Hex(crypto.FromECDSA(key))}); err != nil {
			b.Fatal(err)
		}
		cfg.KVPath = "bench"
	}
	return newSigner(b, cfg, nil)
}

// benchRoundTrips times each call of op and reports p50 and p99 in ms.
func benchRoundTrips(b *testing.B, op func(context.Context) error) {
	ctx := context.Background()
	if err := op(ctx); err != nil { // warm the connection and the plugin
		b.Fatal(err)
	}
	samples := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := op(ctx); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(samples)
	pct := func(p float64) float64 {
		return float64(samples[int(p*float64(len(samples)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}
