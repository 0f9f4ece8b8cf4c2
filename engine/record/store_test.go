package record

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

// FuzzDecodeRecord feeds arbitrary bucket values to what a resumed engine
// decodes: the record, its validation, then its recorded transaction.
// None may panic, and a record Validate accepts in flight has what resume
// dereferences.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(`{"id":"a","state":"sent","raw_tx":"0x02f8","attempts":[{"hash":"0x00","nonce":1}]}`))
	f.Add([]byte(`{"id":"a","state":"pending","chain_id":1,"to":"0x5FbDB2315678afecb367f032d93F642f64180aa3","data":"0x8456cb59"}`))
	f.Add([]byte(`{"id":"a","state":"included","chain_id":1}`))
	f.Add([]byte(`{}`))
	valid := Record{Intent: Intent{ID: "a", ChainID: 1, To: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")}}
	inFlight(f, &valid, Sent, 3)
	seed, _ := json.Marshal(valid)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec Record
		if json.Unmarshal(data, &rec) != nil {
			return
		}
		_ = rec.State.Final()
		var tx types.Transaction
		_ = tx.UnmarshalBinary(rec.RawTx)
		if rec.Validate() != nil || rec.State.Final() || rec.State == Pending {
			return
		}
		if rec.TxHash == nil || rec.Nonce == nil || len(rec.Attempts) == 0 || tx.UnmarshalBinary(rec.RawTx) != nil {
			t.Fatalf("Validate accepted an in-flight record resume cannot use: %s", data)
		}
	})
}

// inFlight makes rec a record in state st with a real signed transaction
// at nonce, as the submitter records one.
func inFlight(t testing.TB, rec *Record, st State, nonce uint64) {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	to := rec.To
	chain := new(big.Int).SetUint64(rec.ChainID)
	tx := types.MustSignNewTx(key, types.LatestSignerForChainID(chain), &types.DynamicFeeTx{
		ChainID: chain, Nonce: nonce, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 50_000, To: &to, Data: rec.Data,
	})
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	hash := tx.Hash()
	rec.State, rec.From, rec.Nonce, rec.TxHash, rec.RawTx, rec.GasLimit = st, crypto.PubkeyToAddress(key.PublicKey), &nonce, &hash, raw, 50_000
	rec.Attempts = []Attempt{{Hash: hash, Nonce: nonce, Status: AttemptSent}}
}

// Unfinished returns exactly the records not in a final state, each with
// the revision an update needs.
func TestUnfinished(t *testing.T) {
	store := newRecordStore(t)
	ctx := context.Background()
	states := map[string]State{"p": Pending, "s": Signed, "n": Sent, "i": Included, "m": Mined, "f": Failed}
	for id, st := range states {
		rec, rev, ok, err := store.Create(ctx, Intent{ID: id, ChainID: 1}, time.Now())
		if err != nil || !ok {
			t.Fatalf("Create %s: %v %v", id, ok, err)
		}
		if st != Pending {
			// What the submitter records in flight: a signed transaction.
			inFlight(t, &rec, st, 0)
			if _, err := store.Update(ctx, rec, rev); err != nil {
				t.Fatal(err)
			}
		}
	}
	recs, revs, err := store.Unfinished(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, rec := range recs {
		got = append(got, rec.ID)
		if rec.State != states[rec.ID] {
			t.Errorf("%s: state %s, want %s", rec.ID, rec.State, states[rec.ID])
		}
		// The revision is the stored one: an update with it succeeds.
		if _, err := store.Update(ctx, rec, revs[i]); err != nil {
			t.Errorf("%s: update at the returned revision %d: %v", rec.ID, revs[i], err)
		}
	}
	slices.Sort(got)
	if want := []string{"i", "n", "p", "s"}; !slices.Equal(got, want) {
		t.Errorf("Unfinished = %v, want %v", got, want)
	}
}

// BenchmarkUnfinished reads the unfinished actions out of a bucket of
// 20,000, of which 1,000 are unfinished: what a start and every nonce
// re-read from the chain pay.
func BenchmarkUnfinished(b *testing.B) {
	store := newRecordStore(b)
	ctx := context.Background()
	for i := range 20_000 {
		rec, rev, _, err := store.Create(ctx, Intent{ID: fmt.Sprintf("a-%d", i), ChainID: 1}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if i%20 != 0 {
			rec.State = Mined
			if _, err := store.Update(ctx, rec, rev); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for range b.N {
		recs, _, err := store.Unfinished(ctx)
		if err != nil || len(recs) != 1000 {
			b.Fatalf("Unfinished = %d records, %v; want 1000", len(recs), err)
		}
	}
}

// newRecordStore returns the actions store on a real NATS server.
func newRecordStore(t testing.TB) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := NewStore(ctx, natstest.JetStream(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	return store
}
