package safe_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"

	"github.com/firebreak-dev/firebreak/contracts"
	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
	"github.com/firebreak-dev/firebreak/signer/safe"
)

// env is a 2-of-3 Safe guarding the demo protocol on a simulated chain.
type env struct {
	ctx      context.Context
	client   simulated.Client
	demo     safeabi.Demo
	owners   []safe.Owner // all three, in key order (not address order)
	stranger safe.Owner
	executor *bind.TransactOpts
	safe     *safe.Safe
}

func newEnv(t *testing.T) *env {
	t.Helper()
	keys := make([]*ecdsa.PrivateKey, 5)
	alloc := types.GenesisAlloc{}
	for i := range keys {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether))}
	}
	sim := contracts.NewSimulated(alloc)
	t.Cleanup(func() { sim.Close() })
	chainID := contracts.SimulatedChainConfig().ChainID
	e := &env{ctx: t.Context(), client: contracts.AutoMine(sim), executor: bind.NewKeyedTransactor(keys[4], chainID)}
	var addrs []common.Address
	for i, k := range keys[:4] {
		s, err := local.FromHex(common.Bytes2Hex(crypto.FromECDSA(k)))
		if err != nil {
			t.Fatal(err)
		}
		o := safe.Owner{Name: []string{"alice", "bob", "carol", "mallory"}[i], Signer: s}
		if i == 3 {
			e.stranger = o
			continue
		}
		e.owners = append(e.owners, o)
		addrs = append(addrs, s.Address())
	}
	admin := bind.NewKeyedTransactor(keys[0], chainID)
	var err error
	if e.demo, err = safeabi.DeployDemo(e.ctx, e.client, admin, addrs, 2, common.HexToAddress("0xdead"), nil); err != nil {
		t.Fatal(err)
	}
	e.safe = safe.New(e.demo.Safe, chainID.Uint64(), e.owners, e.client)
	return e
}

