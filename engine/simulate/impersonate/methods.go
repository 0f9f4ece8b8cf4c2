package impersonate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// refused are the methods that would let a client send as an account
// without a signature; the engine only sends signed transactions, and
// anvil's impersonation is the proxy's to set up.
var refused = map[string]bool{
	"eth_sendTransaction":              true,
	"eth_sendUnsignedTransaction":      true,
	"eth_signTransaction":              true,
	"eth_sign":                         true,
	"personal_sendTransaction":         true,
	"anvil_impersonateAccount":         true,
	"anvil_stopImpersonatingAccount":   true,
	"anvil_autoImpersonateAccount":     true,
	"hardhat_impersonateAccount":       true,
	"hardhat_stopImpersonatingAccount": true,
}

// handle answers one call: the whole response object.
func (p *Proxy) handle(ctx context.Context, req request) json.RawMessage {
	if refused[req.Method] {
		return errorResponse(req.ID, &rpcError{Code: codeMethodNotFound,
			Message: fmt.Sprintf("impersonate: %s is refused: the drill's proxy forwards signed transactions only", req.Method)})
	}
	var (
		result json.RawMessage
		err    error
		done   bool
	)
	switch req.Method {
	case "eth_sendRawTransaction":
		result, done, err = p.sendRaw(ctx, req)
	case "eth_getTransactionCount", "eth_getBalance", "eth_getCode":
		result, done, err = p.asAccount(ctx, req)
	case "eth_call", "eth_estimateGas", "eth_createAccessList":
		result, done, err = p.fromAccount(ctx, req)
	case "eth_getTransactionReceipt":
		result, done, err = p.byLocalHash(ctx, req, p.rewriteReceipt)
	case "eth_getTransactionByHash":
		result, done, err = p.byLocalHash(ctx, req, p.rewriteTx)
	case "eth_getTransactionByBlockHashAndIndex", "eth_getTransactionByBlockNumberAndIndex":
		result, done, err = p.rewritten(ctx, req, p.rewriteTx)
	case "eth_getBlockByNumber", "eth_getBlockByHash":
		result, done, err = p.rewritten(ctx, req, p.rewriteBlock)
	case "eth_getBlockReceipts":
		result, done, err = p.rewritten(ctx, req, p.rewriteEach(p.rewriteReceipt))
	case "eth_getLogs", "eth_getFilterLogs", "eth_getFilterChanges":
		result, done, err = p.rewritten(ctx, req, p.rewriteEach(p.rewriteLog))
	}
	if !done && err == nil {
		return p.passThrough(ctx, req)
	}
	if err != nil {
		var re *rpcError
		if errors.As(err, &re) {
			return errorResponse(req.ID, re)
		}
		return errorResponse(req.ID, &rpcError{Code: codeInternal, Message: err.Error()})
	}
	return resultResponse(req.ID, result)
}

// passThrough forwards the call verbatim and answers the upstream's answer.
func (p *Proxy) passThrough(ctx context.Context, req request) json.RawMessage {
	out, err := p.up.post(ctx, req.raw)
	if err != nil {
		return errorResponse(req.ID, &rpcError{Code: codeInternal, Message: err.Error()})
	}
	return bytes.TrimSpace(out)
}

// forward calls the upstream with the call's method and params ps.
func (p *Proxy) forward(ctx context.Context, req request, ps []json.RawMessage) (json.RawMessage, error) {
	args := make([]any, len(ps))
	for i, v := range ps {
		args[i] = v
	}
	return p.up.call(ctx, req.Method, args...)
}

