package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8545", "http://127.0.0.1:8545"},
		{"http://127.0.0.1:8545/", "http://127.0.0.1:8545"},
		{"https://eth-mainnet.g.alchemy.com/v2/KEY", "https://eth-mainnet.g.alchemy.com/…"},
		{"https://user:pass@node.example", "https://node.example/…"},
		{"wss://node.example/ws?key=KEY", "wss://node.example/…"},
		{"not a url", "<unparseable URL>"},
		{"nats://engine:s3cretpassw0rd@nats.example:4222", "nats://nats.example:4222/…"},
		{"https://bundles.example/fb.tar.gz?token=TOKEN", "https://bundles.example/…"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// The configured secrets of every kind, as the tests below use them.
const (
	rpcKey     = "rpcapikey0123456789abcdef"
	wsKey      = "wsapikey0123456789abcdef"
	relayKey   = "relaykey0123456789"
	natsPass   = "natspassw0rd-xyz"
	bundleTok  = "bundletoken-0123456789"
	vaultToken = "hvs.vaulttokenvaluexyz"
	signerKey  = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
)

func secretOptions() Options {
	o := DefaultOptions()
	o.NATS.URL = "nats://engine:" + natsPass + "@nats-1.example:4222,nats://engine:" + natsPass + "@nats-2.example:4222"
	o.PolicyBundle = "https://bundles.example/fb.tar.gz?token=" + bundleTok
	o.Chains = []ChainOptions{{
		ID: 1, RPC: "https://eth-mainnet.g.alchemy.com/v2/" + rpcKey, WS: "wss://node.example/ws?key=" + wsKey,
		PrivateRPC: "https://relay.example/" + relayKey, RPCURLs: []string{"https://user:" + natsPass + "@backup.example"},
	}}
	o.Signers = map[string]SignerOptions{
		"g": {Kind: "local", KeyEnv: "GUARDIAN_KEY"},
		"v": {Kind: "vault", Vault: &VaultSignerOptions{Address: "https://vault.example:8200", Key: "k", Auth: VaultAuthOptions{TokenEnv: "VAULT_TOKEN"}}},
	}
	o.LookupEnv = func(name string) (string, bool) {
		switch name {
		case "GUARDIAN_KEY":
			return signerKey, true
		case "VAULT_TOKEN":
			return vaultToken, true
		}
		return "", false
	}
	return o
}

var allSecrets = []string{rpcKey, wsKey, relayKey, natsPass, bundleTok, vaultToken, strings.TrimPrefix(signerKey, "0x"), "macKEY-known-at-run-time"}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s holds the secret %q: %s", what, sec, s)
		}
	}
}

