package watch

import "errors"

// Errors of this package. Everything at run time (a node or NATS away) is
// retried, not returned; these come from New.
var (
	// ErrConfig means the watch configuration cannot be compiled into
	// rules: an event signature that does not parse, a condition on an
	// argument the event does not have, a chain without a node.
	ErrConfig = errors.New("watch: configuration")
	// ErrNoRules means the configuration has no watch rules at all.
	ErrNoRules = errors.New("watch: no rules configured (watch.protocols)")
)
