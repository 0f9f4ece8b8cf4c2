package safe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

// TxChecker checks a Safe transaction against the allowlist in force:
// the Safe is a configured Safe signer, the transaction a plain CALL with
// no value and no refund, its inner call allowlisted. decide.Allowlist is
// the engine's.
type TxChecker interface {
	CheckSafeTx(chainID uint64, safe common.Address, tx safesigner.Tx) error
}

// HaltReader reads the kill switch; guard.KillSwitch is one.
type HaltReader interface {
	Halted(ctx context.Context) (guard.Halt, bool, error)
}

// approvalDomain separates approval MACs from intent MACs.
const approvalDomain = "firebreak/approval/v1"

// SealApproval sets a's MAC: the engine's, over what the approval
// executes and for whom (id, event, protocol, type, Safe signer, Safe,
// chain, function, the whole Safe transaction and its hash). Signatures,
// state and timestamps change as owners approve and are not covered.
func SealApproval(s *record.Sealer, a *Approval) {
	a.MAC = s.Sum(approvalDomain, approvalFields(*a)...)
}

// VerifyApproval checks a's MAC (record.ErrNoMAC, record.ErrBadMAC).
func VerifyApproval(s *record.Sealer, a Approval) error {
	if s == nil {
		return fmt.Errorf("%w: no MAC key to verify it with", record.ErrBadMAC)
	}
	return s.Check(approvalDomain, a.MAC, approvalFields(a)...)
}

func approvalFields(a Approval) [][]byte {
	u64 := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
	t := a.Tx
	return [][]byte{
		[]byte(a.ID), []byte(a.EventID), []byte(a.Protocol), []byte(a.Type), []byte(a.Signer), a.Safe[:], u64(a.ChainID), []byte(a.Function),
		t.To[:], t.Value.ToInt().Bytes(), t.Data, {t.Operation}, t.SafeTxGas.ToInt().Bytes(), t.BaseGas.ToInt().Bytes(),
		t.GasPrice.ToInt().Bytes(), t.GasToken[:], t.RefundReceiver[:], u64(t.Nonce), a.Hash[:],
	}
}

// ErrApprovalRefused means an approval failed CheckApproval: it is not
// signed by an owner and never executed.
var ErrApprovalRefused = errors.New("approval: refused")

// CheckApproval is what an approval must pass before an owner signs it
// (`firebreak approve`) and again before the engine executes it: its Safe
// transaction is a plain CALL, without value or refund, of an allowlisted
// function on the configured Safe (allow), its hash is that transaction's
// on that Safe, and its MAC is the engine's (sealer). Every failure is
// named.
func CheckApproval(a Approval, sealer *record.Sealer, allow TxChecker) error {
	var errs []error
	if allow == nil {
		errs = append(errs, errors.New("no allowlist to check it against"))
	} else if err := allow.CheckSafeTx(a.ChainID, a.Safe, a.Tx); err != nil {
		errs = append(errs, err)
	}
	if a.ChainID != 0 {
		if h := a.Tx.Hash(new(big.Int).SetUint64(a.ChainID), a.Safe); h != a.Hash {
			errs = append(errs, fmt.Errorf("its safe_tx_hash %s is not its transaction's (%s)", a.Hash.Hex(), h.Hex()))
		}
	}
	if err := VerifyApproval(sealer, a); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil
	}
	args := []any{ErrApprovalRefused, a.ID}
	for _, e := range errs {
		args = append(args, e)
	}
	return fmt.Errorf("%w: %s: "+strings.TrimSuffix(strings.Repeat("%w; ", len(errs)), "; "), args...)
}
