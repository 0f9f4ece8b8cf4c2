package adapt

import (
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// OpenZeppelin Monitor webhook bodies (openzeppelin-monitor src/services/notification):
//
//   - raw mode (payload_mode "raw"): serde_json of the MonitorMatch enum, for EVM
//     {"EVM": {monitor, transaction, receipt, logs, network_slug, matched_on,
//     matched_on_args}} (src/models/blockchain/evm/monitor.rs). The filter-script input
//     {"args", "monitor_match": {"EVM": ...}} is read the same way.
//   - template mode (the default): {"title", "body"} as the trigger's message templates
//     rendered them; the route's defaults supply what the text does not say. An
//     address or a single transaction hash in the text is picked up.
//
// Matches on other chain families (Stellar, Midnight, Solana) fail with
// ErrUnknownChain: firebreak acts on EVM chains.

func (c *ctx) ozMonitor() ([]event.Event, error) {
	o, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}
	if mm := o.sub("monitor_match"); mm != nil {
		o = mm
	}
	if evm := o.sub("EVM"); evm != nil {
		e, err := c.ozRaw(evm)
		if err != nil {
			return nil, err
		}
		return []event.Event{e}, nil
	}
	for _, family := range []string{"Stellar", "Midnight", "Solana"} {
		if o.has(family) {
			return nil, errorf(ErrUnknownChain, "an OpenZeppelin Monitor %s match: firebreak acts on EVM chains", family)
		}
	}
	if title, ok := o.get("title").(string); ok {
		body, _ := o.get("body").(string)
		e, err := c.ozTemplate(title, body)
		if err != nil {
			return nil, err
		}
		return []event.Event{e}, nil
	}
	return nil, errorf(ErrMalformed, "neither a raw-mode body {\"EVM\": ...} nor a template-mode body {\"title\", \"body\"}")
}

// ozTime is the timestamp of an OZ Monitor alert: its X-Timestamp (the time it was
// sent), else now.
func (c *ctx) ozTime(a *alert) {
	if t, ok := parseMillis(headerValue(c.header, "X-Timestamp")); ok {
		a.timestamp = t
	}
}

func (c *ctx) ozRaw(m obj) (event.Event, error) {
	monitor := m.sub("monitor")
	tx := m.sub("transaction")
	receipt := m.sub("receipt")
	logs := m.list("logs")
	name := monitor.str("name")
	slug := m.str("network_slug")
	if slug == "" {
		if nets := monitor.list("networks"); len(nets) == 1 {
			slug = text(nets[0])
		}
	}

	a := &alert{metadata: map[string]any{}}
	a.title, a.ruleID = name, name
	a.typeKeys = []string{name}
	a.chainID, _ = toUint(tx.get("chainId"))
	a.chainName = slug
	c.ozTime(a)

	// The transaction hash and block: the transaction's, else the receipt's, else the
	// first log's (the docs' example has placeholders "0x..." in the first two).
	for _, h := range []string{tx.str("hash"), receipt.str("transactionHash"), logField(logs, "transactionHash")} {
		if _, ok := toHash(h); ok {
			a.txHash = h
			break
		}
	}
	for _, b := range []any{tx.get("blockNumber"), receipt.get("blockNumber"), logField(logs, "blockNumber")} {
		if n, ok := toUint(b); ok && n > 0 {
			a.block = n
			break
		}
	}

	// Monitored contracts are the route's "contract" role; other addresses are related.
	monitored := map[common.Address]bool{}
	for _, ma := range monitor.list("addresses") {
		if mo, ok := asObj(ma); ok {
			if addr, ok := toAddress(mo.str("address")); ok {
				monitored[addr] = true
				a.addrs.add(rankContract, addr)
			}
		}
	}
	addSeen := func(s string) {
		if addr, ok := toAddress(s); ok {
			if monitored[addr] {
				a.addrs.add(rankContract, addr)
			} else {
				a.addrs.add(rankRelated, addr)
			}
		}
	}
	addSeen(tx.str("to"))
	addSeen(tx.str("from"))
	for i, l := range logs {
		if i >= maxScan {
			break
		}
		if lo, ok := asObj(l); ok {
			addSeen(lo.str("address"))
		}
	}
	args := m.sub("matched_on_args")
	for _, kind := range []string{"functions", "events"} {
		for _, f := range args.list(kind) {
			fo, _ := asObj(f)
			for _, arg := range fo.list("args") {
				if ao, ok := asObj(arg); ok && strings.HasPrefix(ao.str("kind"), "address") {
					for _, addr := range addressesIn(ao.get("value")) {
						addSeen(addr.Hex())
					}
				}
			}
		}
	}

	if a.txHash != "" && name != "" {
		a.vendorID = slugify(name) + "-" + strings.ToLower(a.txHash)
	} else {
		a.idBytes = c.body
	}
	a.metadata["mode"] = "raw"
	a.metadata["monitor"] = name
	a.metadata["network_slug"] = slug
	a.metadata["matched_on"] = m.get("matched_on")
	a.metadata["matched_on_args"] = m.get("matched_on_args")
	a.metadata["transaction"] = pick(tx, "from", "to", "value", "nonce", "input", "gas", "type")
	a.metadata["receipt_status"] = receipt.str("status")
	a.metadata["log_count"] = len(logs)
	return c.build(a)
}

func (c *ctx) ozTemplate(title, body string) (event.Event, error) {
	a := &alert{metadata: map[string]any{}}
	a.title = title
	a.typeKeys = []string{title}
	a.idBytes = c.body // a retried delivery sends the same rendered message
	c.ozTime(a)
	text := title + "\n" + body
	a.addrs.add(rankRelated, textAddresses(text)...)
	if hashes := uniqueHashes(textHashes(text)); len(hashes) == 1 {
		a.txHash = hashes[0].Hex()
	}
	a.metadata["mode"] = "template"
	a.metadata["body"] = body
	return c.build(a)
}

// logField returns field of the first log that has it.
func logField(logs []any, field string) string {
	for _, l := range logs {
		if lo, ok := asObj(l); ok {
			if s := lo.str(field); s != "" {
				return s
			}
		}
	}
	return ""
}

// pick returns the named fields of o that are set.
func pick(o obj, names ...string) map[string]any {
	out := map[string]any{}
	for _, n := range names {
		if v := o.get(n); v != nil {
			out[n] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// slugify makes s an ID fragment: lower-case letters and digits, other runs as '-'.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			if b.Len() >= 64 {
				break
			}
			continue
		}
		dash = true
	}
	return b.String()
}

func uniqueHashes(hs []common.Hash) []common.Hash {
	var out []common.Hash
	for _, h := range hs {
		if !containsHash(out, h) {
			out = append(out, h)
		}
	}
	return out
}

func containsHash(hs []common.Hash, h common.Hash) bool {
	for _, e := range hs {
		if e == h {
			return true
		}
	}
	return false
}
