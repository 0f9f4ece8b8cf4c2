package adapt

import (
	"fmt"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// native reads firebreak's own event JSON with event.Decode. The event must carry the
// route's source: a detector authenticated for one route cannot speak for another. Its
// RawSHA256 becomes the body's, as for every adapter: the hash of the payload firebreak
// received and keeps.
func (c *ctx) native() ([]event.Event, error) {
	e, err := event.Decode(c.body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if want := c.r.source(); e.Source != want {
		return nil, errorf(ErrMalformed, "event %s has source %s, but the route's source is %s", e.ID, q(e.Source), q(want))
	}
	e.RawSHA256 = c.sha
	return []event.Event{e}, nil
}
