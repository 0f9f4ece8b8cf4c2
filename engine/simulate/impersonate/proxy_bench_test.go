package impersonate_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/ethclient"
)

// BenchmarkReceipt reads one receipt from the fork directly and through the
// proxy (by the local hash, rewritten), side by side in one run: the cost a
// drill adds to the submitter's receipt polling.
func BenchmarkReceipt(b *testing.B) {
	f := newFixture(b)
	feeCap, tip := f.fees(b)
	tx := f.pauseTx(b, f.standIn, accountNonce, feeCap, tip)
	if err := f.client.SendTransaction(f.ctx, tx); err != nil {
		b.Fatal(err)
	}
	if _, err := bind.WaitMined(f.ctx, f.client, tx.Hash()); err != nil {
		b.Fatal(err)
	}
	fork, _ := f.proxy.ForkHash(tx.Hash())
	for _, bc := range []struct {
		name   string
		client *ethclient.Client
		hash   any
	}{
		{"direct", f.fork, fork},
		{"proxy", f.client, tx.Hash()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				var r map[string]any
				if err := bc.client.Client().CallContext(f.ctx, &r, "eth_getTransactionReceipt", bc.hash); err != nil || r == nil {
					b.Fatal(err)
				}
			}
		})
	}
}
