// Package webhook is the ingest step's HTTP ingress: detectors POST their alerts, in
// their own formats, to /v1/alerts/{route}, and each configured route's adapter
// (engine/ingest/adapt) verifies and translates them into events that are stored in
// the DETECTIONS stream for the engine's consumer.
//
// A request is answered 2xx only once every event it carries is stored (published to
// detections.<source> with the stream's ack, the event id as the Nats-Msg-Id, so a
// detector's retry within the stream's duplicate window is stored once, and one
// after it is recognised by the consumer's event-id dedupe); the ingress never waits
// for the decision. Every refusal is answered 4xx with a JSON reason, kept on
// detections.dead with the payload and the reason, and reported to the audit log; if
// the dead letter cannot be stored the answer is 503 instead, so the detector sends it
// again and nothing is lost.
//
//	POST /v1/alerts/{route}  200 stored (or ignored: nothing actionable, e.g. a Tenderly TEST)
//	                         400 malformed, 401 not authenticated, 404 no such route,
//	                         413 too large, 415 not application/json, 422 not mappable,
//	                         503 busy or the stream unavailable (Retry-After)
//	GET  /v1/alerts/{route}  200 for a configured route (Tenderly checks the URL so)
//
// The route name is matched exactly; an unknown route is answered 404 without reading
// the body and without a dead letter (there is no route to tell a detector from a
// scanner). Bodies are limited to adapt.MaxBodySize, requests in flight to
// MaxConcurrent (503 beyond), and the server has read, write and idle timeouts.
package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// Auditor is told about every refused payload; the engine's audit.Recorder is one.
// subject is "POST /v1/alerts/<route>", streamSeq the dead letter's sequence in the
// DETECTIONS stream.
type Auditor interface {
	Rejected(ctx context.Context, subject string, streamSeq uint64, data []byte, reason string)
}

// Server is the webhook ingress. New builds it, Listen binds its address, Serve
// answers requests until its context ends. Its Handler can also be mounted elsewhere.
type Server struct {
	opts   config.IngressOptions
	routes map[string]*adapt.Route
	js     ingest.MsgPublisher
	audit  Auditor
	log    *slog.Logger
	now    func() time.Time
	sem    chan struct{}
	mux    *http.ServeMux

	srv *http.Server
	ln  net.Listener
	tls bool // serving HTTPS
}

// New returns the ingress for routes (see Routes), storing events and dead letters
// through js and reporting refusals to audit (nil: not reported). opts are the
// configuration's ingress settings, defaults applied here; now is the clock (nil:
// time.Now).
func New(opts config.IngressOptions, routes []adapt.Route, js ingest.MsgPublisher, audit Auditor, log *slog.Logger, now func() time.Time) (*Server, error) {
	opts = opts.WithDefaults()
	if now == nil {
		now = time.Now
	}
	s := &Server{
		opts: opts, routes: make(map[string]*adapt.Route, len(routes)), js: js, audit: audit,
		log: log.With("component", "ingress"), now: now, sem: make(chan struct{}, opts.MaxConcurrent),
	}
	for i := range routes {
		r := &routes[i]
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("%w: ingress.routes.%s: %w", config.ErrConfig, r.Name, err)
		}
		if r.SkipVerify && opts.Listen != "" && !opts.Loopback() {
			return nil, fmt.Errorf("%w: ingress.routes.%s: an unverified route on %s, not loopback, would let anyone make firebreak act", config.ErrConfig, r.Name, opts.Listen)
		}
		if _, dup := s.routes[r.Name]; dup {
			return nil, fmt.Errorf("%w: ingress.routes.%s: listed twice", config.ErrConfig, r.Name)
		}
		s.routes[r.Name] = r
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /v1/alerts/{route}", s.post)
	s.mux.HandleFunc("GET /v1/alerts/{route}", s.get)
	return s, nil
}

// Handler answers the ingress's requests.
func (s *Server) Handler() http.Handler { return s.mux }

// Listen binds opts.Listen (with TLS when a certificate is configured), so that a
// busy port or an unreadable certificate fails the engine's start.
func (s *Server) Listen() error {
	s.srv = &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	if c := s.opts.TLS; c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return fmt.Errorf("%w: ingress.tls: %v", config.ErrConfig, err)
		}
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.tls = true
	}
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return fmt.Errorf("ingress: listening on %s: %w", s.opts.Listen, err)
	}
	s.ln = ln
	return nil
}

// Addr is the address Listen bound (the port chosen for ":0"), nil before.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// URL is the base URL of the bound listener ("https://127.0.0.1:8443"), "" before
// Listen.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	return scheme + "://" + s.ln.Addr().String()
}

// Serve answers requests on the bound listener until ctx ends, then stops accepting
// and lets requests in flight finish (their events are stored or refused) for up to
// the write timeout. An error (the listener failed) is logged too.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		return errors.New("ingress: Serve before Listen")
	}
	s.log.Info("webhook ingress listening", "url", s.URL(), "routes", len(s.routes))
	done := make(chan error, 1)
	go func() {
		if s.tls {
			done <- s.srv.ServeTLS(s.ln, "", "")
		} else {
			done <- s.srv.Serve(s.ln)
		}
	}()
	select {
	case err := <-done:
		// Serve only returns early when the listener fails: detectors get no answer
		// from here on, which an operator must hear of.
		s.log.Error("webhook ingress stopped serving", "err", err)
		return fmt.Errorf("ingress: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.WriteTimeout)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		s.log.Warn("webhook ingress: requests still in flight at shutdown", "err", err)
	}
	<-done
	return nil
}

// Close closes the listener of a server that is not serving.
func (s *Server) Close() {
	if s.ln != nil {
		_ = s.ln.Close()
	}
}
