package safe_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/signer/local"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

func TestAdd(t *testing.T) {
	ctx := context.Background()
	alice, _ := local.FromHex("7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6")
	bob, _ := local.FromHex("47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a")
	eve, _ := local.FromHex("92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e")
	tx := safesigner.NewTx(common.HexToAddress("0x01"), []byte{0x84, 0x56, 0xcb, 0x59}, 3)
	hash := tx.Hash(common.Big1, common.HexToAddress("0x02"))
	sign := func(s *local.Signer, h common.Hash) safesigner.Signature {
		sig, err := safesigner.SignHash(ctx, s, h)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	fresh := func() safe.Approval {
		return safe.Approval{ID: "a-0", Tx: tx, Hash: hash, Threshold: 2, Owners: []common.Address{alice.Address(), bob.Address()}, State: safe.Pending}
	}
	now := time.Unix(1_800_000_000, 0)

	tests := []struct {
		name  string
		sigs  []safesigner.Signature
		want  error
		state safe.ApprovalState
	}{
		{"one of two", []safesigner.Signature{sign(alice, hash)}, nil, safe.Pending},
		{"two of two", []safesigner.Signature{sign(alice, hash), sign(bob, hash)}, nil, safe.Ready},
		{"same owner twice", []safesigner.Signature{sign(alice, hash), sign(alice, hash)}, safesigner.ErrDuplicateOwner, safe.Pending},
		{"not an owner", []safesigner.Signature{sign(eve, hash)}, safesigner.ErrNotOwner, safe.Pending},
		{"another hash", []safesigner.Signature{sign(bob, common.HexToHash("0x1234"))}, safesigner.ErrBadSignature, safe.Pending},
		{"after ready", []safesigner.Signature{sign(alice, hash), sign(bob, hash), sign(bob, hash)}, safe.ErrNotPending, safe.Ready},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fresh()
			var err error
			for _, s := range tt.sigs {
				if err = a.Add(s, now); err != nil {
					break
				}
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if a.State != tt.state {
				t.Errorf("state = %s, want %s", a.State, tt.state)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":"x-0","state":"pending","threshold":2,"safe_tx":{"to":"0x0000000000000000000000000000000000000001","value":"0x0","data":"0x","operation":0,"safe_tx_gas":"0x0","base_gas":"0x0","gas_price":"0x0","gas_token":"0x0000000000000000000000000000000000000000","refund_receiver":"0x0000000000000000000000000000000000000000","nonce":1}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := safe.DecodeApproval(data)
		if err == nil && a.ID == "" {
			t.Fatal("decoded an approval without an id")
		}
	})
}
