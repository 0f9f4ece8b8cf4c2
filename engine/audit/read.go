package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Reader reads the audit stream.
type Reader struct {
	s jetstream.Stream
}

// NewReader opens the audit stream for reading. It wraps ErrNotFound when
// there is no audit stream (no engine has run against this NATS).
func NewReader(ctx context.Context, js jetstream.JetStream) (*Reader, error) {
	s, err := js.Stream(ctx, Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("%w: no stream %s on this NATS server (has the engine run here?)", ErrNotFound, Stream)
	}
	if err != nil {
		return nil, fmt.Errorf("audit: opening stream %s: %w", Stream, err)
	}
	return &Reader{s: s}, nil
}

// Filter selects records. Zero fields match everything.
type Filter struct {
	EventID  string
	Kind     Kind
	Protocol string
	// Since keeps records at or after this time.
	Since time.Time
	// Limit stops after this many records (0: no limit).
	Limit int
}

func (f Filter) match(r Record) bool {
	return (f.Kind == "" || r.Kind == f.Kind) &&
		(f.Protocol == "" || r.Protocol == f.Protocol) &&
		(f.Since.IsZero() || !r.Time.Before(f.Since)) &&
		(f.EventID == "" || r.EventID == f.EventID)
}

// decode reads a stored record for display: it does not check the hash
// (Verify does), so a damaged log can still be read.
func decode(seq uint64, data []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%w: stream message %d: %w", ErrMalformed, seq, err)
	}
	return r, nil
}

// Get returns the record with sequence number seq.
func (rd *Reader) Get(ctx context.Context, seq uint64) (Record, error) {
	msg, err := rd.s.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Record{}, fmt.Errorf("%w: no audit record %d", ErrNotFound, seq)
	}
	if err != nil {
		return Record{}, fmt.Errorf("audit: reading record %d: %w", seq, err)
	}
	return decode(msg.Sequence, msg.Data)
}

// List returns the records f selects, in order. With an EventID it reads
// only that event's subject, so its cost does not grow with the log.
func (rd *Reader) List(ctx context.Context, f Filter) ([]Record, error) {
	var out []Record
	err := rd.scan(ctx, f, func(seq uint64, data []byte) (bool, error) {
		r, err := decode(seq, data)
		if err != nil {
			return false, err
		}
		if f.match(r) {
			out = append(out, r)
		}
		return f.Limit > 0 && len(out) >= f.Limit, nil
	})
	return out, err
}

// Event returns the whole story of one event, in order. It wraps
// ErrNotFound when the log holds nothing about the event.
func (rd *Reader) Event(ctx context.Context, eventID string) ([]Record, error) {
	recs, err := rd.List(ctx, Filter{EventID: eventID})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: no audit record about event %q", ErrNotFound, eventID)
	}
	return recs, nil
}

// Export writes every record, in order, one per line, exactly as stored,
// and returns how many it wrote. It does not stop at a broken link: a
// damaged log is exported as it is, for VerifyFile to name the damage.
func (rd *Reader) Export(ctx context.Context, w io.Writer) (uint64, error) {
	var n uint64
	err := rd.scan(ctx, Filter{}, func(_ uint64, data []byte) (bool, error) {
		if _, err := w.Write(append(data, '\n')); err != nil {
			return false, fmt.Errorf("audit: writing the export: %w", err)
		}
		n++
		return false, nil
	})
	return n, err
}

