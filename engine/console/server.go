package console

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/observe"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/simulate"
)

//go:embed ui
var ui embed.FS

// The server's bounds: the page and its JSON are small, and the only
// bodies it reads are halt and resume requests.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 16 << 10
	maxBodyBytes      = 4 << 10
	maxReasonLen      = 500
	// stateTimeout bounds reading the kill switch for one page.
	stateTimeout = 3 * time.Second
)

// securityHeaders go on every response: nothing but the console's own
// origin may supply anything to the page, and no other page may frame it.
var securityHeaders = map[string]string{
	"Content-Security-Policy":      "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
}

// KillSwitch is the kill switch as the console uses it; *guard.KillSwitch
// has it.
type KillSwitch interface {
	guard.HaltReader
	Halt(ctx context.Context, h guard.Halt) error
	Resume(ctx context.Context) error
}

// Options configure a console Server.
type Options struct {
	// Config is the engine's configuration: its console section, the
	// chains' explorers, the protocols' role names; its LookupEnv reads
	// the tokens.
	Config config.Options
	// JS is the engine's JetStream: the buckets are watched there.
	JS jetstream.JetStream
	// KillSwitch is read for every page and set by halt and resume.
	KillSwitch KillSwitch
	// Policy reports the policies in force (nil: none shown).
	Policy func() decide.PolicyStatus
	// Readiness reports the readiness check's last report (nil: none
	// runs, as in shadow mode).
	Readiness func() (observe.Report, bool)
	// Keep is how many of the latest events and actions are shown
	// (0: DefaultKeep).
	Keep int
	Log  *slog.Logger
	Now  func() time.Time
}

// Server is the console's HTTP server.
type Server struct {
	o       Options
	access  access
	feed    *Feed
	decoder *simulate.Decoder
	links   explorers
	page    *template.Template
	srv     *http.Server
	ln      net.Listener
}

// The buckets the console watches.
var watched = []string{ingest.EventsBucket, record.ActionsBucket, safe.ApprovalsBucket}

// New checks the console section (a token off loopback, the tokens set in
// the environment), binds console.listen and returns the Server; it
// serves once Run is called.
func New(o Options) (*Server, error) {
	c := o.Config.Console
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !c.On() {
		return nil, config.Errorf("console.listen: not set")
	}
	read, operator, err := o.Config.ConsoleTokens()
	if err != nil {
		return nil, err
	}
	if read == "" && !c.Loopback() {
		return nil, config.Errorf("console.token_env: required when console.listen (%s) is not a loopback address", c.Listen)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	page, err := template.ParseFS(ui, "ui/console.html")
	if err != nil {
		return nil, fmt.Errorf("console: the page template: %w", err)
	}
	var roles []string
	for _, p := range o.Config.Protocols {
		for k, v := range p.Roles {
			roles = append(roles, k, v)
		}
	}
	byChain := map[uint64]string{}
	for _, ch := range o.Config.Chains {
		byChain[ch.ID] = ch.Explorer
	}
	s := &Server{
		o: o, access: newAccess(read, operator), feed: NewFeed(o.Keep, o.Log), decoder: simulate.NewDecoder(roles...),
		links: newExplorers(byChain), page: page,
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, fmt.Errorf("console: listening on %s: %w", c.Listen, err)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr is the address the console listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Run watches the buckets and serves until ctx ends, then shuts down,
// giving requests in flight a few seconds.
func (s *Server) Run(ctx context.Context) error {
	wctx, stop := context.WithCancel(ctx)
	var watchers sync.WaitGroup
	defer func() { stop(); watchers.Wait() }()
	if s.o.JS != nil {
		for _, b := range watched {
			watchers.Go(func() { s.feed.Watch(wctx, s.o.JS, b) })
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	auth := "read token"
	if s.access.loopbackOnly {
		auth = "none (loopback)"
	}
	s.o.Log.Info("serving the console", "url", "http://"+s.Addr()+"/", "auth", auth, "halt_resume", s.access.operable())
	select {
	case err := <-errc:
		return fmt.Errorf("console: server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	err := s.srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// httpError is a handler's failure with the status to answer.
type httpError struct {
	code int
	msg  string
}

func (e httpError) Error() string { return e.msg }

// handler is an http.Handler that returns its failure; serve maps it to
// the response in one place.
type handler func(w http.ResponseWriter, r *http.Request) error

// Handler serves the page, its assets, /api/state and halt and resume,
// each behind its check of the request's credentials.
func (s *Server) Handler() http.Handler {
	static, _ := fs.Sub(ui, "ui/static")
	files := http.FileServerFS(static)
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", s.serve(s.reader(s.handlePage)))
	mux.Handle("GET /static/", s.serve(s.reader(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-cache")
		http.StripPrefix("/static", files).ServeHTTP(w, r)
		return nil
	})))
	mux.Handle("GET /api/state", s.serve(s.reader(s.handleState)))
	mux.Handle("POST /api/halt", s.serve(s.operator(s.handleHalt)))
	mux.Handle("POST /api/resume", s.serve(s.operator(s.handleResume)))
	mux.Handle("/", s.serve(func(http.ResponseWriter, *http.Request) error {
		return httpError{http.StatusNotFound, "not found"}
	}))
	return mux
}

func (s *Server) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		err := h(w, r)
		if err == nil {
			return
		}
		var he httpError
		if !errors.As(err, &he) {
			s.o.Log.Warn("console: request failed", "path", r.URL.Path, "err", err)
			he = httpError{http.StatusInternalServerError, "internal error (see the engine's log)"}
		}
		w.Header().Set("Cache-Control", "no-store")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(he.code)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": he.msg})
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(he.code)
		_, _ = io.WriteString(w, he.msg+"\n")
	})
}

// reader requires read access. A browser asked for the page gets a basic
// auth prompt (its password is the token); the page's script and other
// programs may send the token as a bearer token instead.
func (s *Server) reader(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !s.access.canRead(r) {
			if s.access.loopbackOnly {
				return httpError{http.StatusForbidden, "this console answers only to a loopback host name (127.0.0.1, localhost, [::1])"}
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="firebreak console", charset="UTF-8"`)
			return httpError{http.StatusUnauthorized, "the console token is required: the password of basic auth, or Authorization: Bearer <token>"}
		}
		return h(w, r)
	}
}

// operator requires the operator token as a bearer token and a JSON body:
// an HTML form of another site can send neither.
func (s *Server) operator(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !s.access.operable() {
			return httpError{http.StatusForbidden, "halt and resume are off in this console: set console.operator_token_env (or console.token_env)"}
		}
		if !s.access.canOperate(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="firebreak console operator"`)
			return httpError{http.StatusUnauthorized, "the operator token is required, as Authorization: Bearer <token>"}
		}
		if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host && origin != "https://"+r.Host {
			return httpError{http.StatusForbidden, "cross-origin request refused"}
		}
		if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); !strings.EqualFold(strings.TrimSpace(ct), "application/json") {
			return httpError{http.StatusUnsupportedMediaType, "send a JSON body (Content-Type: application/json)"}
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		return h(w, r)
	}
}

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) error {
	st := s.State(r.Context())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return s.page.Execute(w, st)
}

func (s *Server) handleState(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(s.State(r.Context()))
}

// haltRequest is the body of POST /api/halt (and, empty, of resume).
type haltRequest struct {
	Reason string `json:"reason"`
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxBodyBytes)}
		}
		return httpError{http.StatusBadRequest, "the body is not the expected JSON: " + err.Error()}
	}
	return nil
}