func (e *env) paused(t *testing.T) bool {
	t.Helper()
	v := contracts.NewProtectedVault()
	p, err := bind.Call(v.Instance(e.client, e.demo.Vault), nil, v.PackPaused(), v.UnpackPaused)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) pauseTx(t *testing.T) (safe.Tx, safe.State) {
	t.Helper()
	st, err := e.safe.State(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return safe.NewTx(e.demo.Vault, contracts.NewProtectedVault().PackPause(), st.Nonce), st
}

// send executes calldata on the Safe from the executor.
func (e *env) send(t *testing.T, data []byte) *types.Receipt {
	t.Helper()
	tx, err := bind.Transact(bind.NewBoundContract(e.demo.Safe, safeabi.NewSafe().GetABI(), e.client, e.client, e.client), e.executor, data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := bind.WaitMined(e.ctx, e.client, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTwoOfThreeSafePausesTheVault(t *testing.T) {
	e := newEnv(t)
	tx, st := e.pauseTx(t)
	if st.Threshold != 2 || len(st.Owners) != 3 || st.Nonce != 0 {
		t.Fatalf("state = %+v, want 2 of 3 at nonce 0", st)
	}
	if _, err := e.safe.CheckHash(e.ctx, tx); err != nil {
		t.Fatal(err)
	}
	// The owners sign in whatever order; ExecCalldata sorts them.
	sigs, err := e.safe.Sign(e.ctx, tx, st, e.owners[2], e.owners[0])
	if err != nil {
		t.Fatal(err)
	}
	data, err := e.safe.ExecCalldata(tx, sigs, st)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.send(t, data); r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("execTransaction reverted: gas used %d", r.GasUsed)
	}
	if !e.paused(t) {
		t.Fatal("the vault is not paused after execTransaction")
	}
	if n, err := e.safe.Nonce(e.ctx); err != nil || n != 1 {
		t.Fatalf("Safe nonce = %d, %v; want 1", n, err)
	}
}

func TestHashMatchesTheContract(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		tx   safe.Tx
	}{
		{"pause", safe.NewTx(e.demo.Vault, contracts.NewProtectedVault().PackPause(), 0)},
		{"empty data, later nonce", safe.NewTx(e.demo.Bridge, nil, 41)},
		{"every field set", func() safe.Tx {
			tx := safe.NewTx(e.demo.Bridge, []byte{1, 2, 3}, 7)
			tx.Value.ToInt().SetUint64(5)
			tx.SafeTxGas.ToInt().SetUint64(100000)
			tx.BaseGas.ToInt().SetUint64(21000)
			tx.GasPrice.ToInt().SetUint64(3)
			tx.GasToken, tx.RefundReceiver = common.HexToAddress("0x01"), common.HexToAddress("0x02")
			return tx
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.safe.CheckHash(e.ctx, tt.tx); err != nil {
				t.Fatal(err)
			}
		})
	}
	wrongChain := safe.New(e.demo.Safe, 1, nil, e.client)
	if _, err := wrongChain.CheckHash(e.ctx, tests[0].tx); !errors.Is(err, safe.ErrHashMismatch) {
		t.Fatalf("hash with the wrong chain id: err = %v, want ErrHashMismatch", err)
	}
}

// A bad or duplicate owner signature is refused before anything is sent,
// and the Safe itself would have refused it too.
func TestBadSignaturesAreRefusedBeforeSending(t *testing.T) {
	e := newEnv(t)
	tx, st := e.pauseTx(t)
	hash := e.safe.Hash(tx)
	good, err := e.safe.Sign(e.ctx, tx, st, e.owners...)
	if err != nil {
		t.Fatal(err)
	}
	strangerSig, err := safe.SignHash(e.ctx, e.stranger.Signer, hash)
	if err != nil {
		t.Fatal(err)
	}
	otherTx := tx
	otherTx.Nonce++
	wrongHash, err := e.safe.Sign(e.ctx, otherTx, st, e.owners[1])
	if err != nil {
		t.Fatal(err)
	}
	tampered := good[1]
	tampered.Signature = slices.Clone(tampered.Signature)
	tampered.Signature[10] ^= 0xff
	ethSign := good[1]
	ethSign.Signature = slices.Clone(ethSign.Signature)
	ethSign.Signature[64] += 4 // v 31/32: the eth_sign variant
	claimed := good[1]
	claimed.Owner = e.owners[2].Signer.Address()

	tests := []struct {
		name string
		sigs []safe.Signature
		want error
	}{
		{"duplicate owner", []safe.Signature{good[0], good[0]}, safe.ErrDuplicateOwner},
		{"not an owner", []safe.Signature{good[0], strangerSig}, safe.ErrNotOwner},
		{"signature of another transaction", []safe.Signature{good[0], wrongHash[0]}, safe.ErrBadSignature},
		{"tampered", []safe.Signature{good[0], tampered}, safe.ErrBadSignature},
		{"eth_sign v", []safe.Signature{good[0], ethSign}, safe.ErrBadSignature},
		{"claims another owner", []safe.Signature{good[0], claimed}, safe.ErrBadSignature},
		{"truncated", []safe.Signature{good[0], {Owner: good[1].Owner, Signature: good[1].Signature[:64]}}, safe.ErrBadSignature},
		{"below threshold", good[:1], safe.ErrBelowThreshold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.safe.ExecCalldata(tx, tt.sigs, st); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// The contract agrees that the raw duplicate would not do.
	dup := safeabi.NewSafe().PackExecTransaction(tx.To, new(big.Int), tx.Data, 0, new(big.Int), new(big.Int), new(big.Int),
		common.Address{}, common.Address{}, append(slices.Clone(good[0].Signature), good[0].Signature...))
	from := e.executor.From
	if _, err := e.client.EstimateGas(e.ctx, ethereum.CallMsg{From: from, To: &e.demo.Safe, Data: dup}); err == nil {
		t.Fatal("the Safe accepts a duplicate signature")
	}
	if e.paused(t) {
		t.Fatal("paused by a refused transaction")
	}
	if _, err := e.safe.Sign(e.ctx, tx, st, e.stranger); !errors.Is(err, safe.ErrNotOwner) {
		t.Fatalf("signing with a stranger: err = %v, want ErrNotOwner", err)
	}
}

// liar signs with another key than the address it reports.
type liar struct {
	signer.Signer
	claims common.Address
}

func (l liar) Address() common.Address { return l.claims }

func TestSignHashChecksTheSigner(t *testing.T) {
	e := newEnv(t)
	tx, st := e.pauseTx(t)
	l := safe.Owner{Name: "liar", Signer: liar{Signer: e.stranger.Signer, claims: e.owners[0].Signer.Address()}}
	if _, err := e.safe.Sign(e.ctx, tx, st, l); !errors.Is(err, signer.ErrWrongSignature) {
		t.Fatalf("err = %v, want signer.ErrWrongSignature", err)
	}
}