func TestRedactorRedactsEveryConfiguredSecret(t *testing.T) {
	o := secretOptions()
	r := o.Redactor("macKEY-known-at-run-time", "https://fork.example/v2/forkkey0123456789abcdef")
	c := o.Chains[0]
	for _, tt := range []struct{ in, want string }{
		{"dialing " + c.RPC + ": refused", "dialing https://eth-mainnet.g.alchemy.com/…: refused"},
		{"ws " + c.WS, "ws wss://node.example/…"},
		{"relay " + c.PrivateRPC, "relay https://relay.example/…"},
		{"nats at " + o.NATS.URL, "nats at nats://nats-1.example:4222/…,nats://nats-2.example:4222/…"},
		{"fetching bundle " + o.PolicyBundle + ": 500", "fetching bundle https://bundles.example/…: 500"},
		// Tools print parts of URLs alone, or re-encoded (Go's errors show
		// a password as ***): the parts are redacted wherever they appear.
		{"POST /v2/" + rpcKey + " 429", "POST /v2/<redacted> 429"},
		{`Get "https://user:***@backup.example": ` + natsPass, `Get "https://user:***@backup.example": <redacted>`},
		{"token " + vaultToken + " key " + signerKey, "token <redacted> key <redacted>"},
		{"mac macKEY-known-at-run-time", "mac <redacted>"},
		{"forking https://fork.example/v2/forkkey0123456789abcdef", "forking https://fork.example/…"},
		{"path /v2/forkkey0123456789abcdef", "path /v2/<redacted>"},
		{"nothing secret here: http://127.0.0.1:8545", "nothing secret here: http://127.0.0.1:8545"},
		// The user name beside a password is no secret: "engine" and
		// "user" stay ordinary words.
		{"the engine user", "the engine user"},
	} {
		got := r.Redact(tt.in)
		if got != tt.want {
			t.Errorf("Redact(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
		assertNoSecret(t, "redacted text", got)
	}
}

var errSentinel = errors.New("sentinel")

func TestRedactURLsLeavesPathsAlone(t *testing.T) {
	o := DefaultOptions()
	o.PolicyBundle = "./bundles/firebreak-policies.tar.gz"
	if got := o.Redactor().Redact("loaded " + o.PolicyBundle); got != "loaded "+o.PolicyBundle {
		t.Errorf("a bundle file was redacted as a URL: %q", got)
	}
	for _, ref := range []string{"./policies/response-library", "/etc/firebreak/bundles/firebreak-policies.tar.gz", ""} {
		if got := RedactURLs("reading "+ref+": not found", ref); got != "reading "+ref+": not found" {
			t.Errorf("RedactURLs changed a file path: %q", got)
		}
	}
}

// A URL in the wrong form may still hold its key: validation errors show
// it redacted.
func TestValidationErrorsHoldNoURLSecret(t *testing.T) {
	for _, tt := range []struct{ replace [2]string }{
		{[2]string{`rpc: "https://rpc.example"`, `rpc: "ftp://node.example/v2/` + rpcKey + `"`}},
		{[2]string{"data_dir: /tmp/fb", "data_dir: /tmp/fb\npolicy_bundle: s3://bundles/fb.zip?token=" + bundleTok}},
		{[2]string{`rpc: "https://rpc.example"`, `rpc: "eth-mainnet.g.alchemy.com/v2/` + rpcKey + `"`}},
		{[2]string{`rpc: "https://rpc.example"`, `rpc: "user:` + natsPass + `@node.example"`}},
		{[2]string{"signers: {g: {kind: local, key_env: KEY}}", "signers: {g: {kind: vault, vault: {address: \"vault.example/" + vaultToken + "\", key: k, auth: {token_env: T}}}}"}},
	} {
		src := strings.Replace(validConfig, tt.replace[0], tt.replace[1], 1)
		if src == validConfig {
			t.Fatalf("replacement %q not found", tt.replace[0])
		}
		_, err := ParseConfig(strings.NewReader(src))
		if err == nil {
			t.Fatalf("%q: no error", tt.replace[1])
		}
		assertNoSecret(t, "validation error", err.Error())
	}
}

func TestRedactorError(t *testing.T) {
	o := secretOptions()
	r := o.Redactor()
	_, perr := url.Parse("https://x/" + rpcKey + "\x7f")
	err := fmt.Errorf("connecting to %s: %w: %w", o.Chains[0].RPC, errSentinel, perr)
	red := r.Error(err)
	assertNoSecret(t, "error", red.Error())
	if !errors.Is(red, errSentinel) {
		t.Error("the redacted error no longer wraps the sentinel")
	}
	var ue *url.Error
	if !errors.As(red, &ue) {
		t.Error("errors.As no longer finds the *url.Error")
	}
	if plain := errors.New("no secret"); r.Error(plain) != plain {
		t.Error("an error without a secret was replaced")
	}
	if r.Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
	var none *Redactor
	if none.Redact("x "+rpcKey) != "x "+rpcKey || none.Error(err) != err {
		t.Error("a nil Redactor changed something")
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestRedactorHandler(t *testing.T) {
	o := secretOptions()
	r := o.Redactor()
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var h slog.Handler = slog.NewTextHandler(&buf, nil)
			if format == "json" {
				h = slog.NewJSONHandler(&buf, nil)
			}
			log := slog.New(r.Handler(h)).With("nats", o.NATS.URL).WithGroup("g")
			log.Info("connecting to "+o.Chains[0].RPC, "rpc", o.Chains[0].RPC, "err", fmt.Errorf("dial %s: refused", o.Chains[0].WS),
				"url", stringer(o.PolicyBundle), slog.Group("vault", "token", vaultToken), "n", 3)
			out := buf.String()
			assertNoSecret(t, "log line", out)
			for _, want := range []string{"https://eth-mainnet.g.alchemy.com/…", "nats://nats-1.example:4222/…", "https://bundles.example/…", "wss://node.example/…", "n=3", `"n":3`} {
				if !strings.Contains(out, want) && !(format == "json" && want == "n=3") && !(format == "text" && want == `"n":3`) {
					t.Errorf("log line %s lacks %q", out, want)
				}
			}
		})
	}
	if h := slog.NewTextHandler(&bytes.Buffer{}, nil); (&Redactor{}).Handler(h) != slog.Handler(h) {
		t.Error("a Redactor with no secrets wrapped the handler")
	}
}

// Node URLs often carry an API key in the path; logs, errors, statuses
// and reports show only the scheme and host.
func ExampleRedactURL() {
	fmt.Println(RedactURL("https://eth-mainnet.g.alchemy.com/v2/SECRET"))
	// Output: https://eth-mainnet.g.alchemy.com/…
}
