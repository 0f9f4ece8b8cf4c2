package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/recovery"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// authHarness is a real embedded nats-server with identities, holding
// every stream and bucket the engine makes, each with a value in it.
type authHarness struct {
	t      *testing.T
	ctx    context.Context
	srv    *ingest.Embedded
	engine jetstream.JetStream
}

// probeKey is the key the harness stores in every bucket.
const probeKey = "probe"

func newAuthHarness(t *testing.T) *authHarness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := srv.Dial("engine")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	// The resources as the engine's own packages make them.
	if _, err := ingest.EnsureStream(ctx, js, ingest.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.NewConsumer(ctx, js, ingest.DefaultConsumerOptions(), log); err != nil {
		t.Fatal(err)
	}
	alog, err := audit.NewLog(ctx, js, audit.DefaultOptions(), log)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := alog.Append(ctx, audit.Entry{Kind: audit.KindReceived, EventID: fmt.Sprintf("ev-%d", i), Protocol: "demo"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := guard.OpenKillSwitch(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := safe.NewApprovalStore(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := record.NewStore(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := submit.NewLeases(ctx, js, 1, "a", time.Minute, log); err != nil {
		t.Fatal(err)
	}
	if _, err := incident.NewStore(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := recovery.NewStore(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := record.NewInflight(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	for _, b := range ingest.StateBuckets {
		kv, err := js.KeyValue(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Put(ctx, probeKey, []byte(`{"probe":true}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ingest.DenyRollups(ctx, js); err != nil {
		t.Fatal(err)
	}
	dead := nats.NewMsg(ingest.DeadSubject)
	dead.Data = []byte("not json")
	dead.Header.Set(ingest.HeaderReason, "malformed")
	if _, err := js.PublishMsg(ctx, dead); err != nil {
		t.Fatal(err)
	}
	return &authHarness{t: t, ctx: ctx, srv: srv, engine: js}
}

// client is a connection as one identity that records the permission
// violations the server reports to it.
type client struct {
	t  *testing.T
	nc *nats.Conn
	js jetstream.JetStream

	mu         sync.Mutex
	violations []string
}

// as creates an identity, lets it in and connects with it over TCP.
func (h *authHarness) as(role ingest.Role, name string) *client {
	h.t.Helper()
	seed, _, err := ingest.CreateIdentity(h.srv.IdentityDir(), role, name, "")
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.srv.Reload(); err != nil {
		h.t.Fatal(err)
	}
	return h.dialSeed(seed)
}

func (h *authHarness) dialSeed(seed string) *client {
	h.t.Helper()
	c := &client{t: h.t}
	nc, err := ingest.DialWith(h.srv.ClientURL(), h.t.Name(), ingest.ConnectOptions{NkeySeedFile: seed})
	if err != nil {
		h.t.Fatal(err)
	}
	nc.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrPermissionViolation) {
			c.mu.Lock()
			c.violations = append(c.violations, err.Error())
			c.mu.Unlock()
		}
	})
	h.t.Cleanup(nc.Close)
	if c.js, err = jetstream.New(nc); err != nil {
		h.t.Fatal(err)
	}
	c.nc = nc
	return c
}

// refused waits for the server's permission violation on subject.
func (c *client) refused(subject string) bool {
	want := fmt.Sprintf("%q", subject)
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		found := slices.ContainsFunc(c.violations, func(v string) bool { return strings.Contains(v, want) })
		c.mu.Unlock()
		if found {
			return true
		}
	}
	return false
}

func (c *client) seen() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.violations, "\n")
}

// snapshot is what the engine sees of every stream: a refused attempt
// must leave it as it was.
func (h *authHarness) snapshot() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	streams := []string{ingest.Stream, ingest.AuditStream}
	for _, b := range ingest.StateBuckets {
		streams = append(streams, "KV_"+b)
	}
	for _, name := range streams {
		s, err := h.engine.Stream(h.ctx, name)
		if err != nil {
			h.t.Fatalf("the engine lost stream %s: %v", name, err)
		}
		info, err := s.Info(h.ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		// Keys with a TTL (leases) may expire meanwhile: there only the
		// last sequence, which any write moves, must stay.
		state := fmt.Sprintf("last=%d config=%v/%v/%v", info.State.LastSeq, info.Config.Subjects, info.Config.MaxAge, info.Config.DenyDelete)
		if info.Config.MaxAge == 0 {
			state += fmt.Sprintf(" msgs=%d first=%d", info.State.Msgs, info.State.FirstSeq)
		}
		if name == ingest.Stream {
			// Only the engine's durable: nobody else reads detections
			// through a consumer.
			state += fmt.Sprintf(" consumers=%d", info.State.Consumers)
		}
		out[name] = state
	}
	return out
}

// A refusal is one thing an identity must not be able to do: the attempt,
// and the subject the server refuses it on.
type refusal struct {
	name    string
	subject string
	// try makes the attempt; it returns an error when the client can tell
	// it failed. A subscription cannot: then async is set.
	try   func(ctx context.Context, c *client) error
	async bool
}

// checkRefusals runs each attempt as c: the server reports a permission
// violation on the subject, the client sees a failure, and the engine's
// streams and buckets are exactly as before.
func (h *authHarness) checkRefusals(c *client, refusals []refusal) {
	h.t.Helper()
	before := h.snapshot()
	for _, r := range refusals {
		h.t.Run(r.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(h.ctx, 500*time.Millisecond)
			defer cancel()
			err := r.try(ctx, c)
			if !r.async && err == nil {
				t.Errorf("the attempt succeeded")
			}
			if !c.refused(r.subject) {
				t.Errorf("no permission violation on %q (err %v); violations seen:\n%s", r.subject, err, c.seen())
			}
		})
	}
	// Let anything that slipped through land before looking.
	time.Sleep(200 * time.Millisecond)
	after := h.snapshot()
	for name, was := range before {
		if after[name] != was {
			h.t.Errorf("stream %s changed under refused attempts:\n  before %s\n  after  %s", name, was, after[name])
		}
	}
}

func publishTo(subject string, data string) func(context.Context, *client) error {
	return func(ctx context.Context, c *client) error {
		_, err := c.js.Publish(ctx, subject, []byte(data))
		return err
	}
}

func deleteStream(name string) func(context.Context, *client) error {
	return func(ctx context.Context, c *client) error { return c.js.DeleteStream(ctx, name) }
}

func deleteBucket(name string) func(context.Context, *client) error {
	return func(ctx context.Context, c *client) error { return c.js.DeleteKeyValue(ctx, name) }
}

func purgeStream(name string) func(context.Context, *client) error {
	return func(ctx context.Context, c *client) error {
		// Stream() needs STREAM.INFO, which a detector lacks; purge
		// through the raw API request so that the purge itself is tried.
		_, err := c.nc.RequestWithContext(ctx, "$JS.API.STREAM.PURGE."+name, nil)
		return err
	}
}

func apiRequest(subject, body string) func(context.Context, *client) error {
	return func(ctx context.Context, c *client) error {
		_, err := c.nc.RequestWithContext(ctx, subject, []byte(body))
		return err
	}
}

func subscribe(subject string) func(context.Context, *client) error {
	return func(_ context.Context, c *client) error {
		_, err := c.nc.SubscribeSync(subject)
		if err == nil {
			err = c.nc.Flush()
		}
		return err
	}
}

func kvPut(bucket, key string) func(context.Context, *client) error {
	return func(ctx context.Context, c *client) error {
		kv, err := c.js.KeyValue(ctx, bucket)
		if err != nil {
			return err
		}
		_, err = kv.Put(ctx, key, []byte(`{"forged":true}`))
		return err
	}
}

func kvGet(bucket string) func(context.Context, *client) error {
	return func(ctx context.Context, c *client) error {
		kv, err := c.js.KeyValue(ctx, bucket)
		if err != nil {
			return err
		}
		_, err = kv.Get(ctx, probeKey)
		return err
	}
}

// adminRefusals are what no identity but the engine may do, on every
// stream and bucket.
func adminRefusals() []refusal {
	rs := []refusal{
		{name: "delete the audit stream", subject: "$JS.API.STREAM.DELETE.FIREBREAK_AUDIT", try: deleteStream(ingest.AuditStream)},
		{name: "purge the audit stream", subject: "$JS.API.STREAM.PURGE.FIREBREAK_AUDIT", try: purgeStream(ingest.AuditStream)},
		{name: "delete an audit record", subject: "$JS.API.STREAM.MSG.DELETE.FIREBREAK_AUDIT",
			try: apiRequest("$JS.API.STREAM.MSG.DELETE.FIREBREAK_AUDIT", `{"seq":1}`)},
		{name: "update the audit stream", subject: "$JS.API.STREAM.UPDATE.FIREBREAK_AUDIT",
			try: apiRequest("$JS.API.STREAM.UPDATE.FIREBREAK_AUDIT", `{"name":"FIREBREAK_AUDIT","subjects":["audit.>"],"max_msgs":1}`)},
		{name: "create a stream", subject: "$JS.API.STREAM.CREATE.FIREBREAK_AUDIT2",
			try: apiRequest("$JS.API.STREAM.CREATE.FIREBREAK_AUDIT2", `{"name":"FIREBREAK_AUDIT2","subjects":["audit2.>"]}`)},
		{name: "delete the detection stream", subject: "$JS.API.STREAM.DELETE.DETECTIONS", try: deleteStream(ingest.Stream)},
		{name: "purge the detection stream", subject: "$JS.API.STREAM.PURGE.DETECTIONS", try: purgeStream(ingest.Stream)},
		{name: "delete the engine's durable consumer", subject: "$JS.API.CONSUMER.DELETE.DETECTIONS.firebreak",
			try: apiRequest("$JS.API.CONSUMER.DELETE.DETECTIONS.firebreak", "")},
		{name: "rewrite the engine's durable consumer", subject: "$JS.API.CONSUMER.CREATE.DETECTIONS.firebreak",
			try: apiRequest("$JS.API.CONSUMER.CREATE.DETECTIONS.firebreak",
				`{"stream_name":"DETECTIONS","config":{"durable_name":"firebreak","ack_policy":"explicit","deliver_policy":"new"}}`)},
		{name: "append an audit record", subject: "audit.forged.received", try: publishTo("audit.forged.received", "{}")},
	}
	for _, b := range ingest.StateBuckets {
		rs = append(rs,
			refusal{name: "delete bucket " + b, subject: "$JS.API.STREAM.DELETE.KV_" + b, try: deleteBucket(b)},
			refusal{name: "purge bucket " + b, subject: "$JS.API.STREAM.PURGE.KV_" + b, try: purgeStream("KV_" + b)},
		)
	}
	return rs
}

// A detector may publish its own source's events and nothing else: not
// another source's, not a dead letter, no KV, no stream API.
func TestDetectorPermissions(t *testing.T) {
	h := newAuthHarness(t)
	forta := h.as(ingest.RoleDetector, "forta")

	ev := validEvent("from-forta")
	ev.Source = "forta"
	ack, err := ingest.Publish(h.ctx, forta.js, ev)
	if err != nil {
		t.Fatalf("a detector cannot publish its own detections: %v", err)
	}
	if ack.Stream != ingest.Stream {
		t.Errorf("stored in %q, want %s", ack.Stream, ingest.Stream)
	}
	// Its own subject does not let it wipe the stream with a roll-up.
	wipe := nats.NewMsg("detections.forta")
	wipe.Data = []byte("{}")
	wipe.Header.Set("Nats-Rollup", "all")
	if _, err := forta.js.PublishMsg(h.ctx, wipe); err == nil || !strings.Contains(err.Error(), "rollup") {
		t.Errorf("a roll-up on its own subject: %v, want the stream's refusal", err)
	}

	refusals := []refusal{
		{name: "publish as another source", subject: "detections.tenderly", try: func(ctx context.Context, c *client) error {
			ev := validEvent("forged-tenderly")
			ev.Source = "tenderly"
			_, err := ingest.Publish(ctx, c.js, ev)
			return err
		}},
		{name: "publish a dead letter", subject: ingest.DeadSubject, try: publishTo(ingest.DeadSubject, "{}")},
		{name: "set the kill switch", subject: "$KV.FIREBREAK_CONTROL.halt", try: publishTo("$KV.FIREBREAK_CONTROL.halt", `{"reason":"forged"}`)},
		{name: "write an action record", subject: "$KV.FIREBREAK_ACTIONS.x", try: publishTo("$KV.FIREBREAK_ACTIONS.x", `{"state":"pending"}`)},
		{name: "write an approval", subject: "$KV.FIREBREAK_APPROVALS.x", try: publishTo("$KV.FIREBREAK_APPROVALS.x", "{}")},
		{name: "request a replay", subject: ingest.ReplaySubject, try: publishTo(ingest.ReplaySubject, "{}")},
		{name: "read the audit stream", subject: "$JS.API.STREAM.INFO.FIREBREAK_AUDIT", try: func(ctx context.Context, c *client) error {
			_, err := audit.NewReader(ctx, c.js)
			return err
		}},
		{name: "read the detection stream", subject: "$JS.API.STREAM.MSG.GET.DETECTIONS",
			try: apiRequest("$JS.API.STREAM.MSG.GET.DETECTIONS", `{"seq":1}`)},
		{name: "subscribe to detections", subject: "detections.>", try: subscribe("detections.>"), async: true},
		{name: "subscribe to everyone's inboxes", subject: "_INBOX.>", try: subscribe("_INBOX.>"), async: true},
		{name: "subscribe to the audit subjects", subject: "audit.>", try: subscribe("audit.>"), async: true},
	}
	for _, b := range ingest.StateBuckets {
		refusals = append(refusals, refusal{name: "read bucket " + b, subject: "$JS.API.STREAM.INFO.KV_" + b, try: kvGet(b)})
	}
	h.checkRefusals(forta, append(refusals, adminRefusals()...))

	s, err := h.engine.Stream(h.ctx, ingest.Stream)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetLastMsgForSubject(h.ctx, "detections.tenderly"); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("the forged tenderly event is in the stream (err %v)", err)
	}
	if m, err := s.GetLastMsgForSubject(h.ctx, "detections.forta"); err != nil || !strings.Contains(string(m.Data), "from-forta") {
		t.Errorf("forta's own event is not in the stream: %v", err)
	}
}

// An operator halts and resumes, writes approvals and reads the audit log,
// the state buckets and the dead letters; it writes no action record,
// touches no other key and deletes or purges nothing.
func TestOperatorPermissions(t *testing.T) {
	h := newAuthHarness(t)
	op := h.as(ingest.RoleOperator, "alice")
	ctx := h.ctx

	t.Run("halt and resume", func(t *testing.T) {
		kv, err := op.js.KeyValue(ctx, ingest.ControlBucket)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Put(ctx, ingest.HaltKey, []byte(`{"reason":"drill","by":"alice"}`)); err != nil {
			t.Fatalf("an operator cannot set the kill switch: %v", err)
		}
		ks, err := guard.OpenKillSwitch(ctx, h.engine, 1)
		if err != nil {
			t.Fatal(err)
		}
		// OpenKillSwitch turned roll-ups back on; the engine turns them
		// off after opening its buckets (DenyRollups).
		if err := ingest.DenyRollups(ctx, h.engine); err != nil {
			t.Fatal(err)
		}
		if halt, on, err := ks.Halted(ctx); err != nil || !on || halt.Reason != "drill" {
			t.Fatalf("the engine does not see the operator's halt: %v %v %v", halt, on, err)
		}
		if err := kv.Delete(ctx, ingest.HaltKey); err != nil {
			t.Fatalf("an operator cannot clear the kill switch: %v", err)
		}
		if _, on, _ := ks.Halted(ctx); on {
			t.Error("the engine still sees a halt after the operator's resume")
		}
	})
	t.Run("approve", func(t *testing.T) {
		kv, err := op.js.KeyValue(ctx, ingest.ApprovalsBucket)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Create(ctx, "new-approval", []byte(`{}`)); err != nil {
			t.Fatalf("an operator cannot create an approval: %v", err)
		}
		e, err := kv.Get(ctx, "new-approval")
		if err != nil {
			t.Fatalf("an operator cannot read an approval: %v", err)
		}
		if _, err := kv.Update(ctx, "new-approval", []byte(`{"signatures":["alice"]}`), e.Revision()); err != nil {
			t.Fatalf("an operator cannot add a signature: %v", err)
		}
	})
	t.Run("read", func(t *testing.T) { checkReads(t, ctx, op) })
	t.Run("dead letters", func(t *testing.T) {
		s, err := op.js.Stream(ctx, ingest.Stream)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.GetLastMsgForSubject(ctx, ingest.DeadSubject)
		if err != nil {
			t.Fatalf("an operator cannot read the dead letters: %v", err)
		}
		if m.Header.Get(ingest.HeaderReason) != "malformed" {
			t.Errorf("dead letter reason %q", m.Header.Get(ingest.HeaderReason))
		}
	})
	t.Run("replay request", func(t *testing.T) {
		engine := h.srvEngineConn(t)
		sub, err := engine.SubscribeSync(ingest.ReplaySubject)
		if err != nil {
			t.Fatal(err)
		}
		if err := engine.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := op.nc.Publish(ingest.ReplaySubject, []byte(`{"seq":1}`)); err != nil {
			t.Fatal(err)
		}
		if _, err := sub.NextMsg(5 * time.Second); err != nil {
			t.Fatalf("the engine does not receive the operator's replay request: %v", err)
		}
	})

	refusals := []refusal{
		{name: "write an action record", subject: "$KV.FIREBREAK_ACTIONS.x", try: kvPut(ingest.ActionsBucket, "x")},
		{name: "overwrite an action record", subject: "$KV.FIREBREAK_ACTIONS.probe", try: kvPut(ingest.ActionsBucket, probeKey)},
		{name: "write the policy status", subject: "$KV.FIREBREAK_CONTROL.policy_status", try: kvPut(ingest.ControlBucket, "policy_status")},
		{name: "write a processed event", subject: "$KV.FIREBREAK_EVENTS.x", try: kvPut(ingest.EventsBucket, "x")},
		{name: "take a lease", subject: "$KV.FIREBREAK_LEASES.x", try: kvPut(ingest.LeasesBucket, "x")},
		{name: "publish a detection", subject: "detections.forta", try: func(ctx context.Context, c *client) error {
			ev := validEvent("forged-by-operator")
			ev.Source = "forta"
			_, err := ingest.Publish(ctx, c.js, ev)
			return err
		}},
		{name: "publish a dead letter", subject: ingest.DeadSubject, try: publishTo(ingest.DeadSubject, "{}")},
		{name: "read detections through a consumer", subject: "$JS.API.CONSUMER.CREATE.DETECTIONS.peek",
			try: apiRequest("$JS.API.CONSUMER.CREATE.DETECTIONS.peek", `{"stream_name":"DETECTIONS","config":{"name":"peek","ack_policy":"none"}}`)},
		{name: "list consumers", subject: "$JS.API.CONSUMER.LIST.KV_FIREBREAK_CONTROL",
			try: apiRequest("$JS.API.CONSUMER.LIST.KV_FIREBREAK_CONTROL", "")},
		{name: "subscribe to detections", subject: "detections.>", try: subscribe("detections.>"), async: true},
		{name: "subscribe to everyone's inboxes", subject: "_INBOX.>", try: subscribe("_INBOX.>"), async: true},
		{name: "subscribe to a KV subject", subject: "$KV.FIREBREAK_ACTIONS.>", try: subscribe("$KV.FIREBREAK_ACTIONS.>"), async: true},
	}
	h.checkRefusals(op, append(refusals, adminRefusals()...))

	// What an operator may write it may not use to purge: a roll-up
	// header on a put would wipe every other key of the bucket (approvals,
	// the policy status) and their history.
	for _, b := range []string{ingest.ApprovalsBucket, ingest.ControlBucket} {
		before := h.snapshot()
		key := ingest.HaltKey
		if b == ingest.ApprovalsBucket {
			key = probeKey
		}
		msg := nats.NewMsg("$KV." + b + "." + key)
		msg.Data = []byte(`{"reason":"wipe"}`)
		msg.Header.Set("Nats-Rollup", "all")
		if _, err := op.js.PublishMsg(ctx, msg); err == nil {
			t.Errorf("an operator rolled up bucket %s through key %s", b, key)
		} else if !strings.Contains(err.Error(), "rollup") {
			t.Errorf("rolling up %s: %v, want the stream's refusal", b, err)
		}
		if after := h.snapshot(); after["KV_"+b] != before["KV_"+b] {
			t.Errorf("bucket %s changed under a refused roll-up:\n  before %s\n  after  %s", b, before["KV_"+b], after["KV_"+b])
		}
	}
}

// A reader reads the audit log and the state buckets, and writes nothing.
func TestReaderPermissions(t *testing.T) {
	h := newAuthHarness(t)
	rd := h.as(ingest.RoleReader, "dashboard")
	t.Run("read", func(t *testing.T) { checkReads(t, h.ctx, rd) })
	t.Run("relay notifications", func(t *testing.T) {
		sub, err := rd.nc.SubscribeSync(ingest.NotifySubjects)
		if err != nil {
			t.Fatal(err)
		}
		if err := rd.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := h.srvEngineConn(t).Publish("firebreak.notify.demo", []byte(`{"message":"paused"}`)); err != nil {
			t.Fatal(err)
		}
		if _, err := sub.NextMsg(5 * time.Second); err != nil {
			t.Fatalf("a reader does not receive the engine's notification: %v (violations: %s)", err, rd.seen())
		}
	})

	refusals := []refusal{
		{name: "set the kill switch", subject: "$KV.FIREBREAK_CONTROL.halt", try: kvPut(ingest.ControlBucket, ingest.HaltKey)},
		{name: "write an approval", subject: "$KV.FIREBREAK_APPROVALS.probe", try: kvPut(ingest.ApprovalsBucket, probeKey)},
		{name: "write an action record", subject: "$KV.FIREBREAK_ACTIONS.x", try: kvPut(ingest.ActionsBucket, "x")},
		{name: "request a replay", subject: ingest.ReplaySubject, try: publishTo(ingest.ReplaySubject, "{}")},
		{name: "publish a detection", subject: "detections.forta", try: publishTo("detections.forta", "{}")},
		{name: "publish a notification", subject: "firebreak.notify.demo", try: publishTo("firebreak.notify.demo", "{}")},
		{name: "listen to replay requests", subject: ingest.ReplaySubject, try: subscribe(ingest.ReplaySubject), async: true},
		{name: "read the dead letters", subject: "$JS.API.STREAM.MSG.GET.DETECTIONS",
			try: apiRequest("$JS.API.STREAM.MSG.GET.DETECTIONS", `{"last_by_subj":"detections.dead"}`)},
	}
	h.checkRefusals(rd, append(refusals, adminRefusals()...))
}

// checkReads reads, as c, what operators and readers may read, the way
// firebreak's own readers do: the audit log through engine/audit, and each
// bucket by key, by key listing and by watch.
func checkReads(t *testing.T, ctx context.Context, c *client) {
	t.Helper()
	rd, err := audit.NewReader(ctx, c.js)
	if err != nil {
		t.Fatalf("opening the audit log: %v", err)
	}
	recs, err := rd.List(ctx, audit.Filter{})
	if err != nil || len(recs) != 3 {
		t.Fatalf("listing the audit log: %d records, %v", len(recs), err)
	}
	if _, err := rd.Event(ctx, "ev-1"); err != nil {
		t.Errorf("reading one event's records: %v", err)
	}
	if r, err := rd.Get(ctx, 2); err != nil || r.Seq != 2 {
		t.Errorf("reading audit record 2: %v", err)
	}
	if _, err := rd.Verify(ctx, audit.VerifyOptions{}); err != nil {
		t.Errorf("verifying the audit log: %v", err)
	}
	for _, b := range ingest.StateBuckets {
		kv, err := c.js.KeyValue(ctx, b)
		if err != nil {
			t.Errorf("opening bucket %s: %v", b, err)
			continue
		}
		if e, err := kv.Get(ctx, probeKey); err != nil || len(e.Value()) == 0 {
			t.Errorf("reading %s/%s: %v", b, probeKey, err)
		}
		keys, err := kv.ListKeys(ctx)
		if err != nil {
			t.Errorf("listing the keys of %s: %v", b, err)
			continue
		}
		var names []string
		for k := range keys.Keys() {
			names = append(names, k)
		}
		if !slices.Contains(names, probeKey) {
			t.Errorf("keys of %s: %v, want %s among them", b, names, probeKey)
		}
		w, err := kv.Watch(ctx, probeKey)
		if err != nil {
			t.Errorf("watching %s: %v", b, err)
			continue
		}
		select {
		case e := <-w.Updates():
			if e == nil || e.Key() != probeKey {
				t.Errorf("watching %s: got %v", b, e)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("watching %s: no update", b)
		}
		_ = w.Stop()
	}
}

// srvEngineConn is a second connection as the engine.
func (h *authHarness) srvEngineConn(t *testing.T) *nats.Conn {
	nc, err := h.srv.Dial("engine-2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// A consumer's deliver subject is not checked against its creator's
// permissions. An operator may create the ephemeral consumers reading
// needs, so it tries to have the server itself deliver a value it wrote
// (an approval) onto a detection subject or into the action bucket: the
// server delivers a push consumer only where a subscription names the
// subject literally, and no identity holds one on a captured subject, so
// nothing lands.
func TestOperatorCannotInjectThroughAPushConsumer(t *testing.T) {
	h := newAuthHarness(t)
	op := h.as(ingest.RoleOperator, "mallory")
	kv, err := op.js.KeyValue(h.ctx, ingest.ApprovalsBucket)
	if err != nil {
		t.Fatal(err)
	}
	ev := validEvent("injected")
	ev.Source = "tenderly"
	data, _ := ev.Encode()
	if _, err := kv.Put(h.ctx, "forged", data); err != nil {
		t.Fatal(err)
	}
	before := h.snapshot()
	s, err := op.js.Stream(h.ctx, "KV_"+ingest.ApprovalsBucket)
	if err != nil {
		t.Fatal(err)
	}
	for i, deliver := range []string{"detections.tenderly", "$KV.FIREBREAK_ACTIONS.forged", "audit.x.received"} {
		_, err := s.CreateOrUpdateConsumer(h.ctx, jetstream.ConsumerConfig{
			Name: fmt.Sprintf("inject%d", i), DeliverSubject: deliver,
			FilterSubject: "$KV." + ingest.ApprovalsBucket + ".forged", AckPolicy: jetstream.AckNonePolicy,
		})
		if err != nil {
			t.Logf("push consumer to %s: %v", deliver, err)
		}
	}
	time.Sleep(time.Second)
	after := h.snapshot()
	for _, name := range []string{ingest.Stream, ingest.AuditStream, "KV_" + ingest.ActionsBucket} {
		if before[name] != after[name] {
			t.Errorf("a push consumer wrote into %s:\n  before %s\n  after  %s", name, before[name], after[name])
		}
	}
}

// Nobody without an identity gets in: not anonymously, not with a key the
// store does not know, not as a second engine, not with a user and
// password or a token.
func TestAnonymousCannotConnect(t *testing.T) {
	h := newAuthHarness(t)
	stranger := filepath.Join(t.TempDir(), "stranger.nk")
	kp, _ := nkeys.CreateUser()
	seed, _ := kp.Seed()
	if err := os.WriteFile(stranger, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	url := h.srv.ClientURL()
	// An engine identity in the store that is not the server's own (one
	// made for a replica on an external NATS) does not get in either.
	replica, _, err := ingest.CreateIdentity(h.srv.IdentityDir(), ingest.RoleEngine, "replica-a", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		url  string
		opts ingest.ConnectOptions
	}{
		{"anonymous", url, ingest.ConnectOptions{}},
		{"unknown nkey", url, ingest.ConnectOptions{NkeySeedFile: stranger}},
		{"another engine key", url, ingest.ConnectOptions{NkeySeedFile: replica}},
		{"user and password", strings.Replace(url, "nats://", "nats://admin:hunter2-secret@", 1), ingest.ConnectOptions{}},
		{"token", url, ingest.ConnectOptions{Token: "tok-secret-value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := ingest.DialWith(tt.url, "intruder", tt.opts)
			if err == nil {
				nc.Close()
				t.Fatal("connected")
			}
			if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(err.Error(), "Authorization Violation") {
				t.Errorf("err = %v, want an authorization violation", err)
			}
			for _, secret := range []string{"hunter2-secret", "tok-secret-value", string(seed)} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
		})
	}
}

// An identity created while the server runs can connect within a few
// seconds, with nothing but the store changed; a removed one is cut off.
func TestIdentityCreatedWhileRunning(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	seed, _, err := ingest.CreateIdentity(srv.IdentityDir(), ingest.RoleDetector, "late", "")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var nc *nats.Conn
	for {
		nc, err = ingest.DialWith(srv.ClientURL(), "late", ingest.ConnectOptions{NkeySeedFile: seed})
		if err == nil {
			break
		}
		if time.Since(start) > 3*ingest.DefaultReloadInterval {
			t.Fatalf("the new identity still cannot connect after %v: %v", time.Since(start).Round(time.Millisecond), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("connected %v after the identity was created", time.Since(start).Round(time.Millisecond))

	closed := make(chan struct{})
	nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
	nc.SetDisconnectErrHandler(func(*nats.Conn, error) {})
	if err := ingest.RemoveIdentity(srv.IdentityDir(), ingest.RoleDetector, "late"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for nc.IsConnected() {
		select {
		case <-deadline:
			t.Fatal("a removed identity is still connected")
		case <-closed:
		case <-time.After(50 * time.Millisecond):
		}
	}
	nc.Close()
	if _, err := ingest.DialWith(srv.ClientURL(), "late", ingest.ConnectOptions{NkeySeedFile: seed}); err == nil {
		t.Error("a removed identity can connect again")
	}
}

// The engine's key is made on first start, owner-only, kept across
// restarts; a store others can read stops the server from starting.
func TestEngineIdentityPersists(t *testing.T) {
	dataDir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func() *ingest.Embedded {
		srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: dataDir, Host: "127.0.0.1", Port: -1}, log)
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start()
	if srv.IdentityDir() != ingest.IdentityDir(dataDir) {
		t.Errorf("IdentityDir() = %s, want %s", srv.IdentityDir(), ingest.IdentityDir(dataDir))
	}
	for path, want := range map[string]os.FileMode{
		ingest.IdentityDir(dataDir):                               0o700,
		srv.EngineSeedFile():                                      0o600,
		filepath.Join(ingest.IdentityDir(dataDir), "engine.json"): 0o600,
	} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, want mode %v", path, err, want)
		}
	}
	ids, err := ingest.ListIdentities(srv.IdentityDir())
	if err != nil || len(ids) != 1 || ids[0].Role != ingest.RoleEngine {
		t.Errorf("a new store holds %v (%v), want the engine's identity only", ids, err)
	}
	first, _ := os.ReadFile(srv.EngineSeedFile())
	srv.Shutdown()
	srv = start()
	second, _ := os.ReadFile(srv.EngineSeedFile())
	nc, err := srv.Dial("engine")
	if err != nil {
		t.Fatalf("the engine cannot dial its restarted server: %v", err)
	}
	nc.Close()
	srv.Shutdown()
	if string(first) != string(second) {
		t.Error("the engine's key changed across a restart")
	}
	if err := os.Chmod(ingest.IdentityDir(dataDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: dataDir, Host: "127.0.0.1", Port: -1}, log); !errors.Is(err, ingest.ErrInsecureFile) {
		t.Errorf("starting with a store others can read: %v, want ErrInsecureFile", err)
	}
}

// Without authentication the server listens on loopback only.
func TestInsecureOnlyOnLoopback(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, host := range []string{"0.0.0.0", "", "::", "192.0.2.1", "example.com"} {
		_, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: host, Port: -1, Insecure: true}, log)
		if !errors.Is(err, ingest.ErrInsecureListener) {
			t.Errorf("insecure on %q: %v, want ErrInsecureListener", host, err)
		}
	}
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := ingest.Dial(srv.ClientURL(), "anyone")
	if err != nil {
		t.Fatalf("an insecure loopback server refuses an anonymous client: %v", err)
	}
	nc.Close()
}
