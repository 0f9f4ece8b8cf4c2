package pagerduty

import (
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// DefaultURL is the Events API v2 endpoint.
const DefaultURL = "https://events.pagerduty.com/v2/enqueue"

// Config is a PagerDuty channel: an Events API v2 integration's routing
// key (a secret) and, for tests and proxies, the endpoint.
type Config struct {
	RoutingKey notify.Secret
	// URL is the events endpoint; empty is DefaultURL.
	URL string
}

// FromOptions reads a pagerduty channel's configuration, its routing key
// from the environment or a file.
func FromOptions(o config.ChannelOptions, read notify.SecretReader) (Config, error) {
	key, err := notify.ReadSecret(read, "routing_key", o.RoutingKeyEnv, o.RoutingKeyFile)
	return Config{RoutingKey: key, URL: o.APIURL}, err
}
