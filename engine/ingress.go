package engine

import (
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/ingest/webhook"
)

// listenIngress builds the webhook ingress of the configured routes and binds its
// listener, or returns nil when ingress.listen is empty. Its events and dead letters
// go to js; refusals are audited.
func (e *Engine) listenIngress(js jetstream.JetStream, auditRec *audit.Recorder) (*webhook.Server, error) {
	if e.opts.Ingress.Listen == "" {
		return nil, nil
	}
	routes, err := webhook.Routes(e.opts)
	if err != nil {
		return nil, err
	}
	srv, err := webhook.New(e.opts.Ingress, routes, js, auditRec, e.log, e.now)
	if err != nil {
		return nil, err
	}
	if err := srv.Listen(); err != nil {
		return nil, err
	}
	return srv, nil
}

// IngressURL is the base URL of the webhook ingress ("https://host:port"; POST to
// IngressURL()+"/v1/alerts/<route>"), "" when it is off. Valid after Ready.
func (e *Engine) IngressURL() string {
	if e.ingress == nil {
		return ""
	}
	return e.ingress.URL()
}
