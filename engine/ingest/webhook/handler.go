package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// Response is the JSON body of every answer.
type Response struct {
	// Status is "stored" (every event is in the stream), "ignored" (authentic, nothing
	// to act on), "rejected", "busy" or "ok" (GET).
	Status string `json:"status"`
	// Reason is machine-readable: adapt.Reason of the refusal ("bad-signature",
	// "malformed", "too-large", ...), or the ingress's own "unknown-route",
	// "unsupported-media-type", "unreadable-body", "busy", "store-unavailable".
	Reason string `json:"reason,omitempty"`
	// Message says more. Refusals of authentication say only that, whatever failed:
	// the dead letter and the audit log hold the specific reason.
	Message string `json:"message,omitempty"`
	// Route is the route posted to.
	Route string `json:"route,omitempty"`
	// Events are the events stored, in the payload's order.
	Events []Stored `json:"events,omitempty"`
	// Failed holds, when only some alerts of a batch adapted, why each other did not.
	Failed []string `json:"failed,omitempty"`
}

// Stored is one event of an answered request.
type Stored struct {
	ID string `json:"id"`
	// StreamSeq is the event's sequence in the DETECTIONS stream.
	StreamSeq uint64 `json:"stream_seq"`
	// Duplicate: the stream already held this event id (a retried delivery), and
	// stored nothing new.
	Duplicate bool `json:"duplicate,omitempty"`
}

// The ingress's own refusal reasons (adapt's come from adapt.Reason).
const (
	reasonUnknownRoute = "unknown-route"
	reasonMediaType    = "unsupported-media-type"
	reasonUnreadable   = "unreadable-body"
	reasonBusy         = "busy"
	reasonStore        = "store-unavailable"
)

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("route")
	if _, ok := s.routes[name]; !ok {
		reply(w, http.StatusNotFound, Response{Status: "rejected", Reason: reasonUnknownRoute, Message: "no such route"})
		return
	}
	reply(w, http.StatusOK, Response{Status: "ok", Route: name})
}

func (s *Server) post(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("route")
	rt, ok := s.routes[name]
	if !ok {
		s.log.Warn("webhook for an unknown route", "route", cut(name, 64), "remote", r.RemoteAddr)
		reply(w, http.StatusNotFound, Response{Status: "rejected", Reason: reasonUnknownRoute, Message: "no such route"})
		return
	}
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	default:
		w.Header().Set("Retry-After", "1")
		reply(w, http.StatusServiceUnavailable, Response{Status: "busy", Reason: reasonBusy, Route: name, Message: "too many requests in flight: retry"})
		return
	}
	now := s.now()
	log := s.log.With("route", name, "remote", r.RemoteAddr)
	req := &request{s: s, w: w, r: r, route: rt, log: log}

	body, err := readBody(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			req.body, req.whole = body, false
			req.reject(http.StatusRequestEntityTooLarge, adapt.Reason(adapt.ErrTooLarge), fmt.Errorf("%w: the request body is larger", adapt.ErrTooLarge))
			return
		}
		// The client went away or stalled past the read timeout: there is no whole
		// payload to keep, and nobody to answer.
		log.Warn("webhook body could not be read", "err", err)
		reply(w, http.StatusBadRequest, Response{Status: "rejected", Reason: reasonUnreadable, Route: name, Message: "the request body could not be read"})
		return
	}
	req.body, req.whole = body, true
	out := Evaluate(rt, now, r.Header, body)
	switch {
	case out.Ignored:
		log.Info("webhook carries nothing to act on", "reason", out.Err)
		reply(w, http.StatusOK, Response{Status: "ignored", Reason: out.Reason, Route: name, Message: out.Err.Error()})
	case out.Status == http.StatusOK:
		req.store(out.Events, out.Partial)
	default:
		req.reject(out.Status, out.Reason, out.Err)
	}
}

// Outcome is what the ingress makes of a request, before anything is stored.
type Outcome struct {
	// Status is the HTTP status the ingress answers: 200 when there are events to
	// store (or nothing to act on: Ignored), else the refusal's.
	Status int
	// Reason is the machine-readable reason of a refusal or of Ignored ("" for 200
	// with events; "partial" when some alerts of a batch failed).
	Reason string
	// Err is the refusal, the reason for Ignored, or the Partial failure.
	Err error
	// Events are the events to store.
	Events []event.Event
	// Partial, when set, holds the alerts of a batch that did not adapt.
	Partial *adapt.PartialError
	// Ignored: authentic, but nothing to act on (a Tenderly TEST delivery, a Forta
	// batch of metrics); answered 200, nothing stored, nothing dead-lettered.
	Ignored bool
}

// Evaluate is the ingress's judgement of a request to route r that arrived at now:
// the content type (application/json, UTF-8), then r.Adapt (verification first, then
// translation). It stores nothing; 'firebreak ingest try' shows it.
func Evaluate(r *adapt.Route, now time.Time, header http.Header, body []byte) Outcome {
	if err := checkContentType(header.Get("Content-Type")); err != nil {
		return Outcome{Status: http.StatusUnsupportedMediaType, Reason: reasonMediaType, Err: err}
	}
	events, err := r.Adapt(now, header, body)
	var partial *adapt.PartialError
	switch {
	case err == nil:
		return Outcome{Status: http.StatusOK, Events: events}
	case errors.As(err, &partial):
		return Outcome{Status: http.StatusOK, Reason: adapt.Reason(err), Err: err, Events: events, Partial: partial}
	case errors.Is(err, adapt.ErrNotActionable):
		return Outcome{Status: http.StatusOK, Reason: adapt.Reason(err), Err: err, Ignored: true}
	}
	return Outcome{Status: adapt.StatusCode(err), Reason: adapt.Reason(err), Err: err}
}

