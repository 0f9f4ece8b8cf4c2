package receiver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/notify"
	"github.com/firebreak-dev/firebreak/engine/notify/receiver"
	"github.com/firebreak-dev/firebreak/engine/notify/webhook"
)

// TestBuildEveryType: one channel of each type, from a configuration
// file, with secrets from the environment and from files.
func TestBuildEveryType(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	yaml := `data_dir: /tmp/fb
notify:
  channels:
    oncall-slack: {type: slack, webhook_url_env: SLACK_URL}
    discord: {type: discord, webhook_url_file: ` + write("discord", "https://discord.com/api/webhooks/1/tok") + `}
    tg: {type: telegram, bot_token_env: TG_TOKEN, chat_id: "-100123"}
    pager: {type: pagerduty, routing_key_file: ` + write("pd", "R0UTINGKEY") + `}
    mail: {type: email, smarthost: "smtp.example.org:587", from: fb@example.org, to: [sec@example.org], username: fb, password_env: SMTP_PASSWORD}
    hook: {type: webhook, webhook_url_env: HOOK_URL, secret_env: HOOK_SECRET}
  routes:
    - {channels: [pager], kinds: [incident.opened, incident.resolved], min_severity: high}
`
	opts, err := config.ParseConfig(strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SLACK_URL": "https://hooks.slack.com/services/T/B/x", "TG_TOKEN": "1:abc", "SMTP_PASSWORD": "pw", "HOOK_URL": "https://example.org/h", "HOOK_SECRET": "k"}
	opts.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	got, err := receiver.Build(opts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "discord,hook,mail,oncall-slack,pager,tg" {
		t.Errorf("channels = %v", names)
	}
}

// TestMissingSecretNamesTheSource: a missing secret is an error that says
// where it was looked for and shows no value.
func TestMissingSecretNamesTheSource(t *testing.T) {
	opts := config.Options{Notify: config.NotifyOptions{Channels: map[string]config.ChannelOptions{
		"hook": {Type: config.ChannelWebhook, WebhookURLEnv: "HOOK_URL", SecretEnv: "HOOK_SECRET"},
	}}, LookupEnv: func(k string) (string, bool) {
		if k == "HOOK_URL" {
			return "https://example.org/hooks/sEcReTpAtH", true
		}
		return "", false
	}}
	_, err := receiver.Build(opts, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "notify.channels.hook") || !strings.Contains(err.Error(), "HOOK_SECRET") || strings.Contains(err.Error(), "sEcReTpAtH") {
		t.Errorf("Build = %v", err)
	}
}

// TestTemplateFileOverrides: a channel's template_file replaces its
// type's "text" (templates are data), and the delivery carries it.
func TestTemplateFileOverrides(t *testing.T) {
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	tmpl := filepath.Join(t.TempDir(), "hook.tmpl")
	if err := os.WriteFile(tmpl, []byte(`{{ define "text" }}[{{ .Severity | upper }}] {{ .Title }} ({{ len .Actions }} actions){{ end }}`), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := config.Options{Notify: config.NotifyOptions{Channels: map[string]config.ChannelOptions{
		"hook": {Type: config.ChannelWebhook, WebhookURLEnv: "U", SecretEnv: "S", TemplateFile: tmpl},
	}}, LookupEnv: func(k string) (string, bool) { return map[string]string{"U": srv.URL, "S": "k"}[k], true }}
	chans, err := receiver.Build(opts, nil, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	msg := notify.Message{ID: "x", Kind: notify.KindIncidentOpened, Title: "Vault drained", Severity: "critical", Actions: []notify.Action{{Type: "pause"}}}
	if _, err := chans["hook"].Notify(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Text != "[CRITICAL] Vault drained (1 actions)" {
		t.Errorf("text = %q", p.Text)
	}

	if err := os.WriteFile(tmpl, []byte(`{{ define "text" }}{{ .NoSuchField }}{{ end }}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := receiver.Build(opts, nil, nil); err == nil || !strings.Contains(err.Error(), "NoSuchField") {
		t.Errorf("Build with a template naming an unknown field = %v, want the error at start", err)
	}
	if err := os.WriteFile(tmpl, []byte(`{{ define "text" }}{{ .Title `), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := receiver.Build(opts, nil, nil); err == nil || !strings.Contains(err.Error(), tmpl) {
		t.Errorf("Build with a broken template = %v, want an error naming the file", err)
	}
}
