// Package pagerduty delivers notifications to PagerDuty through the
// Events API v2 (the incident step): POST /v2/enqueue with the routing
// key, an event_action and a dedup_key. An incident's messages share its
// id as dedup_key: opening it triggers an alert, later changes
// (contained, recovering) trigger again, which PagerDuty adds to the open
// alert's log, and resolving or dismissing it resolves the alert. Other
// messages (operator alerts, a policy's notify action) trigger alerts of
// their own. PagerDuty answers 202; 400 is not retried, 429 and 5xx are
// (its documented retry rule).
package pagerduty

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// Event actions.
const (
	ActionTrigger = "trigger"
	ActionResolve = "resolve"
)

// Limits of the Events API (characters).
const (
	maxSummary  = 1024
	maxDedupKey = 255
)

// Notifier sends events to one integration.
type Notifier struct {
	url    notify.Secret // not secret itself, but Post takes one
	conf   Config
	tmpl   *notify.Template
	log    *slog.Logger
	client *http.Client
}

// New returns the notifier of conf, rendering with tmpl; a nil client is
// notify.NewHTTPClient().
func New(conf Config, tmpl *notify.Template, log *slog.Logger, client *http.Client) (*Notifier, error) {
	if conf.RoutingKey == "" || tmpl == nil {
		return nil, errors.New("pagerduty: a routing key and a template are required")
	}
	u := conf.URL
	if u == "" {
		u = DefaultURL
	}
	if client == nil {
		client = notify.NewHTTPClient()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{url: notify.Secret(u), conf: conf, tmpl: tmpl, log: log, client: client}, nil
}

// Event is what is sent: one Events API v2 alert event.
type Event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key"`
	Payload     *Payload `json:"payload,omitempty"`
	Client      string   `json:"client,omitempty"`
	Links       []Link   `json:"links,omitempty"`
}

// Payload describes a triggered alert.
type Payload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// Link is a link shown on the alert.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// Action is the event_action of msg: resolve when its incident is
// resolved or dismissed, trigger otherwise.
func Action(msg notify.Message) string {
	if msg.Kind == notify.KindIncidentResolved || msg.Kind == notify.KindIncidentDismissed {
		return ActionResolve
	}
	return ActionTrigger
}

// DedupKey is the dedup_key of msg: its incident's id, so every change of
// one incident applies to one alert; else the notification's id. A key
// longer than PagerDuty's 255 characters is hashed.
func DedupKey(msg notify.Message) string {
	k := msg.IncidentID
	if k == "" {
		k = msg.ID
	}
	if len(k) > maxDedupKey {
		sum := sha256.Sum256([]byte(k))
		k = "firebreak-" + hex.EncodeToString(sum[:])
	}
	return k
}

// severity maps firebreak's five severities on PagerDuty's four.
func severity(s event.Severity) string {
	switch s {
	case event.SeverityCritical:
		return "critical"
	case event.SeverityHigh:
		return "error"
	case event.SeverityMedium:
		return "warning"
	}
	return "info"
}

// Notify sends msg's event.
func (n *Notifier) Notify(ctx context.Context, msg notify.Message) (bool, error) {
	ev, err := n.event(msg)
	if err != nil {
		return false, fmt.Errorf("pagerduty: %w", err)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return false, fmt.Errorf("pagerduty: %w", err)
	}
	if _, retry, err := notify.Post(ctx, n.client, n.url, nil, body, n.conf.RoutingKey); err != nil {
		return retry, fmt.Errorf("pagerduty: %s %s: %w", ev.EventAction, ev.DedupKey, err)
	}
	n.log.Debug("delivered to PagerDuty", "notification", msg.ID, "event_action", ev.EventAction, "dedup_key", ev.DedupKey)
	return false, nil
}

func (n *Notifier) event(msg notify.Message) (Event, error) {
	ev := Event{RoutingKey: n.conf.RoutingKey.Reveal(), EventAction: Action(msg), DedupKey: DedupKey(msg)}
	if ev.EventAction == ActionResolve {
		return ev, nil
	}
	title, err := n.tmpl.Title(msg)
	if err != nil {
		return ev, err
	}
	text, err := n.tmpl.Text(msg)
	if err != nil {
		return ev, err
	}
	details := map[string]any{"text": text, "kind": msg.Kind, "notification": msg.ID}
	if msg.IncidentID != "" {
		details["incident"] = msg.IncidentID
	}
	if len(msg.EventIDs) > 0 {
		details["events"] = msg.EventIDs
	}
	if len(msg.Reasons) > 0 {
		details["reasons"] = msg.Reasons
	}
	if len(msg.Actions) > 0 {
		details["actions"] = msg.Actions
	}
	for k, v := range msg.Facts {
		details[k] = v
	}
	ev.Payload = &Payload{
		Summary: notify.Truncate(title, maxSummary), Source: "firebreak", Severity: severity(msg.Severity),
		Component: msg.Protocol, Group: "firebreak", Class: string(msg.Kind), CustomDetails: details,
	}
	if !msg.At.IsZero() {
		ev.Payload.Timestamp = msg.At.UTC().Format(time.RFC3339)
	}
	ev.Client = "firebreak"
	for _, a := range msg.Actions {
		if a.ExplorerURL != "" && len(ev.Links) < 10 {
			ev.Links = append(ev.Links, Link{Href: a.ExplorerURL, Text: a.Type + " " + a.Contract})
		}
	}
	return ev, nil
}
