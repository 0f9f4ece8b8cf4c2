package config

import (
	"net"
	"time"
)

// MetricsOptions configure the HTTP server of /metrics, /healthz and
// /readyz (engine/observe).
type MetricsOptions struct {
	// Listen is the server's host:port; empty means DefaultMetricsListen,
	// "off" serves nothing. A non-loopback address exposes the metrics
	// (never secrets) to the network: put it behind the network's own
	// access control.
	Listen string `yaml:"listen"`
}

// DefaultMetricsListen is where metrics are served unless metrics.listen
// says otherwise: loopback, Prometheus' port range.
const DefaultMetricsListen = "127.0.0.1:9464"

// MetricsOff is the metrics.listen value that serves nothing.
const MetricsOff = "off"

// Addr is the address to listen on, and false when metrics are off.
func (m MetricsOptions) Addr() (string, bool) {
	switch m.Listen {
	case "":
		return DefaultMetricsListen, true
	case MetricsOff:
		return "", false
	}
	return m.Listen, true
}

// ReadinessOptions configure the readiness check (firebreak check, and
// every Interval in serve): can every configured pauser pause right now?
// Zero values take the defaults below (WithDefaults).
type ReadinessOptions struct {
	// Off turns the continuous check off, for an embedding program whose
	// signers are not the accounts that act: a drill of your own setup
	// signs with stand-in keys that the fork takes as your accounts, and
	// the check would report the stand-ins' missing roles. Never set from
	// the file.
	Off bool `yaml:"-"`
	// Interval between two checks in serve; default 1m.
	Interval time.Duration `yaml:"interval"`
	// MinActions is how many containment transactions each sender's
	// balance must pay for at emergency fees; default 3.
	MinActions int `yaml:"min_actions"`
	// TokenMargin is how long a Vault token must stay valid (or
	// renewable); default 24h.
	TokenMargin time.Duration `yaml:"token_margin"`
	// SafeQuorum is how many owners of each Safe outside firebreak (people,
	// through 'firebreak approve') are counted on to sign in an emergency;
	// the owners firebreak holds plus SafeQuorum must reach the Safe's
	// threshold. Default 0: firebreak alone must reach it.
	SafeQuorum int `yaml:"safe_quorum"`
	// MaxHeadLag is how old a chain's latest block may be; default 2m.
	MaxHeadLag time.Duration `yaml:"max_head_lag"`
	// CallTimeout bounds each RPC and Vault call of a check, so that a
	// node that accepts connections and never answers fails the check
	// instead of holding it; default 5s.
	CallTimeout time.Duration `yaml:"call_timeout"`
}

// The readiness defaults.
const (
	DefaultReadinessInterval = time.Minute
	DefaultMinActions        = 3
	DefaultTokenMargin       = 24 * time.Hour
	DefaultMaxHeadLag        = 2 * time.Minute
	DefaultCallTimeout       = 5 * time.Second
)

// WithDefaults returns r with its zero fields set to the defaults.
func (r ReadinessOptions) WithDefaults() ReadinessOptions {
	if r.Interval == 0 {
		r.Interval = DefaultReadinessInterval
	}
	if r.MinActions == 0 {
		r.MinActions = DefaultMinActions
	}
	if r.TokenMargin == 0 {
		r.TokenMargin = DefaultTokenMargin
	}
	if r.MaxHeadLag == 0 {
		r.MaxHeadLag = DefaultMaxHeadLag
	}
	if r.CallTimeout == 0 {
		r.CallTimeout = DefaultCallTimeout
	}
	return r
}

// ValidateObserve checks metrics and readiness; Validate should call it.
func (o Options) ValidateObserve() error {
	if addr, on := o.Metrics.Addr(); on {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return Errorf("metrics.listen: %q is not host:port (or off)", addr)
		}
	}
	r := o.Readiness
	switch {
	case r.Interval < 0:
		return Errorf("readiness.interval: %v is negative", r.Interval)
	case r.Interval > 0 && r.Interval < time.Second:
		return Errorf("readiness.interval: %v is shorter than a second", r.Interval)
	case r.MinActions < 0:
		return Errorf("readiness.min_actions: %d is negative", r.MinActions)
	case r.TokenMargin < 0:
		return Errorf("readiness.token_margin: %v is negative", r.TokenMargin)
	case r.SafeQuorum < 0:
		return Errorf("readiness.safe_quorum: %d is negative", r.SafeQuorum)
	case r.MaxHeadLag < 0:
		return Errorf("readiness.max_head_lag: %v is negative", r.MaxHeadLag)
	case r.CallTimeout < 0:
		return Errorf("readiness.call_timeout: %v is negative", r.CallTimeout)
	}
	return nil
}
