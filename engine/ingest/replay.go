package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// Headers the engine sets on a dead letter it replays. Anyone who may
// publish detections.<source> can set headers, so the marker carries the
// engine's MAC (ConsumerOptions.Sealer) over the dead letter's sequence,
// the original's arrival, the subject and the payload: a marker that does
// not verify is refused (CodeBadReplay), never trusted.
const (
	// HeaderReplayOf is the stream sequence of the dead letter replayed.
	HeaderReplayOf = "Firebreak-Replay-Of"
	// HeaderReplayArrived is when the original message reached the
	// stream (RFC 3339): a replayed event's freshness is measured then.
	HeaderReplayArrived = "Firebreak-Replay-Arrived"
	// HeaderReplayMAC is the engine's MAC over the marker.
	HeaderReplayMAC = "Firebreak-Replay-Mac"
)

// CodeBadReplay: a message carries a replay marker the engine did not
// make.
const CodeBadReplay = "bad-replay"

// replayDomain separates the replay marker's MAC from the engine's others.
const replayDomain = "firebreak/replay/v1"

// MaxReplay is the most dead letters one replay request republishes.
const MaxReplay = 1000

// Sealer makes and checks the engine's MAC; *record.Sealer is one.
type Sealer interface {
	Sum(domain string, fields ...[]byte) string
	Check(domain, mac string, fields ...[]byte) error
}

// replayInfo is a verified replay marker.
type replayInfo struct {
	DeadSeq uint64
	Arrived time.Time
}

func replayFields(deadSeq, arrived, subject string, data []byte) [][]byte {
	sum := sha256.Sum256(data)
	return [][]byte{[]byte(deadSeq), []byte(arrived), []byte(subject), sum[:]}
}

// replayMarker reads and verifies msg's replay marker: nil without one.
func (c *Consumer) replayMarker(msg jetstream.Msg) (*replayInfo, error) {
	h := msg.Headers()
	seqText, arrivedText, mac := h.Get(HeaderReplayOf), h.Get(HeaderReplayArrived), h.Get(HeaderReplayMAC)
	if seqText == "" && arrivedText == "" && mac == "" {
		return nil, nil
	}
	if c.opts.Sealer == nil {
		return nil, reject(CodeBadReplay, "the message carries a replay marker and this engine has no key to verify it")
	}
	if err := c.opts.Sealer.Check(replayDomain, mac, replayFields(seqText, arrivedText, msg.Subject(), msg.Data())...); err != nil {
		return nil, reject(CodeBadReplay, "the replay marker does not verify with the engine's key (only the engine replays dead letters): %v", err)
	}
	seq, err1 := strconv.ParseUint(seqText, 10, 64)
	arrived, err2 := time.Parse(time.RFC3339Nano, arrivedText)
	if err := errors.Join(err1, err2); err != nil {
		return nil, reject(CodeBadReplay, "the replay marker does not parse: %v", err)
	}
	return &replayInfo{DeadSeq: seq, Arrived: arrived}, nil
}

// eventAt is Event, measuring a replayed event's freshness at the time
// its original reached the stream: it was fresh then, and the operator
// asked for it again.
func (v *Verifier) eventAt(subject string, ev event.Event, arrived time.Time, replayed bool) error {
	if !replayed {
		return v.Event(subject, ev)
	}
	at := *v
	at.now = func() time.Time { return arrived }
	return at.Event(subject, ev)
}

// engineHeader reports whether a header is the server's or the engine's
// own (dead letter, replay), not the sender's.
func engineHeader(k string) bool {
	if len(k) >= 5 && strings.EqualFold(k[:5], "Nats-") {
		return true
	}
	for _, e := range []string{HeaderReason, HeaderDeadCode, HeaderOriginalSubject, HeaderOriginalSeq, HeaderRoute,
		HeaderBodySHA256, HeaderBodySize, HeaderBodyTruncated, HeaderReplayOf, HeaderReplayArrived, HeaderReplayMAC} {
		if strings.EqualFold(k, e) {
			return true
		}
	}
	return false
}

// DeadLetterInfo is a dead letter as read back from the stream.
type DeadLetterInfo struct {
	Seq         uint64      `json:"seq"`
	Time        time.Time   `json:"time"`
	Code        string      `json:"code"`
	Reason      string      `json:"reason"`
	Subject     string      `json:"original_subject"`
	OriginalSeq uint64      `json:"original_seq,omitempty"`
	Route       string      `json:"route,omitempty"`
	Truncated   bool        `json:"truncated,omitempty"`
	Headers     nats.Header `json:"headers,omitempty"`
	Body        []byte      `json:"body"`
}

// ErrNotDeadLetter: the sequence names no dead letter.
var ErrNotDeadLetter = errors.New("ingest: not a dead letter")

