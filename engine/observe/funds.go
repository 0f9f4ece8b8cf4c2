package observe

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/submit"
	signersafe "github.com/firebreak-dev/firebreak/signer/safe"
)

// payerKey is one account paying gas for one protocol's actions.
type payerKey struct {
	protocol string
	chain    uint64
	signer   string
}

// payer is the most expensive containment transaction it would send.
type payer struct{ gas uint64 }

func (r *run) needGas(protocol string, chain uint64, signer string, gas uint64) {
	k := payerKey{protocol, chain, signer}
	p := r.payers[k]
	if p == nil {
		p = &payer{}
		r.payers[k] = p
	}
	p.gas = max(p.gas, gas)
}

// checkBalances checks that every payer's balance covers
// readiness.min_actions of its most expensive containment transaction,
// priced as the submitter prices it (EmergencyFees).
func (r *run) checkBalances(ctx context.Context) {
	keys := make([]payerKey, 0, len(r.payers))
	for k := range r.payers {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b payerKey) int {
		return strings.Compare(a.protocol+"\x00"+a.signer, b.protocol+"\x00"+b.signer)
	})
	fees := map[uint64]submit.Fees{}
	feeErr := map[uint64]error{}
	for _, k := range keys {
		f := Finding{Protocol: k.protocol, ChainID: k.chain, Signer: k.signer, Check: CheckBalance}
		st := r.signers[k.signer]
		ch := r.c.chains[k.chain]
		if st == nil || !st.known || ch == nil || r.heads[k.chain] != nil {
			continue // its signer or chain finding says why
		}
		fee, ok := fees[k.chain]
		if _, failed := feeErr[k.chain]; !ok && !failed {
			var err error
			if fee, err = r.emergencyFees(ctx, k.chain); err != nil {
				feeErr[k.chain] = err
			} else {
				fees[k.chain] = fee
			}
		}
		if err := feeErr[k.chain]; err != nil {
			f.Status, f.Detail = StatusFail, fmt.Sprintf("emergency fees on chain %d could not be priced: %s", k.chain, rpcCause(err))
			f.Fix = fmt.Sprintf("Check the node of chain %d: the submitter prices with eth_feeHistory and the head block.", k.chain)
			r.add(f)
			continue
		}
		gasLimit := r.payers[k].gas * submit.DefaultOptions().GasMargin / 100
		perTx := new(big.Int).Mul(new(big.Int).SetUint64(gasLimit), fee.FeeCap)
		need := new(big.Int).Mul(perTx, big.NewInt(int64(r.c.r.MinActions)))
		var bal *big.Int
		if err := r.call(ctx, func(ctx context.Context) (err error) { bal, err = ch.BalanceAt(ctx, st.addr, nil); return err }); err != nil {
			f.Status, f.Detail, f.Fix = StatusFail, fmt.Sprintf("eth_getBalance failed: %s", rpcCause(err)), fmt.Sprintf("Check the node of chain %d.", k.chain)
			r.add(f)
			continue
		}
		covers := new(big.Int)
		if perTx.Sign() > 0 {
			covers.Div(bal, perTx)
		}
		priced := fmt.Sprintf("%d gas × %s gwei fee cap = %s ETH each", gasLimit, gwei(fee.FeeCap), eth(perTx))
		if bal.Cmp(need) < 0 {
			f.Status = StatusFail
			f.Detail = fmt.Sprintf("%s holds %s ETH: %s of the readiness.min_actions=%d containment transactions at emergency fees (%s)", st.addr.Hex(), eth(bal), covers, r.c.r.MinActions, priced)
			f.Fix = fmt.Sprintf("Send at least %s ETH to %s on chain %d.", eth(new(big.Int).Sub(need, bal)), st.addr.Hex(), k.chain)
		} else {
			f.Status = StatusOK
			f.Detail = fmt.Sprintf("%s holds %s ETH: %s containment transactions at emergency fees (%s)", st.addr.Hex(), eth(bal), covers, priced)
		}
		r.add(f)
	}
}

