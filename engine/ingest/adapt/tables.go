package adapt

import (
	"maps"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// The default mappings, as shipped. A route's Severities, AlertTypes and Chains are
// looked up first and override these; DefaultSeverities, DefaultAlertTypes and
// DefaultChains return copies for display (firebreak ingest try, the docs).

// defaultSeverities maps each vendor's severity names (lower-case) to event severities.
//
//   - forta: the Finding.Severity enum of forta-core-go protocol/alert.proto, by name
//     (API and webhook alerts write "CRITICAL", bot SDK findings "Critical") or by number
//     (signed alerts marshalled with encoding/json). UNKNOWN maps to info.
//   - hypernative: riskInsight.severity, documented as Info, Low, Medium, High; Critical
//     is accepted too.
//   - sec3: severity as in the WatchTower example ("critical"); the other names are
//     assumed to be the same five words.
//   - oz-monitor, tenderly: the vendors send no severity; the route's Severity applies.
//   - native: events carry their own severity.
var defaultSeverities = map[Adapter]map[string]event.Severity{
	Forta: {
		"unknown": event.SeverityInfo, "info": event.SeverityInfo, "low": event.SeverityLow,
		"medium": event.SeverityMedium, "high": event.SeverityHigh, "critical": event.SeverityCritical,
		"0": event.SeverityInfo, "1": event.SeverityInfo, "2": event.SeverityLow,
		"3": event.SeverityMedium, "4": event.SeverityHigh, "5": event.SeverityCritical,
	},
	Hypernative: {
		"info": event.SeverityInfo, "low": event.SeverityLow, "medium": event.SeverityMedium,
		"high": event.SeverityHigh, "critical": event.SeverityCritical,
	},
	Sec3: {
		"info": event.SeverityInfo, "low": event.SeverityLow, "medium": event.SeverityMedium,
		"high": event.SeverityHigh, "critical": event.SeverityCritical,
	},
}

// defaultAlertTypes maps vendor alert ids to the alert types the shipped policies act
// on. Only ids confirmed in the vendors' own sources are listed; everything else is the
// route's AlertType or Unclassified until a route maps it.
//
//   - forta: the Attack Detector's alerts (ATTACK-DETECTOR-1 ... -6, -PREPARATION,
//     -MANUAL; forta-network/starter-kits alert-combiner-py) are exploits, except its
//     ATTACK-DETECTOR-FALSE-POSITIVE retraction; the Scam Detector's
//     SCAM-DETECTOR-ICE-PHISHING (approval phishing) is a phishing drainer.
var defaultAlertTypes = map[Adapter]map[string]string{
	Forta: {
		"ATTACK-DETECTOR-*":              "exploit",
		"ATTACK-DETECTOR-FALSE-POSITIVE": "false-positive",
		"SCAM-DETECTOR-ICE-PHISHING":     "phishing-drainer",
	},
}

// defaultChains maps the chain names vendors send (Hypernative's chain slugs, OZ
// Monitor's network slugs, also without "_mainnet") to EIP-155 chain ids.
var defaultChains = map[string]uint64{
	"ethereum": 1, "eth": 1, "mainnet": 1, "ethereum_mainnet": 1,
	"optimism": 10, "op": 10,
	"bsc": 56, "binance": 56, "bnb": 56,
	"gnosis": 100, "xdai": 100,
	"polygon": 137, "matic": 137,
	"fantom":   250,
	"zksync":   324,
	"mantle":   5000,
	"base":     8453,
	"holesky":  17000,
	"arbitrum": 42161, "arbitrum_one": 42161,
	"avalanche": 43114, "avax": 43114,
	"linea":   59144,
	"blast":   81457,
	"scroll":  534352,
	"sepolia": 11155111, "ethereum_sepolia": 11155111,
}

// DefaultSeverities returns a copy of the vendor's default severity mapping (keys in
// lower case); nil for a vendor that sends no severity.
func DefaultSeverities(a Adapter) map[string]event.Severity {
	return maps.Clone(defaultSeverities[a])
}

// DefaultChains returns a copy of the default chain-name mapping.
func DefaultChains() map[string]uint64 { return maps.Clone(defaultChains) }

// DefaultAlertTypes returns a copy of the vendor's default alert-type mapping.
func DefaultAlertTypes(a Adapter) map[string]string {
	return maps.Clone(defaultAlertTypes[a])
}
