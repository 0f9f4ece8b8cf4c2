// Package telegram delivers notifications to a Telegram chat through the
// Bot API's sendMessage (the incident step): POST
// {api}/bot{token}/sendMessage with chat_id, text (at most 4096
// characters) and parse_mode (HTML by default: the default template
// escapes every <, > and & of the data), link previews off. The Bot API
// answers {"ok": true, ...}, or {"ok": false, "error_code", "description",
// "parameters": {"retry_after"}}: 429 and 5xx are retried (after
// retry_after when given), other errors are not.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-dev/firebreak/engine/notify"
)

// maxText is sendMessage's limit on text, in characters.
const maxText = 4096

// Notifier sends to one chat.
type Notifier struct {
	url    notify.Secret // .../bot<token>/sendMessage
	conf   Config
	tmpl   *notify.Template
	log    *slog.Logger
	client *http.Client
}

// New returns the notifier of conf, rendering with tmpl; a nil client is
// notify.NewHTTPClient().
func New(conf Config, tmpl *notify.Template, log *slog.Logger, client *http.Client) (*Notifier, error) {
	if conf.BotToken == "" || conf.ChatID == "" || tmpl == nil {
		return nil, errors.New("telegram: a bot token, a chat id and a template are required")
	}
	if conf.ParseMode == "" {
		conf.ParseMode = "HTML"
	}
	base := conf.APIURL
	if base == "" {
		base = DefaultAPIURL
	}
	if client == nil {
		client = notify.NewHTTPClient()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := notify.Secret(strings.TrimRight(base, "/") + "/bot" + conf.BotToken.Reveal() + "/sendMessage")
	return &Notifier{url: u, conf: conf, tmpl: tmpl, log: log, client: client}, nil
}

type linkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

type request struct {
	ChatID             any         `json:"chat_id"`
	Text               string      `json:"text"`
	ParseMode          string      `json:"parse_mode,omitempty"`
	LinkPreviewOptions linkPreview `json:"link_preview_options"`
}

type answer struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// Notify sends msg.
func (n *Notifier) Notify(ctx context.Context, msg notify.Message) (bool, error) {
	text, err := n.tmpl.Text(msg)
	if err != nil {
		return false, fmt.Errorf("telegram: %w", err)
	}
	req := request{ChatID: chatID(n.conf.ChatID), Text: cut(text, maxText), ParseMode: n.conf.ParseMode, LinkPreviewOptions: linkPreview{IsDisabled: true}}
	body, err := json.Marshal(req)
	if err != nil {
		return false, fmt.Errorf("telegram: %w", err)
	}
	resp, retry, err := notify.Post(ctx, n.client, n.url, nil, body, n.conf.BotToken)
	var a answer
	decoded := len(resp.Body) > 0 && json.Unmarshal(resp.Body, &a) == nil
	if err != nil {
		if decoded && (a.Description != "" || a.Parameters.RetryAfter > 0) {
			// The Bot API's own words, and its wait, over the raw body.
			err = &notify.HTTPError{
				StatusCode: resp.StatusCode,
				Body:       notify.Scrub(a.Description, n.url, n.conf.BotToken),
				RetryAfter: time.Duration(a.Parameters.RetryAfter) * time.Second,
			}
		}
		return retry, fmt.Errorf("telegram: %w", err)
	}
	if !decoded || !a.OK {
		return false, fmt.Errorf("telegram: %w", &notify.HTTPError{StatusCode: resp.StatusCode, Body: "the Bot API did not answer ok: " + notify.Scrub(a.Description, n.url, n.conf.BotToken)})
	}
	n.log.Debug("delivered to Telegram", "notification", msg.ID, "kind", msg.Kind)
	return false, nil
}

// chatID is a numeric chat id as a number, a @channel name as a string.
func chatID(s string) any {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		return id
	}
	return s
}

// cut shortens text to at most n characters at the end of a line, so no
// formatting tag is left open (the templates keep tags within a line).
func cut(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n-2]
	s := string(r)
	if i := strings.LastIndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s + "\n…"
}
