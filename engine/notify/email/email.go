// Package email delivers notifications by SMTP (the incident step), with
// net/smtp: EHLO, STARTTLS (required: a server that does not offer it is
// refused before anything is sent), AUTH PLAIN when a username is set,
// then one message to every recipient: the rendered title as subject
// and text as a plain-text body (quoted-printable UTF-8). A 4xx reply or
// a network error is retried; a 5xx reply (a refused login, an unknown
// recipient) is not, nor a certificate that does not verify.
package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/notify"
)

// ErrNoSTARTTLS means the server does not offer STARTTLS: nothing is sent
// over a connection that is not encrypted.
var ErrNoSTARTTLS = errors.New("email: the SMTP server does not offer STARTTLS")

// Notifier sends mail through one server.
type Notifier struct {
	conf Config
	host string
	tmpl *notify.Template
	log  *slog.Logger
	now  func() time.Time
}

// New returns the notifier of conf, rendering with tmpl. The HTTP client
// argument of the other integrations has no use here.
func New(conf Config, tmpl *notify.Template, log *slog.Logger) (*Notifier, error) {
	host, _, err := net.SplitHostPort(conf.Smarthost)
	if err != nil {
		return nil, fmt.Errorf("email: smarthost %q: %w", conf.Smarthost, err)
	}
	if conf.From == "" || len(conf.To) == 0 || tmpl == nil {
		return nil, errors.New("email: from, to and a template are required")
	}
	if conf.Hello == "" {
		conf.Hello = "localhost"
	}
	if conf.TLS == nil {
		conf.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		conf.TLS = conf.TLS.Clone()
	}
	if conf.TLS.ServerName == "" {
		conf.TLS.ServerName = host
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{conf: conf, host: host, tmpl: tmpl, log: log, now: time.Now}, nil
}

// Notify sends msg as one email.
func (n *Notifier) Notify(ctx context.Context, msg notify.Message) (bool, error) {
	data, err := n.compose(msg)
	if err != nil {
		return false, fmt.Errorf("email: %w", err)
	}
	if err := n.send(ctx, data); err != nil {
		retry := classify(err)
		return retry, fmt.Errorf("email: %s: %s", n.conf.Smarthost, notify.Scrub(err.Error(), n.conf.Password))
	}
	n.log.Debug("delivered by email", "notification", msg.ID, "kind", msg.Kind, "to", len(n.conf.To))
	return false, nil
}

// send runs one SMTP session; the context's deadline (or cancellation)
// closes the connection under it.
func (n *Notifier) send(ctx context.Context, data []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", n.conf.Smarthost)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, n.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(n.conf.Hello); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return ErrNoSTARTTLS
	}
	if err := c.StartTLS(n.conf.TLS); err != nil {
		return err
	}
	if n.conf.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", n.conf.Username, n.conf.Password.Reveal(), n.host)); err != nil {
			return err
		}
	}
	if err := c.Mail(n.conf.From); err != nil {
		return err
	}
	for _, to := range n.conf.To {
		if err := c.Rcpt(to); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// classify: a 4xx reply is transient and a 5xx permanent (RFC 5321); a
// certificate that does not verify or a server without STARTTLS will
// not change by retrying; any other failure is the network's.
func classify(err error) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 400 && te.Code < 500
	}
	var (
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, ErrNoSTARTTLS), errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return false
	}
	return true
}

// compose writes the message: headers, then the quoted-printable body.
func (n *Notifier) compose(msg notify.Message) ([]byte, error) {
	subject, err := n.tmpl.Title(msg)
	if err != nil {
		return nil, err
	}
	text, err := n.tmpl.Text(msg)
	if err != nil {
		return nil, err
	}
	at := msg.At
	if at.IsZero() {
		at = n.now()
	}
	sum := sha256.Sum256([]byte(msg.ID))
	_, domain, _ := strings.Cut(n.conf.From, "@")
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, oneLine(v)) }
	header("From", n.conf.From)
	header("To", strings.Join(n.conf.To, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(subject)))
	header("Date", at.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(sum[:16])+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("X-Firebreak-Notification", msg.ID)
	header("X-Firebreak-Kind", string(msg.Kind))
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

// oneLine keeps a header value on one line: no header can be injected.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}
