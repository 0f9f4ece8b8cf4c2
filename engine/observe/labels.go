package observe

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// maxLabelValues bounds the distinct values one label of one metric takes:
// past it, new values count as "other". Labels hold protocols, sources,
// chains and reason classes, never event or action ids, and an event can
// name any protocol or source it likes: the bound keeps a noisy or hostile
// detector from growing the exposition without end.
const maxLabelValues = 64

// maxLabelLen bounds one label value, in bytes.
const maxLabelLen = 64

// otherLabel is the value every label value past the bound becomes.
const otherLabel = "other"

// boundedLabel admits the first maxLabelValues distinct values of a label.
type boundedLabel struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

func newBoundedLabel() *boundedLabel { return &boundedLabel{seen: map[string]struct{}{}} }

// value is v as the label shows it: cut to maxLabelLen, "none" when empty,
// "other" once the label holds maxLabelValues distinct values.
func (b *boundedLabel) value(v string) string {
	v = cleanLabel(v)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.seen[v]; ok {
		return v
	}
	if len(b.seen) >= maxLabelValues {
		return otherLabel
	}
	b.seen[v] = struct{}{}
	return v
}

func cleanLabel(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return "none"
	}
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "?")
	}
	if len(v) > maxLabelLen {
		n := maxLabelLen
		for n > 0 && !utf8.RuneStart(v[n]) {
			n--
		}
		v = v[:n]
	}
	return v
}

// Dead-letter reason classes: the reason label of
// firebreak_dead_letters_total.
const (
	ReasonInvalid         = "invalid"         // the event did not decode or validate
	ReasonUnauthenticated = "unauthenticated" // the sender's signature or identity did not verify
	ReasonStale           = "stale"           // too old, or from the future
	ReasonUnsupported     = "unsupported"     // no adapter or route for the payload
	ReasonMaxDeliveries   = "max_deliveries"  // transient failures outlasted the redeliveries
	ReasonHandler         = "handler"         // the pipeline refused it for good
)

// DeadLetterClass sorts a dead letter's reason text into one of the
// Reason* classes, so that a label never carries free text. It is the one
// place that reads reason texts.
func DeadLetterClass(reason string) string {
	r := strings.ToLower(reason)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(r, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("gave up after", "deliveries"):
		return ReasonMaxDeliveries
	case has("signature", "unauthenticated", "not authenticated", "verif", "hmac", "identity", "not allowed to publish"):
		return ReasonUnauthenticated
	case has("stale", "too old", "in the future", "freshness", "expired"):
		return ReasonStale
	case has("unknown route", "no adapter", "unsupported", "unknown format", "unknown vendor"):
		return ReasonUnsupported
	case strings.HasPrefix(r, "event:") || has("invalid", "decod", "malformed", "json"):
		return ReasonInvalid
	default:
		return ReasonHandler
	}
}
