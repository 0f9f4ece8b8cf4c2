package submit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

var errOffList = errors.New("not on the test's allowlist")

// onlyTo allows calls to one target, and nothing at all once closed.
type onlyTo struct {
	to     common.Address
	closed atomic.Bool
	asked  atomic.Int64
}

func (o *onlyTo) Authorize(_ context.Context, rec record.Record) error {
	o.asked.Add(1)
	if o.closed.Load() || rec.To != o.to {
		return fmt.Errorf("%w: %s", errOffList, rec.To.Hex())
	}
	return nil
}

// A record the Authorizer refuses is never signed: Execute returns
// ErrRefused, the record ends refused with the reason, OnChange (the
// audit) sees it, and the chain sees no transaction.
func TestRefusedRecordIsNeverSigned(t *testing.T) {
	auth := &onlyTo{}
	e := newAnvilEnv(t, true, func(e *anvilEnv, _ *ChainConfig) {
		auth.to = e.demo.Vault
		e.authorizer = auth
	})
	id, done := e.execute(e.demo.Bridge, contracts.NewTokenBridge().PackFreeze())
	if err := <-done; !errors.Is(err, ErrRefused) || !errors.Is(err, errOffList) {
		t.Fatalf("Execute = %v, want ErrRefused with the reason", err)
	}
	rec, _, err := e.store.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != record.Refused || !strings.Contains(rec.Error, errOffList.Error()) || rec.TxHash != nil || len(rec.Attempts) != 0 {
		t.Fatalf("record = %+v, want refused with the reason and no transaction", rec)
	}
	if got := e.changes.all(); len(got) != 1 || got[0].State != record.Refused {
		t.Fatalf("OnChange saw %+v, want exactly the refusal", got)
	}
	if n := e.nonce(); n != 0 || e.sub.Stats().Refused != 1 || e.sub.Stats().Sent != 0 {
		t.Fatalf("guardian nonce %d, stats %+v; want nothing sent, one refusal", n, e.sub.Stats())
	}
	// The allowed call goes through the same submitter.
	id, done = e.pause()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rec, _, _ := e.store.Get(e.ctx, id); rec.State != record.Mined || !e.paused() {
		t.Fatalf("the allowed pause: %+v", rec)
	}
}

// The check is made before every signature, not only the first: an
// action whose call is no longer allowed when its fee bump is due is
// refused then, and the bump is never signed.
func TestBumpIsCheckedToo(t *testing.T) {
	auth := &onlyTo{}
	e := newAnvilEnv(t, false, func(e *anvilEnv, _ *ChainConfig) {
		auth.to = e.demo.Vault
		e.authorizer = auth
	})
	id, done := e.pause()
	sent := e.wait(id, "the first send", func(r record.Record) bool { return r.State == record.Sent })
	e.pooled(sent.Attempts[0].Hash)
	auth.closed.Store(true)
	e.spike(new(big.Int).Mul(feeCap(sent.Attempts[0]), big.NewInt(2)))
	rec := e.wait(id, "the refusal", func(r record.Record) bool { return r.State.Final() })
	if rec.State != record.Refused || len(rec.Attempts) != 1 || rec.Bumps != 0 {
		t.Fatalf("record = %s, %d attempts, %d bumps; want refused with the first attempt only", rec.State, len(rec.Attempts), rec.Bumps)
	}
	if err := <-done; !errors.Is(err, ErrRefused) {
		t.Fatalf("Execute = %v, want ErrRefused", err)
	}
}

// Records a restart would resume, written by someone else: invalid ones,
// and ones whose recorded transaction is not the sender's, are refused
// before anything is sent, and none panics.
func TestResumeRefusesForgedRecords(t *testing.T) {
	e := newAnvilEnv(t, true, nil)
	pause := contracts.NewProtectedVault().PackPause()
	stranger := "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"
	tests := []struct {
		name   string
		forge  func(*record.Record)
		reason string
	}{
		{"included without tx_hash", func(r *record.Record) {
			signedAt(t, r, guardianKey, record.Included, 0)
			r.TxHash = nil
		}, "without a tx_hash"},
		{"sent without nonce", func(r *record.Record) {
			signedAt(t, r, guardianKey, record.Sent, 0)
			r.Nonce = nil
		}, "without a nonce"},
		{"signed by another key", func(r *record.Record) { signedAt(t, r, stranger, record.Signed, 0) }, "is not the address of signer"},
		{"another sender claimed", func(r *record.Record) {
			signedAt(t, r, stranger, record.Signed, 0)
			r.From = e.guardian.Address()
		}, "signed by"},
		{"raw_tx of another call", func(r *record.Record) {
			signedAt(t, r, guardianKey, record.Sent, 0)
			r.Data = contracts.NewProtectedVault().PackUnpause()
		}, "calldata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, rev, _, err := e.store.Create(e.ctx, e.intent(e.demo.Vault, pause), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			tt.forge(&rec)
			if rev, err = e.store.Update(e.ctx, rec, rev); err != nil {
				t.Fatal(err)
			}
			_, err = e.sub.Execute(e.ctx, rec, rev)
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("Execute = %v, want ErrRefused about %q", err, tt.reason)
			}
			if got, _, err := e.store.Get(e.ctx, rec.ID); err != nil || got.State != record.Refused {
				t.Fatalf("stored %+v, %v; want refused", got, err)
			}
		})
	}
	if n := e.nonce(); n != 0 {
		t.Fatalf("the guardian sent %d transactions, want 0", n)
	}
}

// FuzzResume feeds arbitrary bucket values through what a restarted or
// adopting submitter does with a record before it reaches the chain:
// decode, validate, admit (sender, recorded transaction), and the record
// changes of inclusion and of a reorg. Nothing may panic, and a record
// admitted in flight has its transaction.
func FuzzResume(f *testing.F) {
	g, _ := local.FromHex(guardianKey)
	s := &Submitter{signers: map[string]signer.Signer{"guardian": g}, opts: DefaultOptions(), log: discardLog()}
	to := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	for _, st := range []record.State{record.Signed, record.Sent, record.Included} {
		rec := record.Record{Intent: record.Intent{ID: "a", ChainID: 31337, To: to, Data: []byte{0x84, 0x56, 0xcb, 0x59}, Signer: "guardian"}}
		signedAt(f, &rec, guardianKey, st, 4)
		b, _ := json.Marshal(rec)
		f.Add(b)
		f.Add(bytes.Replace(b, []byte(`"tx_hash"`), []byte(`"tx_hashx"`), 1))
		f.Add(bytes.Replace(b, []byte(`"nonce":4,`), nil, 1))
	}
	f.Add([]byte(`{"id":"a","state":"included","chain_id":1}`))
	f.Add([]byte(`{"id":"a","state":"pending","chain_id":1,"signer":"guardian"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec record.Record
		if json.Unmarshal(data, &rec) != nil {
			return
		}
		tx, err := s.admit(context.Background(), rec)
		if err != nil || rec.State == record.Pending || rec.State.Final() {
			return
		}
		if tx == nil {
			t.Fatalf("admitted %s without its transaction: %s", rec.State, data)
		}
		a := &action{s: s, rec: rec, log: s.log}
		a.resume(tx)
		r := &types.Receipt{TxHash: rec.Attempts[0].Hash, BlockNumber: big.NewInt(9), Status: 1}
		a.markIncluded(r)
		a.markReorged()
		_ = a.rec.Validate()
	})
}
