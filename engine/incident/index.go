package incident

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/record"
)

// The bucket holds, besides the incidents (keys "inc-…"), two kinds of
// index keys whose value is an incident id:
//
//   - open.<protocol>: the incident events of the protocol without a
//     detector incident id join while it is open and recent. It is
//     created with Create and moved with a compare-and-set, so two
//     engines grouping at once open one incident, not two.
//   - event.<event key>: the incident an event was put into, so a
//     redelivered event is not added (or opens nothing) twice.
const (
	openPrefix  = "open."
	eventPrefix = "event."
)

func isIndexKey(k string) bool {
	return strings.HasPrefix(k, openPrefix) || strings.HasPrefix(k, eventPrefix)
}

// IsConflict reports whether err is a compare-and-set that lost: the key
// changed (or was created) since it was read.
func IsConflict(err error) bool { return record.Conflict(err) }

var plainToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// token is s as a key token: itself when it is one, else its hash.
func token(s string) string {
	if plainToken.MatchString(s) {
		return s
	}
	return "h" + hashHex(s)
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:10])
}

// OpenedBy is the id of the incident an event opens: derived from the
// event id, so a redelivery of the opening event names the same incident.
func OpenedBy(eventID string) string { return "inc-" + hashHex("event\x00"+eventID) }

// ForDetectorRef is the id of the incident a detector's own incident id
// (ref, from source) names.
func ForDetectorRef(source, ref string) string {
	return "inc-" + hashHex("ref\x00"+source+"\x00"+ref)
}

// index reads an index key: the incident id it names and its revision;
// found is false when the key does not exist.
func (s *Store) index(ctx context.Context, key string) (id string, rev uint64, found bool, err error) {
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, fmt.Errorf("incident: reading %s: %w", key, err)
	}
	return string(e.Value()), e.Revision(), true, nil
}

// setIndex points key at id: created when rev is 0, else moved from
// revision rev. A conflict matches IsConflict.
func (s *Store) setIndex(ctx context.Context, key, id string, rev uint64) error {
	var err error
	if rev == 0 {
		_, err = s.kv.Create(ctx, key, []byte(id))
	} else {
		_, err = s.kv.Update(ctx, key, []byte(id), rev)
	}
	if err != nil {
		return fmt.Errorf("incident: setting %s: %w", key, err)
	}
	return nil
}

func openKey(protocol string) string { return openPrefix + token(protocol) }
func eventKey(eventID string) string { return eventPrefix + hashHex(eventID) }

// ByEvent returns the id of the incident an event was put into, or an
// error matching ErrNotFound.
func (s *Store) ByEvent(ctx context.Context, eventID string) (string, error) {
	id, _, found, err := s.index(ctx, eventKey(eventID))
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("%w: no incident holds event %s", ErrNotFound, eventID)
	}
	return id, nil
}
