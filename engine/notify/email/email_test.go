package email

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// smtpServer is an SMTP server in the test process, standing in for a
// team's mail relay: it speaks enough of RFC 5321 for net/smtp (EHLO,
// STARTTLS with a certificate made for the test, AUTH PLAIN, MAIL, RCPT,
// DATA, QUIT) and records every message and what happened before it.
type smtpServer struct {
	ln       net.Listener
	tls      *tls.Config
	noTLS    bool   // do not offer STARTTLS
	rcpt     string // the reply to RCPT; "" is 250
	password string // the password AUTH accepts

	mu    sync.Mutex
	mails []received
	log   []string // commands in order, AUTH marked with whether TLS was up
}

type received struct {
	from       string
	to         []string
	data       []byte
	user, pass string
	tls        bool
}

func startSMTP(t *testing.T, s *smtpServer) (*smtpServer, *x509.CertPool) {
	t.Helper()
	cert, pool := testCertificate(t)
	s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s, pool
}

func (s *smtpServer) record(line string) {
	s.mu.Lock()
	s.log = append(s.log, line)
	s.mu.Unlock()
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	_ = tp.PrintfLine("220 relay.test ESMTP ready")
	var cur received
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		switch verb {
		case "EHLO", "HELO":
			s.record("EHLO")
			ext := []string{"relay.test", "8BITMIME"}
			if !s.noTLS && !cur.tls {
				ext = append(ext, "STARTTLS")
			}
			if cur.tls {
				ext = append(ext, "AUTH PLAIN")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				_ = tp.PrintfLine("250%s%s", sep, e)
			}
		case "STARTTLS":
			s.record("STARTTLS")
			_ = tp.PrintfLine("220 2.0.0 ready to start TLS")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, tp, cur.tls = tc, textproto.NewConn(tc), true
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, _ := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || len(parts) != 3 {
				_ = tp.PrintfLine("504 5.5.4 unsupported")
				continue
			}
			if cur.tls {
				s.record("AUTH over TLS")
			} else {
				s.record("AUTH in the clear")
			}
			if parts[2] != s.password {
				_ = tp.PrintfLine("535 5.7.8 authentication failed for %s/%s", parts[1], parts[2])
				continue
			}
			cur.user, cur.pass = parts[1], parts[2]
			_ = tp.PrintfLine("235 2.7.0 authenticated")
		case "MAIL":
			s.record("MAIL")
			cur.from, _, _ = strings.Cut(strings.TrimPrefix(arg, "FROM:<"), ">")
			_ = tp.PrintfLine("250 2.1.0 ok")
		case "RCPT":
			s.record("RCPT")
			if s.rcpt != "" {
				_ = tp.PrintfLine("%s", s.rcpt)
				continue
			}
			cur.to = append(cur.to, strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">"))
			_ = tp.PrintfLine("250 2.1.5 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.data = data
			s.mu.Lock()
			s.mails = append(s.mails, cur)
			s.mu.Unlock()
			s.record("DATA")
			_ = tp.PrintfLine("250 2.0.0 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 2.0.0 bye")
			return
		case "RSET", "NOOP":
			_ = tp.PrintfLine("250 2.0.0 ok")
		default:
			_ = tp.PrintfLine("502 5.5.2 unknown command")
		}
	}
}

// testCertificate makes a self-signed certificate for 127.0.0.1 and the
// pool that trusts it.
func testCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
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
		Smarthost: s.ln.Addr().String(), From: "firebreak@example.org", To: []string{"oncall@example.org", "sec@example.org"},
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
	s, pool := startSMTP(t, &smtpServer{password: password})
	n, _ := newNotifier(t, s, pool)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if retry, err := n.Notify(ctx, message()); err != nil || retry {
		t.Fatalf("Notify = %v, %v", retry, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if got := strings.Join(s.log, ","); got != "EHLO,STARTTLS,EHLO,AUTH over TLS,MAIL,RCPT,RCPT,DATA" {
		t.Errorf("session = %s", got)
	}
	if len(s.mails) != 1 {
		t.Fatalf("%d mails, want 1", len(s.mails))
	}
	m := s.mails[0]
	if !m.tls || m.user != "firebreak" || m.pass != password || m.from != "firebreak@example.org" || strings.Join(m.to, ",") != "oncall@example.org,sec@example.org" {
		t.Errorf("mail = %+v", m)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(m.data))
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
		s, pool := startSMTP(t, &smtpServer{password: password, noTLS: true})
		n, _ := newNotifier(t, s, pool)
		retry, err := n.Notify(context.Background(), message())
		if !errors.Is(err, ErrNoSTARTTLS) && !strings.Contains(err.Error(), ErrNoSTARTTLS.Error()) || retry {
			t.Fatalf("Notify = %v, %v; want a permanent ErrNoSTARTTLS", retry, err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if strings.Join(s.log, ",") != "EHLO" || len(s.mails) != 0 {
			t.Errorf("session = %v, mails = %d", s.log, len(s.mails))
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		s, _ := startSMTP(t, &smtpServer{password: password})
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
			s, pool := startSMTP(t, &smtpServer{password: password, rcpt: tt.reply})
			n, _ := newNotifier(t, s, pool)
			retry, err := n.Notify(context.Background(), message())
			if err == nil || retry != tt.wantRetry || !strings.Contains(err.Error(), tt.reply[4:]) {
				t.Fatalf("Notify = %v, %v; want retry %v", retry, err, tt.wantRetry)
			}
		})
	}
	t.Run("server down", func(t *testing.T) {
		s, pool := startSMTP(t, &smtpServer{password: password})
		n, _ := newNotifier(t, s, pool)
		s.ln.Close()
		if retry, err := n.Notify(context.Background(), message()); err == nil || !retry {
			t.Fatalf("Notify = %v, %v; want a retry", retry, err)
		}
	})
}

// TestPasswordNeverShown: a server that echoes the credentials it refused
// does not get the password into the error or the log.
func TestPasswordNeverShown(t *testing.T) {
	s, pool := startSMTP(t, &smtpServer{password: "something else"})
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
