package recovery

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// State is where a proposal is.
type State string

// States. Executed and Failed are final.
const (
	// Proposed: planned and dry-run, waiting for approvals. Nothing sent.
	Proposed State = "proposed"
	// Executing: the approvals are in; its steps are recorded intents on
	// their way to the chain.
	Executing State = "executing"
	// Executed: every step mined and its post-condition holds on chain.
	Executed State = "executed"
	// Failed: a step failed or a post-condition does not hold; Reason says
	// which. The incident stays recovering.
	Failed State = "failed"
)

// Errors of proposals and approvals.
var (
	ErrNotFound = errors.New("recovery: no such proposal")
	// ErrConflict: the proposal changed between read and write.
	ErrConflict = errors.New("recovery: proposal changed concurrently")
	// ErrNotProposed: the proposal takes no more approvals.
	ErrNotProposed = errors.New("recovery: proposal is not waiting for approvals")
	// ErrNotApprover: a key is not one of recovery.approvers.
	ErrNotApprover = errors.New("recovery: not a configured approver")
	// ErrAlreadyApproved: this approver signed already.
	ErrAlreadyApproved = errors.New("recovery: already approved by this approver")
	// ErrBadMAC: the proposal does not carry the engine's MAC over its hash.
	ErrBadMAC = errors.New("recovery: proposal MAC")
	// ErrBadHash: the stored hash is not the hash of the stored steps.
	ErrBadHash = errors.New("recovery: proposal hash does not match its steps")
)

// Proposal is a planned recovery and its approvals.
type Proposal struct {
	ID       string `json:"id"`
	Incident string `json:"incident"`
	Protocol string `json:"protocol"`
	ChainID  uint64 `json:"chain_id"`
	// Signer sends the steps (recovery.signer); From is its account.
	Signer  string         `json:"signer"`
	From    common.Address `json:"from"`
	Steps   []Step         `json:"steps"`
	Skipped []Skipped      `json:"skipped,omitempty"`
	// DryRun is the plan tried on a fork of the live chain.
	DryRun *simulate.Result `json:"dry_run,omitempty"`
	// Hash is what approvers sign (ProposalHash), hex.
	Hash string `json:"hash"`
	// MAC is the engine's MAC over the hash (record.Sealer).
	MAC        string     `json:"mac"`
	Threshold  int        `json:"threshold"`
	Approvals  []Approval `json:"approvals,omitempty"`
	State      State      `json:"state"`
	Actions    []string   `json:"actions,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	ProposedBy string     `json:"proposed_by"`
	ProposedAt time.Time  `json:"proposed_at"`
	// AuditedProposal and AuditedApprovals: what the engine has written to
	// the audit log (the CLI that writes a proposal does not write the
	// log; the engine that watches the bucket does, once).
	AuditedProposal  bool `json:"audited_proposal,omitempty"`
	AuditedApprovals int  `json:"audited_approvals,omitempty"`
}

// Approval is one approver's ed25519 signature over the proposal's hash.
type Approval struct {
	Approver  string        `json:"approver"`
	Signature hexutil.Bytes `json:"signature"`
	At        time.Time     `json:"at"`
}

// Domains separate these hashes, MACs and signatures from every other use
// of the keys.
const (
	hashDomain     = "firebreak/recovery/v1"
	macDomain      = "firebreak/recovery-mac/v1"
	approvalDomain = "firebreak/recovery-approval/v1"
)

// ProposalHash is the SHA-256 over what executing p does: its id,
// incident, signer, and each step's chain, target and calldata, each
// field length-prefixed. Approvers sign it; the engine executes only
// the steps it covers.
func ProposalHash(p Proposal) [32]byte {
	h := sha256.New()
	field := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(hashDomain))
	field([]byte(p.ID))
	field([]byte(p.Incident))
	field([]byte(p.Signer))
	for _, st := range p.Steps {
		var chain [8]byte
		binary.BigEndian.PutUint64(chain[:], st.ChainID)
		field([]byte(st.Type))
		field(chain[:])
		field(st.To[:])
		field(st.Data)
	}
	return [32]byte(h.Sum(nil))
}

// Seal sets p's hash and the engine's MAC over it.
func Seal(p Proposal, s *record.Sealer) Proposal {
	h := ProposalHash(p)
	p.Hash = hex.EncodeToString(h[:])
	p.MAC = s.Sum(macDomain, h[:], []byte(p.Incident))
	return p
}

// Verify checks that p's hash is its steps' and that it carries the
// engine's MAC over it.
func Verify(p Proposal, s *record.Sealer) error {
	h := ProposalHash(p)
	if p.Hash != hex.EncodeToString(h[:]) {
		return fmt.Errorf("%w: %s", ErrBadHash, p.ID)
	}
	if err := s.Check(macDomain, p.MAC, h[:], []byte(p.Incident)); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBadMAC, p.ID, err)
	}
	return nil
}

// approvalMessage is what an approver's key signs.
func approvalMessage(hash [32]byte) []byte {
	return append([]byte(approvalDomain+"\x00"), hash[:]...)
}

// Sign is approver name's signature of p with key.
func Sign(p Proposal, name string, key ed25519.PrivateKey, now time.Time) Approval {
	return Approval{Approver: name, Signature: ed25519.Sign(key, approvalMessage(ProposalHash(p))), At: now}
}

// Approver finds the configured approver holding pub.
func Approver(approvers []config.RecoveryApprover, pub ed25519.PublicKey) (string, bool) {
	for _, a := range approvers {
		if k, err := config.ParseRecoveryKey(a.PublicKey); err == nil && k.Equal(pub) {
			return a.Name, true
		}
	}
	return "", false
}

// Tally counts p's approvals against the configured approvers: the
// distinct approvers whose signature verifies under their configured key
// over p's hash as computed now (not as stored), and why each other one
// does not count.
func Tally(p Proposal, approvers []config.RecoveryApprover) (valid []string, refused []string) {
	keys := map[string]ed25519.PublicKey{}
	for _, a := range approvers {
		if k, err := config.ParseRecoveryKey(a.PublicKey); err == nil {
			keys[a.Name] = k
		}
	}
	msg := approvalMessage(ProposalHash(p))
	counted := map[string]bool{}
	for i, ap := range p.Approvals {
		k, ok := keys[ap.Approver]
		switch {
		case !ok:
			refused = append(refused, fmt.Sprintf("approval %d: %q is not one of recovery.approvers", i, ap.Approver))
		case len(ap.Signature) != ed25519.SignatureSize || !ed25519.Verify(k, msg, ap.Signature):
			refused = append(refused, fmt.Sprintf("approval %d: the signature of %q does not verify under their configured key", i, ap.Approver))
		case counted[ap.Approver]:
			refused = append(refused, fmt.Sprintf("approval %d: %q approved already", i, ap.Approver))
		default:
			counted[ap.Approver] = true
			valid = append(valid, ap.Approver)
		}
	}
	return valid, refused
}

// IntentID is the id of step i's action record.
func IntentID(proposalID string, i int) string { return fmt.Sprintf("%s-%d", proposalID, i) }

// Intent is step i of p as an action intent for the submitter.
func Intent(p Proposal, i int) record.Intent {
	st := p.Steps[i]
	return record.Intent{
		ID: IntentID(p.ID, i), EventID: p.ID, Protocol: st.Protocol, Type: st.Type, Rule: "recovery",
		ChainID: st.ChainID, To: st.To, Function: st.Function, Data: st.Data, Signer: p.Signer,
	}
}
