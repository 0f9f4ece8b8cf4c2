package engine

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// shadow is the engine's executor in shadow mode (Options.Shadow): instead
// of recording intents for the submitter, it tries the allowed actions of
// each event on a fresh fork of their chain and records the result in the
// event's Outcome (DryRuns), which the processed-events bucket keeps and
// the audit log can read. Nothing is signed and nothing reaches a chain:
// no submitter exists in shadow mode, and no key is needed.
type shadow struct {
	opts config.Options
	rpc  map[uint64]string
	log  *slog.Logger
}

// newShadow checks, before any event, that every signer's address is
// known: a shadow engine that cannot name the sender would only find out
// at the first incident.
func newShadow(opts config.Options, log *slog.Logger) (*shadow, error) {
	for _, name := range slices.Sorted(maps.Keys(opts.Signers)) {
		if _, err := senderAddress(opts, name); err != nil {
			return nil, err
		}
	}
	s := &shadow{opts: opts, rpc: map[uint64]string{}, log: log}
	for _, c := range opts.Chains {
		s.rpc[c.ID] = c.RPC
	}
	return s, nil
}

// run simulates out's allowed actions, one fork per chain. A simulation
// that cannot be done is recorded in DryRunError, not retried: shadow
// results are for review, and redelivering an event cannot mend a fork.
func (s *shadow) run(ctx context.Context, ev event.Event, out *decide.Outcome) {
	log := s.log.With("event", ev.ID, "protocol", ev.Protocol)
	byChain, err := simulationActions(s.opts, ev, *out)
	if err != nil {
		out.DryRunError = err.Error()
		log.Warn("shadow: no simulation", "err", err)
		return
	}
	chains := make([]uint64, 0, len(byChain))
	for id := range byChain {
		chains = append(chains, id)
	}
	sort.Slice(chains, func(i, j int) bool { return chains[i] < chains[j] })
	for _, id := range chains {
		res, err := s.simulate(ctx, id, byChain[id])
		if err != nil {
			out.DryRunError = err.Error()
			log.Warn("shadow: simulation failed", "chain", id, "err", err)
			return
		}
		if res.Method != simulate.MethodAnvil {
			res.Warnings = append(res.Warnings, safeWarnings(s.opts, *out)...)
		}
		out.DryRuns = append(out.DryRuns, res)
		for _, a := range res.Actions {
			l := log.With("shadow", true, "type", a.Type, "target", a.Target, "call", a.Call.String(), "status", a.Status, "gas", a.GasUsed)
			if a.Revert != nil {
				l = l.With("revert", a.Revert.String())
			}
			if a.PostCondition != nil {
				l = l.With("post_condition", a.PostCondition.Description, "post_status", a.PostCondition.Status)
			}
			l.Info("shadow: action simulated, not sent")
		}
	}
}

func (s *shadow) simulate(ctx context.Context, chainID uint64, actions []simulate.Action) (simulate.Result, error) {
	url, ok := s.rpc[chainID]
	if !ok {
		return simulate.Result{}, fmt.Errorf("shadow: no rpc for chain %d", chainID)
	}
	fork, err := simulate.OpenFork(ctx, forkOptions(s.opts, url, 0, chainID, nil))
	if err != nil {
		return simulate.Result{}, err
	}
	defer fork.Close()
	return fork.Run(ctx, actions)
}