// Verify walks the whole stream from record 1 and checks every link, and
// that each record sits at its own stream sequence and subject.
func (rd *Reader) Verify(ctx context.Context, opts VerifyOptions) (Report, error) {
	v := NewVerifier(opts)
	var broken error
	err := rd.scan(ctx, Filter{}, func(seq uint64, data []byte) (bool, error) {
		r, err := v.Add(data)
		if err != nil {
			broken = err
			return true, nil
		}
		if r.Seq != seq {
			broken = &BrokenError{Seq: r.Seq, Reason: fmt.Sprintf("stored at stream sequence %d", seq)}
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return v.Report(), err
	}
	if broken != nil {
		return v.Report(), broken
	}
	return v.Report(), v.Done()
}

// Head is the last record of the stream: what an operator keeps
// elsewhere to check, later, with VerifyOptions.ExpectHead and ExpectSeq
// ('firebreak audit verify --expect-head HASH --expect-seq N'), that
// nothing was cut off the end and the log was not replaced.
type Head struct {
	Stream string    `json:"stream"`
	Seq    uint64    `json:"seq"`
	Hash   string    `json:"hash"`
	Time   time.Time `json:"time,omitzero"`
}

// Head reads the last record. An empty stream has head 0 and the hash
// every chain starts from (64 zeros). It does not verify the chain (Verify
// does); a last record that is not a valid record wraps ErrMalformed.
func (rd *Reader) Head(ctx context.Context) (Head, error) {
	info, err := rd.s.Info(ctx)
	if err != nil {
		return Head{}, fmt.Errorf("audit: reading stream %s: %w", Stream, err)
	}
	h := Head{Stream: Stream, Seq: info.State.LastSeq, Hash: genesis}
	if h.Seq == 0 {
		return h, nil
	}
	msg, err := rd.s.GetMsg(ctx, h.Seq)
	if err != nil {
		return Head{}, fmt.Errorf("audit: reading record %d: %w", h.Seq, err)
	}
	r, err := ParseRecord(msg.Data)
	if err != nil {
		return Head{}, fmt.Errorf("the last record, %d: %w", h.Seq, err)
	}
	if r.Seq != h.Seq {
		return Head{}, fmt.Errorf("%w: the last record, at stream sequence %d, says it is record %d", ErrMalformed, h.Seq, r.Seq)
	}
	h.Hash, h.Time = r.Hash, r.Time
	return h, nil
}

// scan calls fn with each stored message f's subject filter selects, in
// order, until fn says stop or the end of the stream as it was when the
// scan reached it.
func (rd *Reader) scan(ctx context.Context, f Filter, fn func(seq uint64, data []byte) (stop bool, err error)) error {
	filter := SubjectPrefix + ">"
	switch {
	case f.EventID != "" && f.Kind != "":
		filter = Subject(f.EventID, f.Kind)
	case f.EventID != "":
		filter = eventFilter(f.EventID) + ".>"
	case f.Kind != "":
		filter = SubjectPrefix + "*." + string(f.Kind)
	}
	if f.EventID != "" {
		return rd.walkSubject(ctx, filter, fn)
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}}
	if !f.Since.IsZero() {
		since := f.Since
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
	}
	cons, err := rd.s.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("audit: reading %s: %w", Stream, err)
	}
	for {
		batch, err := cons.FetchNoWait(512)
		if err != nil {
			return fmt.Errorf("audit: reading %s: %w", Stream, err)
		}
		n, pending := 0, uint64(1)
		for msg := range batch.Messages() {
			n++
			meta, err := msg.Metadata()
			if err != nil {
				return fmt.Errorf("audit: reading %s: %w", Stream, err)
			}
			pending = meta.NumPending
			stop, err := fn(meta.Sequence.Stream, msg.Data())
			if err != nil || stop {
				return err
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("audit: reading %s: %w", Stream, err)
		}
		if n == 0 || pending == 0 {
			return nil
		}
	}
}

// walkSubject reads the messages on a narrow subject filter one after the
// other with the server's next-by-subject lookup: a few requests for one
// event's records, however long the log.
func (rd *Reader) walkSubject(ctx context.Context, filter string, fn func(seq uint64, data []byte) (bool, error)) error {
	for seq := uint64(1); ; {
		msg, err := rd.s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(filter))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit: reading %s: %w", filter, err)
		}
		stop, err := fn(msg.Sequence, msg.Data)
		if err != nil || stop {
			return err
		}
		seq = msg.Sequence + 1
	}
}
