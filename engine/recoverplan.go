package engine

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/recovery"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// Errors of proposing a recovery.
var (
	// ErrDryRunFailed: a step reverted on the fork or its post-condition
	// did not hold there; nothing is proposed.
	ErrDryRunFailed = errors.New("engine: the recovery's dry-run failed: nothing proposed")
	// ErrAlreadyProposed: the same plan is proposed already.
	ErrAlreadyProposed = errors.New("engine: this recovery is proposed already")
	// ErrInFlight: a containment action of the incident is not final yet.
	ErrInFlight = errors.New("engine: containment still in flight")
)

// RecoverOptions say what to recover.
type RecoverOptions struct {
	Incident string
	// Grants name the accounts revoked roles go back to.
	Grants []recovery.Grant
	// By is the operator proposing it.
	By string
	// ForkURL is the node to fork for the dry-run; empty means the chain's
	// rpc in the configuration.
	ForkURL  string
	Progress func(string)
}

// ProposeRecovery plans the inverse of incident ro.Incident's mined
// containment actions, dry-runs it on a fork of the live chain with its
// post-conditions, and stores it as a proposal (FIREBREAK_RECOVERY); the
// incident moves to recovering. Nothing is sent: the running engine
// executes the proposal once recovery.threshold approvers signed it. A
// step off recovery_allowlist refuses the whole plan
// (recovery.ErrNotAllowlisted), a failed dry-run is ErrDryRunFailed; both
// return the plan as far as it got. No configured secret reaches the error.
func ProposeRecovery(ctx context.Context, opts config.Options, ro RecoverOptions, log *slog.Logger) (recovery.Proposal, error) {
	if err := opts.Validate(); err != nil {
		return recovery.Proposal{}, err
	}
	redact := opts.Redactor(ro.ForkURL)
	p, err := proposeRecovery(ctx, opts, ro, slog.New(redact.Handler(log.Handler())))
	return p, redact.Error(err)
}

func proposeRecovery(ctx context.Context, opts config.Options, ro RecoverOptions, log *slog.Logger) (recovery.Proposal, error) {
	r := opts.Recovery
	if !r.Configured() {
		return recovery.Proposal{}, config.Errorf("recovery: not configured: set recovery.signer, recovery.approvers and recovery.threshold (docs/recovery.md)")
	}
	sealer, err := openSealer(opts, false)
	if err != nil {
		return recovery.Proposal{}, fmt.Errorf("engine: recover needs the engine's MAC key to verify the action records and seal the proposal: %w", err)
	}
	from, err := senderAddress(opts, r.Signer)
	if err != nil {
		return recovery.Proposal{}, err
	}
	js, closeNATS, err := dialClient(ctx, opts, "firebreak-recover")
	if err != nil {
		return recovery.Proposal{}, err
	}
	defer closeNATS()
	incidents, err := incident.OpenStore(ctx, js)
	if err != nil {
		return recovery.Proposal{}, err
	}
	in, _, err := incidents.Get(ctx, ro.Incident)
	if err != nil {
		return recovery.Proposal{}, err
	}
	if in.State.Final() {
		return recovery.Proposal{}, fmt.Errorf("engine: incident %s is %s: nothing to recover", in.ID, in.State)
	}
	actions, err := readActions(ctx, js, sealer, in.Actions)
	if err != nil {
		return recovery.Proposal{}, err
	}
	for _, rec := range actions {
		if !rec.State.Final() {
			// Its inverse planned now would be undone by it once mined.
			return recovery.Proposal{}, fmt.Errorf("%w: action %s of incident %s is still %s: recover once containment is final", ErrInFlight, rec.ID, in.ID, rec.State)
		}
	}
	p := recovery.Proposal{Incident: in.ID, Protocol: in.Protocol, Signer: r.Signer, From: from, Threshold: r.Threshold,
		State: recovery.Proposed, ProposedBy: ro.By, ProposedAt: recoveryNow(opts.Now).UTC()}
	if p.Steps, p.Skipped, err = recovery.Plan(opts, actions, ro.Grants); err != nil {
		return p, err
	}
	if err := recovery.CheckAllowed(opts, p.Steps); err != nil {
		return p, err
	}
	p.ChainID = p.Steps[0].ChainID
	for _, st := range p.Steps {
		if st.ChainID != p.ChainID {
			return p, fmt.Errorf("engine: the plan spans chains %d and %d: recover one protocol's chain at a time", p.ChainID, st.ChainID)
		}
	}
	// The id follows from the plan: proposing the same plan twice is seen.
	h := recovery.ProposalHash(p)
	id := sha256.Sum256(append([]byte(in.ID+"\x00"), h[:]...))
	p.ID = "recovery-" + hex.EncodeToString(id[:8])
	res, err := dryRunRecovery(ctx, opts, ro, p)
	if err != nil {
		return p, err
	}
	p.DryRun = &res
	if !res.OK {
		return p, ErrDryRunFailed
	}
	p = recovery.Seal(p, sealer)
	store, err := recovery.OpenStore(ctx, js)
	if err != nil {
		return p, err
	}
	if _, err := store.Create(ctx, p); errors.Is(err, jetstream.ErrKeyExists) {
		old, _, gerr := store.Get(ctx, p.ID)
		if gerr != nil {
			return p, gerr
		}
		return old, fmt.Errorf("%w: %s is %s", ErrAlreadyProposed, old.ID, old.State)
	} else if err != nil {
		return p, err
	}
	log.Info("recovery proposed", "proposal", p.ID, "incident", in.ID, "steps", len(p.Steps))
	if err := recovery.MoveIncident(ctx, incidents, in.ID, incident.Recovering, ro.By, "recovery proposed: "+p.ID, recoveryNow(opts.Now)); err != nil {
		return p, fmt.Errorf("engine: recovery %s proposed, but the incident did not move to recovering: %w", p.ID, err)
	}
	return p, nil
}

