package impersonate

import (
	"bytes"
	"encoding/json"

	"github.com/ethereum/go-ethereum/common"
)

// The rewrites below replace what the fork shows of an impersonated
// transaction (its fork hash, S as sender, anvil's stand-in signature) by
// the transaction firebreak signed. Anything they do not recognise they
// return unchanged: a read the proxy cannot improve is still the fork's.

// object decodes a JSON object; nil for null or anything else.
func object(raw json.RawMessage) map[string]json.RawMessage {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil
	}
	return obj
}

// hashField is obj[key] as a hash.
func hashField(obj map[string]json.RawMessage, key string) (common.Hash, bool) {
	v, ok := obj[key]
	if !ok {
		return common.Hash{}, false
	}
	var h common.Hash
	if err := json.Unmarshal(v, &h); err != nil {
		return common.Hash{}, false
	}
	return h, true
}

func mustJSON(v any) json.RawMessage {
	out, _ := json.Marshal(v)
	return out
}

// rewriteReceipt shows a receipt of a mapped fork transaction as the local
// one's: its hash, each log's and the stand-in as from.
func (p *Proxy) rewriteReceipt(raw json.RawMessage) json.RawMessage {
	obj := object(raw)
	fork, ok := hashField(obj, "transactionHash")
	if !ok {
		return raw
	}
	lt, ok := p.byFork(fork)
	if !ok {
		return raw
	}
	obj["transactionHash"] = mustJSON(lt.tx.Hash())
	obj["from"] = mustJSON(lt.standIn)
	if logs, ok := obj["logs"]; ok {
		obj["logs"] = p.rewriteEach(p.rewriteLog)(logs)
	}
	return mustJSON(obj)
}

// rewriteLog sets a log's transactionHash to the local hash; a bare hash
// (a filter's pending transactions) is replaced the same way.
func (p *Proxy) rewriteLog(raw json.RawMessage) json.RawMessage {
	if h, ok := p.hashString(raw); ok {
		return mustJSON(h)
	}
	obj := object(raw)
	fork, ok := hashField(obj, "transactionHash")
	if !ok {
		return raw
	}
	local, ok := p.LocalHash(fork)
	if !ok {
		return raw
	}
	obj["transactionHash"] = mustJSON(local)
	return mustJSON(obj)
}

// hashString is raw, a JSON string of a mapped fork hash, as its local hash.
func (p *Proxy) hashString(raw json.RawMessage) (common.Hash, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return common.Hash{}, false
	}
	var fork common.Hash
	if err := json.Unmarshal(raw, &fork); err != nil {
		return common.Hash{}, false
	}
	return p.LocalHash(fork)
}

// rewriteEach applies rewrite to each element of a JSON array.
func (p *Proxy) rewriteEach(rewrite func(json.RawMessage) json.RawMessage) func(json.RawMessage) json.RawMessage {
	return func(raw json.RawMessage) json.RawMessage {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil || list == nil {
			return raw
		}
		for i := range list {
			list[i] = rewrite(list[i])
		}
		return mustJSON(list)
	}
}

// rewriteTx replaces a mapped fork transaction by the local signed one, as
// go-ethereum encodes it, with the fork's place in its block (null while
// pending) and the stand-in as from: ethclient decodes it and its Hash() is
// the local hash.
func (p *Proxy) rewriteTx(raw json.RawMessage) json.RawMessage {
	if h, ok := p.hashString(raw); ok {
		return mustJSON(h)
	}
	fork := object(raw)
	h, ok := hashField(fork, "hash")
	if !ok {
		return raw
	}
	lt, ok := p.byFork(h)
	if !ok {
		return raw
	}
	enc, err := lt.tx.MarshalJSON()
	if err != nil {
		return raw
	}
	obj := object(enc)
	if obj == nil {
		return raw
	}
	for _, key := range []string{"blockHash", "blockNumber", "transactionIndex"} {
		if v, ok := fork[key]; ok {
			obj[key] = v
		} else {
			obj[key] = json.RawMessage("null")
		}
	}
	// The effective gas price of an EIP-1559 transaction is the node's to say.
	if _, ok := obj["gasPrice"]; !ok {
		if v, ok := fork["gasPrice"]; ok {
			obj["gasPrice"] = v
		}
	}
	obj["from"] = mustJSON(lt.standIn)
	return mustJSON(obj)
}

// rewriteBlock rewrites each of a block's transactions, full or hashes
// only; the block's own fields (its hash, its roots) stay the fork's.
func (p *Proxy) rewriteBlock(raw json.RawMessage) json.RawMessage {
	obj := object(raw)
	txs, ok := obj["transactions"]
	if !ok {
		return raw
	}
	obj["transactions"] = p.rewriteEach(p.rewriteTx)(txs)
	return mustJSON(obj)
}
