package slack

import (
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// Config is a Slack channel: the incoming webhook's URL
// (https://hooks.slack.com/services/T…/B…/…), a secret, since its path is
// the credential.
type Config struct {
	WebhookURL notify.Secret
}

// FromOptions reads a slack channel's configuration, its URL from the
// environment or a file.
func FromOptions(o config.ChannelOptions, read notify.SecretReader) (Config, error) {
	u, err := notify.ReadSecret(read, "webhook_url", o.WebhookURLEnv, o.WebhookURLFile)
	return Config{WebhookURL: u}, err
}