func (s *Server) handleHalt(w http.ResponseWriter, r *http.Request) error {
	var req haltRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	req.Reason = strings.TrimSpace(req.Reason)
	switch {
	case req.Reason == "":
		return httpError{http.StatusBadRequest, "a halt needs a reason"}
	case len(req.Reason) > maxReasonLen:
		return httpError{http.StatusBadRequest, fmt.Sprintf("the reason is longer than %d bytes", maxReasonLen)}
	}
	by := "console"
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		by = "console from " + host
	}
	h := guard.Halt{Reason: req.Reason, By: by, At: s.o.Now().UTC()}
	if err := s.o.KillSwitch.Halt(r.Context(), h); err != nil {
		return err
	}
	s.o.Log.Warn("console: kill switch set by the operator token", "reason", h.Reason, "by", h.By)
	return s.answerKillSwitch(w, r)
}

func (s *Server) handleResume(w http.ResponseWriter, r *http.Request) error {
	if err := decodeBody(r, &haltRequest{}); err != nil {
		return err
	}
	if err := s.o.KillSwitch.Resume(r.Context()); err != nil {
		return err
	}
	s.o.Log.Warn("console: kill switch cleared by the operator token", "from", r.RemoteAddr)
	return s.answerKillSwitch(w, r)
}

func (s *Server) answerKillSwitch(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]KillSwitchView{"kill_switch": s.killSwitch(r.Context())})
}

func (s *Server) killSwitch(ctx context.Context) KillSwitchView {
	if s.o.KillSwitch == nil {
		return KillSwitchView{Error: "no kill switch connected"}
	}
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()
	h, halted, err := s.o.KillSwitch.Halted(ctx)
	return killSwitchView(h, halted, err, s.access.operable())
}

// State is what the console shows now.
func (s *Server) State(ctx context.Context) State {
	st := State{At: stamp(s.o.Now()), Loading: !s.feed.Loaded(watched...), KillSwitch: s.killSwitch(ctx), Keep: s.feed.keep}
	if s.o.Policy != nil {
		st.Policy = policyView(s.o.Policy())
	}
	if s.o.Readiness != nil {
		st.Readiness = readinessView(s.o.Readiness())
	} else {
		st.Readiness = ReadinessView{Findings: []FindingView{}}
	}
	outcomes, bad := decoded[decide.Outcome](s.feed, ingest.EventsBucket)
	slices.SortFunc(outcomes, func(a, b decide.Outcome) int { return b.ReceivedAt.Compare(a.ReceivedAt) })
	st.Events = make([]EventView, 0, len(outcomes))
	for _, o := range outcomes {
		st.Events = append(st.Events, eventView(o))
	}
	recs, n := decoded[record.Record](s.feed, record.ActionsBucket)
	bad += n
	slices.SortFunc(recs, func(a, b record.Record) int { return b.CreatedAt.Compare(a.CreatedAt) })
	st.Actions = make([]ActionView, 0, len(recs))
	for _, rec := range recs {
		st.Actions = append(st.Actions, actionView(rec, s.decoder, s.links))
	}
	as, n := decoded[safe.Approval](s.feed, safe.ApprovalsBucket)
	bad += n
	// Those still waiting first, the newest first within each group.
	slices.SortFunc(as, func(a, b safe.Approval) int {
		if fa, fb := a.State.Final(), b.State.Final(); fa != fb {
			if fa {
				return 1
			}
			return -1
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	st.Approvals = make([]ApprovalView, 0, len(as))
	for _, a := range as {
		st.Approvals = append(st.Approvals, approvalView(a, s.decoder, s.links))
	}
	st.Undecodable = bad
	return st
}
