package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// WatchOptions configure firebreak's own detector (engine/watch): `firebreak
// watch`, or `watch:` in serve's configuration. Per protocol, rules are
// evaluated over every new block and what they find is published as native
// detection events to detections.<Source>, where the engine consumes them
// like any other detector's. No protocols means no watcher.
type WatchOptions struct {
	// Source is the detector's name: events go to detections.<source>
	// with this source (default "firebreak-watch"). It matches
	// [a-z0-9_-] words separated by single dots, and is not "dead".
	Source string `yaml:"source"`
	// Poll is how often the head is read from a chain with no ws
	// endpoint (default 1s); a ws endpoint pushes new heads.
	Poll time.Duration `yaml:"poll"`
	// Confirmations is how many blocks must be on top of a block before
	// it is evaluated; 0 (the default) evaluates the head itself, which
	// is what containment wants, and re-evaluates after a reorg.
	Confirmations uint64 `yaml:"confirmations"`
	// FromBlock is where a watcher with no cursor yet starts; 0 means at
	// the head. Afterwards the cursor (FIREBREAK_WATCH bucket) decides.
	FromBlock uint64 `yaml:"from_block"`
	// Confidence of the events a rule without its own publishes
	// (default 0.95).
	Confidence float64 `yaml:"confidence"`
	// SigningKeyFile holds the detector's ed25519 key (the 32-byte seed
	// as 64 hex digits): every event then carries its signature over the
	// exact bytes in the Firebreak-Signature header. Empty: unsigned.
	SigningKeyFile string `yaml:"signing_key_file"`
	// Protocols by registry name (protocols.<name>).
	Protocols map[string]WatchProtocolOptions `yaml:"protocols"`
}

// WatchProtocolOptions are the watcher's rules for one protocol.
type WatchProtocolOptions struct {
	// KnownAccounts are the protocol's own accounts (admins, operators,
	// treasury, multisigs). With every contract of the registry and the
	// signers' addresses they are what an event rule's in_registry and
	// not_in_registry conditions look an address up in.
	KnownAccounts []string    `yaml:"known_accounts"`
	Rules         []WatchRule `yaml:"rules"`
}

// Watch rule kinds.
const (
	// WatchOutflow: a contract's ETH or ERC-20 balance falls by Threshold
	// or more within WindowBlocks → AlertType (default
	// "anomalous-outflow", severity high), or by ExploitThreshold or
	// more → "exploit", severity critical.
	WatchOutflow = "outflow"
	// WatchEvent: a log with the signature Event, from Contract, whose
	// arguments meet every Where condition → AlertType, Severity.
	WatchEvent = "event"
	// WatchCallRevertBurst: Count or more reverted transactions sent
	// straight to Contract by one sender within WindowBlocks → AlertType
	// (default "call-revert-burst", severity medium).
	WatchCallRevertBurst = "call_revert_burst"
)

// WatchRule is one rule. Which fields apply depends on Kind.
type WatchRule struct {
	// Name identifies the rule within its protocol ([a-z0-9._-]{1,64});
	// it is part of every event id the rule makes.
	Name string `yaml:"name"`
	// Kind is outflow, event or call_revert_burst.
	Kind string `yaml:"kind"`
	// Contract is a contract name of the protocol's registry entry, or a
	// 0x address.
	Contract string `yaml:"contract"`

	// Token (outflow) is the ERC-20 whose balance is watched; empty
	// watches the contract's ETH.
	Token string `yaml:"token"`
	// Threshold and ExploitThreshold (outflow) are amounts in wei
	// ("5000000000000000000") or percentages of the balance at the start
	// of the window ("5%"). ExploitThreshold is optional.
	Threshold        string `yaml:"threshold"`
	ExploitThreshold string `yaml:"exploit_threshold"`
	// WindowBlocks (outflow, call_revert_burst) is how many blocks back
	// the rule looks (default 10 for outflow, 5 for call_revert_burst).
	WindowBlocks uint64 `yaml:"window_blocks"`

	// Event (event) is the log's signature with indexed markers and
	// argument names, like
	// "RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)".
	Event string `yaml:"event"`
	// Where (event) are conditions on the log's arguments, all of which
	// must hold.
	Where []WatchCondition `yaml:"where"`

	// Count (call_revert_burst) is how many reverted calls make a burst
	// (default 3).
	Count int `yaml:"count"`

	// AlertType, Severity and Confidence of the events the rule makes
	// (defaults by kind; Confidence defaults to watch.confidence).
	AlertType  string   `yaml:"alert_type"`
	Severity   string   `yaml:"severity"`
	Confidence *float64 `yaml:"confidence"`
	// Metadata is copied into every event's metadata; MetadataArgs maps
	// metadata keys to event arguments (event rules), so a policy can
	// read, say, metadata.account.
	Metadata     map[string]string `yaml:"metadata"`
	MetadataArgs map[string]string `yaml:"metadata_args"`
	// AttackerArg (event) names the argument that is the attacker; by
	// default the transaction's sender is.
	AttackerArg string `yaml:"attacker_arg"`
}

