package observe

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
)

// Probe is one condition of /readyz. Check returns nil when ready, or why
// not; it must respect ctx, which bounds it to Health's probe timeout.
type Probe struct {
	Name  string
	Check func(ctx context.Context) error
}

// ProbeResult is a probe that is not ready, and why.
type ProbeResult struct {
	Probe  string `json:"probe"`
	Reason string `json:"reason"`
}

// ReadyReport is the body of /readyz.
type ReadyReport struct {
	Ready bool `json:"ready"`
	// NotReady lists the probes that failed; empty when ready.
	NotReady []ProbeResult `json:"not_ready"`
	// Probes names every probe evaluated.
	Probes []string  `json:"probes"`
	At     time.Time `json:"at"`
}

// DefaultProbeTimeout bounds each probe of one /readyz evaluation.
const DefaultProbeTimeout = 2 * time.Second

// Health evaluates the probes of /readyz. Probes may be added while it
// serves (the engine adds them as it connects things).
type Health struct {
	metrics *Metrics
	timeout time.Duration
	now     func() time.Time

	mu     sync.Mutex
	probes []Probe
}

// NewHealth returns a Health over probes; m (may be nil) gets
// firebreak_ready{probe} from each evaluation.
func NewHealth(m *Metrics, probes ...Probe) *Health {
	return &Health{metrics: m, timeout: DefaultProbeTimeout, now: time.Now, probes: slices.Clone(probes)}
}

// Add adds probes; a probe with the name of an existing one replaces it.
func (h *Health) Add(probes ...Probe) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range probes {
		i := slices.IndexFunc(h.probes, func(q Probe) bool { return q.Name == p.Name })
		if i >= 0 {
			h.probes[i] = p
		} else {
			h.probes = append(h.probes, p)
		}
	}
}

// Check runs every probe at once, each bounded by the probe timeout.
// With no probe at all the engine has not connected anything yet: not
// ready.
func (h *Health) Check(ctx context.Context) ReadyReport {
	h.mu.Lock()
	probes := slices.Clone(h.probes)
	h.mu.Unlock()
	rep := ReadyReport{Ready: true, NotReady: []ProbeResult{}, Probes: []string{}, At: h.now().UTC()}
	if len(probes) == 0 {
		rep.Ready = false
		rep.NotReady = append(rep.NotReady, ProbeResult{Probe: "engine", Reason: "starting: nothing is connected yet"})
		return rep
	}
	errs := make([]error, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, h.timeout)
			defer cancel()
			errs[i] = runProbe(pctx, p)
		})
	}
	wg.Wait()
	for i, p := range probes {
		rep.Probes = append(rep.Probes, p.Name)
		if errs[i] != nil {
			rep.Ready = false
			rep.NotReady = append(rep.NotReady, ProbeResult{Probe: p.Name, Reason: errs[i].Error()})
		}
	}
	h.metrics.observeReady(rep)
	return rep
}

// runProbe runs p, turning a probe that overstays its context into a
// reason instead of a hang.
func runProbe(ctx context.Context, p Probe) error {
	done := make(chan error, 1)
	go func() { done <- p.Check(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer within the probe timeout: %w", ctx.Err())
	}
}

// Run evaluates the probes every interval until ctx ends, so that
// firebreak_ready stays current when nobody asks /readyz.
func (h *Health) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		h.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Connection is what a NATS connection says of itself; *nats.Conn has it.
type Connection interface {
	IsConnected() bool
}

// NATSProbe is ready while c is connected.
func NATSProbe(c Connection) Probe {
	return Probe{Name: "nats", Check: func(context.Context) error {
		if !c.IsConnected() {
			return errors.New("not connected to NATS (reconnecting)")
		}
		return nil
	}}
}

// HeaderReader reads a block header; *ethclient.Client has it.
type HeaderReader interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// ChainProbe is ready while the chain's latest block is at most maxLag
// old by now (nil: time.Now). Its name is chain/<id>.
func ChainProbe(chainID uint64, r HeaderReader, maxLag time.Duration, now func() time.Time) Probe {
	if now == nil {
		now = time.Now
	}
	return Probe{Name: fmt.Sprintf("chain/%d", chainID), Check: func(ctx context.Context) error {
		h, err := r.HeaderByNumber(ctx, nil)
		if err != nil {
			return fmt.Errorf("reading the head block: %s", rpcCause(err))
		}
		if lag := now().Sub(time.Unix(int64(h.Time), 0)); lag > maxLag {
			return fmt.Errorf("head block %d is %s old (max %s)", h.Number, lag.Round(time.Second), maxLag)
		}
		return nil
	}}
}

// VaultProbe is ready while the Vault at addr answers its health endpoint
// unsealed (a standby counts as ready). client nil: a client with the
// probe's context as its only bound.
func VaultProbe(signerName, addr string, client *http.Client) Probe {
	if client == nil {
		client = &http.Client{}
	}
	url := strings.TrimRight(addr, "/") + "/v1/sys/health?standbyok=true&perfstandbyok=true"
	return Probe{Name: "signer/" + signerName, Check: func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("Vault unreachable: %s", transportCause(err))
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK, http.StatusTooManyRequests:
			return nil
		case http.StatusServiceUnavailable:
			return errors.New("Vault is sealed")
		default:
			return fmt.Errorf("Vault health answered %d", resp.StatusCode)
		}
	}}
}
