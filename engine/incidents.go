package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/notify/dispatch"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// startIncidents opens the incidents bucket and starts, owned by wg until
// ctx ends: the watch of the actions bucket that moves incidents to
// contained, a reconciliation of what changed while no engine ran, and
// the announcer that audits and notifies every incident change. Shadow
// mode tracks no incident: nothing is contained there.
func (e *Engine) startIncidents(ctx context.Context, wg *sync.WaitGroup, js jetstream.JetStream, actions *record.Store, rec *audit.Recorder, disp *dispatch.Dispatcher) (*incident.Tracker, error) {
	if e.opts.Shadow {
		return nil, nil
	}
	st, err := incident.NewStore(ctx, js, e.opts.NATS.Replicas)
	if err != nil {
		return nil, err
	}
	// Operators write changes into the bucket: a roll-up put would purge
	// every incident, so roll-ups are refused, as on the other buckets
	// operators write.
	if err := ingest.DenyRollups(ctx, js, incident.Bucket); err != nil {
		return nil, err
	}
	tr := incident.NewTracker(st, actions, incident.TrackerOptions{
		Window: e.opts.Incidents.WindowOrDefault(), MinSeverity: event.Severity(e.opts.Incidents.MinSeverityOrDefault()), Now: e.now,
	}, e.log)
	w, err := actions.WatchUpdates(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: watching the actions for incidents: %w", err)
	}
	wg.Go(func() { tr.WatchActions(ctx, w) })
	wg.Go(func() {
		if err := tr.Reconcile(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("could not check the open incidents at start", "err", err)
		}
	})
	ann := incident.NewAnnouncer(st, actions, rec, disp, e.log)
	wg.Go(func() {
		if err := ann.Run(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("incident announcer stopped: incident changes are neither audited nor notified", "err", err)
		}
	})
	return tr, nil
}

// outcomeRecord is the event's record: its outcome and the incident it
// was put into.
type outcomeRecord struct {
	decide.Outcome
	IncidentID string `json:"incident_id,omitempty"`
}

// withIncident puts a handled event into its incident and returns the
// event's record. A failure is transient: the redelivery finds the
// intents recorded and the incident as far as it got.
func (p *pipeline) withIncident(ctx context.Context, out decide.Outcome) ([]byte, error) {
	var id string
	if p.incidents != nil {
		var err error
		if id, err = p.incidents.Track(ctx, out); err != nil {
			return nil, fmt.Errorf("%w: %w", ingest.ErrTransient, err)
		}
	}
	p.metrics.ObserveOutcome(out)
	return json.Marshal(outcomeRecord{Outcome: out, IncidentID: id})
}

// Incidents lists the incidents, newest first. Valid after Ready.
func (e *Engine) Incidents(ctx context.Context) ([]incident.Incident, error) {
	st, err := e.incidentStore(ctx)
	if err != nil {
		return nil, err
	}
	return st.List(ctx)
}

// Incident returns an incident by id. Valid after Ready.
func (e *Engine) Incident(ctx context.Context, id string) (incident.Incident, error) {
	st, err := e.incidentStore(ctx)
	if err != nil {
		return incident.Incident{}, err
	}
	in, _, err := st.Get(ctx, id)
	return in, err
}

// IncidentOf returns the id of the incident an event was put into.
func (e *Engine) IncidentOf(ctx context.Context, eventID string) (string, error) {
	st, err := e.incidentStore(ctx)
	if err != nil {
		return "", err
	}
	return st.ByEvent(ctx, eventID)
}

func (e *Engine) incidentStore(ctx context.Context) (*incident.Store, error) {
	js, err := jetstream.New(e.nc)
	if err != nil {
		return nil, fmt.Errorf("engine: JetStream: %w", err)
	}
	return incident.OpenStore(ctx, js)
}
