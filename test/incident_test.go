package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/firebreak-dev/firebreak/contracts"
	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/notify/dispatch"
	"github.com/firebreak-dev/firebreak/engine/notify/webhook"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/signer"
)

const hookSecret = "whsec_incident_test"

// Service modes.
const (
	answerOK    = iota
	answer500   // the service fails: retried
	answerReset // the service is down: the connection is cut before any answer
	answerHang  // the service never answers (until the test ends)
)

// delivery is one message a stand-in accepted.
type delivery struct {
	change string // "incident.opened", ..., or PagerDuty's event_action
	dedup  string // PagerDuty's dedup_key
	id     string // the webhook's notification id
	body   string
	at     time.Time
}

// standIn stands in for one third-party service (Slack, Discord,
// Telegram, PagerDuty) or a team's webhook receiver: a local HTTP server
// that answers as the service does and records what it accepted. The
// webhook's stand-in verifies the HMAC with webhook.Verify and refuses a
// request that does not verify.
type standIn struct {
	t    testing.TB
	kind string
	srv  *httptest.Server

	mu        sync.Mutex
	mode      int
	attempts  int
	delivered []delivery
	badSig    int
}

func newStandIn(t testing.TB, kind string, mode int) *standIn {
	s := &standIn{t: t, kind: kind, mode: mode}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *standIn) set(mode int) {
	s.mu.Lock()
	s.mode = mode
	s.mu.Unlock()
}

