package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// ApprovalStatus is an approval, what it would execute read back for its
// owners, and what the chain says about it now.
type ApprovalStatus struct {
	safe.Approval
	// Call is the Safe transaction's inner call, decoded by the ABI of
	// the allowlisted function whose selector it carries, its target by
	// registry name.
	Call decide.Call `json:"call"`
	// Operation is CALL or DELEGATECALL; Value the wei it sends.
	Operation string `json:"operation"`
	Value     string `json:"value"`
	// Refusal is why `firebreak approve` would refuse to sign it and the
	// engine to execute it (safe.CheckApproval); empty when it passes.
	Refusal string `json:"refusal,omitempty"`
	// SafeNonce is the Safe's nonce now; nil when the chain could not be read.
	SafeNonce *uint64 `json:"safe_nonce_now,omitempty"`
	// Stale: the Safe's nonce moved past the transaction's, so it can
	// never execute, whether or not the engine has marked it yet.
	Stale bool `json:"stale"`
}

// ownerChecks is what an owner's approve checks of a Safe transaction: a
// plain, allowlisted call. The Safe itself need not be in the owner's
// configuration: the MAC covers it, and the owner's key must own it on
// chain. (The engine checks it is one of its Safe signers too.)
type ownerChecks struct{ allow *decide.Allowlist }

func (c ownerChecks) CheckSafeTx(chainID uint64, _ common.Address, tx safesigner.Tx) error {
	return c.allow.CheckTx(chainID, tx)
}

// DescribeApproval reads a back for its owners, and checks it, against
// the allowlist of opts and the engine's MAC key as opts name it.
func DescribeApproval(opts config.Options, a safe.Approval) ApprovalStatus {
	sealer, _ := openSealer(opts, false)
	return describeApproval(a, sealer, decide.NewAllowlist(opts))
}

// describeApproval reads a back for its owners and checks it.
func describeApproval(a safe.Approval, sealer *record.Sealer, allow *decide.Allowlist) ApprovalStatus {
	s := ApprovalStatus{Approval: a, Call: allow.Describe(a.ChainID, a.Tx.To, a.Tx.Data), Operation: "CALL", Value: a.Tx.Value.ToInt().String()}
	if a.Tx.Operation != safesigner.OperationCall {
		s.Operation = fmt.Sprintf("DELEGATECALL (operation %d)", a.Tx.Operation)
	}
	if err := safe.CheckApproval(a, sealer, ownerChecks{allow}); err != nil {
		s.Refusal = err.Error()
	}
	return s
}

