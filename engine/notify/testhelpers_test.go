package notify

import (
	"time"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// sampleMessage is a contained incident with two actions, one sent.
func sampleMessage() Message {
	return Message{
		ID: "incident/inc-1/contained", Kind: KindIncidentContained,
		Title: "Vault drained <fast> & hard", Detail: "Outflow of 1200 ETH in 2 blocks", Severity: event.SeverityCritical,
		Protocol: "demo", IncidentID: "inc-1", EventIDs: []string{"ev-1", "ev-2"},
		Rule: "pause_on_critical", PolicyRevision: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Reasons: []string{"critical exploit alert at confidence 0.97"},
		Actions: []Action{
			{Type: "pause", ChainID: 1, Contract: "demo.vault", State: "final", TxHash: "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060", ExplorerURL: "https://etherscan.io/tx/0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"},
			{Type: "revoke_role", ChainID: 1, Contract: "demo.vault", State: "refused", Reason: "protected role"},
		},
		OpenedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		At:       time.Date(2026, 3, 1, 12, 0, 14, 0, time.UTC),
	}
}
