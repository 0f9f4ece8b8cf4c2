package engine

import (
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// NotifySubjectPrefix is where notify actions are published, followed by
// the protocol: firebreak.notify.<protocol>. Anything that relays
// messages to people (a chat bot, a wallet's alert service) subscribes
// there; a JetStream stream on firebreak.notify.> keeps them and drops
// duplicates by message id.
const NotifySubjectPrefix = "firebreak.notify."

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

type notifier struct{ nc *nats.Conn }

// publish sends action i of out. A redelivered event publishes again with
// the same message id, so a stream on the subject keeps one copy.
func (n notifier) publish(ev event.Event, out decide.Outcome, i int) error {
	a := out.Actions[i]
	note := Notification{
		EventID: ev.ID, Protocol: a.Request.Protocol, Rule: a.Request.Rule, Message: a.Request.Message,
		Reasons: out.Decision.Reasons, Revision: out.Decision.Revision, Event: ev,
	}
	data, err := json.Marshal(note)
	if err != nil {
		return fmt.Errorf("engine: encoding the notification of event %q: %w", ev.ID, err)
	}
	msg := nats.NewMsg(NotifySubjectPrefix + a.Request.Protocol)
	msg.Data = data
	msg.Header.Set(nats.MsgIdHdr, fmt.Sprintf("%s-%d", ingest.EventKey(ev.ID), i))
	if err := n.nc.PublishMsg(msg); err != nil {
		return fmt.Errorf("engine: publishing the notification of event %q: %w", ev.ID, err)
	}
	return nil
}
