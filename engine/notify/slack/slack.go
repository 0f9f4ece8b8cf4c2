// Package slack delivers notifications to a Slack channel through an
// incoming webhook, as a Block Kit message (the incident step). The
// message is a header with the title, a section with the rendered text
// (mrkdwn), a section of fields (severity, protocol, incident) and a
// context line; "text" carries the title as the fallback Slack shows in
// notifications. Slack answers 200 "ok"; 400 invalid_payload, 403
// action_prohibited, 404 channel_not_found and 410 channel_is_archived
// are not retried, 429 and 5xx are.
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/firebreak-dev/firebreak/engine/notify"
)

// Block Kit limits (characters).
const (
	maxHeader   = 150
	maxSection  = 3000
	maxField    = 2000
	maxFallback = 3000
)

// Notifier posts messages to one incoming webhook.
type Notifier struct {
	conf   Config
	tmpl   *notify.Template
	log    *slog.Logger
	client *http.Client
}

// New returns the notifier of conf, rendering with tmpl; a nil client is
// notify.NewHTTPClient().
func New(conf Config, tmpl *notify.Template, log *slog.Logger, client *http.Client) (*Notifier, error) {
	if conf.WebhookURL == "" {
		return nil, errors.New("slack: no webhook URL")
	}
	if tmpl == nil {
		return nil, errors.New("slack: no template")
	}
	if client == nil {
		client = notify.NewHTTPClient()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{conf: conf, tmpl: tmpl, log: log, client: client}, nil
}

// Notify posts msg.
func (n *Notifier) Notify(ctx context.Context, msg notify.Message) (bool, error) {
	body, err := n.payload(msg)
	if err != nil {
		return false, fmt.Errorf("slack: %w", err)
	}
	if _, retry, err := notify.Post(ctx, n.client, n.conf.WebhookURL, nil, body); err != nil {
		return retry, fmt.Errorf("slack: %w", err)
	}
	n.log.Debug("delivered to Slack", "notification", msg.ID, "kind", msg.Kind)
	return false, nil
}

type textObject struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

type block struct {
	Type     string       `json:"type"`
	Text     *textObject  `json:"text,omitempty"`
	Fields   []textObject `json:"fields,omitempty"`
	Elements []textObject `json:"elements,omitempty"`
}

type payload struct {
	Text   string  `json:"text"`
	Blocks []block `json:"blocks"`
}

var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func (n *Notifier) payload(msg notify.Message) ([]byte, error) {
	title, err := n.tmpl.Title(msg)
	if err != nil {
		return nil, err
	}
	text, err := n.tmpl.Text(msg)
	if err != nil {
		return nil, err
	}
	p := payload{
		Text:   notify.Truncate(escape.Replace(title), maxFallback),
		Blocks: []block{{Type: "header", Text: &textObject{Type: "plain_text", Text: notify.Truncate(title, maxHeader), Emoji: true}}},
	}
	if text != "" {
		p.Blocks = append(p.Blocks, block{Type: "section", Text: &textObject{Type: "mrkdwn", Text: notify.Truncate(text, maxSection)}})
	}
	var fields []textObject
	field := func(name, value string) {
		if value != "" {
			fields = append(fields, textObject{Type: "mrkdwn", Text: notify.Truncate("*"+name+"*\n"+escape.Replace(value), maxField)})
		}
	}
	field("Severity", string(msg.Severity))
	field("Protocol", msg.Protocol)
	field("Incident", msg.IncidentID)
	field("Events", strings.Join(msg.EventIDs, ", "))
	if len(fields) > 0 {
		p.Blocks = append(p.Blocks, block{Type: "section", Fields: fields})
	}
	ctxLine := "firebreak · " + string(msg.Kind)
	if !msg.At.IsZero() {
		ctxLine += " · " + msg.At.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	p.Blocks = append(p.Blocks, block{Type: "context", Elements: []textObject{{Type: "mrkdwn", Text: escape.Replace(ctxLine)}}})
	return json.Marshal(p)
}
