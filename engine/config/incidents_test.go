package config

import (
	"strings"
	"testing"
	"time"
)

func TestIncidentsConfig(t *testing.T) {
	opts, err := ParseConfig(strings.NewReader(watchBase + `
incidents:
  window: 45m
  min_severity: critical
`))
	if err != nil {
		t.Fatal(err)
	}
	if opts.Incidents.WindowOrDefault() != 45*time.Minute || opts.Incidents.MinSeverityOrDefault() != "critical" {
		t.Errorf("incidents = %+v", opts.Incidents)
	}
	def, err := ParseConfig(strings.NewReader(watchBase))
	if err != nil {
		t.Fatal(err)
	}
	if def.Incidents.WindowOrDefault() != 30*time.Minute || def.Incidents.MinSeverityOrDefault() != "high" {
		t.Errorf("defaults = %v, %s", def.Incidents.WindowOrDefault(), def.Incidents.MinSeverityOrDefault())
	}
}

func TestIncidentsConfigErrors(t *testing.T) {
	tests := []struct {
		yaml, want string
	}{
		{"incidents: {window: -1m}", "incidents.window: must not be negative"},
		{"incidents: {window: 10ms}", "incidents.window: at least 1s"},
		{"incidents: {min_severity: severe}", `incidents.min_severity: one of info, low, medium, high, critical, got "severe"`},
		{"incidents: {windows: 1m}", "windows"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(watchBase + tt.yaml + "\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
