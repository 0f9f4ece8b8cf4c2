package chaos

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// Kinds of bad messages a burst carries, each with the dead-letter code
// the engine must give it.
const (
	badJSON     = iota // signed by the detector, not JSON
	badForged          // a well-formed critical event signed by another key
	badSchema          // JSON, signed, with a severity no event has
	badUnsigned        // a well-formed critical event without a signature
	badKinds
)

// message is one detection of a burst: valid, or bad of a kind.
type message struct {
	id    string // the event id; for a bad message a token its payload holds
	valid bool
	kind  int
	proto int
}

// incident is a burst of detections from the detector "forta" across the
// protocols, and what the stores must show for it afterwards.
type incident struct {
	t        *testing.T
	name     string
	key      ed25519.PrivateKey // the detector's
	forger   ed25519.PrivateKey // someone else's
	messages []message
}

// newIncident makes events valid events spread over the protocols with
// malformed bad ones mixed in at random places.
func newIncident(t *testing.T, name string, r *mrand.Rand, events, malformed int) *incident {
	in := &incident{t: t, name: name, key: newKey(t), forger: newKey(t)}
	// The protocols join the burst one after the other: the first third
	// is about p0 only, the second about p0 and p1, the last about all
	// three, so that a fault in the middle of a burst meets a protocol not
	// yet contained.
	for i := range events {
		joined := 1 + i*protocols/max(events, 1)
		in.messages = append(in.messages, message{id: fmt.Sprintf("%s-%03d", name, i), valid: true, proto: i % joined})
	}
	for i := range malformed {
		at := r.IntN(len(in.messages) + 1)
		m := message{id: fmt.Sprintf("%s-bad-%03d", name, i), kind: i % badKinds, proto: i % protocols}
		in.messages = append(in.messages[:at], append([]message{m}, in.messages[at:]...)...)
	}
	return in
}

func newKey(t *testing.T) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (in *incident) publicKey() []byte { return in.key.Public().(ed25519.PublicKey) }

func (in *incident) count() (valid, bad int) {
	for _, m := range in.messages {
		if m.valid {
			valid++
		} else {
			bad++
		}
	}
	return valid, bad
}

// criticalExploit is the event the shipped policy pauses a vault for.
func criticalExploit(id string, proto int) event.Event {
	return event.Event{
		ID: id, Source: "forta", ChainID: contracts.DevChainID, Severity: event.SeverityCritical, Confidence: 0.95,
		AlertType: "exploit", Protocol: fmt.Sprintf("p%d", proto), Timestamp: time.Now().UTC(),
	}
}

// nats turns m into the message the detector publishes, dated now.
func (in *incident) nats(m message) (*nats.Msg, error) {
	msg := &nats.Msg{Subject: ingest.SubjectPrefix + "forta", Header: nats.Header{}}
	sign := in.key
	switch {
	case m.valid || m.kind == badForged || m.kind == badUnsigned:
		data, err := criticalExploit(m.id, m.proto).Encode()
		if err != nil {
			return nil, err
		}
		msg.Data = data
		if m.kind == badForged && !m.valid {
			sign = in.forger
		}
		if m.kind == badUnsigned && !m.valid {
			sign = nil
		}
	case m.kind == badJSON:
		msg.Data = []byte(`{"id": "` + m.id + `", this is not JSON`)
	case m.kind == badSchema:
		msg.Data = []byte(fmt.Sprintf(`{"id":%q,"source":"forta","chain_id":%d,"severity":"apocalyptic","confidence":0.95,"alert_type":"exploit","protocol":"p%d","timestamp":%q}`,
			m.id, contracts.DevChainID, m.proto, time.Now().UTC().Format(time.RFC3339Nano)))
	}
	if sign != nil {
		msg.Header.Set(ingest.HeaderSignature, ingest.SignatureHeader(sign, msg.Data))
		msg.Header.Set(ingest.HeaderKeyID, ingest.KeyID(sign.Public().(ed25519.PublicKey)))
	}
	return msg, nil
}

