package record

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
)

func TestIntentIDIsTheCallsContentAddress(t *testing.T) {
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	bridge := common.HexToAddress("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")
	pause, freeze := []byte{0x84, 0x56, 0xcb, 0x59}, []byte{0x62, 0xa5, 0xaf, 0x3b}
	base := IntentID("ev", 1, vault, pause)
	if !strings.HasPrefix(base, "ev-") || len(base) != len("ev-")+16 {
		t.Fatalf("IntentID = %q, want the event key and 16 hex characters", base)
	}
	if again := IntentID("ev", 1, vault, pause); again != base {
		t.Fatalf("the same call has two ids: %s, %s", base, again)
	}
	for _, tc := range []struct {
		name string
		id   string
	}{
		{"another event", IntentID("ev2", 1, vault, pause)},
		{"another chain", IntentID("ev", 2, vault, pause)},
		{"another target", IntentID("ev", 1, bridge, pause)},
		{"another calldata", IntentID("ev", 1, vault, freeze)},
		// Fixed-width fields: moving a byte from the target into the
		// calldata is another call.
		{"shifted bytes", IntentID("ev", 1, common.BytesToAddress(append([]byte{0}, vault[:19]...)), append([]byte{vault[19]}, pause...))},
	} {
		if tc.id == base {
			t.Errorf("%s: same id %s", tc.name, base)
		}
	}
	if CallKey(1, vault, pause) == CallKey(1, vault, freeze) || len(CallKey(1, vault, pause)) != 64 {
		t.Error("CallKey does not tell two calls apart, or is not a full SHA-256")
	}
}

func TestDifferences(t *testing.T) {
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	in := Intent{ID: "a", EventID: "e", Protocol: "demo", Type: "pause", Rule: "r", ChainID: 1, To: vault, Function: "pause()", Data: []byte{1, 2}, Signer: "g"}
	for _, tc := range []struct {
		name   string
		change func(*Intent)
		want   string // "" for none; else a substring of the one difference
	}{
		{"same", func(*Intent) {}, ""},
		{"rule and event id do not matter", func(i *Intent) { i.Rule, i.EventID, i.MAC = "other", "e2", "mac" }, ""},
		{"chain", func(i *Intent) { i.ChainID = 2 }, "chain_id: recorded 1, now 2"},
		{"target", func(i *Intent) { i.To = common.Address{1} }, "to: recorded 0x5FbDB"},
		{"calldata", func(i *Intent) { i.Data = []byte{3} }, "data: recorded 0x0102, now 0x03"},
		{"signer", func(i *Intent) { i.Signer = "h" }, `signer: recorded "g", now "h"`},
		{"type", func(i *Intent) { i.Type = "freeze_bridge" }, `type: recorded "pause", now "freeze_bridge"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := in
			tc.change(&want)
			d := Differences(in, want)
			switch {
			case tc.want == "" && len(d) != 0:
				t.Fatalf("differences %q, want none", d)
			case tc.want != "" && (len(d) != 1 || !strings.Contains(d[0], tc.want)):
				t.Fatalf("differences %q, want one with %q", d, tc.want)
			}
		})
	}
	// A recorded Safe transaction and the call it wraps: the Safe
	// calldata differs on every build and is not compared.
	wrapped := in
	wrapped.To, wrapped.Data, wrapped.Signer, wrapped.Function = common.Address{9}, []byte{7, 7, 7}, "executor", SafeFunctionPrefix+"pause()"
	if d := SafeDifferences(wrapped, in); len(d) != 0 {
		t.Errorf("a Safe transaction and its own inner call differ: %q", d)
	}
	other := in
	other.Function = "unpause()"
	if d := SafeDifferences(wrapped, other); len(d) != 1 || !strings.Contains(d[0], "function") {
		t.Errorf("another inner function: %q", d)
	}
}

// Many claimants of one call at once, as replicas or events in parallel:
// exactly one wins, and everyone else sees the winner.
func TestInflightClaimHasOneWinner(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, err := NewInflight(ctx, natstest.JetStream(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	holders := make([]Holder, n)
	won := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { holders[i], won[i], errs[i] = f.Claim(ctx, "call", fmt.Sprintf("action-%d", i)) })
	}
	wg.Wait()
	winner := -1
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if won[i] {
			if winner >= 0 {
				t.Fatalf("claimants %d and %d both won", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("nobody won the claim")
	}
	want := fmt.Sprintf("action-%d", winner)
	for i := range n {
		if holders[i].ID != want {
			t.Errorf("claimant %d sees %q, want the winner %q", i, holders[i].ID, want)
		}
	}

	// Two take-overs from the same stale read: one wins.
	stale, _, err := f.Claim(ctx, "call", "late")
	if err != nil {
		t.Fatal(err)
	}
	_, ok1, err1 := f.TakeOver(ctx, "call", "x", stale)
	_, ok2, err2 := f.TakeOver(ctx, "call", "y", stale)
	if err1 != nil || err2 != nil || !ok1 || ok2 {
		t.Fatalf("take-overs from one read: %v %v, %v %v; want the first only", ok1, err1, ok2, err2)
	}
	h, ok, err := f.Claim(ctx, "call", "z")
	if err != nil || ok || h.ID != "x" {
		t.Fatalf("after the take-over: %+v %v %v, want x holding it", h, ok, err)
	}

	// A release of a claim that changed since leaves the new one; a
	// release of the current one frees the call.
	if err := f.Release(ctx, "call", stale); err != nil {
		t.Fatal(err)
	}
	if h, ok, _ := f.Claim(ctx, "call", "z"); ok || h.ID != "x" {
		t.Fatalf("a stale release freed the call: %+v", h)
	}
	if err := f.Release(ctx, "call", h); err != nil {
		t.Fatal(err)
	}
	if h, ok, err := f.Claim(ctx, "call", "z"); err != nil || !ok || h.ID != "z" {
		t.Fatalf("after the release: %+v %v %v, want z to win", h, ok, err)
	}
}

func TestJoinedRecordNeedsWhatItJoined(t *testing.T) {
	rec := Record{Intent: Intent{ID: "a", ChainID: 1}, State: Joined}
	if err := rec.Validate(); err == nil || !strings.Contains(err.Error(), "joined_to") {
		t.Fatalf("a joined record without joined_to: %v", err)
	}
	rec.JoinedTo = "b"
	if err := rec.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		IntentID("5adb116bc1184fb0499cdb61bfe2b946", 1, common.Address{}, nil): true,
		"a-0":                    true,
		"":                       false,
		"a b":                    false,
		"a.>":                    false,
		".a":                     false,
		strings.Repeat("a", 129): false,
		"a\x00":                  false,
	} {
		if got := ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}
