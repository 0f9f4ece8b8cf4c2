package test

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/notify/email/smtptest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// TestIncidentEmailedOnceOverSMTP: the email channel, against an SMTP
// relay in the test process (smtptest, standing in for a team's mail
// server: STARTTLS with a certificate made for the test, AUTH PLAIN). A
// critical event opens an incident and the pause contains it; the relay
// takes exactly one mail per change, over TLS, logged in, each naming its
// change, and the contained one carries the pause's transaction hash.
// (Failing and hanging channels are TestIncidentOpenedContainedResolvedNotified's
// and TestIncidentNotifiedOnceAcrossAKill's.)
func TestIncidentEmailedOnceOverSMTP(t *testing.T) {
	const password = "relay-pass-7d1e"
	relay := &smtptest.Server{Password: password}
	smtptest.Start(t, relay)
	caFile := filepath.Join(t.TempDir(), "relay-ca.pem")
	if err := os.WriteFile(caFile, relay.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	is := newIncidentStack(t, func(o *config.Options) {
		o.Notify = config.NotifyOptions{
			Channels: map[string]config.ChannelOptions{"oncall-mail": {
				Type: config.ChannelEmail, Smarthost: relay.Addr(), From: "firebreak@example.org", To: []string{"oncall@example.org"},
				Username: "firebreak", PasswordEnv: "SMTP_PASSWORD", CAFile: caFile,
			}},
			Routes: []config.RouteOptions{{Channels: []string{"oncall-mail"}, Kinds: []string{"incident"}}},
		}
		o.LookupEnv = func(k string) (string, bool) {
			if k == "SMTP_PASSWORD" {
				return password, true
			}
			return "", false
		}
	})
	ev := criticalExploit("incident-mail-1")
	is.publish(ev)
	out := is.outcome(ev.ID)
	if len(out.Actions) != 1 {
		t.Fatalf("actions %+v", out.Actions)
	}
	rec := is.action(out.Actions[0].ActionID)
	if rec.State != record.Mined || rec.TxHash == nil {
		t.Fatalf("the pause: %+v", rec)
	}
	in := is.incidentOf(ev.ID, incident.Contained)
	is.until("both changes to be mailed", func() bool { return len(relay.Mails()) >= 2 })
	is.deliveriesDone()

	mails := relay.Mails()
	var ids []string
	for _, m := range mails {
		if !m.TLS || m.User != "firebreak" || m.Pass != password || !slices.Equal(m.To, []string{"oncall@example.org"}) {
			t.Errorf("mail from %s to %v: TLS %v, user %q", m.From, m.To, m.TLS, m.User)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Header.Get("X-Firebreak-Notification")
		ids = append(ids, id)
		var body bytes.Buffer
		_, _ = body.ReadFrom(msg.Body)
		if strings.HasSuffix(id, "/"+string(incident.Contained)) && !strings.Contains(body.String(), rec.TxHash.Hex()) {
			t.Errorf("the contained mail does not name the pause %s", rec.TxHash.Hex())
		}
		if strings.Contains(body.String(), password) {
			t.Error("a mail holds the SMTP password")
		}
	}
	want := []string{incident.MessageID(in.ID, 0, incident.Detected), incident.MessageID(in.ID, 1, incident.Contained)}
	if !slices.Equal(ids, want) {
		t.Errorf("mailed %v, want each of %v once, in order", ids, want)
	}
}
