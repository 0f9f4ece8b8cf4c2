package record

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go/jetstream"
)

// InflightBucket is the JetStream KV bucket indexing actions by what they
// do: key = CallKey(chain, target, calldata), value = the id of the first
// action recorded for that call. A later action with the same call joins
// the first one instead of being sent again. Entries are never trusted on
// their own: whoever reads one reads the first action's record to tell
// whether it is still worth joining.
const InflightBucket = "FIREBREAK_INFLIGHT"

// CallKey is the content address of a call: the hex SHA-256 of its chain
// id, target and calldata. It names the call, not who asked for it.
func CallKey(chainID uint64, to common.Address, data []byte) string {
	sum := callSum(chainID, to, data)
	return hex.EncodeToString(sum[:])
}

// IntentID is the id of the intent that makes the call (chainID, to, data)
// for the event whose key (ingest.EventKey) is eventKey: the event key and
// the first 16 hex characters of the call's CallKey. The same action of
// the same event gets the same id on every delivery, whatever the other
// actions of the decision are, so a policy reload between two deliveries
// cannot make one action pass for another.
func IntentID(eventKey string, chainID uint64, to common.Address, data []byte) string {
	sum := callSum(chainID, to, data)
	return eventKey + "-" + hex.EncodeToString(sum[:8])
}

func callSum(chainID uint64, to common.Address, data []byte) [32]byte {
	// Fixed-width fields, so no two calls encode alike.
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, chainID)
	b.Write(to[:])
	b.Write(data)
	return sha256.Sum256(b.Bytes())
}

// Holder is the action an in-flight entry names, and the entry's revision
// (for a take-over) and creation time.
type Holder struct {
	ID       string
	Revision uint64
	Since    time.Time
}

// Inflight is the index of actions in flight (InflightBucket).
type Inflight struct{ kv jetstream.KeyValue }

// NewInflight creates or binds to the in-flight bucket.
func NewInflight(ctx context.Context, js jetstream.JetStream, replicas int) (*Inflight, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      InflightBucket,
		Description: "firebreak actions in flight by (chain, target, calldata): the first action of each call",
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		History:     4,
	})
	if err != nil {
		return nil, fmt.Errorf("record: creating bucket %s: %w", InflightBucket, err)
	}
	return &Inflight{kv: kv}, nil
}

// Claim makes id the first action of call key, unless another action is
// already: then it returns false and that action. Two replicas claiming
// at once race on one KV create; exactly one wins.
func (f *Inflight) Claim(ctx context.Context, key, id string) (Holder, bool, error) {
	for range 3 {
		rev, err := f.kv.Create(ctx, key, []byte(id))
		if err == nil {
			return Holder{ID: id, Revision: rev}, true, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return Holder{}, false, fmt.Errorf("record: claiming call %s for action %s: %w", key, id, err)
		}
		e, err := f.kv.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // released between the two calls: claim again
		}
		if err != nil {
			return Holder{}, false, fmt.Errorf("record: reading call %s: %w", key, err)
		}
		return Holder{ID: string(e.Value()), Revision: e.Revision(), Since: e.Created()}, false, nil
	}
	return Holder{}, false, fmt.Errorf("record: claiming call %s for action %s: the entry keeps changing", key, id)
}

// TakeOver makes id the first action of call key in place of h, whose
// action is over (failed) or was never recorded, and returns the new
// claim. It returns false when the entry changed since h was read:
// another action took over first.
func (f *Inflight) TakeOver(ctx context.Context, key, id string, h Holder) (Holder, bool, error) {
	rev, err := f.kv.Update(ctx, key, []byte(id), h.Revision)
	if Conflict(err) {
		return Holder{}, false, nil
	}
	if err != nil {
		return Holder{}, false, fmt.Errorf("record: taking over call %s from action %s for %s: %w", key, h.ID, id, err)
	}
	return Holder{ID: id, Revision: rev}, true, nil
}

// Release removes the claim h on call key if it is still the entry's
// (revision h.Revision): the claimant recorded no action after all (it
// waits for approval, or was refused).
func (f *Inflight) Release(ctx context.Context, key string, h Holder) error {
	err := f.kv.Delete(ctx, key, jetstream.LastRevision(h.Revision))
	if err != nil && !Conflict(err) {
		return fmt.Errorf("record: releasing call %s of action %s: %w", key, h.ID, err)
	}
	return nil
}

// ValidID reports whether id can be an action id: 1 to 128 characters a
// KV key may hold. An in-flight entry naming anything else was not
// written by an engine and is taken over, never read as a key.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c != '=' && c != '.' {
			return false
		}
	}
	return id[0] != '.' && id[len(id)-1] != '.'
}
