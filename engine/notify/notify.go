// Package notify is where firebreak's messages to people go. Today a
// policy's notify action is published on the core NATS subject
// firebreak.notify.<protocol> (Publisher), deduplicated by message id for a
// stream that keeps them; the deliveries to people's channels build on it.
package notify

import (
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// SubjectPrefix is where notify actions are published, followed by
// the protocol: firebreak.notify.<protocol>. Anything that relays
// messages to people (a chat bot, a wallet's alert service) subscribes
// there; a JetStream stream on firebreak.notify.> keeps them and drops
// duplicates by message id.
const SubjectPrefix = "firebreak.notify."

// Notification is the message a notify action publishes.
type Notification struct {
	EventID  string      `json:"event_id"`
	Protocol string      `json:"protocol"`
	Rule     string      `json:"rule,omitempty"`
	Message  string      `json:"message"`
	Reasons  []string    `json:"reasons,omitempty"`
	Revision string      `json:"revision"`
	Event    event.Event `json:"event"`
}

// Publisher publishes notify actions on SubjectPrefix.
type Publisher struct{ nc *nats.Conn }

// NewPublisher publishes on nc.
func NewPublisher(nc *nats.Conn) Publisher { return Publisher{nc: nc} }

// Publish sends action i of out. A redelivered event publishes again with
// the same message id, so a stream on the subject keeps one copy.
func (n Publisher) Publish(ev event.Event, out decide.Outcome, i int) error {
	a := out.Actions[i]
	note := Notification{
		EventID: ev.ID, Protocol: a.Request.Protocol, Rule: a.Request.Rule, Message: a.Request.Message,
		Reasons: out.Decision.Reasons, Revision: out.Decision.Revision, Event: ev,
	}
	data, err := json.Marshal(note)
	if err != nil {
		return fmt.Errorf("notify: encoding the notification of event %q: %w", ev.ID, err)
	}
	msg := nats.NewMsg(SubjectPrefix + a.Request.Protocol)
	msg.Data = data
	msg.Header.Set(nats.MsgIdHdr, fmt.Sprintf("%s-%d", ingest.EventKey(ev.ID), i))
	if err := n.nc.PublishMsg(msg); err != nil {
		return fmt.Errorf("notify: publishing the notification of event %q: %w", ev.ID, err)
	}
	return nil
}