// sendRaw sends a transaction signed by a stand-in as its account, from
// which anvil takes it without a signature; it answers the local hash.
// Any other transaction (or one that does not decode) goes through.
func (p *Proxy) sendRaw(ctx context.Context, req request) (json.RawMessage, bool, error) {
	ps, ok := req.params()
	if !ok || len(ps) != 1 {
		return nil, false, nil
	}
	var raw hexutil.Bytes
	if err := json.Unmarshal(ps[0], &raw); err != nil {
		return nil, false, nil
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return nil, false, nil
	}
	from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
	if err != nil {
		return nil, false, nil
	}
	account, ok := p.standIns[from]
	if !ok {
		return nil, false, nil
	}
	local := tx.Hash()
	if tx.ChainId().Cmp(p.chainID) != 0 {
		return nil, true, &rpcError{Code: codeServer, Message: fmt.Sprintf(
			"impersonate: transaction %s from stand-in %s is for chain %s, the fork is chain %s", local, from, tx.ChainId(), p.chainID)}
	}
	args := map[string]any{
		"from":    account,
		"gas":     hexutil.Uint64(tx.Gas()),
		"value":   (*hexutil.Big)(tx.Value()),
		"input":   hexutil.Bytes(tx.Data()),
		"nonce":   hexutil.Uint64(tx.Nonce()),
		"chainId": (*hexutil.Big)(tx.ChainId()),
		"type":    hexutil.Uint64(tx.Type()),
	}
	if to := tx.To(); to != nil {
		args["to"] = *to
	}
	switch tx.Type() {
	case types.LegacyTxType:
		args["gasPrice"] = (*hexutil.Big)(tx.GasPrice())
	case types.AccessListTxType:
		args["gasPrice"] = (*hexutil.Big)(tx.GasPrice())
		args["accessList"] = tx.AccessList()
	case types.DynamicFeeTxType:
		args["maxFeePerGas"] = (*hexutil.Big)(tx.GasFeeCap())
		args["maxPriorityFeePerGas"] = (*hexutil.Big)(tx.GasTipCap())
		args["accessList"] = tx.AccessList()
	default:
		return nil, true, &rpcError{Code: codeServer, Message: fmt.Sprintf(
			"impersonate: transaction %s from stand-in %s is of type %d; only legacy, access-list and EIP-1559 transactions can be impersonated", local, from, tx.Type())}
	}
	p.sending.Lock()
	defer p.sending.Unlock()
	res, err := p.up.call(ctx, "eth_sendTransaction", args)
	if err != nil {
		return nil, true, err
	}
	var fork common.Hash
	if err := json.Unmarshal(res, &fork); err != nil {
		return nil, true, fmt.Errorf("%w: eth_sendTransaction answered %.80s, not a hash", ErrUpstream, res)
	}
	p.remember(tx, from, fork)
	p.log.Info("impersonated transaction sent", "local_tx", local, "fork_tx", fork,
		"stand_in", from, "account", account, "nonce", tx.Nonce())
	out, _ := json.Marshal(local)
	return out, true, nil
}

// asAccount asks for the account of a stand-in in the first parameter
// (nonce, balance, code).
func (p *Proxy) asAccount(ctx context.Context, req request) (json.RawMessage, bool, error) {
	ps, ok := req.params()
	if !ok || len(ps) == 0 {
		return nil, false, nil
	}
	var addr common.Address
	if err := json.Unmarshal(ps[0], &addr); err != nil {
		return nil, false, nil
	}
	account, ok := p.standIns[addr]
	if !ok {
		return nil, false, nil
	}
	ps[0], _ = json.Marshal(account)
	res, err := p.forward(ctx, req, ps)
	return res, true, err
}

// fromAccount makes a call whose from is a stand-in from its account.
func (p *Proxy) fromAccount(ctx context.Context, req request) (json.RawMessage, bool, error) {
	ps, ok := req.params()
	if !ok || len(ps) == 0 {
		return nil, false, nil
	}
	var call map[string]json.RawMessage
	if err := json.Unmarshal(ps[0], &call); err != nil || call == nil {
		return nil, false, nil
	}
	var from common.Address
	if err := json.Unmarshal(call["from"], &from); err != nil {
		return nil, false, nil
	}
	account, ok := p.standIns[from]
	if !ok {
		return nil, false, nil
	}
	call["from"], _ = json.Marshal(account)
	ps[0], _ = json.Marshal(call)
	res, err := p.forward(ctx, req, ps)
	return res, true, err
}

// localParam is the first parameter as a mapped local hash.
func (p *Proxy) localParam(req request) ([]json.RawMessage, common.Hash, bool) {
	ps, ok := req.params()
	if !ok || len(ps) == 0 {
		return nil, common.Hash{}, false
	}
	var local common.Hash
	if err := json.Unmarshal(ps[0], &local); err != nil {
		return nil, common.Hash{}, false
	}
	fork, ok := p.ForkHash(local)
	if !ok {
		return nil, common.Hash{}, false
	}
	ps[0], _ = json.Marshal(fork)
	return ps, local, true
}

// byLocalHash asks for what a local hash names (its receipt, its
// transaction) by its fork hash, and rewrites the answer with rewrite.
func (p *Proxy) byLocalHash(ctx context.Context, req request, rewrite func(json.RawMessage) json.RawMessage) (json.RawMessage, bool, error) {
	p.sending.RLock()
	defer p.sending.RUnlock()
	ps, _, ok := p.localParam(req)
	if !ok {
		return nil, false, nil
	}
	res, err := p.forward(ctx, req, ps)
	if err != nil {
		return nil, true, err
	}
	return rewrite(res), true, nil
}

// rewritten forwards the call with its params and rewrites the result.
func (p *Proxy) rewritten(ctx context.Context, req request, rewrite func(json.RawMessage) json.RawMessage) (json.RawMessage, bool, error) {
	ps, ok := req.params()
	if !ok {
		return nil, false, nil
	}
	p.sending.RLock()
	defer p.sending.RUnlock()
	res, err := p.forward(ctx, req, ps)
	if err != nil {
		return nil, true, err
	}
	return rewrite(res), true, nil
}
