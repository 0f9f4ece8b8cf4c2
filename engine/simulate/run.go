package simulate

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/firebreak-dev/firebreak/engine/config"
)

// Check is an action's post-condition: a view that returns a bool, and the
// value it must return once the action took effect.
type Check struct {
	// Description is what a person reads, like "paused() == true".
	Description string         `json:"description"`
	To          common.Address `json:"to"`
	Data        hexutil.Bytes  `json:"data"`
	Want        bool           `json:"want"`
}

// Action is one call to try on the fork.
type Action struct {
	// ID, Type and Target label the action in the report
	// ("demo-1-0", "pause", "demo.vault").
	ID     string `json:"id,omitempty"`
	Type   string `json:"type"`
	Target string `json:"target"`
	// From is the account the real transaction would come from.
	From common.Address `json:"from"`
	// Safe means From is a Safe: on an anvil fork the action goes through
	// its owners and execTransaction; the other methods call from the Safe.
	Safe bool           `json:"safe,omitempty"`
	To   common.Address `json:"to"`
	Data hexutil.Bytes  `json:"data"`
	// Check, when set, is read after the action.
	Check *Check `json:"check,omitempty"`
}

// Statuses of an action and of a post-condition.
const (
	StatusOK       = "ok"       // the action would succeed
	StatusReverted = "reverted" // the contract rejected it
	StatusPass     = "pass"     // post-condition holds
	StatusFail     = "fail"     // post-condition does not hold
	StatusUnknown  = "not_checked"
)

// CheckResult is a post-condition's outcome.
type CheckResult struct {
	Description string `json:"description"`
	Status      string `json:"status"`
	Got         *bool  `json:"got,omitempty"`
	Note        string `json:"note,omitempty"`
}

// ActionResult is what happened to one action on the fork.
type ActionResult struct {
	Action
	Call   Call   `json:"call"`
	Status string `json:"status"`
	// GasUsed on the fork (the estimate when the action reverted early).
	GasUsed uint64 `json:"gas_used,omitempty"`
	// ForkTxHash is the transaction on the anvil fork; it exists nowhere else.
	ForkTxHash    *common.Hash `json:"fork_tx_hash,omitempty"`
	Revert        *Revert      `json:"revert,omitempty"`
	PostCondition *CheckResult `json:"post_condition,omitempty"`
	// SafeOwners are the owners that approved and executed a Safe action
	// on the fork.
	SafeOwners []common.Address `json:"safe_owners,omitempty"`
}

// Failed reports whether the action would fail or its post-condition
// does not hold.
func (r ActionResult) Failed() bool {
	return r.Status != StatusOK || (r.PostCondition != nil && r.PostCondition.Status == StatusFail)
}

// Result is a dry-run of a list of actions. It is what shadow mode records
// and the audit log keeps; its JSON is stable.
type Result struct {
	Method  Method `json:"method"`
	ChainID uint64 `json:"chain_id"`
	// ForkURL is redacted: scheme and host only.
	ForkURL   string         `json:"fork_url"`
	ForkBlock uint64         `json:"fork_block"`
	Actions   []ActionResult `json:"actions"`
	// OK: every action would succeed and no post-condition failed.
	OK bool `json:"ok"`
	// ForkStartupMS is how long opening the fork took; SimulationMS how
	// long the actions took on it.
	ForkStartupMS float64  `json:"fork_startup_ms"`
	SimulationMS  float64  `json:"simulation_ms"`
	Warnings      []string `json:"warnings,omitempty"`
}

