package webhook

import (
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

const routesYAML = `data_dir: /tmp/fb
chains: [{id: 31337, rpc: "http://127.0.0.1:8545"}]
signers: {g: {kind: local, key_env: KEY}}
protocols:
  demo:
    chain_id: 31337
    signer: g
    contracts: {vault: {address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", pausable: true}}
ingress:
  listen: 127.0.0.1:0
  routes:
    oz-vault:
      adapter: oz-monitor
      source: oz
      verify: {secret_env: OZ_SECRET, window: 90s}
      severity: critical
      confidence: 0.95
      chain_id: 31337
      alert_types: {"Vault drain*": exploit}
    forta:
      adapter: forta
      verify: {scanners: ["0x90F79bf6EB2c4f870365E785982E1f101E93b906"]}
      severities: {HIGH: critical}
`

func TestRoutesFromConfig(t *testing.T) {
	opts, err := config.ParseConfig(strings.NewReader(routesYAML))
	if err != nil {
		t.Fatal(err)
	}
	opts.LookupEnv = func(k string) (string, bool) { return "the-oz-secret", k == "OZ_SECRET" }
	routes, err := Routes(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 2 || routes[0].Name != "forta" || routes[1].Name != "oz-vault" {
		t.Fatalf("routes = %+v", routes)
	}
	f, oz := routes[0], routes[1]
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	if oz.Adapter != adapt.OZMonitor || string(oz.Secret) != "the-oz-secret" || oz.Source != "oz" || oz.Window.Seconds() != 90 ||
		oz.Severity != event.SeverityCritical || *oz.Confidence != 0.95 || oz.AlertTypes["Vault drain*"] != "exploit" || oz.Contracts[vault] != "demo" {
		t.Errorf("oz route = %+v", oz)
	}
	if len(f.FortaScanners) != 1 || f.Severities["HIGH"] != event.SeverityCritical || f.Contracts[vault] != "demo" {
		t.Errorf("forta route = %+v", f)
	}

	opts.LookupEnv = nil
	_, err = Routes(opts)
	if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), "OZ_SECRET is not set") {
		t.Errorf("unset secret: %v", err)
	}
	if _, err := Route(opts, "nope"); !errors.Is(err, config.ErrConfig) {
		t.Errorf("unknown route: %v", err)
	}
}
