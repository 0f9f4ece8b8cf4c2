package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultTemplates(t *testing.T) {
	m := sampleMessage()
	tests := []struct {
		typ  string
		want []string // in the text
		not  []string
	}{
		{"slack", []string{"*Why*", "<https://etherscan.io/tx/0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060|0x5c504ed4…b22060>", "— refused (protected role)"}, nil},
		{"discord", []string{"**Actions**", "[0x5c504ed4…b22060](https://etherscan.io/tx/", "Rule `pause_on_critical`"}, nil},
		{"telegram", []string{"<b>Incident contained · demo: Vault drained &lt;fast&gt; &amp; hard</b>", `<a href="https://etherscan.io/tx/`}, []string{"<fast>"}},
		{"email", []string{"Severity: critical", "Events: ev-1, ev-2", "  - pause demo.vault on chain 1: final", "    tx 0x5c50", "At: 2026-03-01 12:00:14 UTC", "Opened: 2026-03-01 12:00:00 UTC"}, nil},
		{"webhook", []string{"Reasons:\n  - critical exploit alert at confidence 0.97"}, nil},
		{"pagerduty", []string{"Policy revision: 9f86d081884c"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			tm, err := ParseTemplate(tt.typ, "")
			if err != nil {
				t.Fatal(err)
			}
			title, err := tm.Title(m)
			if err != nil || title != "Incident contained · demo: Vault drained <fast> & hard" {
				t.Errorf("title = %q, %v", title, err)
			}
			text, err := tm.Text(m)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("text has %q:\n%s", w, text)
				}
			}
		})
	}
	// A message with only what is required renders on every type.
	for typ := range templateFiles {
		tm, _ := ParseTemplate(typ, "")
		if _, err := tm.Text(Message{ID: "x", Kind: KindDeadLetter, Title: "t"}); err != nil {
			t.Errorf("%s: minimal message: %v", typ, err)
		}
	}
}

func TestTemplateOverride(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ops.tmpl")
	text := `{{ define "title" }}[{{ upper .Severity }}] {{ .Title }}{{ end }}{{ define "text" }}{{ join .EventIDs "+" }} {{ truncate .Detail 8 }}{{ end }}`
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	tm, err := NewTemplate("slack", file)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := tm.Title(sampleMessage()); got != "[CRITICAL] Vault drained <fast> & hard" {
		t.Errorf("title = %q", got)
	}
	if got, _ := tm.Text(sampleMessage()); got != "ev-1+ev-2 Outflow…" {
		t.Errorf("text = %q", got)
	}
	for name, bad := range map[string]string{
		"syntax":        `{{ define "text" }}{{ .Title `,
		"unknown field": `{{ define "text" }}{{ .Titel }}{{ end }}`,
		"wrong type":    `{{ define "text" }}{{ join .Title "," }}{{ end }}`,
	} {
		if _, err := ParseTemplate("slack", bad); err == nil {
			t.Errorf("%s: a broken template was accepted", name)
		}
	}
	if _, err := NewTemplate("slack", filepath.Join(t.TempDir(), "missing.tmpl")); err == nil {
		t.Error("a missing template file was accepted")
	}
	if _, err := ParseTemplate("fax", ""); err == nil {
		t.Error("an unknown channel type has templates")
	}
}

func TestEscapers(t *testing.T) {
	f := templateFuncs()
	if got := f["mrkdwn"].(func(string) string)("a <b> & c"); got != "a &lt;b&gt; &amp; c" {
		t.Errorf("mrkdwn = %q", got)
	}
	if got := f["markdown"].(func(string) string)("*bold* @everyone"); got != `\*bold\* @`+"\u200b"+`everyone` {
		t.Errorf("markdown = %q", got)
	}
}
