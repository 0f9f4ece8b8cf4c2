package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestSecretPrintsRedacted: however a Secret is printed, logged or
// marshalled, its value does not appear.
func TestSecretPrintsRedacted(t *testing.T) {
	const v = "https://hooks.slack.com/services/T0AAA/B0BBB/cccccccccccccccc"
	s := Secret(v)
	type conf struct {
		URL  Secret
		Name string
	}
	c := conf{URL: s, Name: "slack"}
	var out []string
	for _, f := range []string{"%v", "%s", "%q", "%x", "%d", "%+v", "%#v"} {
		out = append(out, fmt.Sprintf(f, s), fmt.Sprintf(f, c), fmt.Sprintf(f, &c))
	}
	out = append(out, fmt.Sprint(s), s.String())
	j, _ := json.Marshal(c)
	out = append(out, string(j))
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "url", s, "conf", c)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "url", s, "conf", c)
	out = append(out, logs.String())
	for _, o := range out {
		if strings.Contains(o, "cccccccccccccccc") || strings.Contains(o, "T0AAA") {
			t.Errorf("the secret shows in %q", o)
		}
	}
	if s.Reveal() != v {
		t.Error("Reveal lost the value")
	}
}

func TestScrub(t *testing.T) {
	s := Secret("https://user:pa55word@api.example.org/bot123456:ABCDEF/sendMessage?key=QuErYkEy")
	text := "failed: https://user:pa55word@api.example.org/bot123456:ABCDEF/sendMessage?key=QuErYkEy; path /bot123456:ABCDEF/sendMessage, key QuErYkEy, pw pa55word"
	got := Scrub(text, s)
	for _, part := range []string{"123456:ABCDEF", "QuErYkEy", "pa55word"} {
		if strings.Contains(got, part) {
			t.Errorf("%q survived: %s", part, got)
		}
	}
	if !strings.Contains(got, "api.example.org") && !strings.Contains(got, "<secret>") {
		t.Errorf("scrubbed text = %s", got)
	}
	if Scrub("nothing to hide", "") != "nothing to hide" {
		t.Error("an empty secret changed the text")
	}
}
