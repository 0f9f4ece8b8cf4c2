package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ethereum/go-ethereum/common"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// DryRunOptions say what to fork for a dry-run.
type DryRunOptions struct {
	// ForkURL is the node to fork; empty means the rpc of the event's
	// chain in the configuration.
	ForkURL string
	// ForkBlock pins the fork; 0 means the head.
	ForkBlock uint64
	// Progress, when set, hears what is happening, for a terminal.
	Progress func(msg string)
}

// DryRun decides ev as the engine would and tries the allowed actions on a
// fork, sending nothing to the chain. The guard reads its preconditions on
// the fork, so decision and simulation see the same state. The returned
// Outcome carries the simulation in DryRuns; the error is for a dry-run
// that could not be done (no fork, no sender address), not for actions
// that would fail. Neither the error nor log lines hold a configured
// secret.
func DryRun(ctx context.Context, opts config.Options, ev event.Event, dopts DryRunOptions, log *slog.Logger) (decide.Outcome, error) {
	if err := opts.Validate(); err != nil {
		return decide.Outcome{}, err
	}
	redact := opts.Redactor(dopts.ForkURL)
	out, err := dryRun(ctx, opts, ev, dopts, slog.New(redact.Handler(log.Handler())))
	return out, redact.Error(err)
}

func dryRun(ctx context.Context, opts config.Options, ev event.Event, dopts DryRunOptions, log *slog.Logger) (decide.Outcome, error) {
	chainID := ev.ChainID
	if p, ok := opts.Protocols[ev.Protocol]; ok {
		chainID = p.ChainID
	}
	url := dopts.ForkURL
	if url == "" {
		for _, c := range opts.Chains {
			if c.ID == chainID {
				url = c.RPC
			}
		}
		if url == "" {
			return decide.Outcome{}, config.Errorf("chain %d (of protocol %q) is not in chains: pass a fork URL", chainID, ev.Protocol)
		}
	}
	fork, err := simulate.OpenFork(ctx, simulate.ForkOptionsFor(opts, url, dopts.ForkBlock, chainID, dopts.Progress))
	if err != nil {
		return decide.Outcome{}, err
	}
	defer fork.Close()

	planner, err := decide.NewPlanner(ctx, opts, map[uint64]guard.Caller{chainID: fork}, log)
	if err != nil {
		return decide.Outcome{}, err
	}
	// The accounts the engine would protect, so a dry-run refuses what
	// the engine would.
	planner.ProtectAccounts(senderAccounts(opts)...)
	if dopts.Progress != nil {
		dopts.Progress("evaluating the event against the policies, with preconditions read on the fork")
	}
	out, err := planner.Plan(ctx, ev)
	if err != nil {
		return out, err
	}
	byChain, err := simulate.ActionsFor(opts, senders(opts), ev.ID, out.Verdicts())
	if err != nil {
		return out, err
	}
	// The guard could only allow actions on the forked chain: it has no
	// reader for any other.
	actions := byChain[chainID]
	if dopts.Progress != nil {
		dopts.Progress(fmt.Sprintf("trying %d action(s) on the fork", len(actions)))
	}
	res, err := fork.Run(ctx, actions)
	if err != nil {
		return out, err
	}
	if res.Method != simulate.MethodAnvil {
		res.Warnings = append(res.Warnings, simulate.SafeWarnings(opts, out.Verdicts())...)
	}
	out.DryRuns = append(out.DryRuns, res)
	return out, nil
}

// senders looks up the account each of opts' signers sends from.
func senders(opts config.Options) simulate.SenderFunc {
	return func(name string) (common.Address, error) { return senderAddress(opts, name) }
}