// Run tries actions on the fork, in order, each seeing the state the ones
// before it left (except with MethodCall). A revert is a result; the error
// is for a fork that failed (ErrRPC) or a sender that is refused
// (ErrDefaultAccount). Call Run once per Fork: state accumulates.
func (f *Fork) Run(ctx context.Context, actions []Action) (Result, error) {
	start := time.Now()
	res := Result{
		Method: f.method, ChainID: f.chainID, ForkURL: config.RedactURL(f.opts.URL), ForkBlock: f.block,
		Actions: make([]ActionResult, len(actions)), ForkStartupMS: ms(f.startup),
	}
	for i, a := range actions {
		if IsAnvilDefaultAccount(a.From) {
			return res, fmt.Errorf("%w: %s (action %d, %s on %s); configure the real sender's address", ErrDefaultAccount, a.From.Hex(), i+1, a.Type, a.Target)
		}
		res.Actions[i] = ActionResult{Action: a, Call: f.decoder.DecodeCall(a.Data)}
	}
	if err := f.checkFunds(ctx, actions, &res); err != nil {
		return res, err
	}
	var err error
	switch f.method {
	case MethodAnvil:
		err = f.runAnvil(ctx, &res)
	case MethodSimulateV1:
		err = f.runSimulateV1(ctx, &res)
		if fault, _ := classify(err); err != nil && fault == faultUnsupported {
			if f.opts.Method == MethodSimulateV1 {
				// Asked for by name: say so rather than quietly do less.
				return res, f.rpcErr("eth_simulateV1", err)
			}
			res.Warnings = append(res.Warnings, "the node does not offer eth_simulateV1: fell back to eth_call, which cannot check post-conditions")
			f.method, res.Method = MethodCall, MethodCall
			err = f.runCall(ctx, &res)
		}
	case MethodCall:
		err = f.runCall(ctx, &res)
	}
	res.SimulationMS = ms(time.Since(start))
	if err != nil {
		return res, err
	}
	res.OK = true
	for _, a := range res.Actions {
		if a.Failed() {
			res.OK = false
		}
	}
	return res, nil
}

// checkFunds warns when a real sender could not pay for gas: the fork
// funds it, the chain will not.
func (f *Fork) checkFunds(ctx context.Context, actions []Action, res *Result) error {
	seen := map[common.Address]bool{}
	for _, a := range actions {
		if seen[a.From] {
			continue
		}
		seen[a.From] = true
		var bal hexutil.Big
		if err := f.upstream.CallContext(ctx, &bal, "eth_getBalance", a.From, hexutil.EncodeUint64(f.block)); err != nil {
			return f.rpcErr("eth_getBalance", err)
		}
		if bal.ToInt().Sign() == 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("sender %s holds no ether on chain %d at block %d: the real transaction could not pay for gas", a.From.Hex(), f.chainID, f.block))
		}
	}
	return nil
}

func (f *Fork) runAnvil(ctx context.Context, res *Result) error {
	funded := map[common.Address]bool{}
	for i := range res.Actions {
		r := &res.Actions[i]
		if !funded[r.From] {
			if err := f.impersonate(ctx, r.From); err != nil {
				return err
			}
			funded[r.From] = true
		}
		send := f.sendEOA
		if r.Safe {
			send = f.sendSafe
		}
		if err := send(ctx, r); err != nil {
			return err
		}
		if r.Status == StatusOK && r.Check != nil {
			r.PostCondition = f.check(ctx, r.Check)
		}
	}
	return nil
}

// impersonate lets the fork accept unsigned transactions from a and gives
// it ether for gas.
func (f *Fork) impersonate(ctx context.Context, a common.Address) error {
	if err := f.node.CallContext(ctx, nil, "anvil_impersonateAccount", a); err != nil {
		return f.rpcErr("anvil_impersonateAccount", err)
	}
	if err := f.node.CallContext(ctx, nil, "anvil_setBalance", a, (*hexutil.Big)(senderFunds)); err != nil {
		return f.rpcErr("anvil_setBalance", err)
	}
	return nil
}

