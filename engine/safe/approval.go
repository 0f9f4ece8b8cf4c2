// Approvals keep Safe transactions that wait for owner signatures: one
// record per action in the JetStream KV bucket FIREBREAK_APPROVALS.
//
// An action executed through a Safe waits here when its decision requires a
// human approval, or when firebreak holds fewer owner signers than the
// Safe's threshold. `firebreak approve` adds an owner's signature with a
// compare-and-set update; once the signatures reach the threshold the record
// is Ready and the running engine, which polls the bucket, sends it. The
// record's id is the action id, and the engine records the action under that
// same id before sending, so an approval can never execute twice.

package safe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/record"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// ApprovalsBucket is the KV bucket holding approvals.
const ApprovalsBucket = "FIREBREAK_APPROVALS"

// Errors of this package.
var (
	// ErrNotFound means no approval has the id.
	ErrNotFound = errors.New("approval: no such approval")
	// ErrNotPending means the approval no longer takes signatures: it is
	// ready, executed, stale or failed.
	ErrNotPending = errors.New("approval: not pending")
	// ErrConflict means the record changed between read and write (another
	// approver or the engine); read it again.
	ErrConflict = errors.New("approval: changed concurrently")
)

// State is where an approval is.
type ApprovalState string

// States. Executed, Stale and Failed are final.
const (
	// Pending: waiting for owner signatures.
	Pending ApprovalState = "pending"
	// Ready: the signatures reach the threshold; the engine will send it.
	Ready ApprovalState = "ready"
	// Executed: recorded as an action (ActionID) and handed to the submitter.
	Executed ApprovalState = "executed"
	// Stale: the Safe's nonce moved past the transaction's; it can never
	// execute. A new event, or a new approval, is needed.
	Stale ApprovalState = "stale"
	// Failed: it could not be executed; Error says why.
	Failed ApprovalState = "failed"
	// Refused: quarantined. The stored approval failed the check before
	// execution (its MAC, the allowlist in force, a plain CALL without
	// value) or did not validate when loaded; Error says why. It is never
	// executed.
	Refused ApprovalState = "refused"
)

// Final reports whether nothing more will happen to an approval in state s.
func (s ApprovalState) Final() bool {
	return s == Executed || s == Stale || s == Failed || s == Refused
}