// emergencyFees prices a containment transaction on chain as the
// submitter does: the tip at the chain's tip percentile of the last blocks
// (eth_feeHistory), at least min_tip, and submit.MarketFees over the head.
func (r *run) emergencyFees(ctx context.Context, chain uint64) (submit.Fees, error) {
	var co config.ChainOptions
	for _, c := range r.c.cfg.Chains {
		if c.ID == chain {
			co = c
		}
	}
	ch := r.c.chains[chain]
	var head *types.Header
	if err := r.call(ctx, func(ctx context.Context) (err error) { head, err = ch.HeaderByNumber(ctx, nil); return err }); err != nil {
		return submit.Fees{}, err
	}
	pct := co.TipPercentile
	if pct == 0 {
		pct = submit.DefaultTipPercentile
	}
	tip := new(big.Int)
	err := r.call(ctx, func(ctx context.Context) error {
		h, err := ch.FeeHistory(ctx, feeHistoryBlocks, nil, []float64{pct})
		if err != nil {
			return err
		}
		for _, rw := range h.Reward {
			if len(rw) > 0 && rw[0] != nil && rw[0].Cmp(tip) > 0 {
				tip.Set(rw[0])
			}
		}
		return nil
	})
	if err != nil {
		return submit.Fees{}, err
	}
	var maxFee *big.Int
	if co.MaxFeePerGas > 0 {
		maxFee = gweiToWei(co.MaxFeePerGas)
	}
	return submit.MarketFees(head, tip, gweiToWei(co.MinTip), maxFee), nil
}

// feeHistoryBlocks is the submitter's window of recent blocks for the tip.
const feeHistoryBlocks = 10

func gweiToWei(g float64) *big.Int {
	wei, _ := new(big.Float).Mul(big.NewFloat(g), big.NewFloat(1e9)).Int(nil)
	return wei
}

func gwei(wei *big.Int) string {
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(wei), big.NewFloat(1e9)).Float64()
	return fmt.Sprintf("%.3g", f)
}

func eth(wei *big.Int) string {
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(wei), big.NewFloat(1e18)).Float64()
	return fmt.Sprintf("%.6g", f)
}

// checkSafe checks that a Safe can act: the owners firebreak holds plus
// readiness.safe_quorum reach its threshold, and every owner signer
// firebreak holds is still an owner.
func (r *run) checkSafe(ctx context.Context, pname string, p config.ProtocolOptions, sname string) {
	so := r.c.cfg.Signers[sname]
	f := Finding{Protocol: pname, ChainID: so.ChainID, Signer: sname, Check: CheckSafe}
	ch := r.c.chains[so.ChainID]
	if ch == nil || r.heads[so.ChainID] != nil {
		return // the head finding says why
	}
	addr := common.HexToAddress(so.Address)
	var st signersafe.State
	err := r.call(ctx, func(ctx context.Context) (err error) {
		st, err = signersafe.New(addr, so.ChainID, nil, ch).State(ctx)
		return err
	})
	if err != nil {
		f.Status, f.Detail = StatusFail, fmt.Sprintf("Safe %s does not answer getThreshold/getOwners: %s", addr.Hex(), rpcCause(err))
		f.Fix = fmt.Sprintf("Check signers.%s.address and chain_id: is a Safe deployed there?", sname)
		r.add(f)
		return
	}
	var held, gone []string
	for _, o := range so.Owners {
		s := r.signers[o]
		switch {
		case s == nil || !s.known:
			gone = append(gone, fmt.Sprintf("%s (address unknown)", o))
		case !st.IsOwner(s.addr):
			gone = append(gone, fmt.Sprintf("%s (%s is not an owner)", o, s.addr.Hex()))
		case s.ok:
			held = append(held, o)
		default:
			gone = append(gone, fmt.Sprintf("%s (cannot sign now)", o))
		}
	}
	q := r.c.r.SafeQuorum
	reach := uint64(len(held) + q)
	desc := fmt.Sprintf("Safe %s needs %d of %d owners; firebreak holds %d usable (%s) and readiness.safe_quorum counts %d more", addr.Hex(), st.Threshold, len(st.Owners), len(held), strings.Join(held, ", "), q)
	if len(gone) > 0 {
		desc += "; not usable: " + strings.Join(gone, ", ")
	}
	switch {
	case reach < st.Threshold:
		f.Status, f.Detail = StatusFail, desc
		f.Fix = fmt.Sprintf("Give firebreak %d more owner key(s) of Safe %s (signers.%s.owners), or raise readiness.safe_quorum if that many people will sign with 'firebreak approve'.", st.Threshold-reach, addr.Hex(), sname)
	case len(gone) > 0:
		f.Status, f.Detail = StatusWarn, desc
		f.Fix = fmt.Sprintf("Remove or replace the owners of signers.%s.owners that are not usable.", sname)
	default:
		f.Status, f.Detail = StatusOK, desc
	}
	r.add(f)
}