// publisher is the detector: it publishes each message until the stream
// acknowledges it, redialling across engine restarts and server failures,
// as a detector with a retry loop does. The message id makes a retried
// publish a duplicate the stream drops.
type publisher struct {
	url, seed string
	mu        sync.Mutex
	nc        *nats.Conn
	js        jetstream.JetStream
	retries   int
}

func (p *publisher) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.nc != nil {
		p.nc.Close()
	}
}

func (p *publisher) publish(ctx context.Context, msg *nats.Msg, msgID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.nc == nil || p.nc.IsClosed() {
			nc, err := ingest.DialWith(p.url, "chaos-detector", ingest.ConnectOptions{NkeySeedFile: p.seed})
			if err == nil {
				p.nc = nc
				p.js, err = jetstream.New(nc)
			}
			if err != nil {
				p.nc = nil
				if !sleep(ctx, 200*time.Millisecond) {
					return fmt.Errorf("publishing %s: %w (last: %v)", msgID, ctx.Err(), err)
				}
				continue
			}
		}
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := p.js.PublishMsg(pctx, msg, jetstream.WithMsgID(msgID))
		cancel()
		if err == nil {
			return nil
		}
		p.retries++
		if !sleep(ctx, 200*time.Millisecond) {
			return fmt.Errorf("publishing %s: %w (last: %v)", msgID, ctx.Err(), err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// burst publishes every message, spacing them by gap.
func (in *incident) burst(ctx context.Context, p *publisher, gap time.Duration) error {
	for _, m := range in.messages {
		msg, err := in.nats(m)
		if err != nil {
			return err
		}
		if err := p.publish(ctx, msg, m.id); err != nil {
			return err
		}
		if gap > 0 && !sleep(ctx, gap) {
			return ctx.Err()
		}
	}
	return nil
}

// containment watches the chain and notes when every vault is paused.
type containment struct {
	mu sync.Mutex
	at time.Time
}

func watchContainment(ctx context.Context, c *chain) *containment {
	w := &containment{}
	go func() {
		wait(ctx, func() bool {
			ok, err := c.allPaused(ctx)
			if err == nil && ok {
				w.mu.Lock()
				w.at = time.Now()
				w.mu.Unlock()
			}
			return err == nil && ok
		})
	}()
	return w
}

func (w *containment) time() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.at
}

// deadLetter is one message on detections.dead.
type deadLetter struct {
	code, reason string
	data         []byte
}

// stores reads what the engine keeps in NATS, as the engine's identity.
type stores struct{ js jetstream.JetStream }

func dialStores(ctx context.Context, url, seed string) (*stores, func(), error) {
	var nc *nats.Conn
	var err error
	for {
		if nc, err = ingest.DialWith(url, "chaos-checker", ingest.ConnectOptions{NkeySeedFile: seed}); err == nil {
			break
		}
		if !sleep(ctx, 200*time.Millisecond) {
			return nil, nil, err
		}
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return &stores{js: js}, nc.Close, nil
}

// recorded returns which of ids FIREBREAK_EVENTS has an outcome for.
func (s *stores) recorded(ctx context.Context, ids []string) (map[string]bool, error) {
	kv, err := s.js.KeyValue(ctx, ingest.EventsBucket)
	if err != nil {
		return nil, err
	}
	got := map[string]bool{}
	for _, id := range ids {
		_, err := kv.Get(ctx, ingest.EventKey(id))
		switch {
		case err == nil:
			got[id] = true
		case !errors.Is(err, jetstream.ErrKeyNotFound):
			return nil, err
		}
	}
	return got, nil
}

// deadLetters reads every message on detections.dead.
func (s *stores) deadLetters(ctx context.Context) ([]deadLetter, error) {
	st, err := s.js.Stream(ctx, ingest.Stream)
	if err != nil {
		return nil, err
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{ingest.DeadSubject}})
	if err != nil {
		return nil, err
	}
	var out []deadLetter
	for {
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return nil, err
		}
		n := 0
		for m := range batch.Messages() {
			n++
			out = append(out, deadLetter{code: m.Headers().Get(ingest.HeaderDeadCode), reason: m.Headers().Get(ingest.HeaderReason), data: m.Data()})
		}
		if batch.Error() != nil && !errors.Is(batch.Error(), nats.ErrTimeout) {
			return nil, batch.Error()
		}
		if n == 0 {
			return out, nil
		}
	}
}

// eachRecord calls f with every action record; one that does not decode
// is passed with ok false.
func (s *stores) eachRecord(ctx context.Context, f func(rec record.Record, ok bool)) error {
	kv, err := s.js.KeyValue(ctx, record.ActionsBucket)
	if err != nil {
		return err
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		return err
	}
	for k := range keys.Keys() {
		e, err := kv.Get(ctx, k)
		if err != nil {
			continue
		}
		var rec record.Record
		f(rec, json.Unmarshal(e.Value(), &rec) == nil)
	}
	return nil
}

// unfinished counts the action records that are not final.
func (s *stores) unfinished(ctx context.Context) (int, []string, error) {
	var states []string
	err := s.eachRecord(ctx, func(rec record.Record, ok bool) {
		if !ok || !rec.State.Final() {
			states = append(states, fmt.Sprintf("%s %s (%s)", rec.ID, rec.State, rec.Warning))
		}
	})
	return len(states), states, err
}

// actionsTo describes the action records that call to, for a failure
// message: what the engines made of a vault that was never paused.
func (s *stores) actionsTo(ctx context.Context, to common.Address) string {
	var out []string
	err := s.eachRecord(ctx, func(rec record.Record, ok bool) {
		if !ok || rec.To != to {
			return
		}
		d := fmt.Sprintf("%s %s", rec.ID, rec.State)
		if rec.Nonce != nil {
			d += fmt.Sprintf(" nonce %d", *rec.Nonce)
		}
		if rec.TxHash != nil {
			d += " tx " + rec.TxHash.Hex()
		}
		for _, v := range []string{rec.JoinedTo, rec.Error, rec.Warning} {
			if v != "" {
				d += " (" + v + ")"
			}
		}
		out = append(out, d)
	})
	switch {
	case err != nil:
		return "cannot read them: " + err.Error()
	case len(out) == 0:
		return "none recorded"
	}
	return strings.Join(out, "; ")
}

// verdict is what a scenario learnt, checked by check.
type verdict struct {
	lost, unrecorded []string // valid events without an outcome, bad ones without a dead letter
	misfiled         []string // valid events dead-lettered
	deadCodes        map[string]string
	unfinished       []string
}

// settle waits (up to the suite's settle time) until the stores show every
// event, then reads the verdict.
func (in *incident) settle(ctx context.Context, s *stores) (verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, suite.settle)
	defer cancel()
	var v verdict
	var err error
	ok := wait(ctx, func() bool {
		v, err = in.read(ctx, s)
		return err == nil && len(v.lost)+len(v.unrecorded)+len(v.unfinished) == 0
	})
	if !ok {
		// Read once more outside the expired context: the last read may
		// have been cut by it.
		rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer rcancel()
		v, err = in.read(rctx, s)
	}
	return v, err
}