// dryRunRecovery tries p's steps on a fork of the live chain, from the
// recovery signer's account, with their post-conditions.
func dryRunRecovery(ctx context.Context, opts config.Options, ro RecoverOptions, p recovery.Proposal) (simulate.Result, error) {
	url := ro.ForkURL
	for _, c := range opts.Chains {
		if url == "" && c.ID == p.ChainID {
			url = c.RPC
		}
	}
	if url == "" {
		return simulate.Result{}, config.Errorf("chain %d is not in chains: pass a fork URL", p.ChainID)
	}
	fork, err := simulate.OpenFork(ctx, simulate.ForkOptionsFor(opts, url, 0, p.ChainID, ro.Progress))
	if err != nil {
		return simulate.Result{}, err
	}
	defer fork.Close()
	actions := make([]simulate.Action, len(p.Steps))
	for i, st := range p.Steps {
		actions[i] = simulate.Action{ID: recovery.IntentID(p.ID, i), Type: st.Type, Target: st.Protocol + "." + st.Contract,
			From: p.From, To: st.To, Data: st.Data, Check: st.Check}
	}
	if ro.Progress != nil {
		ro.Progress(fmt.Sprintf("trying %d recovery step(s) on the fork", len(actions)))
	}
	return fork.Run(ctx, actions)
}