// Approvals lists the approvals in the bucket of the NATS server opts
// point at, each checked against its Safe's current nonce.
func Approvals(ctx context.Context, opts config.Options) ([]ApprovalStatus, error) {
	store, closeNATS, err := openApprovals(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer closeNATS()
	as, err := store.List(ctx)
	if err != nil {
		return nil, err
	}
	// Without the key the MAC cannot be checked: every approval then says
	// so in its refusal, which is what approve would answer too.
	sealer, _ := openSealer(opts, false)
	allow := decide.NewAllowlist(opts)
	nonces := map[string]*uint64{}
	out := make([]ApprovalStatus, 0, len(as))
	for _, a := range as {
		s := describeApproval(a, sealer, allow)
		key := fmt.Sprintf("%d/%s", a.ChainID, a.Safe.Hex())
		if _, ok := nonces[key]; !ok {
			nonces[key] = readSafeNonce(ctx, opts, a)
		}
		s.SafeNonce = nonces[key]
		s.Stale = a.State == safe.Stale || (!a.State.Final() && s.SafeNonce != nil && *s.SafeNonce > a.Tx.Nonce)
		out = append(out, s)
	}
	return out, nil
}

// Approve adds the signature of the owner whose signer is called
// signerName in opts (a local or Vault signer, built as the engine builds
// it: key or credentials from the environment) to the approval id. The approval must be
// pending and not stale, the signer must be an owner of the Safe that has
// not signed yet, and the recorded transaction must hash, on the Safe's own
// getTransactionHash, to what the approval says: the owner signs what the
// contract will check, not what the bucket claims. Before that, whatever
// the bucket says, the Safe transaction must be a plain CALL without value
// of a function on the allowlist of opts, and carry the engine's MAC (the key of records.mac_key_*, or of
// data_dir): safe.CheckApproval, ErrApprovalRefused. (The Safe itself is
// covered by the MAC and must be owned by the owner's key.) Once the signatures
// reach the threshold the running engine executes it.
func Approve(ctx context.Context, opts config.Options, id, signerName string, log *slog.Logger) (safe.Approval, error) {
	sealer, err := openSealer(opts, false)
	if err != nil {
		return safe.Approval{}, fmt.Errorf("engine: approve needs the engine's MAC key to verify the approval: %w", err)
	}
	allow := decide.NewAllowlist(opts)
	so, ok := opts.Signers[signerName]
	_, inst := opts.SignerInstances[signerName]
	switch {
	case !ok && !inst:
		return safe.Approval{}, fmt.Errorf("%w: --signer: no signer named %q in the configuration", config.ErrConfig, signerName)
	case ok && so.Kind == "safe":
		return safe.Approval{}, fmt.Errorf("%w: --signer: %q is a Safe; name one of its owners' signers", config.ErrConfig, signerName)
	}
	only := opts
	only.Signers = map[string]config.SignerOptions{}
	if ok {
		only.Signers[signerName] = so
	}
	only.SignerInstances = maps.Clone(opts.SignerInstances)
	signers, closeSigners, err := buildSigners(ctx, only, log)
	if err != nil {
		return safe.Approval{}, err
	}
	defer closeSigners()
	sg := signers[signerName]

	store, closeNATS, err := openApprovals(ctx, opts)
	if err != nil {
		return safe.Approval{}, err
	}
	defer closeNATS()
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	// Another approver may write between our read and write: read again.
	for attempt := 0; ; attempt++ {
		a, rev, err := store.Get(ctx, id)
		if err != nil {
			return a, err
		}
		if a.State != safe.Pending {
			return a, fmt.Errorf("%w: %s is %s", safe.ErrNotPending, id, a.State)
		}
		if err := safe.CheckApproval(a, sealer, ownerChecks{allow}); err != nil {
			log.Error("approval refused: not signed", "approval", id, "err", err)
			return a, err
		}
		client, err := dialChain(ctx, opts, a.ChainID)
		if err != nil {
			return a, err
		}
		sf := safesigner.New(a.Safe, a.ChainID, nil, client)
		st, err := sf.State(ctx)
		if err != nil {
			client.Close()
			return a, err
		}
		if st.Nonce > a.Tx.Nonce {
			client.Close()
			return a, fmt.Errorf("%w: approval %s is for Safe nonce %d, the Safe is at %d; it can never execute", safesigner.ErrStale, id, a.Tx.Nonce, st.Nonce)
		}
		if !st.IsOwner(sg.Address()) {
			client.Close()
			return a, fmt.Errorf("%w: signer %q (%s) of Safe %s", safesigner.ErrNotOwner, signerName, sg.Address().Hex(), a.Safe.Hex())
		}
		hash, err := sf.CheckHash(ctx, a.Tx)
		client.Close()
		if err != nil {
			return a, err
		}
		if hash != a.Hash {
			return a, fmt.Errorf("%w: the approval records %s, the Safe computes %s", safesigner.ErrHashMismatch, a.Hash.Hex(), hash.Hex())
		}
		sig, err := safesigner.SignHash(ctx, sg, hash)
		if err != nil {
			return a, fmt.Errorf("engine: signing approval %s with %q: %w", id, signerName, err)
		}
		if err := a.Add(sig, now()); err != nil {
			return a, err
		}
		if _, err := store.Update(ctx, a, rev); errors.Is(err, safe.ErrConflict) && attempt < 5 {
			continue
		} else if err != nil {
			return a, err
		}
		log.Info("owner signature added", "approval", id, "owner", sig.Owner.Hex(), "signatures", len(a.Signatures), "threshold", a.Threshold, "state", a.State)
		return a, nil
	}
}

// NATSClientURL is the URL clients use to reach the NATS server opts
// describe: nats.url, or the embedded server's host and port.
func NATSClientURL(opts config.Options) string {
	if opts.NATS.URL != "" {
		return opts.NATS.URL
	}
	return fmt.Sprintf("nats://%s:%d", opts.NATS.Host, opts.NATS.Port)
}

func openApprovals(ctx context.Context, opts config.Options) (*safe.ApprovalStore, func(), error) {
	copts, err := NATSConnectOptions(opts)
	if err != nil {
		return nil, nil, err
	}
	nc, err := ingest.DialWith(NATSClientURL(opts), "firebreak-approve", copts)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("engine: JetStream: %w", err)
	}
	store, err := safe.BindApprovalStore(ctx, js)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return store, nc.Close, nil
}

func dialChain(ctx context.Context, opts config.Options, id uint64) (*ChainClient, error) {
	for _, c := range opts.Chains {
		if c.ID == id {
			client, err := dialBounded(ctx, c, c.RPC)
			if err != nil {
				// The URL, which the error repeats, may hold an API key.
				return nil, fmt.Errorf("engine: connecting to chain %d at %s: %s", c.ID, config.RedactURL(c.RPC), config.RedactURLs(err.Error(), c.RPC))
			}
			return client, nil
		}
	}
	return nil, fmt.Errorf("%w: chain %d is not in chains", config.ErrConfig, id)
}

func readSafeNonce(ctx context.Context, opts config.Options, a safe.Approval) *uint64 {
	client, err := dialChain(ctx, opts, a.ChainID)
	if err != nil {
		return nil
	}
	defer client.Close()
	n, err := safesigner.New(a.Safe, a.ChainID, nil, client).Nonce(ctx)
	if err != nil {
		return nil
	}
	return &n
}
