package simulate

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/engine/config"
)

// Method is how actions are simulated.
type Method string

// Methods, from the most faithful to the least.
const (
	// MethodAuto picks anvil when it is installed, else eth_simulateV1 on
	// the node, else eth_call.
	MethodAuto Method = "auto"
	// MethodAnvil forks the chain with anvil --fork-url, impersonates the
	// sender and sends real transactions to the fork, one after another.
	MethodAnvil Method = "anvil"
	// MethodSimulateV1 asks the node itself to run the actions and the
	// post-condition reads in one simulated block (eth_simulateV1), with
	// the sender's balance overridden.
	MethodSimulateV1 Method = "eth_simulateV1"
	// MethodCall runs each action as an eth_call from the sender. State
	// does not carry from one call to the next, so post-conditions cannot
	// be checked.
	MethodCall Method = "eth_call"
)

// ParseMethod checks a method name; empty means MethodAuto.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case "":
		return MethodAuto, nil
	case MethodAuto, MethodAnvil, MethodSimulateV1, MethodCall:
		return m, nil
	}
	return "", fmt.Errorf("%w %q (want auto, anvil, eth_simulateV1 or eth_call)", ErrBadMethod, s)
}

// senderFunds is what an impersonated sender is given on the fork so that
// gas is never the reason a simulated action fails; the report says when the
// real account could not pay.
var senderFunds = new(big.Int).Mul(big.NewInt(100), big.NewInt(1e18))

// anvilDefaultAccounts are the accounts of anvil's public default mnemonic
// ("test test … junk"). Their keys are public and a fork overwrites their
// balances, so they are refused as senders.
var anvilDefaultAccounts = map[common.Address]bool{
	common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"): true,
	common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"): true,
	common.HexToAddress("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"): true,
	common.HexToAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906"): true,
	common.HexToAddress("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"): true,
	common.HexToAddress("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"): true,
	common.HexToAddress("0x976EA74026E726554dB657fA54763abd0C3a0aa9"): true,
	common.HexToAddress("0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"): true,
	common.HexToAddress("0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"): true,
	common.HexToAddress("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"): true,
}

// IsAnvilDefaultAccount reports whether a is one of anvil's ten default
// development accounts.
func IsAnvilDefaultAccount(a common.Address) bool { return anvilDefaultAccounts[a] }

// ForkOptions say what to fork and how.
type ForkOptions struct {
	// URL is the node of the real chain.
	URL string
	// Block pins the fork; 0 means the head when the fork is opened.
	Block uint64
	// ChainID, when set, must be what URL serves.
	ChainID uint64
	// Method; empty means MethodAuto.
	Method Method
	// AnvilBin is the anvil binary; empty means FindAnvil.
	AnvilBin string
	// ProbeTimeout bounds the first request to URL (default 10s): a node
	// that does not answer is an error, not a hang.
	ProbeTimeout time.Duration
	// StartTimeout bounds anvil's start-up, which fetches the fork block
	// from URL (default 30s).
	StartTimeout time.Duration
	// Progress, when set, hears what is happening, for a terminal.
	Progress func(msg string)
	// RoleNames are shown by name in decoded calls and reverts.
	RoleNames []string
}

// Fork is a copy of a chain's state to try actions on: an anvil fork, or
// the node itself through eth_simulateV1 or eth_call. Nothing it does
// reaches the real chain. Close it when done.
type Fork struct {
	opts    ForkOptions
	method  Method
	chainID uint64
	block   uint64
	anvil   *Anvil
	// upstream is the real node; node is where calls go (anvil's URL for
	// MethodAnvil, else upstream).
	upstream, node *rpc.Client
	startup        time.Duration
	decoder        *Decoder
	warnings       []string
}

