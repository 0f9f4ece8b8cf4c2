package adapt

import (
	"encoding/json"
	"strings"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// Forta shapes (forta-core-go protocol/webhook/swagger.yml, protocol/alert.proto,
// clients/graphql; forta-bot-sdk Finding):
//
//   - webhook AlertBatch {alerts: Alert[], metrics: BotMetric[]}, Alert =
//     {hash, createdAt, alertId, name, description, findingType, severity, metadata,
//     addresses, labels, relatedAlerts, links, source{transactionHash, bot{id},
//     block{number, hash, timestamp, chainId}, sourceEvent}}: one event per alert;
//   - signed alerts: a SignedAlert {alert{id, timestamp, metadata, finding{alertId,
//     name, severity, type, metadata, addresses, labels, ...}, agent{id}, tags{chainId,
//     txHash, blockNumber}, scanner{address}}, signature, chainId, blockNumber} or an
//     AlertResponse {alerts: SignedAlert[]}; enums may be names or numbers;
//   - GraphQL responses {data: {alerts: {alerts: Alert[]}}} with chainId, contracts[]
//     and source.sourceAlert, a single alert object as the API and explorers print it,
//     and bot SDK findings ({alertId, severity "High", type "Suspicious", labels with
//     object metadata}): read alike, field names matched loosely;
//   - a GraphQL labels response {data: {labels: ...}} holds labels, not alerts: it is
//     refused with ErrNotActionable.

// fortaSeverityNames and fortaTypeNames are the protocol.Finding enums by number.
var (
	fortaSeverityNames = []string{"UNKNOWN", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	fortaTypeNames     = []string{"UNKNOWN_TYPE", "EXPLOIT", "SUSPICIOUS", "DEGRADED", "INFORMATION", "SCAM"}
)

// Metadata keys (folded by normKey) that name an attacker or a victim in the
// Attack Detector's and Scam Detector's alerts (camelCase in the API, snake_case in the
// bots' code); keys starting with "involvedaddresses" name related addresses.
var (
	fortaAttackerKeys = []string{
		"attackeraddress", "attackeraddresses", "attacker", "attackers", "attackereoa",
		"attackercontract", "attackercontracts", "exploiter", "exploiteraddress",
		"scammer", "scammereoa", "scammeraddress", "scammeraddresses", "scammercontract",
		"drainer", "draineraddress",
	}
	fortaVictimKeys = []string{
		"victim", "victims", "victimaddress", "victimaddresses", "victimcontract", "victimcontracts",
	}
)

func (c *ctx) forta() ([]event.Event, error) {
	v, err := decodeJSON(c.body)
	if err != nil {
		return nil, err
	}
	if list, ok := v.([]any); ok {
		return batch(c, "the alert list", list, c.fortaItem)
	}
	o, ok := asObj(v)
	if !ok {
		return nil, errorf(ErrMalformed, "must be a JSON object, got %s", jsonKind(v))
	}
	if d := o.sub("data"); d != nil {
		if d.has("labels") {
			return nil, errorf(ErrNotActionable, "a Forta labels response holds labels, not alerts (query the alert by the label's source.alertHash)")
		}
		if a := d.sub("alerts"); a != nil {
			return batch(c, "the GraphQL alerts response", a.list("alerts"), c.fortaItem)
		}
		if l := d.list("alerts"); l != nil {
			return batch(c, "the GraphQL alerts response", l, c.fortaItem)
		}
		return nil, errorf(ErrMalformed, "a GraphQL response without data.alerts")
	}
	if isSignedAlert(o) || o.get("alertId", "alert_id") != nil {
		e, err := c.fortaItem(0, map[string]any(o))
		if err != nil {
			return nil, err
		}
		return []event.Event{e}, nil
	}
	if o.has("alerts") {
		items := o.list("alerts")
		if len(items) == 0 && o.has("metrics") {
			return nil, errorf(ErrNotActionable, "a Forta batch with metrics and no alerts")
		}
		return batch(c, "the Forta batch", items, c.fortaItem)
	}
	return nil, errorf(ErrMalformed, "not a Forta alert batch, signed alert, alert or GraphQL response")
}

// fortaItem adapts one Forta alert of any of the shapes above.
func (c *ctx) fortaItem(_ int, item any) (event.Event, error) {
	o, ok := asObj(item)
	if !ok {
		return event.Event{}, errorf(ErrMalformed, "alert is a %s, not an object", jsonKind(item))
	}
	a := &alert{metadata: map[string]any{}}
	var finding, src obj
	var hash, created string
	if isSignedAlert(o) {
		inner := o.sub("alert")
		finding = inner.sub("finding")
		if finding == nil {
			return event.Event{}, errorf(ErrMalformed, "signed alert without a finding")
		}
		tags := inner.sub("tags")
		hash, created = inner.str("id"), inner.str("timestamp")
		a.chainID, _ = toUint(firstNonNil(o.get("chainId"), tags.get("chainId")))
		a.block, _ = toUint(firstNonNil(o.get("blockNumber"), tags.get("blockNumber")))
		a.txHash = tags.str("txHash")
		a.metadata["bot_id"] = inner.sub("agent").str("id")
		a.metadata["scanner"] = inner.sub("scanner").str("address")
	} else {
		finding = o
		src = o.sub("source")
		hash = o.str("hash")
		created = o.str("createdAt", "created_at")
		a.chainID, _ = toUint(firstNonNil(o.get("chainId"), src.sub("block").get("chainId"), src.get("chainId")))
		a.block, _ = toUint(src.sub("block").get("number"))
		a.txHash = src.str("transactionHash")
		a.metadata["bot_id"] = src.sub("bot").str("id")
		a.metadata["source_alert"] = firstNonNil(src.get("sourceEvent"), src.get("sourceAlert"))
		a.metadata["links"] = o.get("links")
		a.metadata["block_hash"] = src.sub("block").str("hash")
		if created == "" {
			created = src.sub("block").str("timestamp")
		}
	}

	alertID := finding.str("alertId", "alert_id")
	name := finding.str("name")
	severity := enumName(finding.get("severity"), fortaSeverityNames)
	findingType := enumName(finding.get("findingType", "type"), fortaTypeNames)
	if alertID == "" {
		return event.Event{}, errorf(ErrMalformed, "Forta alert without an alertId")
	}

	a.vendorID = hash
	if hash == "" {
		a.idBytes, _ = json.Marshal(item) // sorted keys: stable however it was formatted
	}
	a.title, a.ruleID = name, alertID
	a.typeKeys = []string{alertID, name, findingType}
	a.severity = severity
	if t, ok := toTime(created); ok {
		a.timestamp = t
	}

	md := finding.get("metadata")
	fortaRoles(&a.addrs, md, finding.list("labels"), o.list("contracts"), finding.list("addresses"))

	a.metadata["vendor_alert_id"] = hash
	a.metadata["vendor_severity"] = severity
	a.metadata["finding_type"] = findingType
	a.metadata["description"] = finding.str("description")
	a.metadata["forta_protocol"] = finding.str("protocol")
	a.metadata["vendor_metadata"] = md
	a.metadata["labels"] = finding.get("labels")
	a.metadata["related_alerts"] = finding.get("relatedAlerts", "related_alerts")
	return c.build(a)
}

// fortaRoles collects the addresses of a Forta alert with their roles: attackers and
// victims named in its metadata or labels, contracts from the GraphQL contracts list,
// and every other address (involvedAddresses*, addresses, other labels) as related.
// Labels that remove an earlier label name no role.
func fortaRoles(s *addrSet, metadata any, labels, contracts, addrs []any) {
	md, _ := asObj(metadata)
	keys := sortedKeys(md)
	for _, k := range keys {
		nk := normKey(k)
		switch {
		case containsStr(fortaAttackerKeys, nk):
			s.add(rankAttacker, addressesIn(md[k])...)
		case containsStr(fortaVictimKeys, nk):
			s.add(rankVictim, addressesIn(md[k])...)
		}
	}
	for i, l := range labels {
		if i >= maxScan {
			break
		}
		lo, ok := asObj(l)
		if !ok {
			continue
		}
		if rm := lo.get("remove"); rm == true || text(rm) == "true" {
			continue
		}
		if et := strings.ToLower(lo.str("entityType")); et != "" && et != "address" && et != "1" {
			continue
		}
		addr, ok := toAddress(lo.str("entity"))
		if !ok {
			continue
		}
		label := strings.ToLower(lo.str("label"))
		switch {
		case strings.Contains(label, "victim"):
			s.add(rankVictim, addr)
		case strings.Contains(label, "attacker"), strings.Contains(label, "scammer"),
			strings.Contains(label, "exploiter"), strings.Contains(label, "drainer"):
			s.add(rankAttacker, addr)
		default:
			s.add(rankRelated, addr)
		}
	}
	s.add(rankContract, addressesIn(contracts)...)
	for _, k := range keys {
		if strings.HasPrefix(normKey(k), "involvedaddresses") {
			s.add(rankRelated, addressesIn(md[k])...)
		}
	}
	s.add(rankRelated, addressesIn(addrs)...)
}

// enumName returns a Forta enum as its name: names as sent, numbers looked up.
func enumName(v any, names []string) string {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil && i >= 0 && int(i) < len(names) {
			return names[i]
		}
	}
	return text(v)
}

func firstNonNil(vs ...any) any {
	for _, v := range vs {
		if v != nil && v != "" {
			return v
		}
	}
	return nil
}

func containsStr(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
