package recovery

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

type approverKeys struct {
	conf []config.RecoveryApprover
	keys map[string]ed25519.PrivateKey
}

func newApprovers(t *testing.T, names ...string) approverKeys {
	t.Helper()
	a := approverKeys{keys: map[string]ed25519.PrivateKey{}}
	for _, n := range names {
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		a.keys[n] = priv
		a.conf = append(a.conf, config.RecoveryApprover{Name: n, PublicKey: hex.EncodeToString(pub)})
	}
	return a
}

func testSealer(t *testing.T) *record.Sealer {
	t.Helper()
	s, err := record.NewSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testProposal(t *testing.T, s *record.Sealer) Proposal {
	t.Helper()
	steps, _, err := Plan(testOptions(), []record.Record{mined("e-0", guard.ActionPause, vault, guard.Selector("pause()"))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Seal(Proposal{ID: "recovery-1", Incident: "inc-1", Protocol: "demo", ChainID: 1, Signer: "recovery", Steps: steps, Threshold: 2, State: Proposed}, s)
}

func TestTally(t *testing.T) {
	a := newApprovers(t, "alice", "bob", "carol")
	p := testProposal(t, testSealer(t))
	_, stranger, _ := ed25519.GenerateKey(nil)
	now := time.Now()
	other := p
	other.Steps = append([]Step(nil), p.Steps...)
	other.Steps[0].Data = guard.Selector("sweep(address)")

	tests := []struct {
		name      string
		approvals []Approval
		valid     int
		refused   string
	}{
		{"two approvers", []Approval{Sign(p, "alice", a.keys["alice"], now), Sign(p, "bob", a.keys["bob"], now)}, 2, ""},
		{"one approver twice counts once", []Approval{Sign(p, "alice", a.keys["alice"], now), Sign(p, "alice", a.keys["alice"], now)}, 1, "approved already"},
		{"a name with another key (forged)", []Approval{Sign(p, "bob", stranger, now)}, 0, "does not verify"},
		{"alice's key under bob's name", []Approval{Sign(p, "bob", a.keys["alice"], now)}, 0, "does not verify"},
		{"an unknown name", []Approval{Sign(p, "mallory", stranger, now)}, 0, "not one of recovery.approvers"},
		{"a signature of other steps", []Approval{Sign(other, "alice", a.keys["alice"], now)}, 0, "does not verify"},
		{"a truncated signature", []Approval{{Approver: "alice", Signature: Sign(p, "alice", a.keys["alice"], now).Signature[:10]}}, 0, "does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := p
			q.Approvals = tt.approvals
			valid, refused := Tally(q, a.conf)
			if len(valid) != tt.valid {
				t.Errorf("valid = %v, want %d", valid, tt.valid)
			}
			if tt.refused != "" && (len(refused) == 0 || !strings.Contains(strings.Join(refused, ";"), tt.refused)) {
				t.Errorf("refused = %v, want one saying %q", refused, tt.refused)
			}
		})
	}
}

func TestSealAndVerify(t *testing.T) {
	s := testSealer(t)
	p := testProposal(t, s)
	if err := Verify(p, s); err != nil {
		t.Fatal(err)
	}
	changed := p
	changed.Steps = append([]Step(nil), p.Steps...)
	changed.Steps[0].To = list
	if err := Verify(changed, s); !errors.Is(err, ErrBadHash) {
		t.Errorf("changed steps: %v, want ErrBadHash", err)
	}
	rehashed := Seal(changed, testSealer(t))
	rehashed.MAC = p.MAC
	if err := Verify(rehashed, s); !errors.Is(err, ErrBadMAC) {
		t.Errorf("rehashed without the key: %v, want ErrBadMAC", err)
	}
	other, _ := record.NewSealer([]byte(strings.Repeat("o", 32)))
	if err := Verify(Seal(p, other), s); !errors.Is(err, ErrBadMAC) {
		t.Errorf("sealed with another key: %v, want ErrBadMAC", err)
	}
}

func TestParsePrivateKey(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	tests := []struct {
		name string
		data string
		ok   bool
	}{
		{"seed hex", hex.EncodeToString(priv.Seed()) + "\n", true},
		{"private key hex", "0x" + hex.EncodeToString(priv), true},
		{"PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), true},
		{"short", "abcd", false},
		{"garbage", "not a key", false},
		{"64 bytes, inconsistent", hex.EncodeToString(append(priv.Seed(), make([]byte, 32)...)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParsePrivateKey([]byte(tt.data))
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if err != nil && (!errors.Is(err, ErrKey) || strings.Contains(err.Error(), tt.data)) {
				t.Errorf("err = %v: want ErrKey, not repeating the content", err)
			}
			if tt.ok && !k.Public().(ed25519.PublicKey).Equal(pub) {
				t.Error("another key")
			}
		})
	}
	path := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(path, []byte(hex.EncodeToString(priv.Seed())), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable key file: %v, want refused", err)
	}
}

// The executor's check before a recovery intent is signed: the proposal
// in the bucket must hold the very step and enough valid approvals.
func TestAuthorize(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js := natstest.JetStream(t)
	store, err := NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := testSealer(t)
	a := newApprovers(t, "alice", "bob")
	x := &Executor{Store: store, Sealer: s, Recovery: config.RecoveryOptions{Signer: "recovery", Threshold: 2, Approvers: a.conf},
		Allow: func(uint64, common.Address, []byte, string) error { return nil }, Log: slog.New(slog.DiscardHandler), Now: time.Now}
	p := testProposal(t, s)
	p.Approvals = []Approval{Sign(p, "alice", a.keys["alice"], time.Now())}
	if _, err := store.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	rec := record.Record{Intent: s.Seal(Intent(p, 0)), State: record.Pending}
	if err := x.Authorize(context.Background(), rec); err == nil || !strings.Contains(err.Error(), "1 valid approvals of the 2") {
		t.Fatalf("one approval: %v, want refused", err)
	}
	cur, rev, _ := store.Get(ctx, p.ID)
	cur.Approvals = append(cur.Approvals, Sign(cur, "bob", a.keys["bob"], time.Now()))
	if _, err := store.Update(ctx, cur, rev); err != nil {
		t.Fatal(err)
	}
	if err := x.Authorize(context.Background(), rec); err != nil {
		t.Fatalf("two approvals: %v", err)
	}
	other := rec
	other.Intent = Intent(p, 0)
	other.Data = guard.Selector("sweep(address)")
	if err := x.Authorize(context.Background(), record.Record{Intent: s.Seal(other.Intent)}); err == nil || !strings.Contains(err.Error(), "not a step of proposal") {
		t.Errorf("another call under the proposal: %v, want refused", err)
	}
	if err := x.Authorize(context.Background(), record.Record{Intent: Intent(p, 0)}); !errors.Is(err, record.ErrNoMAC) {
		t.Errorf("an unsealed record: %v, want ErrNoMAC", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("recovery-1", []byte(`{"id":"recovery-1","steps":[{"type":"unpause","to":"0x00000000000000000000000000000000000000a1","data":"0x3f4ba83a"}]}`))
	f.Add("k", []byte(`{"id":"other"}`))
	f.Fuzz(func(t *testing.T, key string, data []byte) {
		p, err := Decode(key, data)
		if err == nil && p.ID != key {
			t.Fatalf("decoded %q under key %q", p.ID, key)
		}
		_ = ProposalHash(p)
		_, _ = Tally(p, nil)
	})
}

func FuzzParsePrivateKey(f *testing.F) {
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte(strings.Repeat("ab", 32)))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePrivateKey(data)
		if err == nil && len(k) != ed25519.PrivateKeySize {
			t.Fatalf("a %d-byte key", len(k))
		}
	})
}
