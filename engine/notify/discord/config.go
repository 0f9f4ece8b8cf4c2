package discord

import (
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// Config is a Discord channel: its webhook's URL
// (https://discord.com/api/webhooks/{id}/{token}), a secret.
type Config struct {
	WebhookURL notify.Secret
}

// FromOptions reads a discord channel's configuration, its URL from the
// environment or a file.
func FromOptions(o config.ChannelOptions, read notify.SecretReader) (Config, error) {
	u, err := notify.ReadSecret(read, "webhook_url", o.WebhookURLEnv, o.WebhookURLFile)
	return Config{WebhookURL: u}, err
}
