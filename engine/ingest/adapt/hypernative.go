package adapt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// Hypernative webhook messages (Hypernative API docs, "Webhook message validation" and
// "Webhook alert structure"): {id, data, digitalSignature}, where data is a JSON
// string of {riskInsight, watchlists, customAgents, triggeredAssets, securitySuits}
// and digitalSignature is base64 of an ASN.1 DER ECDSA P-256 signature of SHA-256 of
// the data string's bytes, exactly as sent. The riskInsight is {id, chain, name,
// category, status, timestamp, severity, details, involvedAssets[{address, alias,
// type, chain, involvementType}], riskTypeId, riskTypeDescription, txnHash, stage,
// parentRiId, context[{title, value}]}. The data string may be pretty-printed; an
// object in place of the string is read too (unsigned routes only: there is no string
// to verify). The POST /alerts API response {success, data: [riskInsight...]} is read
// on routes that SkipVerify; it carries no signature.

// HypernativePublishedKey is the public key Hypernative's documentation publishes for
// webhook validation (base64 DER SubjectPublicKeyInfo, ECDSA P-256), taken from a copy
// of its customer documentation; both signed examples of that documentation verify
// with it. Routes may configure another (Route.HypernativePublicKey).
const HypernativePublishedKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEBgZAJk+OuOzp3sO6B+44gqLDzz/X1KloIQYkqefTYMv+URMIvN97gsoLYrZ9K08uQR0XHLXbB0RCTAt6BNFhzQ=="

func (r *Route) hypernativeKey() string {
	if r.HypernativePublicKey != "" {
		return r.HypernativePublicKey
	}
	return HypernativePublishedKey
}

// parsePublicKey reads a P-256 public key from PEM or base64 DER.
func parsePublicKey(s string) (*ecdsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	var der []byte
	if block, _ := pem.Decode([]byte(s)); block != nil {
		der = block.Bytes
	} else {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, errors.New("neither PEM nor base64 DER")
		}
		der = b
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errors.New("not a DER SubjectPublicKeyInfo")
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, errors.New("not an ECDSA P-256 key")
	}
	return pub, nil
}

// verifyHypernative checks digitalSignature over the data string, then that the risk
// insight's timestamp is within the route's window.
func (r *Route) verifyHypernative(now time.Time, body []byte) error {
	o, err := decodeObject(body)
	if err != nil {
		return err
	}
	sigText, _ := o.get("digitalSignature", "digital_signature", "signature").(string)
	if sigText == "" {
		return errorf(ErrMissingSignature, "no digitalSignature")
	}
	data, isStr := o.get("data").(string)
	if !isStr {
		return errorf(ErrBadSignature, "data is a %s, not the signed JSON string", jsonKind(o.get("data")))
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sigText))
	if err != nil {
		return errorf(ErrBadSignature, "digitalSignature is not base64")
	}
	pub, err := parsePublicKey(r.hypernativeKey())
	if err != nil {
		return errorf(ErrConfig, "hypernative public key: %v", err)
	}
	sum := sha256.Sum256([]byte(data))
	if !ecdsa.VerifyASN1(pub, sum[:], sig) {
		return errorf(ErrBadSignature, "digitalSignature does not verify with the route's public key")
	}
	d, err := decodeObject([]byte(data))
	if err != nil {
		return err
	}
	ts := d.sub("riskInsight").get("timestamp")
	t, ok := toTime(ts)
	if !ok {
		return errorf(ErrBadTimestamp, "riskInsight.timestamp %s is not a time", q(text(ts)))
	}
	return r.checkWindow(now, t, "riskInsight.timestamp")
}

func (c *ctx) hypernative() ([]event.Event, error) {
	o, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}
	switch data := o.get("data").(type) {
	case string:
		d, err := decodeObject([]byte(data))
		if err != nil {
			return nil, errorf(ErrMalformed, "data: %v", err)
		}
		return one(c.hypernativeInsight(o.str("id"), d))
	case map[string]any:
		return one(c.hypernativeInsight(o.str("id"), obj(data)))
	case []any:
		// The alerts API response: a list of risk insights.
		return batch(c, "the Hypernative alerts response", data, func(_ int, item any) (event.Event, error) {
			ri, ok := asObj(item)
			if !ok {
				return event.Event{}, errorf(ErrMalformed, "alert is a %s, not an object", jsonKind(item))
			}
			return c.hypernativeInsight("", obj{"riskInsight": map[string]any(ri)})
		})
	}
	return nil, errorf(ErrMalformed, "not a Hypernative webhook message {id, data, digitalSignature} nor an alerts response")
}