func (in *incident) read(ctx context.Context, s *stores) (verdict, error) {
	var v verdict
	var ids []string
	for _, m := range in.messages {
		if m.valid {
			ids = append(ids, m.id)
		}
	}
	got, err := s.recorded(ctx, ids)
	if err != nil {
		return v, err
	}
	dead, err := s.deadLetters(ctx)
	if err != nil {
		return v, err
	}
	v.deadCodes = map[string]string{}
	for _, m := range in.messages {
		var found *deadLetter
		for i := range dead {
			if bytes.Contains(dead[i].data, []byte(`"`+m.id+`"`)) {
				found = &dead[i]
				break
			}
		}
		switch {
		case m.valid && found != nil:
			v.misfiled = append(v.misfiled, fmt.Sprintf("%s: %s: %s", m.id, found.code, found.reason))
			if !got[m.id] {
				v.lost = append(v.lost, m.id)
			}
		case m.valid && !got[m.id]:
			v.lost = append(v.lost, m.id)
		case !m.valid && (found == nil || found.reason == "" || found.code == ""):
			v.unrecorded = append(v.unrecorded, m.id)
		case !m.valid:
			v.deadCodes[m.id] = found.code
		}
	}
	_, v.unfinished, err = s.unfinished(ctx)
	return v, err
}

