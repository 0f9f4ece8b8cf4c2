package simulate

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	safecontract "github.com/firebreak-dev/firebreak/contracts/safe"
)

// sendSafe runs r through the Safe at r.From the way its owners would, on
// an anvil fork and without any key: the inner call is first tried from
// the Safe (so a refusal is reported with the target's own reason), then
// threshold owners, impersonated, approveHash the Safe transaction, and
// one of them sends execTransaction with pre-validated (v = 1) signatures.
// That exercises the real owners, threshold, nonce and execTransaction.
func (f *Fork) sendSafe(ctx context.Context, r *ActionResult) error {
	// Estimating the inner call from the Safe changes nothing and, when the
	// Safe may not do it, gives the target's own reason (execTransaction
	// would only say GS013).
	var gas hexutil.Uint64
	if err := f.node.CallContext(ctx, &gas, "eth_estimateGas", callArg(r.From, r.To, r.Data)); err != nil {
		if rev, ok := f.revert(err); ok {
			r.Status, r.Revert = StatusReverted, rev
			return nil
		}
		return f.rpcErr("eth_estimateGas", err)
	}
	return f.execThroughOwners(ctx, r)
}

func (f *Fork) execThroughOwners(ctx context.Context, r *ActionResult) error {
	s := safecontract.NewSafe()
	read := func(data []byte) ([]byte, error) {
		var out []byte
		var err error
		to := r.From
		out, err = f.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
		if err != nil {
			return nil, f.rpcErr("eth_call", err)
		}
		return out, nil
	}
	out, err := read(s.PackGetOwners())
	if err != nil {
		return err
	}
	owners, err := s.UnpackGetOwners(out)
	if err != nil {
		return fmt.Errorf("simulate: %s does not answer getOwners() like a Safe: %w", r.From.Hex(), err)
	}
	if out, err = read(s.PackGetThreshold()); err != nil {
		return err
	}
	threshold, err := s.UnpackGetThreshold(out)
	if err != nil {
		return fmt.Errorf("simulate: reading the Safe's threshold: %w", err)
	}
	if out, err = read(s.PackNonce()); err != nil {
		return err
	}
	nonce, err := s.UnpackNonce(out)
	if err != nil {
		return fmt.Errorf("simulate: reading the Safe's nonce: %w", err)
	}
	zero, none := new(big.Int), common.Address{}
	if out, err = read(s.PackGetTransactionHash(r.To, zero, r.Data, 0, zero, zero, zero, none, none, nonce)); err != nil {
		return err
	}
	hash, err := s.UnpackGetTransactionHash(out)
	if err != nil {
		return fmt.Errorf("simulate: reading the Safe transaction hash: %w", err)
	}
	if !threshold.IsUint64() || threshold.Uint64() == 0 || threshold.Uint64() > uint64(len(owners)) {
		return fmt.Errorf("simulate: the Safe %s has threshold %s for %d owners", r.From.Hex(), threshold, len(owners))
	}
	// The contract wants signatures in ascending owner order.
	signers := append([]common.Address(nil), owners...)
	sort.Slice(signers, func(i, j int) bool { return bytes.Compare(signers[i][:], signers[j][:]) < 0 })
	signers = signers[:threshold.Uint64()]
	var sigs []byte
	for _, o := range signers {
		if err := f.impersonate(ctx, o); err != nil {
			return err
		}
		step := ActionResult{Action: Action{From: o, To: r.From, Data: s.PackApproveHash(hash)}}
		if err := f.sendEOA(ctx, &step); err != nil {
			return err
		}
		if step.Status != StatusOK {
			r.Status, r.Revert = step.Status, step.Revert
			return nil
		}
		// v = 1: "approved": r holds the owner, s is unused.
		sigs = append(sigs, common.LeftPadBytes(o[:], 32)...)
		sigs = append(sigs, make([]byte, 32)...)
		sigs = append(sigs, 1)
	}
	exec := ActionResult{Action: Action{From: signers[0], To: r.From,
		Data: s.PackExecTransaction(r.To, zero, r.Data, 0, zero, zero, zero, none, none, sigs)}}
	if err := f.sendEOA(ctx, &exec); err != nil {
		return err
	}
	r.Status, r.Revert, r.GasUsed, r.ForkTxHash = exec.Status, exec.Revert, exec.GasUsed, exec.ForkTxHash
	r.SafeOwners = signers
	return nil
}
