package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

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
// that would fail.
func DryRun(ctx context.Context, opts config.Options, ev event.Event, dopts DryRunOptions, log *slog.Logger) (decide.Outcome, error) {
	if err := opts.Validate(); err != nil {
		return decide.Outcome{}, err
	}
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
	fork, err := simulate.OpenFork(ctx, forkOptions(opts, url, dopts.ForkBlock, chainID, dopts.Progress))
	if err != nil {
		return decide.Outcome{}, err
	}
	defer fork.Close()

	planner, err := decide.NewPlanner(ctx, opts, map[uint64]guard.Caller{chainID: fork}, log)
	if err != nil {
		return decide.Outcome{}, err
	}
	if dopts.Progress != nil {
		dopts.Progress("evaluating the event against the policies, with preconditions read on the fork")
	}
	out, err := planner.Plan(ctx, ev)
	if err != nil {
		return out, err
	}
	byChain, err := simulationActions(opts, ev, out)
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
		res.Warnings = append(res.Warnings, safeWarnings(opts, out)...)
	}
	out.DryRuns = append(out.DryRuns, res)
	return out, nil
}

func forkOptions(o config.Options, url string, block, chainID uint64, progress func(string)) simulate.ForkOptions {
	return simulate.ForkOptions{
		URL: url, Block: block, ChainID: chainID, Method: simulate.Method(o.Simulate.Method), AnvilBin: o.Simulate.Anvil,
		ProbeTimeout: o.Simulate.ProbeTimeout, StartTimeout: o.Simulate.StartTimeout, Progress: progress, RoleNames: roleNames(o),
	}
}

// roleNames are the role names of the registry, for the decoder.
func roleNames(o config.Options) []string {
	var names []string
	for _, p := range o.Protocols {
		for _, r := range p.Roles {
			names = append(names, r)
		}
	}
	sort.Strings(names)
	return names
}

// simulationActions turns the allowed verdicts of an outcome into actions
// to simulate, from each signer's address, with their post-conditions,
// grouped by chain.
func simulationActions(o config.Options, ev event.Event, out decide.Outcome) (map[uint64][]simulate.Action, error) {
	byChain := map[uint64][]simulate.Action{}
	for i, a := range out.Actions {
		// A notification is a message, not a transaction: nothing to
		// simulate, and shadow mode does not publish it either.
		if a.Outcome != guard.Allowed || a.Request.Type == guard.ActionNotify {
			continue
		}
		from, err := senderAddress(o, a.Signer)
		if err != nil {
			return nil, err
		}
		byChain[a.ChainID] = append(byChain[a.ChainID], simulate.Action{
			ID: fmt.Sprintf("%s-%d", ev.ID, i), Type: a.Request.Type, Target: a.Request.Protocol + "." + a.Request.Contract,
			From: from, Safe: o.Signers[a.Signer].Kind == "safe", To: a.To, Data: a.Data, Check: postCondition(o, a.Verdict),
		})
	}
	return byChain, nil
}

// postCondition is what must hold once an allowed action took effect.
func postCondition(o config.Options, v guard.Verdict) *simulate.Check {
	c := &simulate.Check{To: v.To}
	switch v.Request.Type {
	case guard.ActionPause:
		c.Description, c.Data, c.Want = "paused() == true", guard.Selector("paused()"), true
	case guard.ActionFreezeBridge:
		frozen := o.Protocols[v.Request.Protocol].Contracts[v.Request.Contract].FrozenFunction
		if frozen == "" {
			frozen = "frozen()"
		}
		c.Description, c.Data, c.Want = frozen+" == true", guard.Selector(frozen), true
	case guard.ActionRevokeRole:
		if len(v.Data) != 4+64 {
			return nil
		}
		// hasRole takes the very (role, account) revokeRole was given.
		c.Data = append(guard.Selector("hasRole(bytes32,address)"), v.Data[4:]...)
		c.Description, c.Want = fmt.Sprintf("hasRole(%s, %s) == false", v.Request.Role, v.Request.Account), false
	case guard.ActionBlockAddress:
		blocked := o.Protocols[v.Request.Protocol].Contracts[v.Request.Contract].BlockedFunction
		if blocked == "" || len(v.Data) != 4+32 {
			return nil // no view to read it back with
		}
		c.Data = append(guard.Selector(strings.ReplaceAll(blocked, " ", "")), v.Data[4:]...)
		c.Description, c.Want = fmt.Sprintf("%s of %s == true", blocked, v.Request.Account), true
	default:
		return nil
	}
	return c
}

// safeWarnings says which actions go through a Safe when the method is not
// anvil: they are simulated as calls from the Safe itself, which checks its
// role and the effect, but not the owners' signatures and execTransaction.
func safeWarnings(o config.Options, out decide.Outcome) []string {
	var w []string
	seen := map[string]bool{}
	for _, a := range out.Actions {
		so, ok := o.Signers[a.Signer]
		if a.Outcome != guard.Allowed || !ok || so.Kind != "safe" || seen[a.Signer] {
			continue
		}
		seen[a.Signer] = true
		w = append(w, fmt.Sprintf("signer %s is a Safe (%s): its actions were simulated as calls from the Safe itself; the owners' signatures and execTransaction were not exercised", a.Signer, so.Address))
	}
	return w
}