// sendEOA sends r from its impersonated sender and records status, gas
// and revert reason.
func (f *Fork) sendEOA(ctx context.Context, r *ActionResult) error {
	var gas hexutil.Uint64
	err := f.node.CallContext(ctx, &gas, "eth_estimateGas", callArg(r.From, r.To, r.Data))
	if err != nil {
		if rev, ok := f.revert(err); ok {
			r.Status, r.Revert = StatusReverted, rev
			return nil
		}
		return f.rpcErr("eth_estimateGas", err)
	}
	tx := callArg(r.From, r.To, r.Data)
	tx["gas"] = hexutil.Uint64(uint64(gas) * 5 / 4)
	var hash common.Hash
	if err := f.node.CallContext(ctx, &hash, "eth_sendTransaction", tx); err != nil {
		if rev, ok := f.revert(err); ok {
			r.Status, r.Revert = StatusReverted, rev
			return nil
		}
		return f.rpcErr("eth_sendTransaction", err)
	}
	r.ForkTxHash = &hash
	receipt, err := f.receipt(ctx, hash)
	if err != nil {
		return err
	}
	r.GasUsed = uint64(receipt.GasUsed)
	r.Status = StatusOK
	if receipt.Status != 1 {
		r.Status, r.Revert = StatusReverted, &Revert{Message: "the transaction reverted on the fork"}
	}
	return nil
}

type receipt struct {
	Status  hexutil.Uint64 `json:"status"`
	GasUsed hexutil.Uint64 `json:"gasUsed"`
}

// receipt waits for the fork to mine hash. Anvil mines on arrival, so the
// first read normally has it; the wait follows ctx.
func (f *Fork) receipt(ctx context.Context, hash common.Hash) (receipt, error) {
	for pause := 5 * time.Millisecond; ; pause = min(pause*2, 200*time.Millisecond) {
		var r *receipt
		if err := f.node.CallContext(ctx, &r, "eth_getTransactionReceipt", hash); err != nil {
			return receipt{}, f.rpcErr("eth_getTransactionReceipt", err)
		}
		if r != nil {
			return *r, nil
		}
		select {
		case <-ctx.Done():
			return receipt{}, fmt.Errorf("simulate: waiting for the fork to mine %s: %w", hash.Hex(), ctx.Err())
		case <-time.After(pause):
		}
	}
}

// check reads a post-condition on the fork.
func (f *Fork) check(ctx context.Context, c *Check) *CheckResult {
	var out hexutil.Bytes
	err := f.node.CallContext(ctx, &out, "eth_call", callArg(common.Address{}, c.To, c.Data), "latest")
	return checkResult(c, out, err)
}

func checkResult(c *Check, out []byte, err error) *CheckResult {
	cr := &CheckResult{Description: c.Description}
	switch {
	case err != nil:
		cr.Status, cr.Note = StatusFail, "the read failed: "+err.Error()
	case len(out) != 32:
		cr.Status, cr.Note = StatusFail, fmt.Sprintf("the view returned %d bytes, not a bool", len(out))
	default:
		got := new(big.Int).SetBytes(out).Sign() != 0
		cr.Got = &got
		cr.Status = StatusFail
		if got == c.Want {
			cr.Status = StatusPass
		}
	}
	return cr
}

// simCall is one call's result in an eth_simulateV1 block.
type simCall struct {
	ReturnData hexutil.Bytes  `json:"returnData"`
	GasUsed    hexutil.Uint64 `json:"gasUsed"`
	Status     hexutil.Uint64 `json:"status"`
	Error      *simError      `json:"error"`
}

type simError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

