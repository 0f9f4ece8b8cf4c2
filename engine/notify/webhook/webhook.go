// Package webhook delivers notifications as signed JSON to any HTTP
// endpoint (the incident step): a POST whose body is Payload, with
//
//	X-Firebreak-Timestamp: <unix seconds>
//	X-Firebreak-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//	X-Firebreak-Notification: <the notification id, the same on every retry>
//
// A receiver recomputes the HMAC over the timestamp header, a dot and the
// raw body bytes, compares it in constant time, refuses a timestamp too
// far from its clock (replays), and may drop a notification id it has
// seen (a retry after its answer was lost). Verify does all of it.
// A 2xx is delivered; 429 and 5xx are retried; other answers are not.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/notify"
)

// The headers of a delivery.
const (
	HeaderTimestamp    = "X-Firebreak-Timestamp"
	HeaderSignature    = "X-Firebreak-Signature"
	HeaderNotification = "X-Firebreak-Notification"
)

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("webhook: no v1 signature")
	ErrBadSignature = errors.New("webhook: the signature does not match")
	ErrStale        = errors.New("webhook: the timestamp is outside the tolerance")
)

// Payload is the body of a delivery.
type Payload struct {
	// Version of this format: 1.
	Version int `json:"version"`
	// Text is the message rendered by the channel's "text" template.
	Text string `json:"text"`
	// Notification is the message itself.
	Notification notify.Message `json:"notification"`
}

// Notifier posts to one endpoint.
type Notifier struct {
	conf   Config
	tmpl   *notify.Template
	log    *slog.Logger
	client *http.Client
	now    func() time.Time
}

// New returns the notifier of conf, rendering with tmpl; a nil client is
// notify.NewHTTPClient().
func New(conf Config, tmpl *notify.Template, log *slog.Logger, client *http.Client) (*Notifier, error) {
	if conf.URL == "" || conf.Secret == "" || tmpl == nil {
		return nil, errors.New("webhook: a URL, a signing secret and a template are required")
	}
	if client == nil {
		client = notify.NewHTTPClient()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{conf: conf, tmpl: tmpl, log: log, client: client, now: time.Now}, nil
}

// Notify posts msg, signed.
func (n *Notifier) Notify(ctx context.Context, msg notify.Message) (bool, error) {
	text, err := n.tmpl.Text(msg)
	if err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	body, err := json.Marshal(Payload{Version: 1, Text: text, Notification: msg})
	if err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	ts := n.now().Unix()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Sign([]byte(n.conf.Secret.Reveal()), ts, body))
	h.Set(HeaderNotification, msg.ID)
	if _, retry, err := notify.Post(ctx, n.client, n.conf.URL, h, body, n.conf.Secret); err != nil {
		return retry, fmt.Errorf("webhook: %w", err)
	}
	n.log.Debug("delivered to the webhook", "notification", msg.ID, "kind", msg.Kind)
	return false, nil
}

// Sign is the X-Firebreak-Signature of body sent at timestamp (unix
// seconds): "v1=" and the hex HMAC-SHA256, keyed with secret, of the
// decimal timestamp, ".", and body.
func Sign(secret []byte, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a delivery as a receiver does: the signature in header
// over the timestamp header and the raw body, compared in constant time,
// and the timestamp within tolerance of now. The signature header may
// list several values separated by commas (during a key rotation the
// receiver tries each of its keys; Verify takes one).
func Verify(secret []byte, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	tsText := header.Get(HeaderTimestamp)
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s %q", ErrStale, HeaderTimestamp, tsText)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: %s old", ErrStale, d.Round(time.Second))
	}
	want := Sign(secret, ts, body)
	found := false
	for _, sig := range strings.Split(header.Get(HeaderSignature), ",") {
		sig = strings.TrimSpace(sig)
		if !strings.HasPrefix(sig, "v1=") {
			continue
		}
		found = true
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	if !found {
		return ErrNoSignature
	}
	return ErrBadSignature
}