// request is one POST being answered.
type request struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	route *adapt.Route
	log   *slog.Logger
	body  []byte
	whole bool // body is the whole payload (not cut at the size limit)
}

// storeCtx bounds the JetStream writes of one request. It does not end when the
// client hangs up: an event half-way to the stream is stored all the same, and the
// detector's retry finds it there.
func (q *request) storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(q.r.Context()), q.s.opts.PublishTimeout)
}

// store publishes the events and answers once all are stored; a partial batch's
// failures are dead-lettered too.
func (q *request) store(events []event.Event, partial *adapt.PartialError) {
	ctx, cancel := q.storeCtx()
	defer cancel()
	resp := Response{Status: "stored", Route: q.route.Name, Events: make([]Stored, 0, len(events))}
	for _, ev := range events {
		ack, err := ingest.PublishEvent(ctx, q.s.js, ev)
		if err != nil {
			// Those stored already are found again by the retry (same event ids).
			q.log.Error("webhook event could not be stored: answered 503", "event", ev.ID, "err", err)
			q.w.Header().Set("Retry-After", "1")
			reply(q.w, http.StatusServiceUnavailable, Response{Status: "rejected", Reason: reasonStore, Route: q.route.Name, Message: "the event store is unavailable: retry"})
			return
		}
		resp.Events = append(resp.Events, Stored{ID: ev.ID, StreamSeq: ack.Sequence, Duplicate: ack.Duplicate})
		q.log.Debug("webhook event stored", "event", ev.ID, "stream_seq", ack.Sequence, "duplicate", ack.Duplicate)
	}
	if partial != nil {
		for _, f := range partial.Failed {
			resp.Failed = append(resp.Failed, adapt.Reason(f)+": "+f.Error())
		}
		if !q.deadLetter(ctx, adapt.Reason(partial), partial) {
			q.w.Header().Set("Retry-After", "1")
			reply(q.w, http.StatusServiceUnavailable, Response{Status: "rejected", Reason: reasonStore, Route: q.route.Name, Message: "the event store is unavailable: retry"})
			return
		}
	}
	reply(q.w, http.StatusOK, resp)
}

// reject dead-letters and audits the payload, then answers status with the reason.
func (q *request) reject(status int, code string, err error) {
	ctx, cancel := q.storeCtx()
	defer cancel()
	q.log.Warn("webhook refused", "status", status, "reason", code, "err", err)
	if !q.deadLetter(ctx, code, err) {
		q.w.Header().Set("Retry-After", "1")
		reply(q.w, http.StatusServiceUnavailable, Response{Status: "rejected", Reason: reasonStore, Route: q.route.Name, Message: "the request was refused, but the refusal could not be recorded: retry"})
		return
	}
	msg := err.Error()
	if status == http.StatusUnauthorized {
		msg = "the request is not authenticated for this route"
	}
	reply(q.w, status, Response{Status: "rejected", Reason: code, Route: q.route.Name, Message: msg})
}

// deadLetter keeps the payload on detections.dead and reports it to the audit log,
// once per distinct payload and reason (a retried refusal is stored once). It reports
// whether the dead letter is stored.
func (q *request) deadLetter(ctx context.Context, code string, cause error) bool {
	d := ingest.DeadLetter{
		Subject: ingest.SubjectPrefix + sourceOf(q.route), Route: q.route.Name,
		Code: code, Reason: code + ": " + cause.Error(), Body: q.body, Truncated: !q.whole,
	}
	ack, err := ingest.PublishDeadLetter(ctx, q.s.js, d)
	if err != nil {
		q.log.Error("webhook refusal could not be dead-lettered: answered 503", "reason", code, "err", err)
		return false
	}
	if q.s.audit != nil && !ack.Duplicate {
		q.s.audit.Rejected(ctx, "POST /v1/alerts/"+q.route.Name, ack.Sequence, q.body, d.Reason)
	}
	return true
}

// readBody reads at most adapt.MaxBodySize bytes; beyond, it returns what it read and
// an *http.MaxBytesError. A Content-Length above the limit is refused before reading
// more than a dead letter keeps.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > adapt.MaxBodySize {
		head, _ := io.ReadAll(io.LimitReader(r.Body, ingest.MaxDeadLetterBody))
		return head, &http.MaxBytesError{Limit: adapt.MaxBodySize}
	}
	n := r.ContentLength
	if n < 0 || n > adapt.MaxBodySize {
		n = 4096
	}
	buf := make([]byte, 0, n+1)
	body := http.MaxBytesReader(w, r.Body, adapt.MaxBodySize)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// checkContentType accepts application/json, with a charset parameter only if it is
// UTF-8 (what JSON is).
func checkContentType(v string) error {
	if v == "" {
		return errors.New("no Content-Type: want application/json")
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		return fmt.Errorf("Content-Type %q is not a media type: want application/json", cut(v, 64))
	}
	if mt != "application/json" {
		return fmt.Errorf("Content-Type %q: want application/json", cut(mt, 64))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return fmt.Errorf("Content-Type charset %q: JSON is UTF-8", cut(cs, 32))
	}
	return nil
}

func sourceOf(r *adapt.Route) string {
	if r.Source != "" {
		return r.Source
	}
	return r.Name
}

// reply writes resp as JSON with status.
func reply(w http.ResponseWriter, status int, resp Response) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
