package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/notify/webhook"
)

// demoChannel is the name of the demo's notification channel: the generic
// webhook, posting to the receiver the demo runs.
const demoChannel = "demo-webhook"

// demoIncident is the incident the demo's event opened, as the report
// shows it.
type demoIncident struct {
	ID      string   `json:"id"`
	State   string   `json:"state"`
	Events  []string `json:"events"`
	Actions []string `json:"actions"`
	History []string `json:"history"`
}

// demoNotification is one notification the demo's receiver got.
type demoNotification struct {
	Channel  string `json:"channel"`
	URL      string `json:"url"`
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Verified bool   `json:"signature_verified"`
	TxHash   string `json:"tx_hash,omitempty"`
}

// demoReceiver is a team's webhook endpoint, run by the demo on loopback:
// it verifies each request's HMAC-SHA256 signature with webhook.Verify (a
// request that does not verify is refused with 401 and not counted) and
// keeps what it received.
type demoReceiver struct {
	secret []byte
	ln     net.Listener
	srv    *http.Server

	mu  sync.Mutex
	got []demoNotification
}

func startDemoReceiver() (*demoReceiver, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo webhook receiver: %w", err)
	}
	r := &demoReceiver{secret: []byte(hex.EncodeToString(secret)), ln: ln}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *demoReceiver) url() string { return "http://" + r.ln.Addr().String() + "/hooks/firebreak" }

func (r *demoReceiver) close() { _ = r.srv.Close() }

func (r *demoReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := webhook.Verify(r.secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "not a firebreak notification", http.StatusBadRequest)
		return
	}
	n := demoNotification{Channel: demoChannel, URL: r.url(), ID: p.Notification.ID, Kind: string(p.Notification.Kind), Verified: true}
	for _, a := range p.Notification.Actions {
		if a.TxHash != "" {
			n.TxHash = a.TxHash
		}
	}
	r.mu.Lock()
	if !slices.ContainsFunc(r.got, func(g demoNotification) bool { return g.ID == n.ID }) {
		r.got = append(r.got, n) // a retry of one already received is dropped, as the docs advise
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *demoReceiver) received() []demoNotification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// configure adds the receiver as the demo's one notification channel; its
// URL and secret come from the environment the options read, as a real
// deployment's would.
func (r *demoReceiver) configure(o *config.Options) {
	const urlVar, secretVar = "FIREBREAK_DEMO_WEBHOOK_URL", "FIREBREAK_DEMO_WEBHOOK_SECRET"
	if o.Notify.Channels == nil {
		o.Notify.Channels = map[string]config.ChannelOptions{}
	}
	o.Notify.Channels[demoChannel] = config.ChannelOptions{Type: config.ChannelWebhook, WebhookURLEnv: urlVar, SecretEnv: secretVar}
	env := o.LookupEnv
	o.LookupEnv = func(k string) (string, bool) {
		switch k {
		case urlVar:
			return r.url(), true
		case secretVar:
			return string(r.secret), true
		}
		if env == nil {
			return "", false
		}
		return env(k)
	}
}

// demoIncidentReport waits until the demo's event is in a contained
// incident and the receiver has its opened and contained notifications.
func demoIncidentReport(ctx context.Context, eng *engine.Engine, eventID string, r *demoReceiver) (*demoIncident, []demoNotification, error) {
	for {
		var in incident.Incident
		id, err := eng.IncidentOf(ctx, eventID)
		if err == nil {
			in, err = eng.Incident(ctx, id)
		}
		if err != nil && !errors.Is(err, incident.ErrNotFound) {
			return nil, nil, err
		}
		got := r.received()
		if err == nil && in.State == incident.Contained && len(got) >= 2 {
			di := &demoIncident{ID: in.ID, State: string(in.State), Events: in.Events, Actions: in.Actions}
			for _, c := range in.History {
				di.History = append(di.History, fmt.Sprintf("%s %s by %s: %s", c.At.UTC().Format(time.RFC3339Nano), c.To, c.By, c.Note))
			}
			return di, got, nil
		}
		select {
		case <-ctx.Done():
			return nil, got, fmt.Errorf("the incident of event %s was not contained and notified (%d notifications received): %w", eventID, len(got), ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func printDemoIncident(w io.Writer, r demoReport) {
	if r.Incident == nil {
		return
	}
	in := r.Incident
	fmt.Fprintf(w, "\nIncident %s is %s: events %v, actions %v.\n", in.ID, in.State, in.Events, in.Actions)
	for _, h := range in.History {
		fmt.Fprintf(w, "  %s\n", h)
	}
	fmt.Fprintf(w, "Its notifications went to the %s channel, a signed webhook to a receiver the demo ran:\n", demoChannel)
	for _, n := range r.Notifications {
		verified := "HMAC verified"
		if !n.Verified {
			verified = "NOT verified"
		}
		tx := ""
		if n.TxHash != "" {
			tx = ", tx " + n.TxHash
		}
		fmt.Fprintf(w, "  %s  %s (%s%s) at %s\n", n.Kind, n.ID, verified, tx, n.URL)
	}
	fmt.Fprintln(w, "On a running engine (demo --keep, serve) 'firebreak incident show ID' shows an incident; see docs/incidents.md.")
	if pm := r.Postmortem; pm != nil {
		verified := "verified"
		if !pm.Verified {
			verified = "NOT verified"
		}
		fmt.Fprintf(w, "\nThe postmortem, built from the audit log alone (chain %s over records #%d to #%d):\n  %s\n  %s\n",
			verified, pm.FirstSeq, pm.LastSeq, pm.Markdown, pm.HTML)
	}
}

// writeDemoPostmortem writes the postmortem of the demo's incident, from
// the engine's audit log, into dir (made if missing): the report a team
// would start its post-incident review from (docs/postmortem.md).
func writeDemoPostmortem(ctx context.Context, eng *engine.Engine, incidentID, dir string) (*drillPostmortem, error) {
	in, err := eng.Incident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	_, rd, done, err := engineAuditReader(ctx, eng, "firebreak-demo-report")
	if err != nil {
		return nil, err
	}
	defer done()
	r, err := drillReportOf(ctx, rd, in)
	if err != nil {
		return nil, err
	}
	return writePostmortem(r, in, true, dir, "demo")
}
