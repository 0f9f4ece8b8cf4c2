package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what an operator writes into an incident.
const (
	MaxNoteLen = 2000
	MaxByLen   = 200
)

// ErrTransition: the change asked for is not allowed from the incident's
// state (it is closed, or the move makes no sense).
var ErrTransition = errors.New("incident: change not allowed")

// moves are the allowed state changes. Reaching Contained is the
// engine's; the others are people's (or the recovery's).
var moves = map[State][]State{
	Detected:   {Contained, Recovering, Resolved, Dismissed},
	Contained:  {Recovering, Resolved, Dismissed},
	Recovering: {Contained, Resolved, Dismissed},
}

// CanMove reports whether an incident may go from one state to another.
func CanMove(from, to State) bool { return slices.Contains(moves[from], to) }

// Transition moves incident id to state to, by who, with a note (required
// for Resolved and Dismissed), and returns it as stored. With to empty
// (or equal to its current state) it is an acknowledgement: AckedBy is set and the
// change recorded. A closed incident takes no change. Conflicting writes
// are retried; the change is audited and announced by the engine that
// watches the bucket (Announcer).
func (s *Store) Transition(ctx context.Context, id string, to State, by, note string, now time.Time) (Incident, error) {
	by, note = strings.TrimSpace(by), strings.TrimSpace(note)
	switch {
	case by == "":
		return Incident{}, fmt.Errorf("%w: who makes the change is required", ErrTransition)
	case len(by) > MaxByLen || !utf8.ValidString(by):
		return Incident{}, fmt.Errorf("%w: the name of who makes the change must be valid UTF-8 of at most %d bytes", ErrTransition, MaxByLen)
	case len(note) > MaxNoteLen || !utf8.ValidString(note):
		return Incident{}, fmt.Errorf("%w: the note must be valid UTF-8 of at most %d bytes", ErrTransition, MaxNoteLen)
	case (to == Resolved || to == Dismissed) && note == "":
		return Incident{}, fmt.Errorf("%w: a note saying why is required to move an incident to %s", ErrTransition, to)
	}
	for attempt := 0; attempt < maxAttempts; attempt++ {
		in, rev, err := s.Get(ctx, id)
		if err != nil {
			return Incident{}, err
		}
		if in.State.Final() {
			return in, fmt.Errorf("%w: incident %s is already %s", ErrTransition, id, in.State)
		}
		to := to
		if to == "" {
			to = in.State // an acknowledgement
		}
		if to != in.State && !CanMove(in.State, to) {
			return in, fmt.Errorf("%w: incident %s cannot go from %s to %s", ErrTransition, id, in.State, to)
		}
		if to == in.State {
			in.AckedBy = by
			if note == "" {
				note = "acknowledged"
			}
		}
		in.History = append(in.History, Change{From: in.State, To: to, By: by, At: now.UTC(), Note: note, Actions: slices.Clone(in.Actions)})
		in.State = to
		if _, err := s.Update(ctx, in, rev); err != nil {
			if IsConflict(err) {
				continue
			}
			return Incident{}, err
		}
		return in, nil
	}
	return Incident{}, fmt.Errorf("incident: changing %s: %d conflicting writes in a row", id, maxAttempts)
}

// Ack records that by has seen the incident; its state does not change.
func (s *Store) Ack(ctx context.Context, id, by, note string, now time.Time) (Incident, error) {
	return s.Transition(ctx, id, "", by, note, now)
}
