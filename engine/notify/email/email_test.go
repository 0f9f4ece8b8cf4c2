package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/notify/email/smtptest"
)

// smtpServer is the relay in the test process (smtptest).
type smtpServer = smtptest.Server

func startSMTP(t *testing.T, s *smtpServer) (*smtpServer, *x509.CertPool) {
	t.Helper()
	return s, smtptest.Start(t, s)
}

const password = "sMtPpAsSwOrD-4f9a1c"

func newNotifier(t *testing.T, s *smtpServer, pool *x509.CertPool) (*Notifier, *bytes.Buffer) {
	t.Helper()
	tmpl, err := notify.ParseTemplate("email", "")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	conf := Config{
		Smarthost: s.Addr(), From: "firebreak@example.org", To: []string{"oncall@example.org", "sec@example.org"},
		Username: "firebreak", Password: password, TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}
	n, err := New(conf, tmpl, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	return n, &logs
}

func message() notify.Message {
	return notify.Message{
		ID: "incident/inc-7/contained", Kind: notify.KindIncidentContained, Title: "Vault drained — paused\r\nBcc: evil@example.org",
		Severity: event.SeverityCritical, Protocol: "demo", IncidentID: "inc-7",
		Actions: []notify.Action{{Type: "pause", Contract: "demo.vault", State: "final", TxHash: "0xabc"}},
		At:      time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestSendsOverSTARTTLS(t *testing.T) {
	s, pool := startSMTP(t, &smtpServer{Password: password})
	n, _ := newNotifier(t, s, pool)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if retry, err := n.Notify(ctx, message()); err != nil || retry {
		t.Fatalf("Notify = %v, %v", retry, err)
	}
	if got := strings.Join(s.Log(), ","); got != "EHLO,STARTTLS,EHLO,AUTH over TLS,MAIL,RCPT,RCPT,DATA" {
		t.Errorf("session = %s", got)
	}
	mails := s.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	m := mails[0]
	if !m.TLS || m.User != "firebreak" || m.Pass != password || m.From != "firebreak@example.org" || strings.Join(m.To, ",") != "oncall@example.org,sec@example.org" {
		t.Errorf("mail = %+v", m)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subject != "Incident contained · demo: Vault drained — paused Bcc: evil@example.org" {
		t.Errorf("Subject = %q (%v)", subject, err)
	}
	if parsed.Header.Get("Bcc") != "" {
		t.Error("a header was injected through the title")
	}
	if parsed.Header.Get("X-Firebreak-Notification") != "incident/inc-7/contained" || parsed.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("headers = %v", parsed.Header)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(parsed.Body))
	for _, want := range []string{"Severity: critical", "Incident: inc-7", "pause demo.vault: final", "tx 0xabc"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestRefusals(t *testing.T) {
	t.Run("no STARTTLS: nothing sent, no credentials", func(t *testing.T) {
		s, pool := startSMTP(t, &smtpServer{Password: password, NoTLS: true})
		n, _ := newNotifier(t, s, pool)
		retry, err := n.Notify(context.Background(), message())
		if !errors.Is(err, ErrNoSTARTTLS) && !strings.Contains(err.Error(), ErrNoSTARTTLS.Error()) || retry {
			t.Fatalf("Notify = %v, %v; want a permanent ErrNoSTARTTLS", retry, err)
		}
		if log, mails := s.Log(), s.Mails(); strings.Join(log, ",") != "EHLO" || len(mails) != 0 {
			t.Errorf("session = %v, mails = %d", log, len(mails))
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		s, _ := startSMTP(t, &smtpServer{Password: password})
		n, _ := newNotifier(t, s, x509.NewCertPool())
		if retry, err := n.Notify(context.Background(), message()); err == nil || retry {
			t.Fatalf("Notify = %v, %v; want a permanent failure", retry, err)
		}
	})
	for _, tt := range []struct {
		reply     string
		wantRetry bool
	}{{"451 4.3.0 try again later", true}, {"550 5.1.1 no such user", false}} {
		t.Run(tt.reply, func(t *testing.T) {
			s, pool := startSMTP(t, &smtpServer{Password: password, RCPT: tt.reply})
			n, _ := newNotifier(t, s, pool)
			retry, err := n.Notify(context.Background(), message())
			if err == nil || retry != tt.wantRetry || !strings.Contains(err.Error(), tt.reply[4:]) {
				t.Fatalf("Notify = %v, %v; want retry %v", retry, err, tt.wantRetry)
			}
		})
	}
	t.Run("server down", func(t *testing.T) {
		s, pool := startSMTP(t, &smtpServer{Password: password})
		n, _ := newNotifier(t, s, pool)
		s.Close()
		if retry, err := n.Notify(context.Background(), message()); err == nil || !retry {
			t.Fatalf("Notify = %v, %v; want a retry", retry, err)
		}
	})
}

// TestPasswordNeverShown: a server that echoes the credentials it refused
// does not get the password into the error or the log.
func TestPasswordNeverShown(t *testing.T) {
	s, pool := startSMTP(t, &smtpServer{Password: "something else"})
	n, logs := newNotifier(t, s, pool)
	retry, err := n.Notify(context.Background(), message())
	if err == nil || retry || !strings.Contains(err.Error(), "535") {
		t.Fatalf("Notify = %v, %v; want a refused login, not retried", retry, err)
	}
	n.log.Error("failed", "err", err, "conf", n.conf)
	if strings.Contains(err.Error(), password) || strings.Contains(logs.String(), password) {
		t.Errorf("the password reached the error or log: %v\n%s", err, logs)
	}
}