// StreamReader reads single messages of DETECTIONS; jetstream.Stream is
// one, and an operator may use it (STREAM.MSG.GET only).
type StreamReader interface {
	GetMsg(ctx context.Context, seq uint64, opts ...jetstream.GetMsgOpt) (*jetstream.RawStreamMsg, error)
}

// ReadDeadLetter reads the dead letter at seq.
func ReadDeadLetter(ctx context.Context, s StreamReader, seq uint64) (DeadLetterInfo, error) {
	m, err := s.GetMsg(ctx, seq)
	if err != nil {
		return DeadLetterInfo{}, fmt.Errorf("ingest: reading message %d of %s: %w", seq, Stream, err)
	}
	return deadLetterInfo(m)
}

func deadLetterInfo(m *jetstream.RawStreamMsg) (DeadLetterInfo, error) {
	if m.Subject != DeadSubject {
		return DeadLetterInfo{}, fmt.Errorf("%w: message %d of %s is on %s", ErrNotDeadLetter, m.Sequence, Stream, m.Subject)
	}
	d := DeadLetterInfo{
		Seq: m.Sequence, Time: m.Time, Code: m.Header.Get(HeaderDeadCode), Reason: m.Header.Get(HeaderReason),
		Subject: m.Header.Get(HeaderOriginalSubject), Route: m.Header.Get(HeaderRoute),
		Truncated: m.Header.Get(HeaderBodyTruncated) == "true", Headers: nats.Header{}, Body: m.Data,
	}
	d.OriginalSeq, _ = strconv.ParseUint(m.Header.Get(HeaderOriginalSeq), 10, 64)
	for k, vs := range m.Header {
		if !engineHeader(k) {
			d.Headers[k] = vs
		}
	}
	return d, nil
}

