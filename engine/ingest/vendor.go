package ingest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// AdaptMessage turns a vendor payload published straight to detections.<source> into
// events, with the adapter route r of that source: the message's headers stand for the
// vendor's HTTP headers (a detector relaying a webhook copies X-Signature,
// Authorization, ... into them), and r verifies them unless it SkipVerify (the NATS
// identity allowed to publish on the subject is then the authentication).
//
// The subject must be the route's: detections.<r.Source, or r.Name when Source is
// empty>; otherwise it fails with adapt.ErrConfig. Errors are adapt's otherwise (see
// adapt.StatusCode and adapt.Reason); with an *adapt.PartialError the events that
// adapted come back too.
func AdaptMessage(r *adapt.Route, now time.Time, subject string, header nats.Header, data []byte) ([]event.Event, error) {
	src := r.Source
	if src == "" {
		src = r.Name
	}
	if got, _ := strings.CutPrefix(subject, SubjectPrefix); got != src || !strings.HasPrefix(subject, SubjectPrefix) {
		return nil, fmt.Errorf("%w: route %s adapts detections.%s, not %s", adapt.ErrConfig, r.Name, src, subject)
	}
	return r.Adapt(now, http.Header(header), data)
}