func (s *standIn) got() (attempts int, out []delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts, slices.Clone(s.delivered)
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.attempts++
	mode := s.mode
	s.mu.Unlock()
	switch mode {
	case answer500:
		http.Error(w, "stand-in failing", http.StatusInternalServerError)
		return
	case answerReset:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	case answerHang:
		<-r.Context().Done()
		return
	}
	d := delivery{body: string(body), at: time.Now()}
	switch s.kind {
	case "webhook":
		if err := webhook.Verify([]byte(hookSecret), r.Header, body, time.Now(), time.Minute); err != nil {
			s.mu.Lock()
			s.badSig++
			s.mu.Unlock()
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p webhook.Payload
		_ = json.Unmarshal(body, &p)
		d.change, d.id = string(p.Notification.Kind), p.Notification.ID
	case "pagerduty":
		var ev struct {
			EventAction string `json:"event_action"`
			DedupKey    string `json:"dedup_key"`
		}
		_ = json.Unmarshal(body, &ev)
		d.change, d.dedup = ev.EventAction, ev.DedupKey
	default: // slack, discord, telegram: the title starts with the kind's label
		for _, k := range []string{"opened", "contained", "resolved", "dismissed"} {
			if strings.Contains(d.body, "Incident "+k) {
				d.change = "incident." + k
			}
		}
	}
	s.mu.Lock()
	s.delivered = append(s.delivered, d)
	s.mu.Unlock()
	switch s.kind {
	case "slack":
		_, _ = io.WriteString(w, "ok")
	case "discord":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"1"}`)
	case "telegram":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
	case "pagerduty":
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"success","message":"Event processed"}`)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// channels are the five stand-ins, by channel name.
type channels map[string]*standIn

// configure gives opts one channel per stand-in: every incident change
// to the chat channels and the webhook, opened/resolved/dismissed to
// PagerDuty, with short retries.
func (cs channels) configure(o *config.Options) {
	env := map[string]string{"HOOK_SECRET": hookSecret, "TG_TOKEN": "123:test-token", "PD_KEY": "routing-key-test"}
	ch := map[string]config.ChannelOptions{}
	for name, s := range cs {
		switch s.kind {
		case "slack", "discord", "webhook":
			v := "URL_" + strings.ToUpper(name)
			env[v] = s.srv.URL + "/" + name + "/T0/B0/secret-path"
			c := config.ChannelOptions{Type: s.kind, WebhookURLEnv: v}
			if s.kind == "webhook" {
				c.SecretEnv = "HOOK_SECRET"
			}
			ch[name] = c
		case "telegram":
			ch[name] = config.ChannelOptions{Type: s.kind, BotTokenEnv: "TG_TOKEN", ChatID: "-1001234567890", APIURL: s.srv.URL}
		case "pagerduty":
			ch[name] = config.ChannelOptions{Type: s.kind, RoutingKeyEnv: "PD_KEY", APIURL: s.srv.URL + "/v2/enqueue"}
		}
	}
	var chat, pager []string
	for name, s := range cs {
		if s.kind == "pagerduty" {
			pager = append(pager, name)
		} else {
			chat = append(chat, name)
		}
	}
	routes := []config.RouteOptions{{Channels: chat, Kinds: []string{"incident"}}}
	if len(pager) > 0 {
		routes = append(routes, config.RouteOptions{Channels: pager, Kinds: []string{"incident.opened", "incident.resolved", "incident.dismissed"}})
	}
	o.Notify = config.NotifyOptions{
		Channels: ch, Routes: routes,
		Timeout: time.Second, EnqueueTimeout: 2 * time.Second, MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
	}
	o.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func newChannels(t testing.TB, modes map[string]int) channels {
	cs := channels{}
	for _, name := range []string{"slack", "discord", "telegram", "pagerduty", "webhook"} {
		cs[name] = newStandIn(t, name, modes[name])
	}
	return cs
}

// incidentStack is the demo protocol on anvil and the options of an
// engine over it, which the test starts (and stops) itself.
type incidentStack struct {
	*stack
	opts config.Options
	log  *slog.Logger
	stop func() error
}

// newIncidentStack deploys the demo protocol as newStack does, and starts
// an engine the test may stop and start again (same data folder, same
// JetStream store).
func newIncidentStack(t testing.TB, configure func(*config.Options)) *incidentStack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	s := &stack{t: t, ctx: ctx, anvil: startAnvil(t, ctx)}
	var err error
	if s.client, err = ethclient.DialContext(ctx, s.anvil.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.client.Close)
	s.guardian, s.operator = mustSigner(t, guardianKey), mustSigner(t, operatorKey)
	s.guardianAddr = s.guardian.Address()
	admin, _ := crypto.HexToECDSA(adminKey)
	if s.demo, err = contracts.DeployDemo(ctx, s.client, bind.NewKeyedTransactor(admin, big.NewInt(chainID)), s.guardianAddr, s.operator.Address(), big.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}
	minConf := 0.8
	opts := config.DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.NATS.Port = -1
	opts.Chains = []config.ChainOptions{{ID: chainID, Name: "anvil", RPC: s.anvil.URL(), Explorer: "https://explorer.test"}}
	opts.SignerInstances = map[string]signer.Signer{"guardian": s.guardian}
	opts.Protocols = map[string]config.ProtocolOptions{"demo": {
		ChainID: chainID, MinConfidence: &minConf, Signer: "guardian",
		Contracts: map[string]config.ContractOptions{"vault": {Address: s.demo.Vault.Hex(), Pausable: true}},
	}}
	opts.Allowlist = []config.AllowOptions{{ChainID: chainID, Contract: "demo.vault", Functions: []string{"pause()"}}}
	if configure != nil {
		configure(&opts)
	}
	is := &incidentStack{stack: s, opts: opts, log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	is.start()
	return is
}

// start runs an engine on the stack's options; stop (cancelling its
// context: no drain of what it was doing) is left in is.stop.
func (is *incidentStack) start() {
	is.t.Helper()
	is.engine, is.stop = startEngine(is.t, is.ctx, is.opts, is.log)
	is.js = dialJS(is.t, is.engine)
}

// incidentOf waits until the event is in an incident in state want.
func (is *incidentStack) incidentOf(eventID string, want incident.State) incident.Incident {
	is.t.Helper()
	for {
		if id, err := is.engine.IncidentOf(is.ctx, eventID); err == nil {
			in, err := is.engine.Incident(is.ctx, id)
			if err != nil {
				is.t.Fatal(err)
			}
			if in.State == want {
				return in
			}
		}
		is.sleep(10 * time.Millisecond)
	}
}

// until waits for cond.
func (is *incidentStack) until(what string, cond func() bool) {
	is.t.Helper()
	for !cond() {
		select {
		case <-is.ctx.Done():
			is.t.Fatalf("timed out waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// deliveriesDone waits until the notification stream is empty: every
// delivery sent (or given up). It is a work queue, so nothing is sent
// after that without a new message.
func (is *incidentStack) deliveriesDone() {
	is.t.Helper()
	is.until("every notification to be delivered", func() bool {
		st, err := is.js.Stream(is.ctx, dispatch.Stream)
		if err != nil {
			is.t.Fatal(err)
		}
		info, err := st.Info(is.ctx)
		if err != nil {
			is.t.Fatal(err)
		}
		return info.State.Msgs == 0
	})
}

// changes lists the changes a stand-in accepted, in order.
func changes(ds []delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.change)
	}
	return out
}

// TestIncidentOpenedContainedResolvedNotified: a critical event opens an
// incident, the pause contains it, an operator resolves it; every channel
// gets exactly one correct message per change. Slack answers 500 and
// Discord is down (connections cut) until the pause is mined: the pause
// does not wait for them, and they get their messages later, once.
func TestIncidentOpenedContainedResolvedNotified(t *testing.T) {
	cs := newChannels(t, map[string]int{"slack": answer500, "discord": answerReset})
	is := newIncidentStack(t, cs.configure)
	ev := criticalExploit("incident-e2e-1")
	is.publish(ev)
	out := is.outcome(ev.ID)
	if len(out.Actions) != 1 || out.Actions[0].ActionID == "" {
		t.Fatalf("actions %+v, want one pause", out.Actions)
	}
	rec := is.action(out.Actions[0].ActionID)
	if rec.State != record.Mined || rec.Status != 1 || !is.paused() {
		t.Fatalf("the pause: %+v", rec)
	}
	// Ordering, not timing: the failing channels have been tried, failed,
	// and delivered nothing, and the pause is already mined.
	is.until("Slack and Discord to be tried", func() bool {
		a, _ := cs["slack"].got()
		b, _ := cs["discord"].got()
		return a > 0 && b > 0
	})
	for _, name := range []string{"slack", "discord"} {
		if _, d := cs[name].got(); len(d) != 0 {
			t.Fatalf("%s delivered %d messages while failing", name, len(d))
		}
	}
	in := is.incidentOf(ev.ID, incident.Contained)
	if len(in.History) != 2 || !slices.Equal(in.Actions, []string{rec.ID}) || !slices.Equal(in.Events, []string{ev.ID}) {
		t.Fatalf("incident %+v", in)
	}
	cs["slack"].set(answerOK)
	cs["discord"].set(answerOK)

	st, err := incident.OpenStore(is.ctx, is.js)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transition(is.ctx, in.ID, incident.Resolved, "alice", "vault upgraded and unpaused", time.Now()); err != nil {
		t.Fatal(err)
	}
	want := []string{"incident.opened", "incident.contained", "incident.resolved"}
	is.until("every channel to get every change", func() bool {
		for name, s := range cs {
			_, d := s.got()
			n := len(want)
			if name == "pagerduty" {
				n = 2
			}
			if len(d) < n {
				return false
			}
		}
		return true
	})
	is.deliveriesDone()

	for name, s := range cs {
		attempts, d := s.got()
		got := changes(d)
		switch name {
		case "pagerduty":
			if !slices.Equal(got, []string{"trigger", "resolve"}) || d[0].dedup != in.ID || d[1].dedup != in.ID {
				t.Errorf("PagerDuty got %v with dedup_keys %q, %q; want trigger then resolve with %q", got, d[0].dedup, d[len(d)-1].dedup, in.ID)
			}
		default:
			// Each change once, in any order (each is its own delivery).
			sorted, wantSorted := slices.Clone(got), slices.Clone(want)
			slices.Sort(sorted)
			slices.Sort(wantSorted)
			if !slices.Equal(sorted, wantSorted) {
				t.Errorf("%s got %v (after %d attempts), want each of %v once", name, got, attempts, want)
			}
		}
		if name == "slack" || name == "discord" {
			if attempts <= len(d) {
				t.Errorf("%s: %d attempts for %d deliveries: the failures were not retried", name, attempts, len(d))
			}
		}
	}
	if cs["webhook"].badSig != 0 {
		t.Errorf("%d webhook deliveries did not verify", cs["webhook"].badSig)
	}
	// The contained message carries the pause's transaction and its link.
	_, hook := cs["webhook"].got()
	var contained webhook.Payload
	for _, d := range hook {
		if d.change == "incident.contained" {
			_ = json.Unmarshal([]byte(d.body), &contained)
		}
	}
	n := contained.Notification
	if n.IncidentID != in.ID || n.ID != incident.MessageID(in.ID, 1, incident.Contained) || len(n.Actions) != 1 ||
		n.Actions[0].TxHash != rec.TxHash.Hex() || n.Actions[0].State != "mined" || n.Actions[0].ExplorerURL != "https://explorer.test/tx/"+rec.TxHash.Hex() {
		t.Errorf("the contained notification: %+v", n)
	}
	_, slack := cs["slack"].got()
	for _, d := range slack {
		if d.change == "incident.contained" && !strings.Contains(d.body, `"blocks"`) {
			t.Errorf("Slack's message is not Block Kit: %s", d.body)
		}
	}

	// The event's record names its incident.
	kv, err := is.js.KeyValue(is.ctx, ingest.EventsBucket)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(is.ctx, ingest.EventKey(ev.ID))
	if err != nil {
		t.Fatal(err)
	}
	var outRec struct {
		IncidentID string `json:"incident_id"`
	}
	if err := json.Unmarshal(e.Value(), &outRec); err != nil || outRec.IncidentID != in.ID {
		t.Errorf("the event's record names incident %q (%v), want %q", outRec.IncidentID, err, in.ID)
	}

	// Every change is audited, once, in order.
	rd, err := audit.NewReader(is.ctx, is.js)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := rd.List(is.ctx, audit.Filter{Kind: audit.KindIncident})
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, r := range recs {
		var d audit.IncidentData
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.Incident != in.ID || d.Protocol != "demo" || !slices.Equal(d.Actions, []string{rec.ID}) {
			t.Errorf("audit record %d: %+v", r.Seq, d)
		}
		trail = append(trail, fmt.Sprintf("%d %s→%s by %s", d.Change, d.From, d.To, d.By))
	}
	wantTrail := []string{"0 →detected by firebreak", "1 detected→contained by firebreak", "2 contained→resolved by alice"}
	if !slices.Equal(trail, wantTrail) {
		t.Errorf("audit trail %q, want %q", trail, wantTrail)
	}
	var raw map[string]any
	_ = json.Unmarshal(recs[0].Data, &raw)
	for _, k := range []string{"incident", "protocol", "from", "to", "by", "note", "event", "actions"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("the audit record of the opening has no %q: %v", k, raw)
		}
	}
}

// TestIncidentNotifiedOnceAcrossAKill: the engine is stopped (its context
// cancelled, nothing drained) right after the pause is mined, while the
// webhook hangs; the next engine on the same data delivers every change
// exactly once.
func TestIncidentNotifiedOnceAcrossAKill(t *testing.T) {
	hook := newStandIn(t, "webhook", answerHang)
	cs := channels{"webhook": hook}
	is := newIncidentStack(t, cs.configure)
	ev := criticalExploit("incident-kill-1")
	is.publish(ev)
	out := is.outcome(ev.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("actions %+v", out.Actions)
	}
	rec := is.action(out.Actions[0].ActionID)
	if err := is.stop(); err != nil {
		t.Fatal(err)
	}
	if _, d := hook.got(); len(d) != 0 {
		t.Fatalf("delivered before the kill: %v", changes(d))
	}
	hook.set(answerOK)
	is.start()
	in := is.incidentOf(ev.ID, incident.Contained)
	is.until("both changes to be delivered", func() bool { _, d := hook.got(); return len(d) >= 2 })
	is.deliveriesDone()
	_, d := hook.got()
	ids := []string{d[0].id, d[1].id}
	if len(d) > 2 {
		ids = append(ids, d[2].id)
	}
	slices.Sort(ids)
	want := []string{incident.MessageID(in.ID, 0, incident.Detected), incident.MessageID(in.ID, 1, incident.Contained)}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("delivered %v, want each of %v once", ids, want)
	}
	if rec.State != record.Mined {
		t.Errorf("the pause: %+v", rec)
	}
}

// TestIncidentTwoReplicasNotifyOnce: two engines on one NATS both watch
// the incidents and announce every change; each channel still gets each
// change once (the notification id makes the dispatcher deliver it once).
func TestIncidentTwoReplicasNotifyOnce(t *testing.T) {
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	macKey := filepath.Join(t.TempDir(), "record-mac.key")
	if err := os.WriteFile(macKey, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hook := newStandIn(t, "webhook", answerOK)
	cs := channels{"webhook": hook}
	is := newIncidentStack(t, func(o *config.Options) {
		cs.configure(o)
		o.NATS.URL, o.NATS.Instance, o.NATS.LeaseTTL = srv.ClientURL(), "a", time.Second
		o.Records.MACKeyFile = macKey
	})
	optsB := is.opts
	optsB.NATS.Instance, optsB.DataDir = "b", t.TempDir()
	runEngine(t, is.ctx, optsB, is.log)

	ev := criticalExploit("incident-replicas-1")
	is.publish(ev)
	in := is.incidentOf(ev.ID, incident.Contained)
	st, err := incident.OpenStore(is.ctx, is.js)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transition(is.ctx, in.ID, incident.Dismissed, "bob", "a drill", time.Now()); err != nil {
		t.Fatal(err)
	}
	is.until("the three changes to be delivered", func() bool { _, d := hook.got(); return len(d) >= 3 })
	is.deliveriesDone()
	_, d := hook.got()
	var ids []string
	for _, x := range d {
		ids = append(ids, x.id)
	}
	slices.Sort(ids)
	want := []string{incident.MessageID(in.ID, 0, incident.Detected), incident.MessageID(in.ID, 1, incident.Contained), incident.MessageID(in.ID, 2, incident.Dismissed)}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("delivered %v, want each of %v once", ids, want)
	}
	all, err := st.List(is.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Errorf("%d incidents, want 1", len(all))
	}
}