// Approval is a Safe transaction waiting for owner signatures.
type Approval struct {
	// ID is the action id (event key and action index).
	ID       string `json:"id"`
	EventID  string `json:"event_id"`
	Protocol string `json:"protocol"`
	Type     string `json:"type"`
	Rule     string `json:"rule,omitempty"`
	// Signer is the name of the Safe signer in the configuration.
	Signer  string         `json:"signer"`
	Safe    common.Address `json:"safe"`
	ChainID uint64         `json:"chain_id"`
	// Function is the inner call's signature, e.g. "pause()".
	Function string        `json:"function"`
	Tx       safesigner.Tx `json:"safe_tx"`
	// Hash is Tx's EIP-712 hash: what owners sign.
	Hash       common.Hash            `json:"safe_tx_hash"`
	Threshold  uint64                 `json:"threshold"`
	Owners     []common.Address       `json:"owners"`
	Signatures []safesigner.Signature `json:"signatures"`
	// MAC is the engine's MAC over what the approval executes (SealApproval):
	// an approval without a valid one is neither signed by `firebreak
	// approve` nor executed.
	MAC string `json:"mac,omitempty"`
	// Reason says why it waits.
	Reason    string        `json:"reason"`
	State     ApprovalState `json:"state"`
	Error     string        `json:"error,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Add checks sig (a distinct owner's signature of the approval's hash) and
// adds it; the approval becomes Ready when the signatures reach the
// threshold.
func (a *Approval) Add(sig safesigner.Signature, now time.Time) error {
	if a.State != Pending {
		return fmt.Errorf("%w: %s is %s", ErrNotPending, a.ID, a.State)
	}
	if err := safesigner.Verify(a.Hash, sig, a.Owners); err != nil {
		return err
	}
	for _, s := range a.Signatures {
		if s.Owner == sig.Owner {
			return fmt.Errorf("%w: %s has already signed %s", safesigner.ErrDuplicateOwner, sig.Owner.Hex(), a.ID)
		}
	}
	a.Signatures = append(a.Signatures, sig)
	if uint64(len(a.Signatures)) >= a.Threshold {
		a.State = Ready
	}
	a.UpdatedAt = now
	return nil
}

// Missing is how many more signatures the approval needs.
func (a Approval) Missing() uint64 {
	if n := uint64(len(a.Signatures)); n < a.Threshold {
		return a.Threshold - n
	}
	return 0
}

// Store keeps approvals in the KV bucket. An approval it reads that fails
// to decode or validate is skipped; with an OnQuarantine hook (the
// engine's store), one that is not final is also quarantined: rewritten
// as Refused with the reason, and reported to the hook.
type ApprovalStore struct {
	kv  jetstream.KeyValue
	onQ func(ctx context.Context, a Approval)
}

// OnQuarantine sets the hook told of every approval the store quarantined
// while loading it.
func (s *ApprovalStore) OnQuarantine(f func(ctx context.Context, a Approval)) { s.onQ = f }

// NewStore creates or binds to the approvals bucket.
func NewApprovalStore(ctx context.Context, js jetstream.JetStream, replicas int) (*ApprovalStore, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      ApprovalsBucket,
		Description: "firebreak Safe transactions waiting for owner signatures",
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		History:     8,
	})
	if err != nil {
		return nil, fmt.Errorf("approval: creating bucket %s: %w", ApprovalsBucket, err)
	}
	return &ApprovalStore{kv: kv}, nil
}

// Create records a new approval. It returns false, and no error, when one
// with the same id exists already.
func (s *ApprovalStore) Create(ctx context.Context, a Approval) (uint64, bool, error) {
	data, err := json.Marshal(a)
	if err != nil {
		return 0, false, fmt.Errorf("approval: encoding %s: %w", a.ID, err)
	}
	rev, err := s.kv.Create(ctx, a.ID, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("approval: recording %s: %w", a.ID, err)
	}
	return rev, true, nil
}

// Get returns an approval and its revision.
func (s *ApprovalStore) Get(ctx context.Context, id string) (Approval, uint64, error) {
	e, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Approval{}, 0, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	if err != nil {
		return Approval{}, 0, fmt.Errorf("approval: reading %s: %w", id, err)
	}
	a, err := DecodeApproval(e.Value())
	if err == nil && a.ID != id {
		err = fmt.Errorf("%w: its id %.80q is not its key", ErrInvalid, a.ID)
	}
	if err != nil {
		if !a.State.Final() || a.ID == "" {
			s.quarantine(ctx, e, a, err)
		}
		return Approval{}, 0, fmt.Errorf("approval %s: %w", id, err)
	}
	return a, e.Revision(), nil
}

// ErrInvalid means a stored approval does not decode or validate.
var ErrInvalid = errors.New("approval: invalid stored approval")

// Decode parses and validates a stored approval.
func DecodeApproval(data []byte) (Approval, error) {
	var a Approval
	if err := json.Unmarshal(data, &a); err != nil {
		return Approval{}, fmt.Errorf("%w: decoding: %w", ErrInvalid, err)
	}
	if err := a.Validate(); err != nil {
		return a, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return a, nil
}

// Validate checks that an approval is one the engine could have written:
// an id, a known state and, unless final, the Safe, its chain, a
// threshold and the hash owners sign.
func (a Approval) Validate() error {
	if a.ID == "" {
		return errors.New("no id")
	}
	switch a.State {
	case Pending, Ready, Executed, Stale, Failed, Refused:
	default:
		return fmt.Errorf("unknown state %.32q", a.State)
	}
	if a.State.Final() {
		return nil
	}
	switch {
	case a.ChainID == 0:
		return errors.New("no chain_id")
	case a.Safe == (common.Address{}):
		return errors.New("no safe")
	case a.Signer == "":
		return errors.New("no signer")
	case a.Threshold == 0:
		return errors.New("no threshold")
	case a.Hash == (common.Hash{}):
		return errors.New("no safe_tx_hash")
	}
	return nil
}

// quarantine rewrites e's key as a Refused approval with the reason, when
// the store has an OnQuarantine hook to report it to (the engine's; the
// CLI's only skips it); a failed write leaves it to the next reader.
func (s *ApprovalStore) quarantine(ctx context.Context, e jetstream.KeyValueEntry, a Approval, reason error) {
	if s.onQ == nil {
		return
	}
	a.ID, a.State = e.Key(), Refused
	a.Error = "quarantined when loaded: " + reason.Error()
	data, err := json.Marshal(a)
	if err != nil {
		return
	}
	if _, err := s.kv.Update(ctx, e.Key(), data, e.Revision()); err != nil {
		return
	}
	s.onQ(ctx, a)
}

// Update writes a if the stored revision is still rev.
func (s *ApprovalStore) Update(ctx context.Context, a Approval, rev uint64) (uint64, error) {
	data, err := json.Marshal(a)
	if err != nil {
		return 0, fmt.Errorf("approval: encoding %s: %w", a.ID, err)
	}
	next, err := s.kv.Update(ctx, a.ID, data, rev)
	if record.Conflict(err) {
		return 0, fmt.Errorf("%w: %s", ErrConflict, a.ID)
	}
	if err != nil {
		return 0, fmt.Errorf("approval: updating %s: %w", a.ID, err)
	}
	return next, nil
}

// List returns every approval, oldest first.
func (s *ApprovalStore) List(ctx context.Context) ([]Approval, error) {
	lister, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("approval: listing: %w", err)
	}
	var out []Approval
	for key := range lister.Keys() {
		a, _, err := s.Get(ctx, key)
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) {
			continue // deleted meanwhile, or quarantined
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	sortByCreation(out)
	return out, nil
}

func sortByCreation(as []Approval) {
	slices.SortStableFunc(as, func(a, b Approval) int { return a.CreatedAt.Compare(b.CreatedAt) })
}