// WatchCondition is one condition on an event argument.
type WatchCondition struct {
	Arg string `yaml:"arg"`
	// Op is eq, ne, gt, gte, lt, lte (Value: a decimal number, a 0x
	// address or hex, a role name for a bytes32 role, true/false, or a
	// protocol.contract reference), or in_registry / not_in_registry
	// (address arguments; no Value).
	Op    string `yaml:"op"`
	Value string `yaml:"value"`
}

// WatchConditionOps are the operators a WatchCondition takes.
var WatchConditionOps = []string{"eq", "ne", "gt", "gte", "lt", "lte", "in_registry", "not_in_registry"}

// Enabled reports whether any protocol has rules: only then does a watcher run.
func (w WatchOptions) Enabled() bool {
	for _, p := range w.Protocols {
		if len(p.Rules) > 0 {
			return true
		}
	}
	return false
}

var (
	watchSource    = regexp.MustCompile(`^[a-z0-9_-]+(\.[a-z0-9_-]+)*$`)
	watchName      = regexp.MustCompile(`^[a-z0-9._-]{1,64}$`)
	watchThreshold = regexp.MustCompile(`^([0-9]{1,78}|[0-9]{1,3}(\.[0-9]{1,4})?%)$`)
	watchSignature = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\(.*\)$`)
	watchSeverity  = []string{"info", "low", "medium", "high", "critical"}
)

// ValidateWatch checks the watch section against the rest of the options
// (protocols, chains, registry names) and reports the first problem with
// its path. engine/watch checks event signatures and argument names when it
// compiles the rules.
func (o Options) ValidateWatch() error {
	w := o.Watch
	if w.Source != "" && (!watchSource.MatchString(w.Source) || len(w.Source) > 64 || w.Source == "dead") {
		return Errorf("watch.source: %q must be [a-z0-9_-] words joined by dots, at most 64 characters, not \"dead\"", w.Source)
	}
	if w.Poll < 0 {
		return Errorf("watch.poll: %v is negative", w.Poll)
	}
	if w.Confidence < 0 || w.Confidence > 1 {
		return Errorf("watch.confidence: must be between 0 and 1, got %v", w.Confidence)
	}
	for _, pname := range sortedKeys(w.Protocols) {
		p := w.Protocols[pname]
		path := "watch.protocols." + pname
		if !watchName.MatchString(pname) {
			return Errorf("%s: an event's protocol must match [a-z0-9._-]{1,64}", path)
		}
		proto, ok := o.Protocols[pname]
		if !ok {
			return Errorf("%s: no protocol %q in protocols", path, pname)
		}
		if !o.watchChain(proto.ChainID) {
			return Errorf("%s: chain %d is not in chains", path, proto.ChainID)
		}
		for i, a := range p.KnownAccounts {
			if !isAddress(a) {
				return Errorf("%s.known_accounts[%d]: %q is not a 0x address", path, i, a)
			}
		}
		names := map[string]bool{}
		for i, r := range p.Rules {
			rpath := fmt.Sprintf("%s.rules[%d]", path, i)
			if !watchName.MatchString(r.Name) {
				return Errorf("%s.name: %q must match [a-z0-9._-]{1,64}", rpath, r.Name)
			}
			if names[r.Name] {
				return Errorf("%s.name: %q is used twice in %s", rpath, r.Name, pname)
			}
			names[r.Name] = true
			if err := o.validateWatchRule(pname, r); err != nil {
				return Errorf("%s (%s).%v", rpath, r.Name, err)
			}
		}
	}
	return nil
}

func (o Options) watchChain(id uint64) bool {
	for _, c := range o.Chains {
		if c.ID == id {
			return true
		}
	}
	return false
}

func (o Options) validateWatchRule(pname string, r WatchRule) error {
	if r.Contract == "" {
		return fmt.Errorf("contract: required")
	}
	if !isAddress(r.Contract) {
		if _, ok := o.Protocols[pname].Contracts[r.Contract]; !ok {
			return fmt.Errorf("contract: %q is neither a 0x address nor a contract of protocol %s", r.Contract, pname)
		}
	}
	if r.AlertType != "" && !watchName.MatchString(r.AlertType) {
		return fmt.Errorf("alert_type: %q must match [a-z0-9._-]{1,64}", r.AlertType)
	}
	if r.Severity != "" && !slices.Contains(watchSeverity, r.Severity) {
		return fmt.Errorf("severity: %q is not one of %s", r.Severity, strings.Join(watchSeverity, ", "))
	}
	if r.Confidence != nil && (*r.Confidence < 0 || *r.Confidence > 1) {
		return fmt.Errorf("confidence: must be between 0 and 1, got %v", *r.Confidence)
	}
	onlyFor := func(field string, set bool, kinds ...string) error {
		if set && !slices.Contains(kinds, r.Kind) {
			return fmt.Errorf("%s: only for kind %s", field, strings.Join(kinds, " or "))
		}
		return nil
	}
	for _, check := range []error{
		onlyFor("token", r.Token != "", WatchOutflow),
		onlyFor("threshold", r.Threshold != "", WatchOutflow),
		onlyFor("exploit_threshold", r.ExploitThreshold != "", WatchOutflow),
		onlyFor("window_blocks", r.WindowBlocks != 0, WatchOutflow, WatchCallRevertBurst),
		onlyFor("event", r.Event != "", WatchEvent),
		onlyFor("where", len(r.Where) > 0, WatchEvent),
		onlyFor("metadata_args", len(r.MetadataArgs) > 0, WatchEvent),
		onlyFor("attacker_arg", r.AttackerArg != "", WatchEvent),
		onlyFor("count", r.Count != 0, WatchCallRevertBurst),
	} {
		if check != nil {
			return check
		}
	}
	switch r.Kind {
	case WatchOutflow:
		if r.Token != "" && !isAddress(r.Token) {
			return fmt.Errorf("token: %q is not a 0x address", r.Token)
		}
		if r.Threshold == "" {
			return fmt.Errorf("threshold: required (wei, or a percentage like \"5%%\")")
		}
		for _, t := range []struct{ key, v string }{{"threshold", r.Threshold}, {"exploit_threshold", r.ExploitThreshold}} {
			if t.v != "" && !watchThreshold.MatchString(t.v) {
				return fmt.Errorf("%s: %q is neither an amount in wei nor a percentage like \"5%%\"", t.key, t.v)
			}
		}
		if r.WindowBlocks > 10000 {
			return fmt.Errorf("window_blocks: %d is more than 10000", r.WindowBlocks)
		}
	case WatchEvent:
		if !watchSignature.MatchString(strings.TrimSpace(r.Event)) {
			return fmt.Errorf("event: %q is not an event signature like \"Upgraded(address indexed implementation)\"", r.Event)
		}
		if r.AlertType == "" {
			return fmt.Errorf("alert_type: required for kind event")
		}
		for j, c := range r.Where {
			if c.Arg == "" {
				return fmt.Errorf("where[%d].arg: required", j)
			}
			if !slices.Contains(WatchConditionOps, c.Op) {
				return fmt.Errorf("where[%d].op: %q is not one of %s", j, c.Op, strings.Join(WatchConditionOps, ", "))
			}
			registryOp := c.Op == "in_registry" || c.Op == "not_in_registry"
			if registryOp && c.Value != "" {
				return fmt.Errorf("where[%d].value: %s takes no value", j, c.Op)
			}
			if !registryOp && c.Value == "" {
				return fmt.Errorf("where[%d].value: required for %s", j, c.Op)
			}
		}
	case WatchCallRevertBurst:
		if r.Count < 0 || r.Count > 1000 {
			return fmt.Errorf("count: %d is not between 1 and 1000", r.Count)
		}
		if r.WindowBlocks > 10000 {
			return fmt.Errorf("window_blocks: %d is more than 10000", r.WindowBlocks)
		}
	default:
		return fmt.Errorf("kind: %q is not one of %s, %s, %s", r.Kind, WatchOutflow, WatchEvent, WatchCallRevertBurst)
	}
	return nil
}
