package main

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/contracts"
)

// drillScenario is one scripted attack on the drill protocol.
type drillScenario struct {
	Name string
	// Target is the drill contract drained: "vault" or "bridge".
	Target string
	// Label names the target in the report; empty means "drill."+Target.
	Label string
	// Key is the attacker's: its own, or the stolen operator key.
	Key string
	// Containment is what the shipped policies should do about it.
	Containment string
	About       string
	// gas is the attacker's gas limit: fixed, so that a call that would
	// revert is sent anyway (and mined, and reverts).
	gas uint64
	// next builds the attacker's call draining amount.
	next func(a *attacker, amount *big.Int) (to common.Address, value *big.Int, data []byte, what string)
	// usable is the part of the target's balance a slice may take.
	usable func(a *attacker, balance *big.Int) *big.Int
}

// reentrancyDeposit is what the reentrancy attacker deposits to be paid
// back many times over.
var reentrancyDeposit = big.NewInt(1e18)

var drillScenarios = []drillScenario{
	{
		Name: "reentrancy-drain", Target: "vault", Key: contracts.DevAttackerKey, Containment: "pause drill.vault",
		About: "an attacker contract deposits 1 ETH into DrillVault and re-enters withdrawAll until a slice is out, once a block",
		gas:   1_500_000,
		next: func(a *attacker, amount *big.Int) (common.Address, *big.Int, []byte, string) {
			times := new(big.Int).Add(new(big.Int).Div(amount, reentrancyDeposit), common.Big1)
			return a.drill.Attacker, reentrancyDeposit, contracts.NewDrillAttacker().PackAttack(times), fmt.Sprintf("attack(%s)", times)
		},
		usable: func(_ *attacker, balance *big.Int) *big.Int {
			// whole deposits only: the re-entry is paid the deposit each time
			return new(big.Int).Mul(new(big.Int).Div(balance, reentrancyDeposit), reentrancyDeposit)
		},
	},
	{
		Name: "compromised-operator", Target: "vault", Key: contracts.DevDrillOperatorKey, Containment: "pause drill.vault, revoke the operator's OPERATOR_ROLE",
		About: "a stolen DrillVault operator key sweeps a slice of the vault to the attacker, once a block",
		gas:   300_000,
		next: func(a *attacker, amount *big.Int) (common.Address, *big.Int, []byte, string) {
			return a.drill.Vault, nil, contracts.NewDrillVault().PackSweep(a.loot, amount), "sweep(" + ethString(amount) + " ETH)"
		},
	},
	{
		Name: "bridge-outflow", Target: "bridge", Key: contracts.DevAttackerKey, Containment: "freeze drill.bridge",
		About: "forged releases (DrillBridge checks a hash anyone can compute) withdraw a slice of the bridge's liquidity, once a block",
		gas:   300_000,
		next: func(a *attacker, amount *big.Int) (common.Address, *big.Int, []byte, string) {
			id := crypto.Keccak256Hash([]byte(fmt.Sprintf("forged-%d", len(a.sent))))
			return a.drill.Bridge, nil, contracts.NewDrillBridge().PackRelease(a.loot, amount, id, bridgeAttestation(a.drill.Bridge, a.loot, amount, id)), "release(" + ethString(amount) + " ETH)"
		},
	},
}

func scenarioNamed(name string) (drillScenario, bool) {
	for _, s := range drillScenarios {
		if s.Name == name {
			return s, true
		}
	}
	return drillScenario{}, false
}

// bridgeAttestation is DrillBridge.attestation, computed here: the
// bridge's bug is precisely that anyone can.
func bridgeAttestation(bridge, to common.Address, amount *big.Int, id common.Hash) [32]byte {
	addr, _ := abi.NewType("address", "", nil)
	u256, _ := abi.NewType("uint256", "", nil)
	b32, _ := abi.NewType("bytes32", "", nil)
	enc, _ := abi.Arguments{{Type: addr}, {Type: addr}, {Type: u256}, {Type: b32}}.Pack(bridge, to, amount, [32]byte(id))
	return crypto.Keccak256Hash(enc)
}

// attacker is the scripted attacker: at every new head it sends one
// transaction draining a slice of the target, with a high tip, until it
// has sent max or the target is empty.
type attacker struct {
	sc     drillScenario
	client *ethclient.Client
	drill  contracts.Drill
	target common.Address
	// funds reads what the attack drains at a block: the target's ETH,
	// or an ERC-20 balance (a drill of your own setup).
	funds func(ctx context.Context, block common.Hash) (*big.Int, error)
	// key signs the attacker's transactions; nil means from is
	// impersonated on an anvil fork (a compromised account of yours) and
	// its transactions go out as eth_sendTransaction over rpc.
	key     *ecdsa.PrivateKey
	rpc     *rpc.Client
	from    common.Address
	chainID *big.Int
	// loot is where the funds go: the attacker's own account.
	loot   common.Address
	signer types.Signer
	tip    *big.Int
	slice  *big.Int
	max    int

	mu      sync.Mutex
	nonce   uint64
	started bool
	done    bool
	sent    []attackTx
	errs    []string
}

