package event

// Severity is how bad a detection is, from SeverityInfo to SeverityCritical. Its JSON
// form is the lower-case name.
type Severity string

// The five severities, in increasing order.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities: info is 0, low 1, medium 2, high 3, critical 4. It returns -1
// for anything that is not one of the five constants (names are case-sensitive).
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 0
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return -1
}

// Valid reports whether s is one of the five severities.
func (s Severity) Valid() bool { return s.Rank() >= 0 }

// AtLeast reports whether s is as severe as min or more. It is false when either s or
// min is not a valid severity, so an unknown severity never passes a threshold.
func (s Severity) AtLeast(min Severity) bool {
	return s.Valid() && min.Valid() && s.Rank() >= min.Rank()
}