// ListDeadLetters reads the dead letters stored at or after since, oldest
// first, at most limit of them (0: MaxReplay), one message at a time.
func ListDeadLetters(ctx context.Context, s StreamReader, since time.Time, limit int) ([]DeadLetterInfo, error) {
	if limit <= 0 {
		limit = MaxReplay
	}
	var out []DeadLetterInfo
	for seq := uint64(1); len(out) < limit; {
		m, err := s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(DeadSubject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("ingest: reading the dead letters of %s from %d: %w", Stream, seq, err)
		}
		seq = m.Sequence + 1
		if m.Time.Before(since) {
			continue
		}
		d, err := deadLetterInfo(m)
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// ReplayRequest is what an operator sends on ReplaySubject: the dead
// letters to replay, by sequence, or every one stored since a time.
type ReplayRequest struct {
	Seqs  []uint64  `json:"seqs,omitempty"`
	Since time.Time `json:"since,omitzero"`
}

// ReplayReply is the engine's answer.
type ReplayReply struct {
	Replayed []Replayed `json:"replayed"`
	Errors   []string   `json:"errors,omitempty"`
}

// Replayed is one dead letter the engine republished.
type Replayed struct {
	DeadSeq uint64 `json:"dead_seq"`
	Subject string `json:"subject"`
	// Seq is the republished message's sequence in DETECTIONS.
	Seq uint64 `json:"seq"`
	// Duplicate: the same dead letter was replayed within the stream's
	// duplicate window; nothing new was stored.
	Duplicate bool `json:"duplicate,omitempty"`
}

// ReplayAuditor records each replay; *audit.Recorder is one.
type ReplayAuditor interface {
	Replayed(ctx context.Context, operator string, deadSeq uint64, subject string, seq uint64, duplicate bool, problem string)
}

// Replayer answers replay requests: it reads each dead letter from the
// stream and republishes the original payload, with its original headers
// and a replay marker, to the original subject. The replayed message then
// goes through the whole pipeline like any other: verification (freshness
// measured when the original arrived), the event dedupe (an event already
// handled is not acted on again), the policies.
type Replayer struct {
	js     jetstream.JetStream
	sealer Sealer
	audit  ReplayAuditor
	log    *slog.Logger
}

// NewReplayer returns a Replayer; audit may be nil.
func NewReplayer(js jetstream.JetStream, sealer Sealer, audit ReplayAuditor, log *slog.Logger) *Replayer {
	return &Replayer{js: js, sealer: sealer, audit: audit, log: log}
}

// Serve answers requests on ReplaySubject until ctx is done.
func (r *Replayer) Serve(ctx context.Context, nc *nats.Conn) error {
	sub, err := nc.Subscribe(ReplaySubject, func(m *nats.Msg) {
		rctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		reply := r.serve(rctx, m)
		data, _ := json.Marshal(reply)
		if m.Reply != "" {
			if err := m.Respond(data); err != nil {
				r.log.Warn("replay: answering the request", "err", err)
			}
		}
	})
	if err != nil {
		return fmt.Errorf("ingest: subscribing to %s: %w", ReplaySubject, err)
	}
	<-ctx.Done()
	return sub.Unsubscribe()
}

// operatorOf names who asked: the public key of the identity whose inbox
// the reply goes to (an operator subscribes to its own inbox only).
func operatorOf(reply string) string {
	if k, ok := strings.CutPrefix(reply, "_INBOX."); ok {
		if i := strings.IndexByte(k, '.'); i > 0 {
			return k[:i]
		}
	}
	return "unknown"
}

func (r *Replayer) serve(ctx context.Context, m *nats.Msg) ReplayReply {
	var req ReplayRequest
	reply := ReplayReply{Replayed: []Replayed{}}
	operator := operatorOf(m.Reply)
	if err := json.Unmarshal(m.Data, &req); err != nil || (len(req.Seqs) == 0) == req.Since.IsZero() {
		reply.Errors = append(reply.Errors, "a replay request is JSON naming seqs or since, not both")
		return reply
	}
	stream, err := r.js.Stream(ctx, Stream)
	if err != nil {
		reply.Errors = append(reply.Errors, fmt.Sprintf("reading %s: %v", Stream, err))
		return reply
	}
	var letters []DeadLetterInfo
	if len(req.Seqs) > MaxReplay {
		reply.Errors = append(reply.Errors, fmt.Sprintf("at most %d dead letters a request, got %d", MaxReplay, len(req.Seqs)))
		return reply
	}
	for _, seq := range req.Seqs {
		d, err := ReadDeadLetter(ctx, stream, seq)
		if err != nil {
			reply.Errors = append(reply.Errors, err.Error())
			r.audited(ctx, operator, seq, "", 0, false, err.Error())
			continue
		}
		letters = append(letters, d)
	}
	if !req.Since.IsZero() {
		if letters, err = ListDeadLetters(ctx, stream, req.Since, MaxReplay); err != nil {
			reply.Errors = append(reply.Errors, err.Error())
		}
	}
	for _, d := range letters {
		rep, err := r.replay(ctx, stream, d)
		if err != nil {
			reply.Errors = append(reply.Errors, fmt.Sprintf("dead letter %d: %v", d.Seq, err))
			r.audited(ctx, operator, d.Seq, d.Subject, 0, false, err.Error())
			continue
		}
		r.log.Info("dead letter replayed", "dead_seq", d.Seq, "subject", d.Subject, "seq", rep.Seq, "duplicate", rep.Duplicate, "operator", operator)
		r.audited(ctx, operator, d.Seq, d.Subject, rep.Seq, rep.Duplicate, "")
		reply.Replayed = append(reply.Replayed, rep)
	}
	return reply
}

func (r *Replayer) audited(ctx context.Context, operator string, deadSeq uint64, subject string, seq uint64, dup bool, problem string) {
	if r.audit != nil {
		r.audit.Replayed(ctx, operator, deadSeq, subject, seq, dup, problem)
	}
}

// replay republishes one dead letter. The message id derives from the
// dead letter's sequence, so replaying it twice within the duplicate
// window stores it once; later, the event dedupe recognises it.
func (r *Replayer) replay(ctx context.Context, stream StreamReader, d DeadLetterInfo) (Replayed, error) {
	if _, ok := sourceOf(d.Subject); !ok || d.Subject == DeadSubject {
		return Replayed{}, fmt.Errorf("its original subject %q is not detections.<source>", d.Subject)
	}
	if d.Truncated {
		return Replayed{}, errors.New("it holds only the first part of the payload; ask the detector to send it again")
	}
	// Freshness is measured when the original reached the stream: the
	// message the consumer dead-lettered, when it is still there.
	arrived := d.Time
	if d.OriginalSeq > 0 {
		if orig, err := stream.GetMsg(ctx, d.OriginalSeq); err == nil && orig.Subject == d.Subject {
			arrived = orig.Time
		}
	}
	msg := &nats.Msg{Subject: d.Subject, Data: d.Body, Header: nats.Header{}}
	for k, vs := range d.Headers {
		msg.Header[k] = vs
	}
	seqText, arrivedText := strconv.FormatUint(d.Seq, 10), arrived.UTC().Format(time.RFC3339Nano)
	msg.Header.Set(HeaderReplayOf, seqText)
	msg.Header.Set(HeaderReplayArrived, arrivedText)
	msg.Header.Set(HeaderReplayMAC, r.sealer.Sum(replayDomain, replayFields(seqText, arrivedText, d.Subject, d.Body)...))
	ack, err := r.js.PublishMsg(ctx, msg, jetstream.WithMsgID("replay-"+seqText))
	if err != nil {
		return Replayed{}, fmt.Errorf("republishing to %s: %w", d.Subject, err)
	}
	return Replayed{DeadSeq: d.Seq, Subject: d.Subject, Seq: ack.Sequence, Duplicate: ack.Duplicate}, nil
}
