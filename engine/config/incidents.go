package config

import (
	"slices"
	"time"
)

// IncidentsOptions configure how detection events are grouped into
// incidents (engine/incident). See docs/incidents.md.
type IncidentsOptions struct {
	// Window groups an event without a detector incident id into the
	// open incident of its protocol whose last event arrived at most this
	// long before it (default 30m).
	Window time.Duration `yaml:"window"`
	// MinSeverity is the lowest severity that opens or joins an incident
	// when the policies asked for nothing (default "high"); an event whose
	// decision requested any action always does. One of info, low,
	// medium, high, critical.
	MinSeverity string `yaml:"min_severity"`
}

// DefaultIncidentWindow and DefaultIncidentMinSeverity are the defaults
// of incidents.window and incidents.min_severity.
const (
	DefaultIncidentWindow      = 30 * time.Minute
	DefaultIncidentMinSeverity = "high"
)

// incidentSeverities are the event severities, lowest first (the same
// strings as event.Severity, which config does not import).
var incidentSeverities = []string{"info", "low", "medium", "high", "critical"}

// WindowOrDefault is Window, or the default when unset.
func (o IncidentsOptions) WindowOrDefault() time.Duration {
	if o.Window == 0 {
		return DefaultIncidentWindow
	}
	return o.Window
}

// MinSeverityOrDefault is MinSeverity, or the default when unset.
func (o IncidentsOptions) MinSeverityOrDefault() string {
	if o.MinSeverity == "" {
		return DefaultIncidentMinSeverity
	}
	return o.MinSeverity
}

// ValidateIncidents checks the incidents section.
func (o Options) ValidateIncidents() error {
	in := o.Incidents
	if in.Window < 0 {
		return Errorf("incidents.window: must not be negative, got %s", in.Window)
	}
	if in.Window != 0 && in.Window < time.Second {
		return Errorf("incidents.window: at least 1s, got %s", in.Window)
	}
	if in.MinSeverity != "" && !slices.Contains(incidentSeverities, in.MinSeverity) {
		return Errorf("incidents.min_severity: one of info, low, medium, high, critical, got %q", in.MinSeverity)
	}
	return nil
}