// hypernativeInsight adapts the WebhookData d of message msgID.
func (c *ctx) hypernativeInsight(msgID string, d obj) (event.Event, error) {
	ri := d.sub("riskInsight")
	if ri == nil {
		return event.Event{}, errorf(ErrMalformed, "no riskInsight")
	}
	a := &alert{metadata: map[string]any{}}
	a.vendorID = firstStr(ri.str("id"), msgID)
	if a.vendorID == "" {
		return event.Event{}, errorf(ErrMalformed, "a risk insight without an id")
	}
	name, riskType, category := ri.str("name"), ri.str("riskTypeId"), ri.str("category")
	a.title, a.ruleID = name, riskType
	a.typeKeys = []string{riskType, name, category}
	a.severity = ri.str("severity")
	chain := ri.str("chain")
	a.chainName = chain
	if t, ok := toTime(ri.get("timestamp")); ok {
		a.timestamp = t
	}
	context := map[string]any{}
	for _, item := range ri.list("context") {
		if co, ok := asObj(item); ok && co.str("title") != "" && len(context) < maxMetaKeys {
			context[co.str("title")] = co.get("value")
		}
	}
	a.txHash = firstStr(ri.str("txnHash"), text(context["Txn Hash"]))
	a.block, _ = toUint(context["Block Number"])

	var other []any
	for i, item := range ri.list("involvedAssets") {
		if i >= maxScan {
			break
		}
		asset, ok := asObj(item)
		if !ok {
			continue
		}
		addr, ok := toAddress(asset.str("address"))
		if !ok {
			continue
		}
		if ac := asset.str("chain"); ac != "" && chain != "" && !strings.EqualFold(ac, chain) {
			other = append(other, map[string]any(asset)) // on another chain: not this event's
			continue
		}
		a.addrs.add(hypernativeRank(asset.str("involvementType"), asset.str("type")), addr)
	}

	a.metadata["vendor_alert_id"] = a.vendorID
	a.metadata["message_id"] = msgID
	a.metadata["vendor_severity"] = a.severity
	a.metadata["category"] = category
	a.metadata["status"] = ri.str("status")
	a.metadata["chain"] = chain
	a.metadata["description"] = ri.str("details")
	a.metadata["risk_type_description"] = ri.str("riskTypeDescription")
	a.metadata["stage"] = ri.str("stage")
	a.metadata["parent_ri_id"] = ri.str("parentRiId")
	a.metadata["context"] = context
	a.metadata["involved_assets"] = ri.get("involvedAssets")
	a.metadata["other_chain_assets"] = other
	a.metadata["custom_agents"] = names(d.list("customAgents"), "agentName")
	a.metadata["watchlists"] = names(d.list("watchlists"), "name")
	a.metadata["triggered_assets"] = d.get("triggeredAssets", "triggeredByAssets")
	return c.build(a)
}

// hypernativeRank reads an asset's role from its involvementType ("Scammer, Origin",
// "Suspected Victim", "Target") and type ("Contract", "Wallet").
func hypernativeRank(involvement, kind string) int {
	inv := strings.ToLower(involvement)
	for _, w := range []string{"attacker", "scammer", "exploiter", "hacker", "phisher", "drainer", "malicious"} {
		if strings.Contains(inv, w) {
			return rankAttacker
		}
	}
	if strings.Contains(inv, "victim") {
		return rankVictim
	}
	if strings.EqualFold(kind, "contract") && strings.Contains(inv, "target") {
		return rankContract
	}
	return rankRelated
}

// names returns field of each object in list.
func names(list []any, field string) []any {
	var out []any
	for _, it := range list {
		if o, ok := asObj(it); ok {
			if s := o.str(field); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
