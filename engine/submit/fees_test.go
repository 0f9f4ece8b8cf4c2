package submit

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/firebreak-dev/firebreak/contracts"
)

func fees(feeCap, tip int64) Fees { return Fees{FeeCap: big.NewInt(feeCap), Tip: big.NewInt(tip)} }

func TestMinReplacement(t *testing.T) {
	tests := []struct {
		name      string
		old, want Fees
	}{
		{"exact tenth", fees(100, 10), fees(110, 11)},
		{"rounds up", fees(101, 11), fees(112, 13)},
		{"zero tip still rises", fees(5, 0), fees(6, 1)},
		{"one wei", fees(1, 1), fees(2, 2)},
		{"gwei", fees(30e9, 2e9), fees(33e9, 2.2e9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MinReplacement(tt.old)
			if got.FeeCap.Cmp(tt.want.FeeCap) != 0 || got.Tip.Cmp(tt.want.Tip) != 0 {
				t.Fatalf("MinReplacement(%v) = %v, want %v", tt.old, got, tt.want)
			}
		})
	}
}

func TestReplacement(t *testing.T) {
	tests := []struct {
		name    string
		old     Fees
		market  Fees
		cap     *big.Int
		want    Fees
		wantErr error
	}{
		{"market below: the minimum bump", fees(100, 10), fees(50, 5), nil, fees(110, 11), nil},
		{"market above: the market", fees(100, 10), fees(300, 20), nil, fees(300, 20), nil},
		{"mixed: each the higher", fees(100, 10), fees(300, 5), nil, fees(300, 11), nil},
		{"capped market still valid", fees(100, 10), fees(300, 20), big.NewInt(150), fees(150, 20), nil},
		{"cap exactly the minimum", fees(100, 10), fees(300, 20), big.NewInt(110), fees(110, 20), nil},
		{"cap blocks", fees(100, 10), fees(300, 20), big.NewInt(109), fees(100, 10), ErrCapReached},
		{"tip limited by cap", fees(100, 95), fees(100, 200), big.NewInt(110), fees(110, 110), nil},
		{"tip cannot rise enough under cap", fees(100, 100), fees(100, 100), big.NewInt(105), fees(100, 100), ErrCapReached},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Replacement(tt.old, tt.market, tt.cap)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got.FeeCap.Cmp(tt.want.FeeCap) != 0 || got.Tip.Cmp(tt.want.Tip) != 0 {
				t.Fatalf("Replacement = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMarketFees(t *testing.T) {
	head := &types.Header{Number: big.NewInt(1), BaseFee: big.NewInt(1000)}
	tests := []struct {
		name             string
		tip, minTip, cap *big.Int
		want             Fees
	}{
		{"twice the base fee plus tip", big.NewInt(50), nil, nil, fees(2050, 50)},
		{"min tip wins", big.NewInt(5), big.NewInt(40), nil, fees(2040, 40)},
		{"cap wins", big.NewInt(50), nil, big.NewInt(1500), fees(1500, 50)},
		{"cap below tip", big.NewInt(50), nil, big.NewInt(30), fees(30, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MarketFees(head, tt.tip, tt.minTip, tt.cap)
			if got.FeeCap.Cmp(tt.want.FeeCap) != 0 || got.Tip.Cmp(tt.want.Tip) != 0 {
				t.Fatalf("MarketFees = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestReplacementsAcceptedByGethPool sends a chain of replacements priced
// by Replacement to geth's own txpool (ethclient/simulated): every one must
// be accepted, one wei less than MinReplacement on either fee must be
// refused as underpriced, and the last one is the one mined. Anvil accepts
// any higher fee cap, so only geth's pool proves the rule.
func TestReplacementsAcceptedByGethPool(t *testing.T) {
	key, _ := crypto.HexToECDSA(guardianKey)
	from := crypto.PubkeyToAddress(key.PublicKey)
	sim := contracts.NewSimulated(types.GenesisAlloc{from: {Balance: new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))}})
	t.Cleanup(func() { _ = sim.Close() })
	client := sim.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	chainID, err := client.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(chainID)
	to := common.HexToAddress("0x000000000000000000000000000000000000dEaD")
	send := func(f Fees) (*types.Transaction, error) {
		tx := types.MustSignNewTx(key, signer, &types.DynamicFeeTx{
			ChainID: chainID, Nonce: 0, GasTipCap: f.Tip, GasFeeCap: f.FeeCap, Gas: 21000, To: &to, Value: big.NewInt(1),
		})
		return tx, Classify(client.SendTransaction(ctx, tx))
	}
	head, err := client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur := MarketFees(head, big.NewInt(params.GWei), nil, nil)
	last, err := send(cur)
	if err != nil {
		t.Fatal(err)
	}
	markets := []Fees{
		fees(1, 1), // market collapsed: the minimum bump
		{FeeCap: new(big.Int).Mul(cur.FeeCap, big.NewInt(3)), Tip: cur.Tip}, // base-fee spike
		{FeeCap: cur.FeeCap, Tip: new(big.Int).Mul(cur.Tip, big.NewInt(5))}, // tip war
		fees(1, 1), fees(1, 1),
	}
	for i, market := range markets {
		// One wei under geth's threshold on either fee: refused, and
		// classified as such.
		minus1 := func(v *big.Int) *big.Int { return new(big.Int).Sub(floorBump(v), big.NewInt(1)) }
		for _, under := range []Fees{
			{FeeCap: minus1(cur.FeeCap), Tip: MinReplacement(cur).Tip},
			{FeeCap: MinReplacement(cur).FeeCap, Tip: minus1(cur.Tip)},
		} {
			if _, err := send(under); !errors.Is(err, ErrReplacementUnderpriced) {
				t.Fatalf("bump %d: %v over %v: err = %v, want replacement underpriced", i, under, cur, err)
			}
		}
		next, err := Replacement(cur, market, nil)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := send(next)
		if err != nil {
			t.Fatalf("bump %d from %v to %v refused by geth's pool: %v", i, cur, next, err)
		}
		cur, last = next, tx
	}
	// A capped bump that is still a valid replacement is accepted too.
	least := MinReplacement(cur)
	next, err := Replacement(cur, fees(0, 0), least.FeeCap)
	if err != nil {
		t.Fatal(err)
	}
	if last, err = send(next); err != nil {
		t.Fatalf("capped bump refused: %v", err)
	}
	if _, err := Replacement(next, fees(0, 0), next.FeeCap); !errors.Is(err, ErrCapReached) {
		t.Fatalf("a cap at the current fee cap must block the bump, got %v", err)
	}

	sim.Commit()
	r, err := client.TransactionReceipt(ctx, last.Hash())
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("the last replacement was not mined: %v %v", r, err)
	}
}

func floorBump(v *big.Int) *big.Int {
	n := new(big.Int).Mul(v, big.NewInt(100+PriceBump))
	return n.Div(n, big.NewInt(100))
}
