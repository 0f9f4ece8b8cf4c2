package main

import (
	"strings"
	"testing"
)

// The command's usage errors say what is wrong; with no engine at --nats
// it says so, and names no secret.
func TestIncidentReportUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"incident", "report", "-h"}, exitOK, "docs/postmortem.md"},
		{[]string{"incident", "report", "-h"}, exitOK, "SEAL 911"},
		{[]string{"incident", "report"}, exitUsage, "give one incident id"},
		{[]string{"incident", "report", "a", "b"}, exitUsage, "give one incident id"},
		{[]string{"incident", "report", "inc-1", "--format", "pdf"}, exitUsage, `--format "pdf" is not md, html or json`},
		{[]string{"incident", "report", "inc-1", "--public-key", "zz"}, exitUsage, "32 bytes of hex"},
		{[]string{"incident", "report", "inc-1", "--nats", "nats://user:hunter2@127.0.0.1:1", "--timeout", "2s"}, exitFailure, "no firebreak at"},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", tc.args, code, out+errOut, tc.code, tc.want)
		}
		if strings.Contains(out+errOut, "hunter2") {
			t.Errorf("%v: the output shows the URL's password", tc.args)
		}
	}
}
