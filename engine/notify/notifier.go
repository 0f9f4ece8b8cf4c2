package notify

import "context"

// Notifier delivers messages to one channel. Each integration package
// (notify/slack, notify/email, ...) has one.
type Notifier interface {
	// Notify sends msg once. On failure retry says whether a later
	// attempt may succeed (a network error, a 429 or 5xx answer) or
	// cannot (a 4xx answer, bad configuration); the error never holds a
	// secret (a webhook URL, a token).
	Notify(ctx context.Context, msg Message) (retry bool, err error)
}

// NotifierFunc is a function that is a Notifier.
type NotifierFunc func(ctx context.Context, msg Message) (bool, error)

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, msg Message) (bool, error) { return f(ctx, msg) }
