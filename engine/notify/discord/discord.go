// Package discord delivers notifications to a Discord channel by
// executing its webhook (POST /webhooks/{id}/{token}?wait=true) with one
// rich embed (the incident step): title, description (the rendered
// text), a color by severity, inline fields, the change's timestamp.
// wait=true makes Discord confirm the message was saved (200) instead of
// accepting it unseen (204); allowed_mentions is empty, so nothing in a
// message pings anyone. 429 (with its retry_after) and 5xx are retried.
package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// Embed limits (characters).
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFieldValue  = 1024
)

// Colors by severity; resolved and dismissed incidents are green.
var colors = map[event.Severity]int{
	event.SeverityCritical: 0xE01E5A,
	event.SeverityHigh:     0xF2711C,
	event.SeverityMedium:   0xECB22E,
	event.SeverityLow:      0x36C5F0,
	event.SeverityInfo:     0x99AAB5,
}

const green = 0x2EB67D

// Notifier executes one webhook.
type Notifier struct {
	url    notify.Secret // the webhook with ?wait=true
	conf   Config
	tmpl   *notify.Template
	log    *slog.Logger
	client *http.Client
}

// New returns the notifier of conf, rendering with tmpl; a nil client is
// notify.NewHTTPClient().
func New(conf Config, tmpl *notify.Template, log *slog.Logger, client *http.Client) (*Notifier, error) {
	if conf.WebhookURL == "" || tmpl == nil {
		return nil, errors.New("discord: a webhook URL and a template are required")
	}
	u, err := url.Parse(conf.WebhookURL.Reveal())
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("discord: %w", notify.ErrBadURL)
	}
	q := u.Query()
	q.Set("wait", "true")
	u.RawQuery = q.Encode()
	if client == nil {
		client = notify.NewHTTPClient()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{url: notify.Secret(u.String()), conf: conf, tmpl: tmpl, log: log, client: client}, nil
}

// Notify executes the webhook with msg.
func (n *Notifier) Notify(ctx context.Context, msg notify.Message) (bool, error) {
	body, err := n.payload(msg)
	if err != nil {
		return false, fmt.Errorf("discord: %w", err)
	}
	resp, retry, err := notify.Post(ctx, n.client, n.url, nil, body, n.conf.WebhookURL)
	if err != nil {
		// A 429's body says how long to wait, in seconds.
		var rl struct {
			RetryAfter float64 `json:"retry_after"`
		}
		if resp.StatusCode == http.StatusTooManyRequests && json.Unmarshal(resp.Body, &rl) == nil && rl.RetryAfter > 0 {
			if _, ok := notify.RetryAfter(err); !ok {
				err = notify.StatusError(resp, time.Duration(rl.RetryAfter*float64(time.Second)), n.url, n.conf.WebhookURL)
			}
		}
		return retry, fmt.Errorf("discord: %w", err)
	}
	n.log.Debug("delivered to Discord", "notification", msg.ID, "kind", msg.Kind)
	return false, nil
}

type field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

type embed struct {
	Title       string  `json:"title"`
	Description string  `json:"description,omitempty"`
	Color       int     `json:"color"`
	Timestamp   string  `json:"timestamp,omitempty"`
	Fields      []field `json:"fields,omitempty"`
	Footer      *footer `json:"footer,omitempty"`
}

type footer struct {
	Text string `json:"text"`
}

type payload struct {
	Username        string   `json:"username"`
	Embeds          []embed  `json:"embeds"`
	AllowedMentions mentions `json:"allowed_mentions"`
}

type mentions struct {
	Parse []string `json:"parse"`
}

func (n *Notifier) payload(msg notify.Message) ([]byte, error) {
	title, err := n.tmpl.Title(msg)
	if err != nil {
		return nil, err
	}
	text, err := n.tmpl.Text(msg)
	if err != nil {
		return nil, err
	}
	e := embed{
		Title:       notify.Truncate(title, maxTitle),
		Description: notify.Truncate(text, maxDescription),
		Color:       colors[msg.Severity],
		Footer:      &footer{Text: "firebreak · " + string(msg.Kind)},
	}
	if msg.Kind == notify.KindIncidentResolved || msg.Kind == notify.KindIncidentDismissed {
		e.Color = green
	}
	if !msg.At.IsZero() {
		e.Timestamp = msg.At.UTC().Format(time.RFC3339)
	}
	add := func(name, value string) {
		if value != "" {
			e.Fields = append(e.Fields, field{Name: name, Value: notify.Truncate(value, maxFieldValue), Inline: true})
		}
	}
	add("Severity", string(msg.Severity))
	add("Protocol", msg.Protocol)
	add("Incident", msg.IncidentID)
	add("Events", strings.Join(msg.EventIDs, ", "))
	return json.Marshal(payload{Username: "firebreak", Embeds: []embed{e}, AllowedMentions: mentions{Parse: []string{}}})
}