// ApproveRecovery adds the signature of the approver whose ed25519 key is
// key to proposal id. The key must be one of recovery.approvers; the
// proposal must be waiting for approvals, carry the engine's MAC over the
// hash of its steps, and every step must be on recovery_allowlist. Once
// recovery.threshold distinct approvers signed, the running engine
// executes it.
func ApproveRecovery(ctx context.Context, opts config.Options, id string, key ed25519.PrivateKey, log *slog.Logger) (recovery.Proposal, error) {
	name, ok := recovery.Approver(opts.Recovery.Approvers, key.Public().(ed25519.PublicKey))
	if !ok {
		return recovery.Proposal{}, fmt.Errorf("%w: the key's public key is not listed in recovery.approvers", recovery.ErrNotApprover)
	}
	sealer, err := openSealer(opts, false)
	if err != nil {
		return recovery.Proposal{}, fmt.Errorf("engine: approve needs the engine's MAC key to verify the proposal: %w", err)
	}
	js, closeNATS, err := dialClient(ctx, opts, "firebreak-approve")
	if err != nil {
		return recovery.Proposal{}, err
	}
	defer closeNATS()
	store, err := recovery.OpenStore(ctx, js)
	if err != nil {
		return recovery.Proposal{}, err
	}
	for attempt := 0; ; attempt++ {
		p, rev, err := store.Get(ctx, id)
		if err != nil {
			return p, err
		}
		if p.State != recovery.Proposed {
			return p, fmt.Errorf("%w: %s is %s", recovery.ErrNotProposed, id, p.State)
		}
		if err := recovery.Verify(p, sealer); err != nil {
			return p, err
		}
		if err := recovery.CheckAllowed(opts, p.Steps); err != nil {
			return p, err
		}
		valid, _ := recovery.Tally(p, opts.Recovery.Approvers)
		for _, v := range valid {
			if v == name {
				return p, fmt.Errorf("%w: %s, of %s", recovery.ErrAlreadyApproved, name, id)
			}
		}
		p.Approvals = append(p.Approvals, recovery.Sign(p, name, key, recoveryNow(opts.Now).UTC()))
		if _, err := store.Update(ctx, p, rev); errors.Is(err, recovery.ErrConflict) && attempt < 5 {
			continue
		} else if err != nil {
			return p, err
		}
		log.Info("recovery approval added", "proposal", id, "approver", name, "approvals", len(valid)+1, "threshold", opts.Recovery.Threshold)
		return p, nil
	}
}

// RecoveryProposal reads proposal id, for showing it.
func RecoveryProposal(ctx context.Context, opts config.Options, id string) (recovery.Proposal, error) {
	js, closeNATS, err := dialClient(ctx, opts, "firebreak-recover")
	if err != nil {
		return recovery.Proposal{}, err
	}
	defer closeNATS()
	store, err := recovery.OpenStore(ctx, js)
	if err != nil {
		return recovery.Proposal{}, err
	}
	p, _, err := store.Get(ctx, id)
	return p, err
}

// readActions reads the incident's action records; each must carry the
// engine's MAC: a plan is never built from a record the engine did not
// write.
func readActions(ctx context.Context, js jetstream.JetStream, sealer *record.Sealer, ids []string) ([]record.Record, error) {
	kv, err := js.KeyValue(ctx, record.ActionsBucket)
	if err != nil {
		return nil, fmt.Errorf("engine: opening %s: %w", record.ActionsBucket, err)
	}
	out := make([]record.Record, 0, len(ids))
	for _, id := range ids {
		e, err := kv.Get(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("engine: reading action %s of the incident: %w", id, err)
		}
		var rec record.Record
		if err := json.Unmarshal(e.Value(), &rec); err != nil {
			return nil, fmt.Errorf("engine: action %s: %w: does not decode: %w", id, record.ErrInvalid, err)
		}
		if rec.ID != id {
			return nil, fmt.Errorf("engine: action %s: %w: its id is %.80q", id, record.ErrInvalid, rec.ID)
		}
		if err := sealer.Verify(rec.Intent); err != nil {
			return nil, fmt.Errorf("engine: refusing to plan a recovery from it: %w", err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// dialClient connects to the NATS opts point at, as the CLI does.
func dialClient(ctx context.Context, opts config.Options, name string) (jetstream.JetStream, func(), error) {
	copts, err := NATSConnectOptions(opts)
	if err != nil {
		return nil, nil, err
	}
	nc, err := ingest.DialWith(NATSClientURL(opts), name, copts)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("engine: JetStream: %w", err)
	}
	return js, nc.Close, nil
}