// runSimulateV1 runs every action, each followed by its post-condition
// read, in one simulated block on the node.
func (f *Fork) runSimulateV1(ctx context.Context, res *Result) error {
	overrides := map[common.Address]any{}
	var calls []map[string]any
	for _, r := range res.Actions {
		overrides[r.From] = map[string]any{"balance": (*hexutil.Big)(senderFunds)}
		calls = append(calls, callArg(r.From, r.To, r.Data))
		if r.Check != nil {
			calls = append(calls, callArg(common.Address{}, r.Check.To, r.Check.Data))
		}
	}
	req := map[string]any{
		"blockStateCalls": []any{map[string]any{"stateOverrides": overrides, "calls": calls}},
		"validation":      false,
	}
	var blocks []struct {
		Calls []simCall `json:"calls"`
	}
	if err := f.node.CallContext(ctx, &blocks, "eth_simulateV1", req, hexutil.EncodeUint64(f.block)); err != nil {
		if fault, _ := classify(err); fault == faultUnsupported {
			return err // Run decides: fall back, or report
		}
		return f.rpcErr("eth_simulateV1", err)
	}
	if len(blocks) != 1 || len(blocks[0].Calls) != len(calls) {
		return fmt.Errorf("%w: eth_simulateV1 answered %d blocks for 1, with a different number of calls than the %d sent", ErrRPC, len(blocks), len(calls))
	}
	got := blocks[0].Calls
	for i := range res.Actions {
		r := &res.Actions[i]
		c := got[0]
		got = got[1:]
		r.GasUsed = uint64(c.GasUsed)
		if c.Status == 1 {
			r.Status = StatusOK
		} else {
			r.Status = StatusReverted
			rev := f.decoder.DecodeRevert(hexData(c.ReturnData, c.Error))
			if c.Error != nil && len(rev.Data) == 0 {
				rev.Message = c.Error.Message
			}
			r.Revert = &rev
		}
		if r.Check == nil {
			continue
		}
		chk := got[0]
		got = got[1:]
		if r.Status != StatusOK {
			continue
		}
		var err error
		if chk.Status != 1 {
			err = fmt.Errorf("the view reverted")
		}
		r.PostCondition = checkResult(r.Check, chk.ReturnData, err)
	}
	return nil
}

// hexData is the revert data of a failed simulated call: in returnData, or
// in the error's data field, depending on the node.
func hexData(ret []byte, e *simError) []byte {
	if len(ret) > 0 {
		return ret
	}
	if e != nil {
		if b, err := hexutil.Decode(e.Data); err == nil {
			return b
		}
	}
	return nil
}

// runCall runs each action as an eth_call from its sender at the pinned
// block, with the sender funded by a state override.
func (f *Fork) runCall(ctx context.Context, res *Result) error {
	for i := range res.Actions {
		r := &res.Actions[i]
		overrides := map[common.Address]any{r.From: map[string]any{"balance": (*hexutil.Big)(senderFunds)}}
		var out hexutil.Bytes
		err := f.node.CallContext(ctx, &out, "eth_call", callArg(r.From, r.To, r.Data), hexutil.EncodeUint64(f.block), overrides)
		if err != nil {
			if rev, ok := f.revert(err); ok {
				r.Status, r.Revert = StatusReverted, rev
				continue
			}
			return f.rpcErr("eth_call", err)
		}
		r.Status = StatusOK
		var gas hexutil.Uint64
		if err := f.node.CallContext(ctx, &gas, "eth_estimateGas", callArg(r.From, r.To, r.Data), hexutil.EncodeUint64(f.block)); err == nil {
			r.GasUsed = uint64(gas)
		}
		if r.Check != nil {
			r.PostCondition = &CheckResult{Description: r.Check.Description, Status: StatusUnknown, Note: "eth_call does not keep the action's effect"}
		}
	}
	return nil
}

// revert turns an RPC error into a decoded revert, if it is one.
func (f *Fork) revert(err error) (*Revert, bool) {
	fault, data := classify(err)
	if fault != faultRevert {
		return nil, false
	}
	r := f.decoder.DecodeRevert(data)
	if len(data) == 0 {
		r.Message = config.RedactURLs(err.Error(), f.opts.URL)
	}
	return &r, true
}

// rpcErr reports a failed node call; the text is scrubbed of the URL, so
// only a context error is kept wrapped.
func (f *Fork) rpcErr(method string, err error) error {
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, ctxErr) {
			return fmt.Errorf("%w: %s: %w", ErrRPC, method, ctxErr)
		}
	}
	node := config.RedactURL(f.opts.URL)
	if f.anvil != nil {
		node = "the anvil fork of " + node
	}
	return fmt.Errorf("%w: %s on %s: %s", ErrRPC, method, node, config.RedactURLs(err.Error(), f.opts.URL))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
