package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const notifyConfig = `
notify:
  timeout: 5s
  channels:
    oncall: {type: slack, webhook_url_env: SLACK_URL}
    pager: {type: pagerduty, routing_key_file: /run/secrets/pd}
    tg: {type: telegram, bot_token_env: TG, chat_id: "-100123"}
    mail: {type: email, smarthost: "smtp.example.org:587", from: fb@example.org, to: [sec@example.org], username: fb, password_env: SMTP_PW}
    hook: {type: webhook, webhook_url_env: HOOK_URL, secret_file: /run/secrets/hook}
  routes:
    - {channels: [pager], kinds: [incident.opened, incident.resolved], min_severity: high}
    - {channels: [oncall, tg, mail, hook], kinds: [incident, operator, policy], protocols: [p]}
`

func TestNotifyConfig(t *testing.T) {
	opts, err := ParseConfig(strings.NewReader(validConfig + notifyConfig))
	if err != nil {
		t.Fatal(err)
	}
	n := opts.Notify
	if len(n.Channels) != 5 || n.Channels["tg"].ChatID != "-100123" || len(n.Routes) != 2 || n.Timeout != 5*time.Second {
		t.Errorf("notify = %+v", n)
	}
	if err := opts.ValidateNotify(); err != nil {
		t.Errorf("ValidateNotify: %v", err)
	}
	d := n.WithDefaults()
	if d.Timeout != 5*time.Second || d.EnqueueTimeout != DefaultNotifyEnqueueTimeout || d.MaxAge != DefaultNotifyMaxAge || d.LogRetention != DefaultNotifyLogRetention {
		t.Errorf("defaults = %+v", d)
	}
	envs, files := n.SecretSources()
	if strings.Join(envs, ",") != "HOOK_URL,SMTP_PW,SLACK_URL,TG" || strings.Join(files, ",") != "/run/secrets/hook,/run/secrets/pd" {
		t.Errorf("secret sources = %v %v", envs, files)
	}
	if opts, err := ParseConfig(strings.NewReader(validConfig)); err != nil || len(opts.Notify.Channels) != 0 {
		t.Errorf("no notify section: %+v, %v", opts.Notify, err)
	}
}

func TestNotifyConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		replace [2]string // applied to notifyConfig
		want    string
	}{
		{"unknown key", [2]string{"chat_id:", "chat_idd:"}, `config: line 16: notify.channels.tg.chat_idd: unknown key`},
		{"unknown top key", [2]string{"timeout: 5s", "timout: 5s"}, "notify.timout: unknown key"},
		{"unknown route key", [2]string{"min_severity: high}", "min_severity: high, kind: x}"}, "notify.routes[0].kind: unknown key"},
		{"unknown type", [2]string{"type: slack", "type: fax"}, `notify.channels.oncall.type: "fax" is not a channel type`},
		{"bad channel name", [2]string{"oncall:", "on call:"}, "notify.channels.on call: a channel name"},
		{"secret in neither", [2]string{"webhook_url_env: SLACK_URL", "webhook_url_env: ''"}, "notify.channels.oncall: set webhook_url_env or webhook_url_file"},
		{"secret in both", [2]string{"routing_key_file: /run/secrets/pd", "routing_key_file: /run/secrets/pd, routing_key_env: PD"}, "exactly one of routing_key_env and routing_key_file"},
		{"another type's key", [2]string{"webhook_url_env: SLACK_URL}", "webhook_url_env: SLACK_URL, chat_id: '1'}"}, "notify.channels.oncall.chat_id: not a key of a slack channel"},
		{"telegram chat", [2]string{`chat_id: "-100123"`, `parse_mode: HTML`}, "notify.channels.tg.chat_id: required"},
		{"telegram markdown without template", [2]string{`chat_id: "-100123"`, `chat_id: "1", parse_mode: MarkdownV2`}, "MarkdownV2 needs a template_file"},
		{"webhook without secret", [2]string{", secret_file: /run/secrets/hook", ""}, "notify.channels.hook: set secret_env or secret_file"},
		{"smarthost", [2]string{`"smtp.example.org:587"`, `"smtp.example.org"`}, "notify.channels.mail.smarthost: want host:port"},
		{"email header injection", [2]string{"to: [sec@example.org]", `to: ["sec@example.org\r\nBcc: x@y"]`}, "is not a plain email address"},
		{"password without user", [2]string{"username: fb, ", ""}, "notify.channels.mail.username: required with a password"},
		{"route to nothing", [2]string{"channels: [pager]", "channels: [pagr]"}, `notify.routes[0].channels: no channel named "pagr"`},
		{"route kind", [2]string{"kinds: [incident.opened,", "kinds: [incident.exploded,"}, `notify.routes[0].kinds: "incident.exploded" is not a message kind`},
		{"route severity", [2]string{"min_severity: high", "min_severity: urgent"}, `notify.routes[0].min_severity: "urgent"`},
		{"negative timeout", [2]string{"timeout: 5s", "timeout: -5s"}, "notify.timeout: must not be negative"},
		{"backoff order", [2]string{"timeout: 5s", "timeout: 5s\n  min_backoff: 10m\n  max_backoff: 1m"}, "notify.min_backoff"},
		{"log shorter than retries", [2]string{"timeout: 5s", "timeout: 5s\n  log_retention: 1h"}, "notify.log_retention"},
		{"api url", [2]string{`chat_id: "-100123"`, `chat_id: "1", api_url: "ftp://x"`}, "notify.channels.tg.api_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(notifyConfig, tt.replace[0], tt.replace[1], 1)
			if text == notifyConfig {
				t.Fatalf("replacement %q not found", tt.replace[0])
			}
			_, err := ParseConfig(strings.NewReader(validConfig + text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig error = %v, want %q", err, tt.want)
			}
		})
	}
}

// Validate (and so ParseConfig) checks the notify section against the
// rest of the file.
func TestValidateNotifyCrossReferences(t *testing.T) {
	_, err := ParseConfig(strings.NewReader(validConfig + strings.Replace(notifyConfig, "protocols: [p]", "protocols: [q]", 1)))
	if err == nil || !strings.Contains(err.Error(), `notify.routes[1].protocols: no protocol named "q"`) {
		t.Errorf("ParseConfig = %v", err)
	}
	_, err = ParseConfig(strings.NewReader(strings.Replace(validConfig, `rpc: "https://rpc.example"`, `rpc: "https://rpc.example", explorer: "etherscan.io"`, 1)))
	if err == nil || !strings.Contains(err.Error(), "chains[0].explorer") {
		t.Errorf("ParseConfig = %v", err)
	}
}

func TestNotifyConfigSelfAlias(t *testing.T) {
	_, err := ParseConfig(strings.NewReader(validConfig + "notify: &n\n  channels: {x: *n}\n"))
	if err == nil {
		t.Fatal("a notify section that contains itself was accepted")
	}
}

func FuzzParseNotify(f *testing.F) {
	f.Add([]byte(notifyConfig))
	f.Add([]byte("notify: {channels: {a: {type: webhook, webhook_url_env: U, secret_env: S}}, routes: [{channels: [a]}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts, err := ParseConfig(strings.NewReader(validConfig + string(data)))
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			return
		}
		if err := opts.Notify.Validate(); err != nil {
			t.Fatalf("parsed, yet Validate fails: %v", err)
		}
		opts.Notify.SecretSources()
	})
}
