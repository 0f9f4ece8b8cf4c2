// Package notify is the incident step's notifications to people, after
// Alertmanager's notify/: one Notifier interface whose Notify says
// whether a failure is worth retrying, a Message of plain data rendered
// by per-channel Go templates (Template), a shared classifier of HTTP
// outcomes (CheckStatus, Post), secrets that print as <secret> (Secret),
// and one package per integration below it (slack, discord, telegram,
// pagerduty, email, webhook). notify/dispatch delivers durably through
// JetStream, notify/nflog remembers what was sent, notify/receiver builds
// the configured channels.
//
// Publisher is the older path, kept: a policy's notify action published
// on the core NATS subject firebreak.notify.<protocol>, deduplicated by
// message id for a stream that keeps them. ActionMessage turns the same
// action into a Message for the channels.
package notify

import (
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
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
	msg.Header.Set(nats.MsgIdHdr, actionKey(ev.ID, a.Request))
	if err := n.nc.PublishMsg(msg); err != nil {
		return fmt.Errorf("notify: publishing the notification of event %q: %w", ev.ID, err)
	}
	return nil
}
