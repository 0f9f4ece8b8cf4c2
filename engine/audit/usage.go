package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// Thresholds of Usage.Level, as fractions of the tighter of the audit
// stream's own limit (Options.MaxBytes) and the JetStream account's file
// storage limit. At UsageWarnAt there is time to act (raise the limit,
// add disk, archive an export); at UsageCriticalAt little is left: a full
// stream refuses appends (ErrFull), and the engine does not act on an
// event whose decision it cannot record.
const (
	UsageWarnAt     = 0.80
	UsageCriticalAt = 0.95
)

// UsageLevel says how close the audit stream is to full.
type UsageLevel int

// The levels of Usage.Level.
const (
	UsageOK UsageLevel = iota
	UsageWarn
	UsageCritical
)

func (l UsageLevel) String() string {
	switch l {
	case UsageWarn:
		return "warn"
	case UsageCritical:
		return "critical"
	default:
		return "ok"
	}
}

// Usage is how much the audit stream holds and the limits it can reach.
type Usage struct {
	// Bytes and Records are what the stream holds.
	Bytes   uint64 `json:"bytes"`
	Records uint64 `json:"records"`
	// MaxBytes is the stream's own limit; 0: none.
	MaxBytes int64 `json:"max_bytes,omitempty"`
	// StoreBytes is the file storage the JetStream account uses, all its
	// streams and buckets together, and StoreLimit the account's limit;
	// 0 when the account has no limit or it could not be read.
	StoreBytes uint64 `json:"store_bytes,omitempty"`
	StoreLimit int64  `json:"store_limit,omitempty"`
}

// Fraction is how full the tighter limit is, from 0; 0 when no limit is
// set (the stream then grows until the disk is full: set
// Options.MaxBytes or an account limit to have an alarm).
func (u Usage) Fraction() float64 {
	var f float64
	if u.MaxBytes > 0 {
		f = float64(u.Bytes) / float64(u.MaxBytes)
	}
	if u.StoreLimit > 0 {
		f = max(f, float64(u.StoreBytes)/float64(u.StoreLimit))
	}
	return f
}

// Level is UsageCritical from UsageCriticalAt, UsageWarn from UsageWarnAt.
func (u Usage) Level() UsageLevel {
	switch f := u.Fraction(); {
	case f >= UsageCriticalAt:
		return UsageCritical
	case f >= UsageWarnAt:
		return UsageWarn
	default:
		return UsageOK
	}
}

func (u Usage) String() string {
	s := fmt.Sprintf("audit stream %s holds %d records in %d bytes", Stream, u.Records, u.Bytes)
	if u.MaxBytes > 0 {
		s += fmt.Sprintf(", limit %d bytes", u.MaxBytes)
	}
	if u.StoreLimit > 0 {
		s += fmt.Sprintf("; the account's file storage %d of %d bytes", u.StoreBytes, u.StoreLimit)
	}
	if u.MaxBytes <= 0 && u.StoreLimit <= 0 {
		return s + "; no limit set"
	}
	return s + fmt.Sprintf(" (%.0f%% of the tighter limit: %s)", 100*u.Fraction(), u.Level())
}

// Usage reads how full the audit stream is, for an alarm the engine
// raises periodically: a metric, and a log line at warn level from
// UsageWarn and at error level from UsageCritical. The account's limit is
// read when the identity may; the stream's own figures are the error.
func (l *Log) Usage(ctx context.Context) (Usage, error) {
	s, err := l.js.Stream(ctx, Stream)
	if err != nil {
		return Usage{}, fmt.Errorf("audit: opening stream %s: %w", Stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return Usage{}, fmt.Errorf("audit: reading stream %s: %w", Stream, err)
	}
	u := Usage{Bytes: info.State.Bytes, Records: info.State.Msgs, MaxBytes: max(info.Config.MaxBytes, 0)}
	if acct, err := l.js.AccountInfo(ctx); err == nil {
		tier := acct.Tier
		if t, ok := acct.Tiers[fmt.Sprintf("R%d", max(info.Config.Replicas, 1))]; ok && tier.Limits.MaxStore <= 0 {
			tier = t
		}
		if tier.Limits.MaxStore > 0 {
			u.StoreBytes, u.StoreLimit = tier.Store, tier.Limits.MaxStore
		}
	}
	return u, nil
}

// isFull is the one place that classifies the server's answer to an
// append into a stream or account with no room left: the stream's
// DiscardNew limit ("maximum bytes exceeded", as a store failure) or the
// account's storage.
func isFull(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	const (
		insufficientResources   = 10023
		storageResourcesExceeds = 10047
		storeFailed             = 10077
	)
	switch apiErr.ErrorCode {
	case insufficientResources, storageResourcesExceeds:
		return true
	case storeFailed:
		d := strings.ToLower(apiErr.Description)
		return strings.Contains(d, "maximum bytes") || strings.Contains(d, "maximum messages")
	}
	return false
}
