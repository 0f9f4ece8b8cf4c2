package webhook

import (
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// Config is a generic webhook: the URL to POST to and the key every
// request is signed with, both secrets.
type Config struct {
	URL    notify.Secret
	Secret notify.Secret
}

// FromOptions reads a webhook channel's configuration from the environment
// or files.
func FromOptions(o config.ChannelOptions, read notify.SecretReader) (Config, error) {
	u, err := notify.ReadSecret(read, "webhook_url", o.WebhookURLEnv, o.WebhookURLFile)
	if err != nil {
		return Config{}, err
	}
	key, err := notify.ReadSecret(read, "secret", o.SecretEnv, o.SecretFile)
	return Config{URL: u, Secret: key}, err
}
