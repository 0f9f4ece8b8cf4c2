package impersonate_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/engine/simulate/impersonate"
)

// A drill gives the team's pauser account a fresh stand-in key and points
// the engine's chain at the proxy in front of the anvil fork: the engine
// signs with the stand-in, and the fork sees the pauser. (Not run as a
// test: it needs an anvil fork; proxy_test.go runs the same on anvil.)
func ExampleStart() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pauser := common.HexToAddress("0x2dE04b4AF08e0E3de1C744efF065BB02a5E97408") // the team's real account
	standIn, _ := crypto.GenerateKey()                                          // a signer/local key made for the drill
	k := crypto.PubkeyToAddress(standIn.PublicKey)

	p, err := impersonate.Start(ctx, impersonate.Options{
		Upstream: "http://127.0.0.1:8545", // anvil --fork-url …
		StandIns: map[common.Address]common.Address{k: pauser},
	}, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		fmt.Println(err) // impersonate: upstream is not an anvil node … for a real node
		return
	}
	defer p.Close()

	// The engine's chains[].rpc_url is p.URL(); through it the stand-in
	// has the pauser's nonce and balance.
	client, err := ethclient.DialContext(ctx, p.URL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	nonce, err := client.PendingNonceAt(ctx, k)
	fmt.Println(nonce, err)
	// … the engine signs and sends pause() with the stand-in key; then
	// p.Sent() is 1 and p.ForkHash(localHash) names it on the fork.
}
