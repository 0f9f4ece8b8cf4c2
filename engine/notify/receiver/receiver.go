// Package receiver builds the configured notification channels (the
// incident step), after Alertmanager's config/receiver: for each entry of
// notify.channels, its templates and the notifier of its type, with its
// secrets read from the environment or files. It is the one package that
// imports every integration.
package receiver

import (
	"fmt"
	"log/slog"
	"net/http"
	"sort"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/notify/discord"
	"github.com/firebreak-dev/firebreak/engine/notify/email"
	"github.com/firebreak-dev/firebreak/engine/notify/pagerduty"
	"github.com/firebreak-dev/firebreak/engine/notify/slack"
	"github.com/firebreak-dev/firebreak/engine/notify/telegram"
	"github.com/firebreak-dev/firebreak/engine/notify/webhook"
)

// Build returns the notifier of every channel of o.Notify by name. Secrets
// are read with o.Secret (o.LookupEnv, files); client is shared by the
// HTTP integrations (nil: notify.NewHTTPClient()). Errors name the channel
// and the key, never a secret's value.
func Build(o config.Options, log *slog.Logger, client *http.Client) (map[string]notify.Notifier, error) {
	if err := o.Notify.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if client == nil {
		client = notify.NewHTTPClient()
	}
	names := make([]string, 0, len(o.Notify.Channels))
	for name := range o.Notify.Channels {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make(map[string]notify.Notifier, len(names))
	for _, name := range names {
		n, err := build(o.Notify.Channels[name], o.Secret, log.With("channel", name), client)
		if err != nil {
			return nil, fmt.Errorf("notify.channels.%s: %w", name, err)
		}
		out[name] = n
	}
	return out, nil
}

// build makes one channel's notifier.
func build(c config.ChannelOptions, read notify.SecretReader, log *slog.Logger, client *http.Client) (notify.Notifier, error) {
	tmpl, err := notify.NewTemplate(c.Type, c.TemplateFile)
	if err != nil {
		return nil, err
	}
	switch c.Type {
	case config.ChannelSlack:
		conf, err := slack.FromOptions(c, read)
		if err != nil {
			return nil, err
		}
		return slack.New(conf, tmpl, log, client)
	case config.ChannelDiscord:
		conf, err := discord.FromOptions(c, read)
		if err != nil {
			return nil, err
		}
		return discord.New(conf, tmpl, log, client)
	case config.ChannelTelegram:
		conf, err := telegram.FromOptions(c, read)
		if err != nil {
			return nil, err
		}
		return telegram.New(conf, tmpl, log, client)
	case config.ChannelPagerDuty:
		conf, err := pagerduty.FromOptions(c, read)
		if err != nil {
			return nil, err
		}
		return pagerduty.New(conf, tmpl, log, client)
	case config.ChannelEmail:
		conf, err := email.FromOptions(c, read)
		if err != nil {
			return nil, err
		}
		return email.New(conf, tmpl, log)
	case config.ChannelWebhook:
		conf, err := webhook.FromOptions(c, read)
		if err != nil {
			return nil, err
		}
		return webhook.New(conf, tmpl, log, client)
	}
	return nil, fmt.Errorf("no channel type %q", c.Type)
}
