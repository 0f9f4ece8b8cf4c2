package submit

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
)

// PriceBump is the replacement threshold of geth's pool (and of most
// clients copying it): a replacement must raise both the fee cap and the
// tip by at least this many percent.
const PriceBump = 10

// feeHistoryBlocks is how many recent blocks the tip percentile looks at.
const feeHistoryBlocks = 10

// Fees is an EIP-1559 price in wei.
type Fees struct {
	FeeCap, Tip *big.Int
}

func (f Fees) String() string { return fmt.Sprintf("max fee %s wei, tip %s wei", f.FeeCap, f.Tip) }

// MinReplacement returns the lowest fees a node applying geth's rule
// accepts as a replacement of old: each of fee cap and tip raised by
// PriceBump percent, rounded up, and by at least 1 wei.
func MinReplacement(old Fees) Fees {
	return Fees{FeeCap: bumped(old.FeeCap), Tip: bumped(old.Tip)}
}

func bumped(v *big.Int) *big.Int {
	n := new(big.Int).Mul(v, big.NewInt(100+PriceBump))
	n.Add(n, big.NewInt(99)) // round up
	n.Div(n, big.NewInt(100))
	if n.Cmp(v) <= 0 {
		n.Add(v, big.NewInt(1))
	}
	return n
}

// Replacement prices the replacement of a transaction priced at old when
// the market now asks for market: the higher of the market and the minimum
// valid replacement, each component, with the fee cap held at maxFee (nil:
// no cap). It fails with ErrCapReached when the cap leaves no valid
// replacement; the caller keeps old in flight and says so.
func Replacement(old, market Fees, maxFee *big.Int) (Fees, error) {
	least := MinReplacement(old)
	next := Fees{FeeCap: bigMax(market.FeeCap, least.FeeCap), Tip: bigMax(market.Tip, least.Tip)}
	if maxFee != nil && next.FeeCap.Cmp(maxFee) > 0 {
		next.FeeCap = new(big.Int).Set(maxFee)
	}
	if next.Tip.Cmp(next.FeeCap) > 0 {
		next.Tip = new(big.Int).Set(next.FeeCap)
	}
	if next.FeeCap.Cmp(least.FeeCap) < 0 || next.Tip.Cmp(least.Tip) < 0 {
		return old, fmt.Errorf("%w: a replacement of %s needs %s, cap %s wei", ErrCapReached, old, least, maxFee)
	}
	return next, nil
}

// MarketFees prices a transaction for the block after head: the tip, at
// least minTip, and a fee cap of twice head's base fee plus the tip, which
// stays above the base fee through six full blocks of growth (a fee cap
// below the base fee is accepted by geth's pool and then sits there). The
// cap, when set, wins over both.
func MarketFees(head *types.Header, tip, minTip, maxFee *big.Int) Fees {
	t := bigMax(tip, minTip)
	base := head.BaseFee
	if base == nil {
		base = new(big.Int)
	}
	fc := new(big.Int).Add(new(big.Int).Mul(base, big.NewInt(2)), t)
	if maxFee != nil && fc.Cmp(maxFee) > 0 {
		fc = new(big.Int).Set(maxFee)
	}
	if t.Cmp(fc) > 0 {
		t = new(big.Int).Set(fc)
	}
	return Fees{FeeCap: fc, Tip: t}
}

// feeHistoryReader is the one read the tip estimate needs.
type feeHistoryReader interface {
	FeeHistory(ctx context.Context, blockCount uint64, lastBlock *big.Int, rewardPercentiles []float64) (*ethereum.FeeHistory, error)
}

// estimateTip returns the highest percentile tip paid in the last blocks:
// an emergency transaction wants to be in the next block, not the average
// one.
func estimateTip(ctx context.Context, c feeHistoryReader, percentile float64) (*big.Int, error) {
	h, err := c.FeeHistory(ctx, feeHistoryBlocks, nil, []float64{percentile})
	if err != nil {
		return nil, fmt.Errorf("submit: eth_feeHistory: %w", Classify(err))
	}
	tip := new(big.Int)
	for _, r := range h.Reward {
		if len(r) > 0 && r[0] != nil && r[0].Cmp(tip) > 0 {
			tip.Set(r[0])
		}
	}
	return tip, nil
}

func bigMax(a, b *big.Int) *big.Int {
	if a == nil || (b != nil && b.Cmp(a) > 0) {
		a = b
	}
	if a == nil {
		return new(big.Int)
	}
	return new(big.Int).Set(a)
}
