package chaos

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// protocols is how many demo protocols (one vault each) a scenario
// protects; they all share one sender.
const protocols = 3

// chain is a real anvil with protocols demo deployments whose vaults all
// have one pauser: the sender.
type chain struct {
	anvil  *simulate.Anvil
	client *ethclient.Client
	sender common.Address
	vaults []common.Address
	// from is the first block after the deployments: the containment
	// transactions are after it.
	from uint64
}

// pausedTopic is the topic of OpenZeppelin's Paused(address) event.
var pausedTopic = crypto.Keccak256Hash([]byte("Paused(address)"))

// pauseSelector is pause()'s.
var pauseSelector = crypto.Keccak256([]byte("pause()"))[:4]

// startChain starts anvil (or skips: fails with FIREBREAK_REQUIRE_TOOLS=1)
// and deploys the demo protocol protocols times with sender as pauser.
func startChain(t *testing.T, ctx context.Context, sender common.Address) *chain {
	t.Helper()
	bin, err := simulate.FindAnvil()
	if err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	a, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: bin, ChainID: contracts.DevChainID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	c := &chain{anvil: a, sender: sender}
	if c.client, err = ethclient.DialContext(ctx, a.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.client.Close)
	if err := c.client.Client().CallContext(ctx, nil, "anvil_setBalance", sender, "0x56BC75E2D63100000"); err != nil {
		t.Fatal(err)
	}
	admin, _ := crypto.HexToECDSA(contracts.DevAdminKey)
	operator, _ := crypto.HexToECDSA(contracts.DevOperatorKey)
	auth := bind.NewKeyedTransactor(admin, big.NewInt(contracts.DevChainID))
	for range protocols {
		d, err := contracts.DeployDemo(ctx, c.client, auth, sender, crypto.PubkeyToAddress(operator.PublicKey), big.NewInt(1e18))
		if err != nil {
			t.Fatal(err)
		}
		c.vaults = append(c.vaults, d.Vault)
	}
	head, err := c.client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.from = head + 1
	return c
}

// allPaused reads paused() of every vault.
func (c *chain) allPaused(ctx context.Context) (bool, error) {
	v := contracts.NewProtectedVault()
	for _, addr := range c.vaults {
		p, err := bind.Call(v.Instance(c.client, addr), &bind.CallOpts{Context: ctx}, v.PackPaused(), v.UnpackPaused)
		if err != nil {
			return false, fmt.Errorf("paused() of %s: %w", addr, err)
		}
		if !p {
			return false, nil
		}
	}
	return true, nil
}

// pauses counts the Paused logs of each vault on chain.
func (c *chain) pauses(ctx context.Context) (map[common.Address]int, error) {
	n := map[common.Address]int{}
	head, err := c.client.BlockNumber(ctx)
	if err != nil {
		return nil, err
	}
	if head < c.from {
		return n, nil // nothing mined since the deployments
	}
	logs, err := c.client.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(c.from), Addresses: c.vaults, Topics: [][]common.Hash{{pausedTopic}},
	})
	if err != nil {
		return nil, fmt.Errorf("reading Paused logs: %w", err)
	}
	for _, l := range logs {
		if !l.Removed {
			n[l.Address]++
		}
	}
	return n, nil
}

// senderTx is one mined transaction of the sender.
type senderTx struct {
	hash     common.Hash
	to       common.Address
	pause    bool
	reverted bool
}

// senderTxs reads every transaction the sender had mined since the
// deployments, with its receipt's status.
func (c *chain) senderTxs(ctx context.Context) ([]senderTx, error) {
	head, err := c.client.BlockNumber(ctx)
	if err != nil {
		return nil, err
	}
	var out []senderTx
	for n := c.from; n <= head; n++ {
		b, err := c.client.BlockByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", n, err)
		}
		for _, tx := range b.Transactions() {
			from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
			if err != nil || from != c.sender {
				continue
			}
			rc, err := c.client.TransactionReceipt(ctx, tx.Hash())
			if err != nil {
				return nil, fmt.Errorf("receipt of %s: %w", tx.Hash(), err)
			}
			st := senderTx{hash: tx.Hash(), reverted: rc.Status != types.ReceiptStatusSuccessful}
			if tx.To() != nil {
				st.to = *tx.To()
			}
			st.pause = len(tx.Data()) >= 4 && string(tx.Data()[:4]) == string(pauseSelector)
			out = append(out, st)
		}
	}
	return out, nil
}
