package adapt

import (
	"github.com/firebreak-dev/firebreak/engine/event"
)

// Tenderly alert webhooks (Tenderly docs, "Alert destinations: Webhooks"): {id (UUID,
// unique per delivered alert event: the dedupe key), event_type "TEST" | "ALERT",
// transaction (the un-decoded transaction that triggered the alert)}. No example
// payload is published; the transaction's fields are read by the names of Tenderly's
// Web3 Actions TransactionEvent (network, blockNumber, hash, from, to, logs[{address,
// topics, data}], ...) and their snake_case forms (block_number, gas_used) seen in
// receivers' code, matched loosely. network is the chain id as a decimal string
// ("1", "10"); a name is looked up in the route's chains. TEST deliveries fail with
// ErrNotActionable, so they are answered 200 and never acted on.

func (c *ctx) tenderly() ([]event.Event, error) {
	o, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}
	id := o.str("id")
	kind := o.str("event_type", "eventType", "type")
	switch {
	case kind == "TEST":
		return nil, errorf(ErrNotActionable, "a Tenderly TEST delivery (id %s)", q(id))
	case kind != "ALERT":
		return nil, errorf(ErrMalformed, "event_type %s, want ALERT or TEST", q(kind))
	case id == "":
		return nil, errorf(ErrMalformed, "a Tenderly alert without an id")
	}
	tx := o.sub("transaction")
	if tx == nil {
		return nil, errorf(ErrMalformed, "a Tenderly alert without a transaction")
	}
	al := firstObj(o.sub("alert"), tx.sub("alert"))

	a := &alert{metadata: map[string]any{}}
	a.vendorID = id
	a.ruleID = firstStr(al.str("id"), tx.str("alertId", "alert_id"), o.str("alert_id", "alertId"))
	a.title = al.str("name")
	a.typeKeys = []string{a.ruleID, a.title}
	network := tx.str("network", "network_id", "networkId")
	if n, ok := toUint(network); ok && n > 0 {
		a.chainID = n
	} else {
		a.chainName = network
	}
	a.txHash = firstStr(tx.str("hash"), tx.str("transactionHash", "transaction_hash"))
	a.block, _ = toUint(tx.get("blockNumber", "block_number"))
	if t, ok := parseHTTPDate(headerValue(c.header, "Date")); ok {
		a.timestamp = t
	}
	if addr, ok := toAddress(tx.str("to")); ok {
		a.addrs.add(rankContract, addr)
	}
	for i, l := range tx.list("logs") {
		if i >= maxScan {
			break
		}
		if lo, ok := asObj(l); ok {
			if addr, ok := toAddress(lo.str("address")); ok {
				a.addrs.add(rankContract, addr)
			}
		}
	}
	if addr, ok := toAddress(tx.str("from")); ok {
		a.addrs.add(rankRelated, addr)
	}
	a.metadata["event_type"] = kind
	a.metadata["vendor_alert_id"] = id
	a.metadata["network"] = network
	a.metadata["alert"] = map[string]any(al)
	a.metadata["transaction"] = pick(tx, "from", "to", "value", "nonce", "status", "gas_used", "gasUsed", "input")
	return one(c.build(a))
}

func firstStr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func firstObj(os ...obj) obj {
	for _, o := range os {
		if o != nil {
			return o
		}
	}
	return nil
}

// one wraps a single event's result.
func one(e event.Event, err error) ([]event.Event, error) {
	if err != nil {
		return nil, err
	}
	return []event.Event{e}, nil
}
