package contracts

import (
	"context"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
)

// SimulatedChainConfig returns the chain config NewSimulated runs: go-ethereum's dev
// chain (chain id 1337, every fork at genesis) cut back to Osaka (Fusaka), the fork
// mainnet runs, by unscheduling every later fork. Each call returns a fresh copy.
//
// mainnet is at BPO2, which changes only the blob parameters of Osaka; the EVM and
// its gas costs are Osaka's.
func SimulatedChainConfig() *params.ChainConfig {
	cfg := *params.AllDevChainProtocolChanges
	cfg.BPO1Time = nil
	cfg.BPO2Time = nil
	cfg.BPO3Time = nil
	cfg.BPO4Time = nil
	cfg.BPO5Time = nil
	cfg.AmsterdamTime = nil
	cfg.BogotaTime = nil
	cfg.UBTTime = nil
	return &cfg
}

// NewSimulated starts an in-process go-ethereum chain (ethclient/simulated, with
// geth's real txpool rules) whose genesis holds alloc, pinned to the fork mainnet
// runs. Blocks are mined only by Commit, or at once with AutoMine.
//
// The fork is pinned because simulated.NewBackend alone enables every fork
// go-ethereum knows, including unreleased ones whose gas schedule differs from
// mainnet's (a Safe execTransaction costs 279k gas there instead of 102k), which
// would make gas figures and gas-limit tests meaningless.
func NewSimulated(alloc types.GenesisAlloc) *simulated.Backend {
	return simulated.NewBackend(alloc, func(_ *node.Config, ethConf *ethconfig.Config) {
		ethConf.Genesis.Config = SimulatedChainConfig()
	})
}

// AutoMine returns a client of sim that mines a block right after each transaction
// it sends, like anvil's automine, so code that waits for receipts
// (bind.WaitMined, DeployDemo) needs nobody to call Commit. Other clients of sim
// keep their manual mining.
func AutoMine(sim *simulated.Backend) simulated.Client {
	return autoMine{Client: sim.Client(), sim: sim}
}

type autoMine struct {
	simulated.Client
	sim *simulated.Backend
}

func (c autoMine) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	if err := c.Client.SendTransaction(ctx, tx); err != nil {
		return err
	}
	c.sim.Commit()
	return nil
}
