package submit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// Mode says where a chain's transactions are broadcast.
type Mode string

// Broadcast modes.
const (
	// Public sends to the node and every extra public endpoint.
	Public Mode = "public"
	// Private sends only to the private relays, so a watcher of the public
	// mempool never sees the transaction before it is mined.
	Private Mode = "private"
	// Both sends everywhere at once.
	Both Mode = "both"
)

// Endpoint is one place a signed transaction can be sent.
type Endpoint struct {
	// Name identifies the endpoint in logs (never a URL with a key in it).
	Name string
	ethereum.TransactionSender
}

// rawCaller is the one method of *rpc.Client a relay needs.
type rawCaller interface {
	CallContext(ctx context.Context, result any, method string, args ...any) error
}

// Relay sends to a private relay (Flashbots Protect style): either with
// eth_sendRawTransaction, or with eth_sendPrivateTransaction and the
// transaction in the request object.
type Relay struct {
	client rawCaller
	method string
}

// Relay methods.
const (
	MethodSendRaw     = "eth_sendRawTransaction"
	MethodSendPrivate = "eth_sendPrivateTransaction"
)

// NewRelay returns a relay calling method (MethodSendRaw or
// MethodSendPrivate) on client, usually an *rpc.Client.
func NewRelay(client rawCaller, method string) *Relay {
	if method == "" {
		method = MethodSendRaw
	}
	return &Relay{client: client, method: method}
}

// SendTransaction sends tx's signed bytes to the relay.
func (r *Relay) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	raw, err := tx.MarshalBinary()
	if err != nil {
		return fmt.Errorf("submit: encoding %s: %w", tx.Hash().Hex(), err)
	}
	var result any
	if r.method == MethodSendPrivate {
		return r.client.CallContext(ctx, &result, r.method, map[string]any{"tx": hexutil.Encode(raw)})
	}
	return r.client.CallContext(ctx, &result, r.method, hexutil.Encode(raw))
}

// broadcast sends tx to every endpoint at once and returns as soon as one
// accepts it (a node that already has it counts); the others finish in the
// background. Each send is bounded by timeout, so an endpoint that never
// answers holds no goroutine past it, however many sends and bumps there
// are. When none accepts, the error is the most telling one: a node's
// verdict (nonce too low, underpriced) wins over a connection error.
func broadcast(ctx context.Context, eps []Endpoint, tx *types.Transaction, timeout time.Duration, log *slog.Logger) error {
	if len(eps) == 0 {
		return ErrNoEndpoint
	}
	if len(eps) == 1 {
		err := Classify(send(ctx, eps[0], tx, timeout))
		if err == nil || errors.Is(err, ErrAlreadyKnown) {
			return nil
		}
		return fmt.Errorf("submit: sending %s to %s: %w", tx.Hash().Hex(), eps[0].Name, err)
	}
	// Buffered for every send: none blocks on a result nobody reads.
	results := make(chan sendResult, len(eps))
	for _, ep := range eps {
		go func() {
			results <- sendResult{ep.Name, Classify(send(ctx, ep, tx, timeout))}
		}()
	}
	var best error
	for i := range eps {
		r := <-results
		if r.err == nil || errors.Is(r.err, ErrAlreadyKnown) {
			if left := len(eps) - i - 1; left > 0 {
				go drain(results, left, tx, log)
			}
			return nil
		}
		err := fmt.Errorf("submit: sending %s to %s: %w", tx.Hash().Hex(), r.ep, r.err)
		if best == nil || (Retryable(best) && !Retryable(err)) {
			best = err
		}
	}
	return best
}

// errSendTimeout is a send the endpoint did not answer within the
// timeout: a connection failure (retried), never the caller's own end.
type errSendTimeout struct {
	ep    string
	after time.Duration
}

func (e errSendTimeout) Error() string {
	return fmt.Sprintf("%s gave no answer within rpc_timeout (%s)", e.ep, e.after)
}
func (e errSendTimeout) Timeout() bool   { return true }
func (e errSendTimeout) Temporary() bool { return true }

// send sends tx to ep within timeout.
func send(ctx context.Context, ep Endpoint, tx *types.Transaction, timeout time.Duration) error {
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := ep.SendTransaction(sctx, tx)
	if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
		return errSendTimeout{ep.Name, timeout}
	}
	return err
}

type sendResult struct {
	ep  string
	err error
}

func drain(results <-chan sendResult, n int, tx *types.Transaction, log *slog.Logger) {
	for range n {
		r := <-results
		if r.err != nil && !errors.Is(r.err, ErrAlreadyKnown) {
			log.Warn("an endpoint refused a transaction another accepted", "endpoint", r.ep, "tx", tx.Hash().Hex(), "err", r.err)
		}
	}
}
