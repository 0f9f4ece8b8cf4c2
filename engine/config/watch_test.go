package config

import (
	"strings"
	"testing"
)

const watchBase = `
data_dir: /tmp/fb
chains: [{id: 1, rpc: "http://127.0.0.1:8545"}]
signers: {g: {kind: local, key_env: KEY}}
protocols:
  p:
    chain_id: 1
    signer: g
    contracts: {vault: {address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", pausable: true}}
`

func TestWatchConfig(t *testing.T) {
	opts, err := ParseConfig(strings.NewReader(watchBase + `
watch:
  source: own-bot
  poll: 2s
  protocols:
    p:
      known_accounts: ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]
      rules:
        - {name: out, kind: outflow, contract: vault, threshold: "5%", exploit_threshold: "1000000000000000000", window_blocks: 5}
        - name: admin-granted
          kind: event
          contract: vault
          event: "RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)"
          where: [{arg: account, op: not_in_registry}, {arg: role, op: eq, value: DEFAULT_ADMIN_ROLE}]
          alert_type: unauthorized-access
          severity: critical
        - {name: reverts, kind: call_revert_burst, contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3", count: 4}
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := opts.ValidateWatch(); err != nil {
		t.Fatal(err)
	}
	if !opts.Watch.Enabled() || len(opts.Watch.Protocols["p"].Rules) != 3 || opts.Watch.Source != "own-bot" {
		t.Errorf("watch %+v", opts.Watch)
	}
}

func TestWatchConfigErrors(t *testing.T) {
	for _, tc := range []struct{ watch, want string }{
		{`{source: dead, protocols: {}}`, "watch.source"},
		{`{protocols: {q: {rules: []}}}`, `no protocol "q"`},
		{`{protocols: {p: {known_accounts: [nope]}}}`, "known_accounts[0]"},
		{`{protocols: {p: {rules: [{name: "A", kind: outflow, contract: vault, threshold: "5%"}]}}}`, "name"},
		{`{protocols: {p: {rules: [{name: a, kind: outflow, contract: vault, threshold: "5%"}, {name: a, kind: outflow, contract: vault, threshold: "5%"}]}}}`, "used twice"},
		{`{protocols: {p: {rules: [{name: a, kind: outflow, contract: nope, threshold: "5%"}]}}}`, "contract"},
		{`{protocols: {p: {rules: [{name: a, kind: outflow, contract: vault}]}}}`, "threshold: required"},
		{`{protocols: {p: {rules: [{name: a, kind: outflow, contract: vault, threshold: "5 ETH"}]}}}`, "threshold"},
		{`{protocols: {p: {rules: [{name: a, kind: outflow, contract: vault, threshold: "5%", event: "X()"}]}}}`, "event: only for kind event"},
		{`{protocols: {p: {rules: [{name: a, kind: event, contract: vault, event: "X()"}]}}}`, "alert_type: required"},
		{`{protocols: {p: {rules: [{name: a, kind: event, contract: vault, event: "nope", alert_type: x}]}}}`, "event"},
		{`{protocols: {p: {rules: [{name: a, kind: event, contract: vault, event: "X(address a)", alert_type: x, where: [{arg: a, op: like, value: b}]}]}}}`, "op"},
		{`{protocols: {p: {rules: [{name: a, kind: event, contract: vault, event: "X(address a)", alert_type: x, where: [{arg: a, op: in_registry, value: b}]}]}}}`, "takes no value"},
		{`{protocols: {p: {rules: [{name: a, kind: event, contract: vault, event: "X(address a)", alert_type: x, severity: urgent}]}}}`, "severity"},
		{`{protocols: {p: {rules: [{name: a, kind: magic, contract: vault}]}}}`, "kind"},
	} {
		opts, err := ParseConfig(strings.NewReader(watchBase + "watch: " + tc.watch + "\n"))
		if err == nil {
			err = opts.ValidateWatch()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("watch %s: error %v, want one naming %q", tc.watch, err, tc.want)
		}
	}
}
