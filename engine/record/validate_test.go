package record

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

func TestValidate(t *testing.T) {
	good := Record{Intent: Intent{ID: "a", ChainID: 1, To: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3"), Data: []byte{1, 2, 3, 4}}, State: Pending}
	sent := good
	inFlight(t, &sent, Sent, 7)
	h := common.HexToHash("0x01")
	n := uint64(7)
	tests := []struct {
		name   string
		change func(*Record)
		want   string // "" valid
	}{
		{"pending", func(r *Record) { r.State = Pending }, ""},
		{"sent", func(r *Record) { *r = sent }, ""},
		{"included", func(r *Record) { *r = sent; r.State = Included }, ""},
		{"included, an earlier attempt mined", func(r *Record) {
			*r = sent
			r.State, r.Attempts = Included, append(r.Attempts, Attempt{Hash: h, Nonce: 7})
			r.TxHash = &h
		}, ""},
		{"no id", func(r *Record) { r.ID = "" }, "no id"},
		{"unknown state", func(r *Record) { r.State = "bogus" }, "unknown state"},
		{"no chain", func(r *Record) { r.ChainID = 0 }, "no chain_id"},
		{"pending with a nonce", func(r *Record) { r.Nonce = &n }, "pending, but"},
		{"included without tx_hash", func(r *Record) { *r = sent; r.State, r.TxHash = Included, nil }, "without a tx_hash"},
		{"sent without nonce", func(r *Record) { *r = sent; r.Nonce = nil }, "without a nonce"},
		{"signed without raw_tx", func(r *Record) { *r = sent; r.State, r.RawTx = Signed, nil }, "without a raw_tx"},
		{"sent without attempts", func(r *Record) { *r = sent; r.Attempts = nil }, "without attempts"},
		{"sent without sender", func(r *Record) { *r = sent; r.From = common.Address{} }, "without a sender"},
		{"raw_tx garbage", func(r *Record) { *r = sent; r.RawTx = []byte{2, 0xf8} }, "does not decode"},
		{"raw_tx to another target", func(r *Record) { *r = sent; r.To = common.HexToAddress("0x02") }, "target"},
		{"raw_tx other calldata", func(r *Record) { *r = sent; r.Data = []byte{9} }, "calldata"},
		{"raw_tx other chain", func(r *Record) { *r = sent; r.ChainID = 5 }, "chain"},
		{"raw_tx other nonce", func(r *Record) { *r = sent; m := uint64(8); r.Nonce = &m }, "nonce"},
		{"unknown tx_hash", func(r *Record) { *r = sent; r.TxHash = &h }, "tx_hash is neither"},
		{"mined without tx_hash", func(r *Record) { r.State = Mined }, "mined without"},
		{"failed, anything else", func(r *Record) { r.State, r.ChainID = Failed, 0 }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.change(&r)
			err := r.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate = %v, want valid", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

// A stored record that would crash or mislead the engine is quarantined
// on load, by Get and by Unfinished alike: rewritten as refused with the
// reason, the hook told, and skipped. A valid one and a final invalid one
// are left as they are.
func TestLoadQuarantines(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	js := natstest.JetStream(t)
	var mu sync.Mutex
	var told []Record
	store, err := NewStore(ctx, js, 1, OnQuarantine(func(_ context.Context, rec Record) {
		mu.Lock()
		defer mu.Unlock()
		told = append(told, rec)
	}))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, ActionsBucket)
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string, v any) {
		t.Helper()
		data, ok := v.([]byte)
		if !ok {
			data, _ = json.Marshal(v)
		}
		if _, err := kv.Put(ctx, key, data); err != nil {
			t.Fatal(err)
		}
	}
	to := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	put("no-hash", Record{Intent: Intent{ID: "no-hash", ChainID: 1, To: to}, State: Included})
	put("garbage", []byte("{not json"))
	put("renamed", Record{Intent: Intent{ID: "someone-else", ChainID: 1, To: to}, State: Pending})
	put("ok", Record{Intent: Intent{ID: "ok", ChainID: 1, To: to}, State: Pending})
	put("old-mined", Record{Intent: Intent{ID: "old-mined", ChainID: 1}, State: Mined})

	recs, _, err := store.Unfinished(ctx)
	if err != nil {
		t.Fatalf("Unfinished: %v (an invalid record must not stop a start)", err)
	}
	if len(recs) != 1 || recs[0].ID != "ok" {
		t.Fatalf("Unfinished = %+v, want only the valid record", recs)
	}
	for _, key := range []string{"no-hash", "garbage", "renamed"} {
		e, err := kv.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		var q Record
		if err := json.Unmarshal(e.Value(), &q); err != nil {
			t.Fatalf("%s: the quarantined value does not decode: %v", key, err)
		}
		if q.ID != key || q.State != Refused || !strings.Contains(q.Error, "quarantined") || q.Validate() != nil {
			t.Errorf("%s: stored %+v, want a valid refused record with the reason", key, q)
		}
		if _, _, err := store.Get(ctx, key); err != nil {
			t.Errorf("%s: Get of the quarantined record: %v", key, err)
		}
	}
	if e, _ := kv.Get(ctx, "old-mined"); e.Revision() != 5 {
		t.Errorf("the final invalid record was rewritten (revision %d)", e.Revision())
	}
	if _, _, err := store.Get(ctx, "old-mined"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Get of a mined record without hash: %v, want ErrInvalid", err)
	}
	mu.Lock()
	n := len(told)
	mu.Unlock()
	if n != 3 {
		t.Errorf("the hook was told of %d quarantines, want 3", n)
	}
	// Get quarantines too.
	put("late", Record{Intent: Intent{ID: "late", ChainID: 1}, State: Signed})
	if _, _, err := store.Get(ctx, "late"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Get of a signed record without a transaction: %v, want ErrInvalid", err)
	}
	if rec, _, err := store.Get(ctx, "late"); err != nil || rec.State != Refused {
		t.Fatalf("after Get: %+v, %v; want refused", rec, err)
	}
	// A store nobody hears from (no hook: a reader's) skips what does not
	// validate and leaves it for the engine to quarantine and audit.
	reader, err := NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	put("unheard", []byte("{"))
	if _, _, err := reader.Get(ctx, "unheard"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Get without a hook: %v, want ErrInvalid", err)
	}
	if e, _ := kv.Get(ctx, "unheard"); string(e.Value()) != "{" {
		t.Fatalf("a store without a hook rewrote the record: %s", e.Value())
	}
}