// wantCode is the dead-letter code each bad kind must get.
var wantCode = map[int]string{
	badJSON: ingest.CodeInvalid, badForged: ingest.CodeBadSignature, badSchema: ingest.CodeInvalid, badUnsigned: ingest.CodeUnsigned,
}

// check asserts everything the suite promises, reports the table row and
// returns it. recovered is when the fault ended.
func (in *incident) check(ctx context.Context, c *chain, s *stores, w *containment, recovered time.Time, kills int, natsURL, seed string) {
	t := in.t
	t.Helper()
	valid, bad := in.count()
	row := result{scenario: in.name, events: valid, invalid: bad, kills: kills, containment: -1}
	defer func() {
		row.pass = !t.Failed()
		report(row)
		t.Logf("%s: %d events + %d malformed, %d kills, %d lost, %d duplicates, %d reverted, containment after recovery %v",
			row.scenario, row.events, row.invalid, row.kills, row.lost, row.duplicates, row.reverted, row.containment)
	}()

	// Containment first: the settle wait bounds it.
	cctx, cancel := context.WithTimeout(ctx, suite.settle)
	wait(cctx, func() bool { return !w.time().IsZero() })
	cancel()
	if at := w.time(); at.IsZero() {
		t.Errorf("containment: not every vault paused %v after recovery", suite.settle)
	} else {
		row.containment = max(0, at.Sub(recovered))
	}

	v, err := in.settle(ctx, s)
	if err != nil {
		t.Fatalf("reading the stores: %v", err)
	}
	row.lost = len(v.lost) + len(v.unrecorded)
	if len(v.lost) > 0 {
		t.Errorf("lost: %d of %d valid events have no outcome in %s: %s", len(v.lost), valid, ingest.EventsBucket, short(v.lost))
	}
	if len(v.misfiled) > 0 {
		t.Errorf("dead-lettered: %d valid events were dead-lettered instead of handled: %s", len(v.misfiled), short(v.misfiled))
	}
	if len(v.unrecorded) > 0 {
		t.Errorf("dead letters: %d of %d malformed or forged messages were not dead-lettered with a reason: %s", len(v.unrecorded), bad, short(v.unrecorded))
	}
	for _, m := range in.messages {
		if code, ok := v.deadCodes[m.id]; ok && code != wantCode[m.kind] {
			t.Errorf("dead letter %s: code %q, want %q", m.id, code, wantCode[m.kind])
		}
	}
	if len(v.unfinished) > 0 {
		t.Errorf("actions: %d not final after settling: %s", len(v.unfinished), short(v.unfinished))
	}

	pauses, err := c.pauses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, vault := range c.vaults {
		switch n := pauses[vault]; {
		case n == 0:
			t.Errorf("chain: vault p%d (%s) was never paused; its actions: %s", i, vault, s.actionsTo(ctx, vault))
		case n > 1:
			row.duplicates += n - 1
			t.Errorf("chain: vault p%d (%s) has %d Paused logs, want exactly 1", i, vault, n)
		}
	}
	txs, err := c.senderTxs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range txs {
		if tx.reverted {
			row.reverted++
			t.Errorf("chain: the sender's transaction %s to %s (pause: %v) reverted", tx.hash, tx.to, tx.pause)
		}
	}

	if out, err := auditVerify(ctx, natsURL, seed); err != nil {
		t.Errorf("firebreak audit verify: %v\n%s", err, out)
	}
}

// short lists at most 10 items.
func short(items []string) string {
	if len(items) > 10 {
		return strings.Join(items[:10], "; ") + fmt.Sprintf("; ... (%d more)", len(items)-10)
	}
	return strings.Join(items, "; ")
}
