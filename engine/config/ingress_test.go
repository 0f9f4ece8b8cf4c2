package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// ingressConfig is validConfig with an ingress section.
func ingressConfig(ingress string) string { return validConfig + "ingress:\n" + ingress }

func TestIngressConfig(t *testing.T) {
	opts, err := ParseConfig(strings.NewReader(ingressConfig(`
  listen: 127.0.0.1:8443
  routes:
    oz-vault:
      adapter: oz-monitor
      verify: {secret_env: OZ_SECRET, window: 2m}
      protocol: p
      severity: critical
      confidence: 0.95
      chain_id: 1
      alert_types: {"Vault drain*": exploit}
    forta:
      adapter: forta
      source: forta-feed
      verify: {scanners: ["0x90F79bf6EB2c4f870365E785982E1f101E93b906"]}
      severities: {HIGH: critical}
`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := opts.ValidateIngress(); err != nil {
		t.Fatal(err)
	}
	in := opts.Ingress
	if !in.Loopback() || len(in.Routes) != 2 || in.Routes["forta"].SourceOr("forta") != "forta-feed" || in.Routes["oz-vault"].SourceOr("oz-vault") != "oz-vault" {
		t.Errorf("ingress = %+v", in)
	}
	if d := in.WithDefaults(); d.MaxConcurrent != 256 || d.ReadHeaderTimeout == 0 || d.PublishTimeout == 0 {
		t.Errorf("defaults = %+v", d)
	}
	if got := in.RouteNames(); strings.Join(got, ",") != "forta,oz-vault" {
		t.Errorf("RouteNames = %v", got)
	}

	opts.LookupEnv = func(k string) (string, bool) {
		if k == "OZ_SECRET" {
			return "  s3cret\n", true
		}
		return "", false
	}
	if b, err := opts.RouteSecret("oz-vault"); err != nil || string(b) != "s3cret" {
		t.Errorf("RouteSecret = %q, %v", b, err)
	}
	if got := opts.IngressSecrets(); len(got) != 1 || got[0] != "s3cret" {
		t.Errorf("IngressSecrets = %q", got)
	}
	opts.LookupEnv = nil
	_, err = opts.RouteSecret("oz-vault")
	if err == nil || !strings.Contains(err.Error(), "OZ_SECRET is not set") {
		t.Errorf("unset variable: %v", err)
	}
}

func TestIngressSecretFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	if err := os.WriteFile(path, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := ParseConfig(strings.NewReader(ingressConfig("  routes: {t: {adapter: tenderly, severity: high, verify: {secret_file: " + path + "}}}\n")))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := opts.RouteSecret("t"); err != nil || string(b) != "from-a-file" {
		t.Errorf("RouteSecret = %q, %v", b, err)
	}
	opts.Ingress.Routes["t"] = IngressRoute{Adapter: "tenderly", Verify: IngressVerify{SecretFile: filepath.Join(dir, "missing")}}
	if _, err := opts.RouteSecret("t"); err == nil || !errors.Is(err, ErrConfig) {
		t.Errorf("missing file: %v", err)
	}
}

func TestIngressValidation(t *testing.T) {
	tests := []struct {
		name    string
		ingress string
		wantMsg string
	}{
		{"not host:port", "  listen: localhost\n", `ingress.listen: "localhost" is not host:port`},
		{"host name", "  listen: example.com:8443\n", "must be an IP address or localhost"},
		{"public without tls", "  listen: 0.0.0.0:8443\n", "configure ingress.tls, or set insecure_http: true"},
		{"all interfaces without tls", "  listen: :8443\n", "is not a loopback address"},
		{"half tls", "  listen: 0.0.0.0:8443\n  tls: {cert_file: /c}\n", "set both cert_file and key_file"},
		{"route name", "  routes: {Bad: {adapter: native, verify: {skip: true}}}\n", "route name must match"},
		{"adapter", "  routes: {x: {adapter: splunk}}\n", `ingress.routes.x.adapter: "splunk" is not one of native, forta`},
		{"no secret", "  routes: {x: {adapter: oz-monitor, severity: high}}\n", "ingress.routes.x.verify: oz-monitor signs with an HMAC key"},
		{"inline secret", "  routes: {x: {adapter: oz-monitor, severity: high, verify: {secret: abc}}}\n", "field secret not found"},
		{"two secrets", "  routes: {x: {adapter: tenderly, severity: high, verify: {secret_env: A, secret_file: /b}}}\n", "at most one of secret_env and secret_file"},
		{"sec3 header", "  routes: {x: {adapter: sec3, chain_id: 1, verify: {secret_env: A}}}\n", "set header and secret_env"},
		{"sec3 chain", "  routes: {x: {adapter: sec3, verify: {secret_env: A, header: X-S}}}\n", "ingress.routes.x.chain_id"},
		{"forta scanners", "  routes: {x: {adapter: forta}}\n", "ingress.routes.x.verify.scanners"},
		{"forta scanner address", "  routes: {x: {adapter: forta, verify: {scanners: [0x12]}}}\n", "verify.scanners[0]"},
		{"skip on public listener", "  listen: 0.0.0.0:8443\n  insecure_http: true\n  routes: {x: {adapter: native, verify: {skip: true}}}\n", "ingress.routes.x.verify.skip: refused"},
		{"unknown protocol", "  routes: {x: {adapter: native, protocol: q, verify: {skip: true}}}\n", `ingress.routes.x.protocol: "q" is not in protocols`},
		{"severity", "  routes: {x: {adapter: native, severity: apocalyptic, verify: {skip: true}}}\n", "ingress.routes.x.severity"},
		{"severity map", "  routes: {x: {adapter: native, severities: {HIGH: huge}, verify: {skip: true}}}\n", "ingress.routes.x.severities.HIGH"},
		{"alert type map", "  routes: {x: {adapter: native, alert_types: {A: Not-A-Type}, verify: {skip: true}}}\n", "ingress.routes.x.alert_types.A"},
		{"confidence", "  routes: {x: {adapter: native, confidence: 2, verify: {skip: true}}}\n", "ingress.routes.x.confidence"},
		{"oz without severity", "  routes: {x: {adapter: oz-monitor, verify: {secret_env: A}}}\n", "oz-monitor sends no severity"},
		{"dead source", "  routes: {x: {adapter: native, source: dead, verify: {skip: true}}}\n", "reserved for dead letters"},
		{"negative window", "  routes: {x: {adapter: native, verify: {skip: true, window: -1s}}}\n", "verify.window"},
		{"negative timeout", "  read_timeout: -1s\n", "ingress.read_timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := ParseConfig(strings.NewReader(ingressConfig(tc.ingress)))
			if err == nil {
				err = opts.ValidateIngress()
			}
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want a config error containing %q", err, tc.wantMsg)
			}
		})
	}
	for _, ok := range []string{
		"  listen: 0.0.0.0:8443\n  insecure_http: true\n",
		"  listen: 0.0.0.0:8443\n  tls: {cert_file: /c, key_file: /k}\n",
		"  listen: '[::1]:8443'\n  routes: {x: {adapter: native, verify: {skip: true}}}\n",
		"  listen: localhost:0\n  routes: {x: {adapter: hypernative}}\n",
	} {
		opts, err := ParseConfig(strings.NewReader(ingressConfig(ok)))
		if err == nil {
			err = opts.ValidateIngress()
		}
		if err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

func TestRegistryContracts(t *testing.T) {
	o := Options{Protocols: map[string]ProtocolOptions{
		"a": {Contracts: map[string]ContractOptions{"v": {Address: "0x0000000000000000000000000000000000000001"}, "s": {Address: "0x0000000000000000000000000000000000000003"}}},
		"b": {Contracts: map[string]ContractOptions{"v": {Address: "0x0000000000000000000000000000000000000002"}, "s": {Address: "0x0000000000000000000000000000000000000003"}}},
	}}
	got := o.RegistryContracts()
	if len(got) != 2 || got[common.HexToAddress("0x1")] != "a" || got[common.HexToAddress("0x2")] != "b" {
		t.Errorf("RegistryContracts = %v; want 0x1 → a, 0x2 → b and the shared 0x3 left out", got)
	}
}

// The commented ingress example at the end of firebreak.example.yaml is valid once
// uncommented.
func TestExampleIngressIsValid(t *testing.T) {
	b, err := os.ReadFile("../../firebreak.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n# ingress:\n")
	if i < 0 {
		t.Fatal("firebreak.example.yaml has no commented ingress: section")
	}
	var lines []string
	for _, l := range strings.Split(s[i+1:], "\n") {
		if after, ok := strings.CutPrefix(l, "# "); ok && !strings.HasPrefix(l, "#   # ") && !strings.HasPrefix(l, "#     # ") {
			l = after
		}
		lines = append(lines, l)
	}
	opts, err := ParseConfig(strings.NewReader(s[:i+1] + strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if err := opts.ValidateIngress(); err != nil {
		t.Fatal(err)
	}
	if opts.Ingress.Listen == "" || len(opts.Ingress.Routes) != 2 {
		t.Errorf("example ingress = %+v", opts.Ingress)
	}
}