// OpenFork checks that the node answers and, for MethodAnvil, starts an
// anvil fork of it. Every error names the node by its redacted URL only.
func OpenFork(ctx context.Context, opts ForkOptions) (*Fork, error) {
	start := time.Now()
	method, err := ParseMethod(string(opts.Method))
	if err != nil {
		return nil, err
	}
	say := opts.Progress
	if say == nil {
		say = func(string) {}
	}
	safeURL := config.RedactURL(opts.URL)
	if !strings.HasPrefix(opts.URL, "http://") && !strings.HasPrefix(opts.URL, "https://") &&
		!strings.HasPrefix(opts.URL, "ws://") && !strings.HasPrefix(opts.URL, "wss://") {
		return nil, fmt.Errorf("%w: %s is not an http(s) or ws(s) URL", ErrForkUnreachable, safeURL)
	}
	probe := opts.ProbeTimeout
	if probe == 0 {
		probe = 10 * time.Second
	}
	say(fmt.Sprintf("asking %s for its chain and head block", safeURL))
	pctx, cancel := context.WithTimeout(ctx, probe)
	defer cancel()
	upstream, err := rpc.DialContext(pctx, opts.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrForkUnreachable, safeURL, config.RedactURLs(err.Error(), opts.URL))
	}
	f := &Fork{opts: opts, method: method, upstream: upstream, node: upstream, decoder: NewDecoder(opts.RoleNames...)}
	fail := func(err error) (*Fork, error) {
		f.Close()
		return nil, err
	}
	var id, head hexutil.Uint64
	if err := upstream.CallContext(pctx, &id, "eth_chainId"); err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		return fail(fmt.Errorf("%w: %s did not answer eth_chainId within %s: %s", ErrForkUnreachable, safeURL, probe, config.RedactURLs(err.Error(), opts.URL)))
	}
	f.chainID = uint64(id)
	if opts.ChainID != 0 && f.chainID != opts.ChainID {
		return fail(fmt.Errorf("%w: %s serves chain %d, the actions are for chain %d", ErrChainMismatch, safeURL, f.chainID, opts.ChainID))
	}
	if err := upstream.CallContext(pctx, &head, "eth_blockNumber"); err != nil {
		return fail(fmt.Errorf("%w: %s: eth_blockNumber: %s", ErrForkUnreachable, safeURL, config.RedactURLs(err.Error(), opts.URL)))
	}
	f.block = opts.Block
	if f.block == 0 {
		// Pinned, so the guard's precondition reads and the simulation see
		// the same state.
		f.block = uint64(head)
	} else if f.block > uint64(head) {
		return fail(fmt.Errorf("simulate: fork block %d is after the head of %s (%d)", f.block, safeURL, head))
	}

	if method == MethodAuto {
		method = MethodSimulateV1
		if opts.AnvilBin != "" {
			method = MethodAnvil
		} else if _, err := FindAnvil(); err == nil {
			method = MethodAnvil
		}
		f.method = method
	}
	if method == MethodAnvil {
		say(fmt.Sprintf("starting an anvil fork of chain %d at block %d", f.chainID, f.block))
		stopTicker := ticker(say, time.Now())
		a, err := StartAnvil(ctx, AnvilOptions{
			Bin: opts.AnvilBin, ForkURL: opts.URL, ForkBlock: f.block, StartTimeout: opts.StartTimeout,
			// No dev accounts: nothing on the fork differs from the chain
			// but what firebreak does to it.
			Args: []string{"--accounts", "0", "--timeout", strconvMillis(probe), "--retries", "2"},
		})
		stopTicker()
		if err != nil {
			if ctx.Err() != nil {
				return fail(ctx.Err())
			}
			return fail(fmt.Errorf("%w: anvil could not fork %s: %s", ErrForkUnreachable, safeURL, config.RedactURLs(err.Error(), opts.URL)))
		}
		f.anvil = a
		if f.node, err = rpc.DialContext(ctx, a.URL()); err != nil {
			return fail(fmt.Errorf("simulate: connecting to the fork: %w", err))
		}
	}
	f.startup = time.Since(start)
	say(fmt.Sprintf("fork ready (%s, chain %d, block %d) in %d ms", f.method, f.chainID, f.block, f.startup.Milliseconds()))
	return f, nil
}

func strconvMillis(d time.Duration) string { return fmt.Sprint(d.Milliseconds()) }

// ticker tells say every two seconds that anvil is still fetching the fork
// (a remote fork can take a while), until the returned stop is called.
func ticker(say func(string), start time.Time) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				say(fmt.Sprintf("still starting the fork (%.0f s)", now.Sub(start).Seconds()))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// Method is the method this fork simulates with.
func (f *Fork) Method() Method { return f.method }

// Block is the block the fork starts from.
func (f *Fork) Block() uint64 { return f.block }

// ChainID is the forked chain's id.
func (f *Fork) ChainID() uint64 { return f.chainID }

// StartupTime is how long OpenFork took.
func (f *Fork) StartupTime() time.Duration { return f.startup }

// Decoder is the fork's calldata and revert decoder.
func (f *Fork) Decoder() *Decoder { return f.decoder }

// Close stops anvil, if one was started, and closes the connections. It is
// safe to call twice.
func (f *Fork) Close() {
	if f.node != nil && f.node != f.upstream {
		f.node.Close()
	}
	if f.upstream != nil {
		f.upstream.Close()
	}
	f.node, f.upstream = nil, nil
	if f.anvil != nil {
		f.anvil.Stop()
	}
}

// CallContract reads contract state as the simulation sees it: on the
// anvil fork, or on the node at the pinned block. It lets the guard read its
// preconditions on the very state the actions will run on.
func (f *Fork) CallContract(ctx context.Context, msg ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	if msg.To == nil {
		return nil, fmt.Errorf("simulate: a read needs a contract address")
	}
	var out hexutil.Bytes
	err := f.node.CallContext(ctx, &out, "eth_call", callArg(msg.From, *msg.To, msg.Data), f.blockTag())
	return out, err
}

// blockTag is where reads go: the fork's latest state, or the pinned block
// on the real node.
func (f *Fork) blockTag() string {
	if f.method == MethodAnvil {
		return "latest"
	}
	return hexutil.EncodeUint64(f.block)
}

func callArg(from, to common.Address, data []byte) map[string]any {
	arg := map[string]any{"to": to, "input": hexutil.Bytes(data)}
	if from != (common.Address{}) {
		arg["from"] = from
	}
	return arg
}
