package safe_test

import (
	"bytes"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/signer/safe"
)

// What PackExecTransaction packs, DecodeExec gives back, and Plain tells
// a firebreak call from one with value, DELEGATECALL or a refund.
func TestDecodeExec(t *testing.T) {
	to := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	sigs := bytes.Repeat([]byte{7}, 130)
	pack := func(tx safe.Tx) []byte {
		return safeabi.NewSafe().PackExecTransaction(tx.To, tx.Value.ToInt(), tx.Data, tx.Operation, tx.SafeTxGas.ToInt(),
			tx.BaseGas.ToInt(), tx.GasPrice.ToInt(), tx.GasToken, tx.RefundReceiver, sigs)
	}
	plain := safe.NewTx(to, []byte{0x84, 0x56, 0xcb, 0x59}, 3)
	got, gotSigs, err := safe.DecodeExec(pack(plain))
	if err != nil {
		t.Fatal(err)
	}
	plain.Nonce = 0 // not in the calldata
	if got.To != plain.To || !bytes.Equal(got.Data, plain.Data) || got.Operation != 0 || !bytes.Equal(gotSigs, sigs) || got.Plain() != nil {
		t.Fatalf("decoded %+v, sigs %x; want %+v", got, gotSigs, plain)
	}
	for name, change := range map[string]func(*safe.Tx){
		"delegatecall":    func(t *safe.Tx) { t.Operation = 1 },
		"value":           func(t *safe.Tx) { t.Value = hexutil.Big(*big.NewInt(1)) },
		"gas price":       func(t *safe.Tx) { t.GasPrice = hexutil.Big(*big.NewInt(1)) },
		"refund receiver": func(t *safe.Tx) { t.RefundReceiver = to },
	} {
		tx := plain
		change(&tx)
		got, _, err := safe.DecodeExec(pack(tx))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Plain() == nil {
			t.Errorf("%s: Plain accepts %+v", name, got)
		}
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, append(safe.ExecSelector(), 1, 2), {0x84, 0x56, 0xcb, 0x59}} {
		if _, _, err := safe.DecodeExec(bad); !errors.Is(err, safe.ErrNotExec) {
			t.Errorf("DecodeExec(%x) = %v, want ErrNotExec", bad, err)
		}
	}
}

// FuzzDecodeExec: arbitrary calldata never panics the decoder.
func FuzzDecodeExec(f *testing.F) {
	tx := safe.NewTx(common.HexToAddress("0x01"), []byte{1, 2, 3, 4}, 0)
	f.Add(safeabi.NewSafe().PackExecTransaction(tx.To, new(big.Int), tx.Data, 0, new(big.Int), new(big.Int), new(big.Int), common.Address{}, common.Address{}, make([]byte, 65)))
	f.Add(safe.ExecSelector())
	f.Fuzz(func(t *testing.T, data []byte) {
		tx, _, err := safe.DecodeExec(data)
		if err == nil {
			_ = tx.Plain()
		}
	})
}
