package simulate

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
)

// ForkOptionsFor are the fork options o's simulate settings give for a fork
// of url at block (0: the head) of chain chainID.
func ForkOptionsFor(o config.Options, url string, block, chainID uint64, progress func(string)) ForkOptions {
	return ForkOptions{
		URL: url, Block: block, ChainID: chainID, Method: Method(o.Simulate.Method), AnvilBin: o.Simulate.Anvil,
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

// SenderFunc names the account a signer sends from.
type SenderFunc func(signer string) (common.Address, error)

// ActionsFor turns the allowed verdicts of event eventID into actions to
// simulate, from each signer's address (sender), with their
// post-conditions, grouped by chain. An action's id is the event id and the
// verdict's index.
func ActionsFor(o config.Options, sender SenderFunc, eventID string, verdicts []guard.Verdict) (map[uint64][]Action, error) {
	byChain := map[uint64][]Action{}
	for i, a := range verdicts {
		// A notification is a message, not a transaction: nothing to
		// simulate, and shadow mode does not publish it either.
		if a.Outcome != guard.Allowed || a.Request.Type == guard.ActionNotify {
			continue
		}
		from, err := sender(a.Signer)
		if err != nil {
			return nil, err
		}
		byChain[a.ChainID] = append(byChain[a.ChainID], Action{
			ID: fmt.Sprintf("%s-%d", eventID, i), Type: a.Request.Type, Target: a.Request.Protocol + "." + a.Request.Contract,
			From: from, Safe: o.Signers[a.Signer].Kind == "safe", To: a.To, Data: a.Data, Check: postCondition(o, a),
		})
	}
	return byChain, nil
}

// postCondition is what must hold once an allowed action took effect.
func postCondition(o config.Options, v guard.Verdict) *Check {
	c := &Check{To: v.To}
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

// SafeWarnings says which actions go through a Safe when the method is not
// anvil: they are simulated as calls from the Safe itself, which checks its
// role and the effect, but not the owners' signatures and execTransaction.
func SafeWarnings(o config.Options, verdicts []guard.Verdict) []string {
	var w []string
	seen := map[string]bool{}
	for _, a := range verdicts {
		so, ok := o.Signers[a.Signer]
		if a.Outcome != guard.Allowed || !ok || so.Kind != "safe" || seen[a.Signer] {
			continue
		}
		seen[a.Signer] = true
		w = append(w, fmt.Sprintf("signer %s is a Safe (%s): its actions were simulated as calls from the Safe itself; the owners' signatures and execTransaction were not exercised", a.Signer, so.Address))
	}
	return w
}

// Shadow is the engine's executor in shadow mode (Options.Shadow): instead
// of recording intents for the submitter, it tries the allowed actions of
// each event on a fresh fork of their chain and records the result in the
// event's Outcome (DryRuns), which the processed-events bucket keeps and
// the audit log can read. Nothing is signed and nothing reaches a chain:
// no submitter exists in shadow mode, and no key is needed.
type Shadow struct {
	opts   config.Options
	sender SenderFunc
	rpc    map[uint64]string
	log    *slog.Logger
}

// NewShadow checks, before any event, that every signer's address is
// known: a shadow engine that cannot name the sender would only find out
// at the first incident.
func NewShadow(opts config.Options, sender SenderFunc, log *slog.Logger) (*Shadow, error) {
	for _, name := range slices.Sorted(maps.Keys(opts.Signers)) {
		if _, err := sender(name); err != nil {
			return nil, err
		}
	}
	s := &Shadow{opts: opts, sender: sender, rpc: map[uint64]string{}, log: log}
	for _, c := range opts.Chains {
		s.rpc[c.ID] = c.RPC
	}
	return s, nil
}

// Run simulates the allowed verdicts of ev, one fork per chain, and returns
// the results. A simulation that cannot be done is returned as its reason,
// not retried: shadow results are for review, and redelivering an event
// cannot mend a fork.
func (s *Shadow) Run(ctx context.Context, ev event.Event, verdicts []guard.Verdict) (results []Result, failure string) {
	log := s.log.With("event", ev.ID, "protocol", ev.Protocol)
	byChain, err := ActionsFor(s.opts, s.sender, ev.ID, verdicts)
	if err != nil {
		log.Warn("shadow: no simulation", "err", err)
		return nil, err.Error()
	}
	chains := make([]uint64, 0, len(byChain))
	for id := range byChain {
		chains = append(chains, id)
	}
	sort.Slice(chains, func(i, j int) bool { return chains[i] < chains[j] })
	for _, id := range chains {
		res, err := s.simulate(ctx, id, byChain[id])
		if err != nil {
			log.Warn("shadow: simulation failed", "chain", id, "err", err)
			return results, err.Error()
		}
		if res.Method != MethodAnvil {
			res.Warnings = append(res.Warnings, SafeWarnings(s.opts, verdicts)...)
		}
		results = append(results, res)
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
	return results, ""
}

func (s *Shadow) simulate(ctx context.Context, chainID uint64, actions []Action) (Result, error) {
	url, ok := s.rpc[chainID]
	if !ok {
		return Result{}, fmt.Errorf("shadow: no rpc for chain %d", chainID)
	}
	fork, err := OpenFork(ctx, ForkOptionsFor(s.opts, url, 0, chainID, nil))
	if err != nil {
		return Result{}, err
	}
	defer fork.Close()
	return fork.Run(ctx, actions)
}
