package engine

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// TestActionStatesReadJoinedAndSatisfied: the incidents see a Joined or
// Satisfied action as final even where the record store's validation
// refuses the state; any other invalid record stays an error.
func TestActionStatesReadJoinedAndSatisfied(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js := natstest.JetStream(t)
	store, err := record.NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, record.ActionsBucket)
	if err != nil {
		t.Fatal(err)
	}
	a := actionStates{store: store, kv: kv}
	tests := []struct {
		state   record.State
		wantErr bool
	}{
		{record.Satisfied, false},
		{record.Joined, false},
		{record.Failed, false},
		{"exploded", true},
	}
	for i, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			in := record.Intent{ID: string(rune('a'+i)) + "-0", EventID: "ev", Protocol: "demo", Type: "pause", ChainID: 1,
				To: common.HexToAddress("0x1"), Function: "pause()", Data: []byte{1}, Signer: "g"}
			rec, rev, _, err := store.Create(ctx, in, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			rec.State = tt.state
			if _, err := store.Update(ctx, rec, rev); err != nil {
				t.Fatal(err)
			}
			got, _, err := a.Get(ctx, in.ID)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			if err == nil && got.State != tt.state {
				t.Errorf("state %s, want %s", got.State, tt.state)
			}
		})
	}
}
