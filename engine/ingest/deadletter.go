package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// Headers of the dead letter of a payload that was refused before it became a stream
// message (a webhook), besides HeaderReason and HeaderOriginalSubject.
const (
	// HeaderReasonCode is the machine-readable reason (adapt.Reason: "bad-signature",
	// "malformed", ...; "unsupported-media-type" from the ingress itself).
	HeaderReasonCode = "Firebreak-Dead-Code"
	// HeaderRoute names the webhook route the payload was posted to.
	HeaderRoute = "Firebreak-Route"
	// HeaderBodySHA256 is the hex SHA-256 of the payload as received.
	HeaderBodySHA256 = "Firebreak-Body-Sha256"
	// HeaderBodySize is the size of the payload as received, in bytes.
	HeaderBodySize = "Firebreak-Body-Size"
	// HeaderBodyTruncated is "true" when the dead letter holds only the first part of
	// the payload: the first MaxDeadLetterBody bytes, or what was read of a payload
	// over the size limit.
	HeaderBodyTruncated = "Firebreak-Body-Truncated"
)

// MaxDeadLetterBody is the most of a payload a dead letter holds: the DETECTIONS
// stream's messages are bounded by an event's size plus room for headers.
const MaxDeadLetterBody = event.MaxSize

// MsgPublisher publishes a message to JetStream and waits for the stream's ack;
// jetstream.JetStream is one.
type MsgPublisher interface {
	PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error)
}

// DeadLetter is a payload refused before it became an event, to be kept on
// detections.dead with the reason.
type DeadLetter struct {
	// Subject is where the payload came from or would have gone
	// (HeaderOriginalSubject), e.g. "detections.oz-vault".
	Subject string
	// Route is the webhook route, if it came through one.
	Route string
	// Code is the machine-readable reason, Reason the sentence.
	Code, Reason string
	// Body is the payload as received.
	Body []byte
	// Truncated says that Body is only the first part of a larger payload (one over
	// the size limit, not read to its end).
	Truncated bool
}

// PublishDeadLetter stores d on detections.dead and waits for the ack. The headers
// give the size and SHA-256 of Body as received; a body longer than MaxDeadLetterBody
// is cut to it, and a cut or Truncated body is marked HeaderBodyTruncated. The message
// id derives from the subject, the code and the body, so the same refused payload sent
// again within the stream's duplicate window is stored once: the ack then says
// Duplicate.
func PublishDeadLetter(ctx context.Context, p MsgPublisher, d DeadLetter) (*jetstream.PubAck, error) {
	h := sha256.Sum256(d.Body)
	sum := hex.EncodeToString(h[:])
	msg := &nats.Msg{Subject: DeadSubject, Header: nats.Header{}, Data: d.Body}
	if len(d.Body) > MaxDeadLetterBody {
		msg.Data = d.Body[:MaxDeadLetterBody]
	}
	if d.Truncated || len(msg.Data) < len(d.Body) {
		msg.Header.Set(HeaderBodyTruncated, "true")
	}
	msg.Header.Set(HeaderReason, cutText(d.Reason, 1024))
	msg.Header.Set(HeaderReasonCode, cutText(d.Code, 64))
	msg.Header.Set(HeaderOriginalSubject, cutText(d.Subject, 256))
	if d.Route != "" {
		msg.Header.Set(HeaderRoute, cutText(d.Route, 64))
	}
	msg.Header.Set(HeaderBodySHA256, sum)
	msg.Header.Set(HeaderBodySize, strconv.Itoa(len(d.Body)))
	id := sha256.Sum256([]byte(d.Subject + "\x00" + d.Code + "\x00" + sum))
	ack, err := p.PublishMsg(ctx, msg, jetstream.WithMsgID("dead-"+hex.EncodeToString(id[:16])))
	if err != nil {
		return nil, fmt.Errorf("ingest: writing the dead letter of a %s payload: %w", d.Code, err)
	}
	return ack, nil
}

// PublishEvent is Publish through a MsgPublisher: ev to detections.<source>, with the
// event id as the JetStream message id, waiting for the stream's ack.
func PublishEvent(ctx context.Context, p MsgPublisher, ev event.Event) (*jetstream.PubAck, error) {
	if SubjectPrefix+ev.Source == DeadSubject {
		return nil, ErrReservedSource
	}
	data, err := ev.Encode() // validates
	if err != nil {
		return nil, err
	}
	ack, err := p.PublishMsg(ctx, &nats.Msg{Subject: SubjectPrefix + ev.Source, Data: data}, jetstream.WithMsgID(ev.ID))
	if err != nil {
		return nil, fmt.Errorf("ingest: publishing event %q: %w", ev.ID, err)
	}
	return ack, nil
}

// cutText makes s a header value: line breaks become spaces, and it is cut to at most
// n bytes, at a character boundary, marking the cut.
func cutText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
