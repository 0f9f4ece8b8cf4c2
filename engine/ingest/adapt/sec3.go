package adapt

import (
	"github.com/firebreak-dev/firebreak/engine/event"
)

// Sec3 WatchTower alert webhooks (doc.sec3.dev, "Handle Alert via Webhook"): one alert
// per POST, {id, botId, botName, projectId, projectName, userId, username, template,
// severity, tx[] (Solana signatures), detail, target (or targets[] in the docs' Go
// struct), args{}, isArchived, created_at, link}, authenticated by a shared secret in
// a header the user configures. WatchTower watches Solana: its addresses and
// signatures are not EVM ones, so they stay in Metadata and the route supplies the
// chain id and, unless Contracts match nothing anyway, the protocol.

func (c *ctx) sec3() ([]event.Event, error) {
	o, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}
	id := o.str("id")
	if id == "" {
		return nil, errorf(ErrMalformed, "a Sec3 alert without an id")
	}
	a := &alert{metadata: map[string]any{}}
	a.vendorID = id
	bot, template := o.str("botName"), o.str("template")
	a.title = bot
	a.ruleID = firstStr(bot, template, o.str("botId"))
	a.typeKeys = []string{template, bot, o.str("projectName")}
	a.severity = o.str("severity")
	if t, ok := toTime(o.get("created_at", "createdAt")); ok {
		a.timestamp = t
	}
	a.metadata["vendor_alert_id"] = id
	a.metadata["vendor_severity"] = a.severity
	a.metadata["bot_id"] = o.str("botId")
	a.metadata["project"] = o.str("projectName")
	a.metadata["project_id"] = o.str("projectId")
	a.metadata["template"] = template
	a.metadata["description"] = o.str("detail")
	a.metadata["link"] = o.str("link")
	a.metadata["tx"] = o.get("tx")
	a.metadata["target"] = o.get("target")
	a.metadata["targets"] = o.get("targets")
	a.metadata["args"] = o.get("args")
	a.metadata["archived"] = o.get("isArchived")
	return one(c.build(a))
}
