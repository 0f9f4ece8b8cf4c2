// Package incident is the step after containment: it groups detection
// events into incidents and carries each through its states, from the
// first alert to resolved or dismissed, with who changed it, when and why.
// Incidents live in the FIREBREAK_INCIDENTS bucket; every change is also
// audited, so the postmortem (engine/report) can be built from the audit
// log alone.
package incident

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the JetStream KV bucket holding the incidents, by id.
const Bucket = "FIREBREAK_INCIDENTS"

// State is where an incident is.
type State string

// States. Resolved and Dismissed are final.
const (
	// Detected: opened by an event; containment may be under way.
	Detected State = "detected"
	// Contained: every allowed action of its events is final.
	Contained State = "contained"
	// Recovering: a recovery (the inverse of the containment) is proposed
	// or under way.
	Recovering State = "recovering"
	// Resolved: closed by an operator, after recovery or without one.
	Resolved State = "resolved"
	// Dismissed: a false positive, closed by an operator.
	Dismissed State = "dismissed"
)

// Final reports whether s closes the incident.
func (s State) Final() bool { return s == Resolved || s == Dismissed }

// Change is one step of an incident's history.
type Change struct {
	From State     `json:"from,omitempty"`
	To   State     `json:"to"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
	// Event is the event that caused the change (the opening event), if
	// one did; Actions the incident's actions at the change.
	Event   string   `json:"event,omitempty"`
	Actions []string `json:"actions,omitempty"`
}

// IsAck reports whether c is an acknowledgement: a change that leaves the
// state as it was.
func (c Change) IsAck() bool { return c.From != "" && c.From == c.To }

// Incident is a group of events about one protocol and what was done
// about them.
type Incident struct {
	ID       string `json:"id"`
	Protocol string `json:"protocol"`
	// DetectorRef is the incident id the detector sent, when it sent one.
	DetectorRef string `json:"detector_ref,omitempty"`
	// Severity is the highest severity of its events.
	Severity string `json:"severity"`
	Title    string `json:"title"`
	State    State  `json:"state"`
	// OpenedAt is when its first event arrived; LastEventAt its latest.
	OpenedAt    time.Time `json:"opened_at"`
	LastEventAt time.Time `json:"last_event_at"`
	// Events are the ids of its events, in arrival order.
	Events []string `json:"events"`
	// MoreEvents counts the events past MaxEvents, not listed.
	MoreEvents int `json:"more_events,omitempty"`
	// Actions are the ids of the actions recorded for them (record.Intent
	// ids), and Approvals the Safe approvals waiting or given.
	Actions   []string `json:"actions,omitempty"`
	Approvals []string `json:"approvals,omitempty"`
	// AckedBy is the operator who acknowledged it, if anyone did.
	AckedBy string `json:"acked_by,omitempty"`
	// Rule, PolicyRevision and Reasons are the decision of the opening
	// event, for the messages.
	Rule           string   `json:"rule,omitempty"`
	PolicyRevision string   `json:"policy_revision,omitempty"`
	Reasons        []string `json:"reasons,omitempty"`
	History        []Change `json:"history"`
	// Announced counts the changes of History already audited and queued
	// for notification (see Announcer); the rest are still to announce.
	Announced int `json:"announced"`
}

// HasEvent reports whether the event id is one of the incident's.
func (in Incident) HasEvent(id string) bool { return slices.Contains(in.Events, id) }

// ErrNotFound: no incident has the id asked for.
var ErrNotFound = errors.New("incident: not found")

// Store keeps the incidents in their bucket. Writes are compare-and-set
// on the revision, so two engines never overwrite each other's change.
type Store struct {
	kv jetstream.KeyValue
}

// NewStore creates or binds to the incidents bucket.
func NewStore(ctx context.Context, js jetstream.JetStream, replicas int) (*Store, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "firebreak incidents: events grouped by protocol, their state and its history",
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		History:     16,
	})
	if err != nil {
		return nil, fmt.Errorf("incident: creating bucket %s: %w", Bucket, err)
	}
	return &Store{kv: kv}, nil
}

// OpenStore binds to an existing incidents bucket (for the CLI, which
// should not create it).
func OpenStore(ctx context.Context, js jetstream.JetStream) (*Store, error) {
	kv, err := js.KeyValue(ctx, Bucket)
	if err != nil {
		return nil, fmt.Errorf("incident: opening bucket %s: %w", Bucket, err)
	}
	return &Store{kv: kv}, nil
}

// Get returns an incident and its revision.
func (s *Store) Get(ctx context.Context, id string) (Incident, uint64, error) {
	e, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Incident{}, 0, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return Incident{}, 0, fmt.Errorf("incident: reading %s: %w", id, err)
	}
	var in Incident
	if err := json.Unmarshal(e.Value(), &in); err != nil {
		return Incident{}, 0, fmt.Errorf("incident: decoding %s: %w", id, err)
	}
	return in, e.Revision(), nil
}

// List returns every incident, newest first.
func (s *Store) List(ctx context.Context) ([]Incident, error) {
	keys, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("incident: listing %s: %w", Bucket, err)
	}
	var out []Incident
	for k := range keys.Keys() {
		if isIndexKey(k) {
			continue
		}
		in, _, err := s.Get(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue // deleted between the listing and the read
		}
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b Incident) int { return b.OpenedAt.Compare(a.OpenedAt) })
	return out, nil
}

// Create stores a new incident; it fails if the id is taken.
func (s *Store) Create(ctx context.Context, in Incident) (uint64, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return 0, fmt.Errorf("incident: encoding %s: %w", in.ID, err)
	}
	rev, err := s.kv.Create(ctx, in.ID, data)
	if err != nil {
		return 0, fmt.Errorf("incident: creating %s: %w", in.ID, err)
	}
	return rev, nil
}

// Update writes in if its stored revision is still rev.
func (s *Store) Update(ctx context.Context, in Incident, rev uint64) (uint64, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return 0, fmt.Errorf("incident: encoding %s: %w", in.ID, err)
	}
	next, err := s.kv.Update(ctx, in.ID, data, rev)
	if err != nil {
		return 0, fmt.Errorf("incident: updating %s: %w", in.ID, err)
	}
	return next, nil
}
