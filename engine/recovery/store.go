package recovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/record"
)

// Bucket is the JetStream KV bucket holding recovery proposals, by id.
const Bucket = "FIREBREAK_RECOVERY"

// maxProposal bounds a stored proposal; a plan with its dry-run fits many
// times over.
const maxProposal = 512 << 10

// Store keeps proposals. Writes are compare-and-set on the revision.
type Store struct {
	kv jetstream.KeyValue
}

// NewStore creates or binds to the bucket (the engine).
func NewStore(ctx context.Context, js jetstream.JetStream, replicas int) (*Store, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:       Bucket,
		Description:  "firebreak recovery proposals: the inverse of a containment, its dry-run and its approvals",
		Storage:      jetstream.FileStorage,
		Replicas:     max(replicas, 1),
		History:      16,
		MaxValueSize: maxProposal,
	})
	if err != nil {
		return nil, fmt.Errorf("recovery: creating bucket %s: %w", Bucket, err)
	}
	return &Store{kv: kv}, nil
}

// OpenStore binds to the existing bucket (the CLI, which does not create it).
func OpenStore(ctx context.Context, js jetstream.JetStream) (*Store, error) {
	kv, err := js.KeyValue(ctx, Bucket)
	if err != nil {
		return nil, fmt.Errorf("recovery: opening bucket %s (is the engine running?): %w", Bucket, err)
	}
	return &Store{kv: kv}, nil
}

// Get returns a proposal and its revision.
func (s *Store) Get(ctx context.Context, id string) (Proposal, uint64, error) {
	e, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Proposal{}, 0, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return Proposal{}, 0, fmt.Errorf("recovery: reading %s: %w", id, err)
	}
	p, err := Decode(e.Key(), e.Value())
	return p, e.Revision(), err
}

// Decode reads a stored proposal whose key is key.
func Decode(key string, data []byte) (Proposal, error) {
	var p Proposal
	if len(data) > maxProposal {
		return p, fmt.Errorf("recovery: proposal %.80q: %d bytes, more than %d", key, len(data), maxProposal)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("recovery: decoding proposal %.80q: %w", key, err)
	}
	if p.ID != key {
		return p, fmt.Errorf("recovery: proposal under key %.80q says it is %.80q", key, p.ID)
	}
	return p, nil
}

// Create stores a new proposal; it fails with jetstream.ErrKeyExists when
// the id is taken (the same plan proposed again).
func (s *Store) Create(ctx context.Context, p Proposal) (uint64, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("recovery: encoding %s: %w", p.ID, err)
	}
	rev, err := s.kv.Create(ctx, p.ID, data)
	if err != nil {
		return 0, fmt.Errorf("recovery: creating %s: %w", p.ID, err)
	}
	return rev, nil
}

// Update writes p if its stored revision is still rev (else ErrConflict).
func (s *Store) Update(ctx context.Context, p Proposal, rev uint64) (uint64, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("recovery: encoding %s: %w", p.ID, err)
	}
	next, err := s.kv.Update(ctx, p.ID, data, rev)
	if record.Conflict(err) {
		return 0, fmt.Errorf("%w: %s", ErrConflict, p.ID)
	}
	if err != nil {
		return 0, fmt.Errorf("recovery: updating %s: %w", p.ID, err)
	}
	return next, nil
}

// List returns every proposal, newest first.
func (s *Store) List(ctx context.Context) ([]Proposal, error) {
	keys, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("recovery: listing %s: %w", Bucket, err)
	}
	var out []Proposal
	for k := range keys.Keys() {
		p, _, err := s.Get(ctx, k)
		if err != nil {
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Proposal) int { return b.ProposedAt.Compare(a.ProposedAt) })
	return out, nil
}

// Watch delivers every proposal's latest value, then each change.
func (s *Store) Watch(ctx context.Context) (jetstream.KeyWatcher, error) {
	return s.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
}
