package notify

import (
	"embed"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"
)

// The default templates, one file per way of writing (see templates/).
//
//go:embed templates/*.tmpl
var defaultTemplates embed.FS

// templateFiles are the default template files of each channel type,
// after templates/common.tmpl.
var templateFiles = map[string]string{
	"slack":     "templates/slack.tmpl",
	"discord":   "templates/discord.tmpl",
	"telegram":  "templates/telegram.tmpl",
	"pagerduty": "templates/plain.tmpl",
	"email":     "templates/plain.tmpl",
	"webhook":   "templates/plain.tmpl",
}

// Template renders messages for one channel: the "title" and "text"
// templates of its type (templates/*.tmpl, embedded), which a channel's
// template_file may redefine. Templates are data: text/template over a
// Message, with the functions listed in docs/notifications.md. A Template
// is safe for concurrent use.
type Template struct{ t *template.Template }

// NewTemplate returns the default templates of channel type typ, with the
// definitions in file (when not empty) replacing them.
func NewTemplate(typ, file string) (*Template, error) {
	if file == "" {
		return ParseTemplate(typ, "")
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("notify: reading template %s: %w", file, err)
	}
	t, err := ParseTemplate(typ, string(text))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, file)
	}
	return t, nil
}

// ParseTemplate is NewTemplate with the override's text itself.
func ParseTemplate(typ, override string) (*Template, error) {
	file, ok := templateFiles[typ]
	if !ok {
		return nil, fmt.Errorf("notify: no templates for channel type %q", typ)
	}
	t := template.New(typ)
	funcs := templateFuncs()
	funcs["include"] = func(name string, data any) (string, error) {
		var b strings.Builder
		err := t.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	t.Funcs(funcs).Option("missingkey=error")
	for _, f := range []string{"templates/common.tmpl", file} {
		text, err := defaultTemplates.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if _, err := t.Parse(string(text)); err != nil {
			return nil, fmt.Errorf("notify: default template %s: %w", f, err)
		}
	}
	if override != "" {
		if _, err := t.Parse(override); err != nil {
			return nil, fmt.Errorf("notify: template: %w", err)
		}
	}
	tm := &Template{t: t}
	// A template that cannot render (a field that does not exist, a
	// function given the wrong type) fails now, at start, not at the
	// first incident.
	for _, name := range []string{"title", "text"} {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("notify: template %q is not defined", name)
		}
		if _, err := tm.Execute(name, trialMessage); err != nil {
			return nil, fmt.Errorf("notify: template: %w", err)
		}
	}
	return tm, nil
}

// trialMessage has every field set, for ParseTemplate's trial run.
var trialMessage = Message{
	ID: "trial", Kind: KindIncidentContained, Title: "Trial", Detail: "detail", Severity: "critical",
	Protocol: "p", IncidentID: "i", EventIDs: []string{"e"}, Rule: "r", PolicyRevision: "rev",
	Reasons: []string{"why"}, Actor: "op", Note: "n", Facts: map[string]string{"k": "v"},
	Actions: []Action{{
		ID: "a", Type: "pause", ChainID: 1, Contract: "p.c", To: "0x0", Function: "pause()",
		State: "final", Reason: "r", TxHash: "0x1", ExplorerURL: "https://x/tx/0x1",
	}},
	OpenedAt: time.Unix(1, 0), At: time.Unix(2, 0),
}

// Execute renders the template called name for m.
func (t *Template) Execute(name string, m Message) (string, error) {
	var b strings.Builder
	if err := t.t.ExecuteTemplate(&b, name, m); err != nil {
		return "", fmt.Errorf("notify: rendering %q: %w", name, err)
	}
	return b.String(), nil
}

// Title renders the title, on one line (runs of white space, line breaks
// included, become one space).
func (t *Template) Title(m Message) (string, error) {
	s, err := t.Execute("title", m)
	return strings.Join(strings.Fields(s), " "), err
}

// Text renders the message body.
func (t *Template) Text(m Message) (string, error) {
	s, err := t.Execute("text", m)
	return strings.TrimSpace(s), err
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		// utc formats a time as "2006-01-02 15:04:05 UTC"; zero is "".
		"utc": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		"join":  func(list []string, sep string) string { return strings.Join(list, sep) },
		"upper": func(v any) string { return strings.ToUpper(fmt.Sprint(v)) },
		"lower": func(v any) string { return strings.ToLower(fmt.Sprint(v)) },
		// short shortens hashes and revisions: 0x12345678…abcdef.
		"short": func(s string) string {
			switch {
			case strings.HasPrefix(s, "0x") && len(s) > 20:
				return s[:10] + "…" + s[len(s)-6:]
			case len(s) > 16:
				return s[:12]
			}
			return s
		},
		// mrkdwn escapes Slack's control characters.
		"mrkdwn": strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace,
		// markdown escapes Discord's markdown.
		"markdown": strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`, "@", "@\u200b").Replace,
		"truncate": Truncate,
	}
}
