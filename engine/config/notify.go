package config

import (
	"errors"
	"fmt"
	"net"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// NotifyOptions configure the notifications to people (engine/notify):
// the channels messages are delivered to, the routes that say which
// message goes to which channel, and how deliveries are retried. With no
// channel nothing is delivered; with channels but no route every message
// goes to every channel. See docs/notifications.md.
//
// The section validates itself as it is decoded (the whole of it,
// unknown keys included), so a file with a bad notify section never
// loads; Validate does the same for options built in Go, and
// Options.ValidateNotify adds the checks against the rest of the file
// (route protocols, chain explorers).
type NotifyOptions struct {
	// Channels by name; the name is a NATS subject token and names the
	// channel in routes, logs and alerts.
	Channels map[string]ChannelOptions `yaml:"channels"`
	// Routes select the channels of each message; a message goes to the
	// union of the channels of every route it matches.
	Routes []RouteOptions `yaml:"routes"`
	// Timeout bounds one delivery attempt (default 10s).
	Timeout time.Duration `yaml:"timeout"`
	// EnqueueTimeout bounds the publish that queues a message for its
	// channels (default 2s): the pipeline never waits longer, and never
	// for a delivery.
	EnqueueTimeout time.Duration `yaml:"enqueue_timeout"`
	// MinBackoff and MaxBackoff bound the wait before a failed attempt
	// that may succeed later is retried: it doubles from MinBackoff with
	// each attempt, up to MaxBackoff (defaults 1s and 5m).
	MinBackoff time.Duration `yaml:"min_backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// MaxAge is how long a delivery is retried before it is given up and
	// an operator alert goes to the other channels (default 24h).
	MaxAge time.Duration `yaml:"max_age"`
	// LogRetention is how long the notification log remembers a sent
	// delivery, so a message queued again is not sent twice (default 7 days).
	LogRetention time.Duration `yaml:"log_retention"`
}

// ChannelOptions describe one channel. Type says which keys apply (see
// ChannelKeys). Secrets (webhook URLs, tokens, routing keys, passwords)
// are never in the file: each comes from an environment variable (*_env)
// or a file (*_file), exactly one of the two.
type ChannelOptions struct {
	// Type is slack, discord, telegram, pagerduty, email or webhook.
	Type string `yaml:"type"`
	// TemplateFile is a Go text/template file whose definitions ("title",
	// "text") replace the channel type's default templates.
	TemplateFile string `yaml:"template_file"`

	// WebhookURLEnv / WebhookURLFile hold the webhook URL (slack,
	// discord, webhook). The URL is a secret: its path is the token.
	WebhookURLEnv  string `yaml:"webhook_url_env"`
	WebhookURLFile string `yaml:"webhook_url_file"`
	// SecretEnv / SecretFile hold the key a webhook channel signs each
	// request with (HMAC-SHA256).
	SecretEnv  string `yaml:"secret_env"`
	SecretFile string `yaml:"secret_file"`

	// BotTokenEnv / BotTokenFile hold a telegram bot's token.
	BotTokenEnv  string `yaml:"bot_token_env"`
	BotTokenFile string `yaml:"bot_token_file"`
	// ChatID is the telegram chat (a number or @channelname).
	ChatID string `yaml:"chat_id"`
	// ParseMode is telegram's parse_mode: HTML (default, what the default
	// template writes) or MarkdownV2 (with a template_file that writes it).
	ParseMode string `yaml:"parse_mode"`

	// RoutingKeyEnv / RoutingKeyFile hold a pagerduty Events API v2
	// integration's routing key.
	RoutingKeyEnv  string `yaml:"routing_key_env"`
	RoutingKeyFile string `yaml:"routing_key_file"`

	// APIURL replaces the service's endpoint: telegram's Bot API base
	// (default https://api.telegram.org) or pagerduty's events endpoint
	// (default https://events.pagerduty.com/v2/enqueue).
	APIURL string `yaml:"api_url"`

	// Smarthost is the email channel's SMTP server, host:port. The
	// connection is always upgraded with STARTTLS before anything else.
	Smarthost string   `yaml:"smarthost"`
	From      string   `yaml:"from"`
	To        []string `yaml:"to"`
	// Username, with PasswordEnv or PasswordFile, logs in (AUTH PLAIN,
	// only over TLS).
	Username     string `yaml:"username"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
	// Hello is the name sent in EHLO (default localhost).
	Hello string `yaml:"hello"`
	// CAFile is a PEM bundle the SMTP server's certificate must chain to,
	// instead of the system's roots.
	CAFile string `yaml:"ca_file"`
}

// RouteOptions select messages for Channels. Every condition that is set
// must hold; an empty one holds for every message.
type RouteOptions struct {
	// Channels receive the messages the route matches.
	Channels []string `yaml:"channels"`
	// Kinds are message kinds (NotifyKinds) or their groups: incident,
	// operator, policy.
	Kinds []string `yaml:"kinds"`
	// Protocols are protocol names; a message about no protocol (most
	// operator alerts) matches only a route without protocols.
	Protocols []string `yaml:"protocols"`
	// MinSeverity is the least severity matched: info, low, medium, high
	// or critical.
	MinSeverity string `yaml:"min_severity"`
}

// The channel types.
const (
	ChannelSlack     = "slack"
	ChannelDiscord   = "discord"
	ChannelTelegram  = "telegram"
	ChannelPagerDuty = "pagerduty"
	ChannelEmail     = "email"
	ChannelWebhook   = "webhook"
)

// ChannelKeys are the keys each channel type takes besides type and
// template_file.
var ChannelKeys = map[string][]string{
	ChannelSlack:     {"webhook_url_env", "webhook_url_file"},
	ChannelDiscord:   {"webhook_url_env", "webhook_url_file"},
	ChannelWebhook:   {"webhook_url_env", "webhook_url_file", "secret_env", "secret_file"},
	ChannelTelegram:  {"bot_token_env", "bot_token_file", "chat_id", "parse_mode", "api_url"},
	ChannelPagerDuty: {"routing_key_env", "routing_key_file", "api_url"},
	ChannelEmail:     {"smarthost", "from", "to", "username", "password_env", "password_file", "hello", "ca_file"},
}

// NotifyKinds are the message kinds routes name (engine/notify's Kind
// constants; a test there keeps the two in step). Each starts with its
// group, which a route may name instead.
var NotifyKinds = []string{
	"incident.opened", "incident.contained", "incident.recovering", "incident.resolved", "incident.dismissed",
	"operator.fee_cap_reached", "operator.audit_record_lost", "operator.dead_letter",
	"operator.policy_reload_failed", "operator.channel_failing", "operator.readiness_changed",
	"policy.notify",
}

// Severities are the five event severities, in increasing order.
var Severities = []string{"info", "low", "medium", "high", "critical"}

// The notify defaults.
const (
	DefaultNotifyTimeout        = 10 * time.Second
	DefaultNotifyEnqueueTimeout = 2 * time.Second
	DefaultNotifyMinBackoff     = time.Second
	DefaultNotifyMaxBackoff     = 5 * time.Minute
	DefaultNotifyMaxAge         = 24 * time.Hour
	DefaultNotifyLogRetention   = 7 * 24 * time.Hour
)

// WithDefaults returns n with every unset duration at its default.
func (n NotifyOptions) WithDefaults() NotifyOptions {
	set := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	set(&n.Timeout, DefaultNotifyTimeout)
	set(&n.EnqueueTimeout, DefaultNotifyEnqueueTimeout)
	set(&n.MinBackoff, DefaultNotifyMinBackoff)
	set(&n.MaxBackoff, DefaultNotifyMaxBackoff)
	set(&n.MaxAge, DefaultNotifyMaxAge)
	set(&n.LogRetention, DefaultNotifyLogRetention)
	return n
}

var channelName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Validate checks the notify section on its own: channel names and types,
// each type's required keys and no other type's keys, one source per
// secret, routes naming configured channels, known kinds and severities.
func (n NotifyOptions) Validate() error {
	for _, name := range sortedKeys(n.Channels) {
		if !channelName.MatchString(name) {
			return Errorf("notify.channels.%s: a channel name is 1-64 letters, digits, '-' or '_'", name)
		}
		if err := n.Channels[name].validate(); err != nil {
			return Errorf("notify.channels.%s%v", name, err)
		}
	}
	for i, r := range n.Routes {
		if len(r.Channels) == 0 {
			return Errorf("notify.routes[%d].channels: at least one channel", i)
		}
		for _, c := range r.Channels {
			if _, ok := n.Channels[c]; !ok {
				return Errorf("notify.routes[%d].channels: no channel named %q in notify.channels", i, c)
			}
		}
		for _, k := range r.Kinds {
			if !knownKind(k) {
				return Errorf("notify.routes[%d].kinds: %q is not a message kind (%s) nor a group (incident, operator, policy)", i, k, strings.Join(NotifyKinds, ", "))
			}
		}
		if r.MinSeverity != "" && !slices.Contains(Severities, r.MinSeverity) {
			return Errorf("notify.routes[%d].min_severity: %q is not one of %s", i, r.MinSeverity, strings.Join(Severities, ", "))
		}
	}
	durations := []struct {
		key string
		d   time.Duration
	}{{"timeout", n.Timeout}, {"enqueue_timeout", n.EnqueueTimeout}, {"min_backoff", n.MinBackoff}, {"max_backoff", n.MaxBackoff}, {"max_age", n.MaxAge}, {"log_retention", n.LogRetention}}
	for _, d := range durations {
		if d.d < 0 {
			return Errorf("notify.%s: must not be negative, got %s", d.key, d.d)
		}
	}
	if n.MinBackoff > 0 && n.MaxBackoff > 0 && n.MinBackoff > n.MaxBackoff {
		return Errorf("notify.min_backoff: %s is above max_backoff (%s)", n.MinBackoff, n.MaxBackoff)
	}
	d := n.WithDefaults()
	if d.LogRetention < d.MaxAge {
		return Errorf("notify.log_retention: %s is shorter than max_age (%s): a retried delivery could be sent twice", d.LogRetention, d.MaxAge)
	}
	return nil
}

// ValidateNotify checks the notify section (Validate) and what it refers
// to elsewhere: the protocols routes name and the chains' explorer URLs.
func (o Options) ValidateNotify() error {
	if err := o.Notify.Validate(); err != nil {
		return err
	}
	for i, r := range o.Notify.Routes {
		for _, p := range r.Protocols {
			if _, ok := o.Protocols[p]; !ok {
				return Errorf("notify.routes[%d].protocols: no protocol named %q in protocols", i, p)
			}
		}
	}
	for i, c := range o.Chains {
		if c.Explorer != "" && !hasScheme(c.Explorer, "http://", "https://") {
			return Errorf("chains[%d].explorer: want an http(s):// URL, got %q", i, c.Explorer)
		}
	}
	return nil
}

func knownKind(k string) bool {
	if slices.Contains(NotifyKinds, k) {
		return true
	}
	for _, kind := range NotifyKinds {
		if strings.HasPrefix(kind, k+".") {
			return true
		}
	}
	return false
}

// validate checks one channel; errors start with the key (".type: ..."),
// for the caller to prefix with the channel's path.
func (c ChannelOptions) validate() error {
	keys, ok := ChannelKeys[c.Type]
	if !ok {
		types := sortedKeys(ChannelKeys)
		return fmt.Errorf(".type: %q is not a channel type (%s)", c.Type, strings.Join(types, ", "))
	}
	// No key of another type: a telegram chat_id on a slack channel is a
	// mistake, not something to ignore.
	v, t := reflect.ValueOf(c), reflect.TypeOf(c)
	for i := range t.NumField() {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if key == "type" || key == "template_file" || v.Field(i).IsZero() {
			continue
		}
		if !slices.Contains(keys, key) {
			return fmt.Errorf(".%s: not a key of a %s channel (its keys: %s)", key, c.Type, strings.Join(keys, ", "))
		}
	}
	one := func(prefix, env, file string) error {
		switch {
		case env == "" && file == "":
			return fmt.Errorf(": set %s_env or %s_file (the secret is never in the file itself)", prefix, prefix)
		case env != "" && file != "":
			return fmt.Errorf(": set exactly one of %s_env and %s_file", prefix, prefix)
		}
		return nil
	}
	switch c.Type {
	case ChannelSlack, ChannelDiscord:
		return one("webhook_url", c.WebhookURLEnv, c.WebhookURLFile)
	case ChannelWebhook:
		if err := one("webhook_url", c.WebhookURLEnv, c.WebhookURLFile); err != nil {
			return err
		}
		return one("secret", c.SecretEnv, c.SecretFile)
	case ChannelTelegram:
		if err := one("bot_token", c.BotTokenEnv, c.BotTokenFile); err != nil {
			return err
		}
		if c.ChatID == "" {
			return errors.New(".chat_id: required")
		}
		switch c.ParseMode {
		case "", "HTML":
		case "MarkdownV2":
			if c.TemplateFile == "" {
				return errors.New(".parse_mode: MarkdownV2 needs a template_file that writes MarkdownV2 (the default template writes HTML)")
			}
		default:
			return fmt.Errorf(".parse_mode: %q is not HTML or MarkdownV2", c.ParseMode)
		}
	case ChannelPagerDuty:
		if err := one("routing_key", c.RoutingKeyEnv, c.RoutingKeyFile); err != nil {
			return err
		}
	case ChannelEmail:
		if _, port, err := net.SplitHostPort(c.Smarthost); err != nil || port == "" {
			return fmt.Errorf(".smarthost: want host:port, got %q", c.Smarthost)
		}
		if c.From == "" {
			return errors.New(".from: required")
		}
		if len(c.To) == 0 {
			return errors.New(".to: at least one address")
		}
		for _, a := range append([]string{c.From}, c.To...) {
			if strings.ContainsAny(a, "\r\n<>") || !strings.Contains(a, "@") {
				return fmt.Errorf(": %q is not a plain email address (user@host)", a)
			}
		}
		if c.Username != "" {
			if err := one("password", c.PasswordEnv, c.PasswordFile); err != nil {
				return err
			}
		} else if c.PasswordEnv != "" || c.PasswordFile != "" {
			return errors.New(".username: required with a password")
		}
	}
	if c.APIURL != "" && !hasScheme(c.APIURL, "http://", "https://") {
		return errors.New(".api_url: want an http(s):// URL")
	}
	return nil
}

// SecretSources lists where the notify section's secrets come from, for the
// values to be redacted wherever the engine writes (Options.Secrets).
func (n NotifyOptions) SecretSources() (envs, files []string) {
	add := func(env, file string) {
		if env != "" {
			envs = append(envs, env)
		}
		if file != "" {
			files = append(files, file)
		}
	}
	for _, name := range sortedKeys(n.Channels) {
		c := n.Channels[name]
		add(c.WebhookURLEnv, c.WebhookURLFile)
		add(c.SecretEnv, c.SecretFile)
		add(c.BotTokenEnv, c.BotTokenFile)
		add(c.RoutingKeyEnv, c.RoutingKeyFile)
		add(c.PasswordEnv, c.PasswordFile)
	}
	return envs, files
}

// UnmarshalYAML decodes the notify section strictly (an unknown key is an
// error, with its line) and validates it, so ParseConfig refuses a bad
// section like any other.
func (n *NotifyOptions) UnmarshalYAML(node *yaml.Node) error {
	// ParseConfig adds the "config: " prefix to decoding errors itself.
	unprefixed := func(err error) error {
		if err == nil {
			return nil
		}
		return errors.New(strings.TrimPrefix(err.Error(), ErrConfig.Error()+": "))
	}
	if err := knownKeys(node, reflect.TypeFor[NotifyOptions](), "notify", 0); err != nil {
		return unprefixed(err)
	}
	type plain NotifyOptions // without this method
	p := plain(*n)
	if err := node.Decode(&p); err != nil {
		return err
	}
	*n = NotifyOptions(p)
	return unprefixed(n.Validate())
}

// knownKeys reports the first mapping key under node that t has no yaml
// field for; path names node for the message. The depth bound also stops
// an alias that contains itself.
func knownKeys(node *yaml.Node, t reflect.Type, path string, depth int) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if depth > 32 {
		return fmt.Errorf("%w: %s: nested too deep", ErrConfig, path)
	}
	depth++
	switch {
	case node.Kind == yaml.AliasNode && node.Alias != nil:
		return knownKeys(node.Alias, t, path, depth)
	case t.Kind() == reflect.Struct && node.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			if key, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); key != "" && key != "-" {
				fields[key] = t.Field(i).Type
			}
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k := node.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				return fmt.Errorf("%w: line %d: %s.%s: unknown key", ErrConfig, k.Line, path, k.Value)
			}
			if err := knownKeys(node.Content[i+1], ft, path+"."+k.Value, depth); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map && node.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			if err := knownKeys(node.Content[i+1], t.Elem(), path+"."+node.Content[i].Value, depth); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && node.Kind == yaml.SequenceNode:
		for i, item := range node.Content {
			if err := knownKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth); err != nil {
				return err
			}
		}
	}
	return nil
}