// attackTx is one transaction the attacker sent.
type attackTx struct {
	Hash   common.Hash
	What   string
	Amount *big.Int
	// Head is the block the attacker saw when it sent it; SentAt when.
	Head   uint64
	SentAt time.Time
}

func newAttacker(ctx context.Context, sc drillScenario, client *ethclient.Client, d contracts.Drill, slice *big.Int, max int, tip *big.Int) (*attacker, error) {
	key, err := crypto.HexToECDSA(sc.Key)
	if err != nil {
		return nil, err
	}
	lootKey, _ := crypto.HexToECDSA(contracts.DevAttackerKey)
	a := &attacker{sc: sc, client: client, drill: d, key: key, from: crypto.PubkeyToAddress(key.PublicKey),
		loot: crypto.PubkeyToAddress(lootKey.PublicKey), signer: types.LatestSignerForChainID(big.NewInt(demoChainID)),
		chainID: big.NewInt(demoChainID), tip: tip, slice: slice, max: max}
	a.target = d.Vault
	if sc.Target == "bridge" {
		a.target = d.Bridge
	}
	a.funds = func(ctx context.Context, block common.Hash) (*big.Int, error) {
		return client.BalanceAtHash(ctx, a.target, block)
	}
	if a.nonce, err = client.PendingNonceAt(ctx, a.from); err != nil {
		return nil, fmt.Errorf("drill: the attacker's nonce: %w", err)
	}
	return a, nil
}

// onHead sends the next slice, if any is left to take. It reports whether
// the attacker is done.
func (a *attacker) onHead(ctx context.Context, h *types.Header) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return true
	}
	if len(a.sent) >= a.max || a.givenUp(ctx) {
		a.done = true
		return true
	}
	bal, err := a.funds(ctx, h.Hash())
	if err != nil {
		a.errs = append(a.errs, err.Error())
		return false
	}
	usable := bal
	if a.sc.usable != nil {
		usable = a.sc.usable(a, bal)
	}
	amount := new(big.Int).Set(a.slice)
	if usable.Cmp(amount) < 0 {
		amount = usable
	}
	if amount.Sign() <= 0 {
		a.done = true // drained
		return true
	}
	to, value, data, what := a.sc.next(a, amount)
	fee := new(big.Int).Add(new(big.Int).Mul(h.BaseFee, big.NewInt(2)), a.tip)
	hash, err := a.send(ctx, &types.DynamicFeeTx{
		ChainID: a.chainID, Nonce: a.nonce, GasTipCap: a.tip, GasFeeCap: fee, Gas: a.sc.gas, To: &to, Value: value, Data: data,
	})
	if err != nil {
		a.errs = append(a.errs, err.Error())
		return false
	}
	a.nonce++
	a.started = true
	a.sent = append(a.sent, attackTx{Hash: hash, What: what, Amount: amount, Head: h.Number.Uint64(), SentAt: time.Now()})
	return false
}

// send signs and sends tx, or, for an impersonated attacker, has anvil
// send it as from. The hash is the one the chain knows it by.
func (a *attacker) send(ctx context.Context, tx *types.DynamicFeeTx) (common.Hash, error) {
	if a.key == nil {
		var hash common.Hash
		err := a.rpc.CallContext(ctx, &hash, "eth_sendTransaction", map[string]any{
			"from": a.from, "to": tx.To, "gas": hexutil.Uint64(tx.Gas), "value": (*hexutil.Big)(bigOrZero(tx.Value)),
			"input": hexutil.Bytes(tx.Data), "nonce": hexutil.Uint64(tx.Nonce), "chainId": (*hexutil.Big)(tx.ChainID),
			"maxFeePerGas": (*hexutil.Big)(tx.GasFeeCap), "maxPriorityFeePerGas": (*hexutil.Big)(tx.GasTipCap),
		})
		return hash, err
	}
	signed, err := types.SignNewTx(a.key, a.signer, tx)
	if err != nil {
		return common.Hash{}, err
	}
	return signed.Hash(), a.client.SendTransaction(ctx, signed)
}

func bigOrZero(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}

// giveUpAfter is how many reverted transactions in a row make the
// attacker stop.
const giveUpAfter = 3

// givenUp reports whether the attacker's last giveUpAfter transactions all
// reverted: the contract is contained.
func (a *attacker) givenUp(ctx context.Context) bool {
	if len(a.sent) < giveUpAfter {
		return false
	}
	for _, t := range a.sent[len(a.sent)-giveUpAfter:] {
		r, err := a.client.TransactionReceipt(ctx, t.Hash)
		if err != nil || r.Status != types.ReceiptStatusFailed {
			return false
		}
	}
	return true
}

func (a *attacker) txs() []attackTx {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]attackTx(nil), a.sent...)
}

func ethString(wei *big.Int) string {
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(wei), big.NewFloat(1e18)).Float64()
	return fmt.Sprintf("%.4g", f)
}
