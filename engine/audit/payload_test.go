package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/event"
)

func loadEvent(t *testing.T, edit func(string) string) event.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "event", "testdata", "critical_exploit.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := event.Decode([]byte(edit(string(b))))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// A re-published event is audited by id and digest: the duplicate record
// stays small however large the event, and tells the same event from
// another payload under a known id.
func TestDuplicateRecordIsADigest(t *testing.T) {
	big := strings.Repeat("x", 60<<10)
	ev := loadEvent(t, func(s string) string { return strings.Replace(s, `"name": "`, `"padding": "`+big+`", "name": "`, 1) })
	other := loadEvent(t, func(s string) string { return strings.Replace(s, `"confidence": 0.9`, `"confidence": 0.1`, 1) })

	d := NewDuplicateData(ev)
	enc, err := ev.Encode()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(enc)
	if d.EventID != ev.ID || d.Source != "forta" || d.PayloadSHA256 != hex.EncodeToString(sum[:]) || d.Size != len(enc) {
		t.Fatalf("NewDuplicateData = %+v; want the id, source, SHA-256 and size of the canonical encoding (%d bytes)", d, len(enc))
	}
	if o := NewDuplicateData(other); o.EventID != d.EventID || o.PayloadSHA256 == d.PayloadSHA256 {
		t.Errorf("another payload under the same id has the same digest: %+v", o)
	}

	js, _ := startJetStream(t)
	l := newLog(t, js, nil)
	rec, err := l.Append(ctxT(t), Entry{Kind: KindDuplicate, EventID: ev.ID, Protocol: ev.Protocol, Data: d})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := rec.Encode()
	if len(body) > 1024 || strings.Contains(string(body), big[:100]) {
		t.Fatalf("the duplicate record of a %d-byte event is %d bytes: it holds the event", len(enc), len(body))
	}
	if s := rec.Summary(); !strings.Contains(s, "already handled") || !strings.Contains(s, d.PayloadSHA256) {
		t.Errorf("summary %q", s)
	}

	// Records written before held the whole event; they still read.
	old, err := l.Append(ctxT(t), Entry{Kind: KindDuplicate, EventID: ev.ID, Data: ReceivedData{Event: other}})
	if err != nil {
		t.Fatal(err)
	}
	if s := old.Summary(); !strings.Contains(s, "already handled, not acted on again: critical exploit alert from forta") {
		t.Errorf("summary of an older duplicate record %q", s)
	}
}
