// Package smtptest is an SMTP server in the test process, standing in for
// a team's mail relay in the tests of the email channel and of incidents
// end to end: it speaks enough of RFC 5321 for net/smtp (EHLO, STARTTLS
// with a certificate made for the test, AUTH PLAIN, MAIL, RCPT, DATA,
// QUIT) and records every message and the commands before it.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the relay. Set its options, then Start it.
type Server struct {
	// NoTLS: do not offer STARTTLS.
	NoTLS bool
	// RCPT is the reply to RCPT; "" is 250.
	RCPT string
	// Password is the password AUTH accepts.
	Password string
	// CAPEM is the PEM of the certificate it presents (and the only CA that
	// signs it): what a client's ca_file names. Set by Start.
	CAPEM []byte

	ln  net.Listener
	tls *tls.Config

	mu    sync.Mutex
	mails []Mail
	log   []string
}

// Mail is one message the relay took, and how it came.
type Mail struct {
	From       string
	To         []string
	Data       []byte
	User, Pass string
	TLS        bool
}

// Start listens on a loopback port until the test ends and returns the
// pool that trusts the relay's certificate.
func Start(t testing.TB, s *Server) *x509.CertPool {
	t.Helper()
	cert, pool, caPEM := certificate(t)
	s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.CAPEM = caPEM
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
	return pool
}

// Addr is the relay's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops listening: the relay is down.
func (s *Server) Close() { s.ln.Close() }

// Mails are the messages taken so far, in order.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Log is the commands of every session so far, in order (AUTH marked with
// whether TLS was up).
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

func (s *Server) record(line string) {
	s.mu.Lock()
	s.log = append(s.log, line)
	s.mu.Unlock()
}

func (s *Server) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	_ = tp.PrintfLine("220 relay.test ESMTP ready")
	var cur Mail
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
			if !s.NoTLS && !cur.TLS {
				ext = append(ext, "STARTTLS")
			}
			if cur.TLS {
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
			conn, tp, cur.TLS = tc, textproto.NewConn(tc), true
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, _ := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || len(parts) != 3 {
				_ = tp.PrintfLine("504 5.5.4 unsupported")
				continue
			}
			if cur.TLS {
				s.record("AUTH over TLS")
			} else {
				s.record("AUTH in the clear")
			}
			if parts[2] != s.Password {
				_ = tp.PrintfLine("535 5.7.8 authentication failed for %s/%s", parts[1], parts[2])
				continue
			}
			cur.User, cur.Pass = parts[1], parts[2]
			_ = tp.PrintfLine("235 2.7.0 authenticated")
		case "MAIL":
			s.record("MAIL")
			cur.From, _, _ = strings.Cut(strings.TrimPrefix(arg, "FROM:<"), ">")
			_ = tp.PrintfLine("250 2.1.0 ok")
		case "RCPT":
			s.record("RCPT")
			if s.RCPT != "" {
				_ = tp.PrintfLine("%s", s.RCPT)
				continue
			}
			cur.To = append(cur.To, strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">"))
			_ = tp.PrintfLine("250 2.1.5 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = data
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

// certificate makes a self-signed certificate for 127.0.0.1, the pool that
// trusts it and its PEM.
func certificate(t testing.TB) (tls.Certificate, *x509.CertPool, []byte) {
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
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool, caPEM
}
