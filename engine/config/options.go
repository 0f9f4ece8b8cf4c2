package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"go.yaml.in/yaml/v3"

	"github.com/firebreak-dev/firebreak/signer"
)

// ErrConfig wraps every configuration problem; the message names the field.
var ErrConfig = errors.New("config")

// Options configure an Engine. Build them with DefaultOptions and
// LoadConfig, or in Go when embedding the engine.
type Options struct {
	// DataDir holds the embedded NATS server's JetStream store.
	DataDir string         `yaml:"data_dir"`
	NATS    NATSOptions    `yaml:"nats"`
	Chains  []ChainOptions `yaml:"chains"`
	// Signers by name; protocols and contracts refer to them.
	Signers map[string]SignerOptions `yaml:"signers"`
	// PolicyDir is a folder of .rego files; empty means the shipped library.
	PolicyDir string                     `yaml:"policy_dir"`
	Protocols map[string]ProtocolOptions `yaml:"protocols"`
	Allowlist []AllowOptions             `yaml:"allowlist"`
	// MaxActionsPerEvent bounds what one event can trigger; a decision
	// asking for more is refused whole.
	MaxActionsPerEvent int `yaml:"max_actions_per_event"`
	// PolicyBundle loads the policies from an OPA bundle instead of
	// PolicyDir: a local .tar.gz or the http(s) URL of a bundle server.
	PolicyBundle string `yaml:"policy_bundle"`
	// PolicyReload is how often the policy folder or bundle is checked for
	// changes; 0 reloads only on request (SIGHUP).
	PolicyReload time.Duration `yaml:"policy_reload"`
	// PolicyBundleVerificationKey is a file holding the PEM public key
	// policy bundles must be signed with (OPA's .signatures.json);
	// PolicyBundleVerificationAlgorithm its algorithm (default RS256).
	PolicyBundleVerificationKey       string `yaml:"policy_bundle_verification_key"`
	PolicyBundleVerificationAlgorithm string `yaml:"policy_bundle_verification_algorithm"`
	// Sources say how each detector's events are authenticated (see
	// sources.go); without the section any source is accepted unverified.
	Sources map[string]SourceOptions `yaml:"sources"`
	// Ingest bounds how old an accepted event may be.
	Ingest IngestOptions `yaml:"ingest"`
	// Guard lists the roles no automated action may revoke.
	Guard GuardOptions `yaml:"guard"`
	// Guardrails bound what the policies can do over time.
	Guardrails GuardrailOptions `yaml:"guardrails"`
	// ReloadPolicies, when set, asks for a policy reload (cmd: SIGHUP).
	ReloadPolicies <-chan struct{} `yaml:"-"`
	// Audit configures the hash-chained audit log (see engine/audit).
	Audit AuditOptions `yaml:"audit"`
	// Shadow runs the pipeline but simulates allowed actions on a fork
	// instead of sending them (policies on probation); see shadow.go.
	Shadow bool `yaml:"shadow"`
	// Simulate configures dry-runs and shadow mode.
	Simulate SimulateOptions `yaml:"simulate"`
	// Metrics configures /metrics, /healthz and /readyz (see observe.go).
	Metrics MetricsOptions `yaml:"metrics"`
	// Readiness configures firebreak check and its run in serve.
	Readiness ReadinessOptions `yaml:"readiness"`
	// Notify configures the notification channels and routes (see notify.go).
	Notify NotifyOptions `yaml:"notify"`
	// Incidents configures how events are grouped into incidents (see incidents.go).
	Incidents IncidentsOptions `yaml:"incidents"`
	// Console configures the web console (see console.go); off by default.
	Console ConsoleOptions `yaml:"console"`
	// Ingress is the HTTP webhook ingress for detectors' own formats (see ingress.go).
	Ingress IngressOptions `yaml:"ingress"`
	// Records configures the engine's MAC over action records and
	// approvals (see records.go).
	Records RecordsOptions `yaml:"records"`
	// Watch configures firebreak's own detector (engine/watch); see watch.go.
	Watch WatchOptions `yaml:"watch"`
	// Recovery and RecoveryAllowlist configure recovery (see recovery.go).
	Recovery          RecoveryOptions `yaml:"recovery"`
	RecoveryAllowlist []AllowOptions  `yaml:"recovery_allowlist"`

	// SignerInstances are signers built by an embedding program (tests,
	// the demo). They take precedence over Signers of the same name.
	SignerInstances map[string]signer.Signer `yaml:"-"`
	// LookupEnv reads the environment for key_env settings; cmd sets it to
	// os.LookupEnv. Nil means no environment.
	LookupEnv func(string) (string, bool) `yaml:"-"`
	// Now is the engine's clock; nil means time.Now.
	Now func() time.Time `yaml:"-"`
	// SafePoll is how often the engine reads the head block and each Safe's
	// nonce to refresh pre-signed transactions and find stale approvals;
	// zero means one second.
	SafePoll time.Duration `yaml:"-"`
}

// NATSOptions say where the NATS servers are.
type NATSOptions struct {
	// URL of an external NATS (cluster: comma-separated). Empty starts the
	// embedded server.
	URL string `yaml:"url"`
	// Host and Port of the embedded server; Port -1 picks a free port.
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// Replicas of the streams and buckets (1 for the embedded server).
	Replicas int `yaml:"replicas"`
	// Instance names this engine among several sharing an external NATS
	// (default: the host name). Each sender's nonces belong to one
	// instance at a time, through a lease in the FIREBREAK_LEASES bucket;
	// a restart under the same name takes its senders back at once.
	Instance string `yaml:"instance"`
	// LeaseTTL is how long a dead instance's senders wait before another
	// instance takes them and their unfinished actions over (default 10s).
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// How the engine authenticates to an external NATS (nats.url): at most
	// one of Creds (a NATS .creds file, user JWT), NkeySeedFile (an nkey
	// seed, mode 0600) and TokenEnv (the environment variable holding a
	// token). The embedded server always authenticates its clients with
	// the nkeys in data_dir/nats-identities (see docs/nats.md).
	Creds        string `yaml:"creds"`
	NkeySeedFile string `yaml:"nkey_seed_file"`
	TokenEnv     string `yaml:"token_env"`
	// TLS to the external NATS: the CA that signed its certificate, and a
	// client certificate and key when the server verifies clients.
	TLS NATSTLSOptions `yaml:"tls"`
}

// NATSTLSOptions are PEM files for TLS to NATS.
type NATSTLSOptions struct {
	CA   string `yaml:"ca"`
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// ChainOptions describe one chain.
type ChainOptions struct {
	ID   uint64 `yaml:"id"`
	Name string `yaml:"name"`
	// RPC is the node's URL: http(s):// or ws(s)://. WebSocket pushes new
	// heads; HTTP is polled.
	RPC string `yaml:"rpc"`
	// WS is the same node's ws(s):// URL, used only to be pushed new heads
	// while calls go to an http(s) RPC. One WebSocket carries every call
	// on one connection, where a node that delays small writes (anvil
	// does) holds concurrent answers back by 5-40 ms; HTTP calls take a
	// connection each. Unreachable at start, it is left out with a
	// warning and the head is polled over RPC.
	WS string `yaml:"ws"`
	// RPCURLs are more public endpoints each transaction is also sent to.
	RPCURLs []string `yaml:"rpc_urls"`
	// PrivateRPC is a private relay (Flashbots Protect style), called with
	// PrivateMethod: eth_sendRawTransaction (default) or
	// eth_sendPrivateTransaction.
	PrivateRPC    string `yaml:"private_rpc"`
	PrivateMethod string `yaml:"private_method"`
	// Broadcast is public (default: rpc and rpc_urls), private (only
	// private_rpc) or both.
	Broadcast string `yaml:"broadcast"`
	// MaxFeePerGas caps every transaction's fee cap, in gwei; 0: no cap.
	MaxFeePerGas float64 `yaml:"max_fee_per_gas"`
	// MinTip is the least priority fee offered, in gwei.
	MinTip float64 `yaml:"min_tip"`
	// TipPercentile of recent blocks' tips to offer (default 99).
	TipPercentile float64 `yaml:"tip_percentile"`
	// Confirmations before an action is final (default 1).
	Confirmations uint64 `yaml:"confirmations"`
	// BumpEveryBlocks re-prices a transaction not included after this
	// many blocks (default 1).
	BumpEveryBlocks uint64 `yaml:"bump_every_blocks"`
	// RPCTimeout, ReorgWatchBlocks and ReorgWatch: see chains.go.
	RPCTimeout       time.Duration `yaml:"rpc_timeout"`
	ReorgWatchBlocks uint64        `yaml:"reorg_watch_blocks"`
	ReorgWatch       string        `yaml:"reorg_watch"`
	// Explorer is a block explorer's base URL (https://etherscan.io):
	// notifications link each transaction to <explorer>/tx/<hash>.
	Explorer string `yaml:"explorer"`
}

// SignerOptions describe one signer. Key material and credentials are
// never in the file: they come from environment variables (*_env) or files
// (*_file).
type SignerOptions struct {
	// Kind is "local" (a key in this process, for development), "vault"
	// (a key held in Vault; see Vault) or "safe" (a Safe multisig whose
	// owners are other signers; see SafeSignerOptions).
	Kind    string `yaml:"kind"`
	KeyEnv  string `yaml:"key_env"`
	KeyFile string `yaml:"key_file"`
	// PassphraseEnv names the variable holding a JSON keystore's passphrase.
	PassphraseEnv string `yaml:"passphrase_env"`
	// Vault configures a kind: vault signer.
	Vault *VaultSignerOptions `yaml:"vault"`
	// SafeSignerOptions configure a kind: safe signer. Its Address is also
	// any signer's account for dry-runs and shadow mode, which need only
	// it, no key; when a key is configured too, they must match.
	SafeSignerOptions `yaml:",inline"`
}

// VaultSignerOptions locate a key in Vault: in firebreak's secrets-engine
// plugin (mode plugin: the key never leaves Vault) or in a KV v2 secret
// (mode kv: read for each signature, then dropped).
type VaultSignerOptions struct {
	Address string           `yaml:"address"`
	CACert  string           `yaml:"ca_cert"`
	Mode    string           `yaml:"mode"`
	Mount   string           `yaml:"mount"`
	Key     string           `yaml:"key"`
	KVMount string           `yaml:"kv_mount"`
	KVPath  string           `yaml:"kv_path"`
	KVField string           `yaml:"kv_field"`
	Timeout time.Duration    `yaml:"timeout"`
	Auth    VaultAuthOptions `yaml:"auth"`
}

// VaultAuthOptions say how to log in to Vault; secrets by variable or file.
type VaultAuthOptions struct {
	// Method is token (default), approle or kubernetes.
	Method       string `yaml:"method"`
	TokenEnv     string `yaml:"token_env"`
	TokenFile    string `yaml:"token_file"`
	RoleID       string `yaml:"role_id"`
	SecretIDEnv  string `yaml:"secret_id_env"`
	SecretIDFile string `yaml:"secret_id_file"`
	K8sRole      string `yaml:"kubernetes_role"`
	K8sTokenPath string `yaml:"kubernetes_token_path"`
	// Path is where the auth method is mounted, if not its default.
	Path string `yaml:"path"`
}

// ProtocolOptions describe one protected protocol; they become the
// policies' data.protocols[name] and the guard's registry.
type ProtocolOptions struct {
	ChainID uint64 `yaml:"chain_id"`
	// MinConfidence is the confidence at or above which the shipped
	// policies act on a critical alert (default 0.9 in the policy).
	MinConfidence *float64 `yaml:"min_confidence"`
	// ApprovalMinConfidence is the confidence at or above which (and below
	// MinConfidence) the shipped policies propose actions that wait for
	// approval (default 0.6 in the policy).
	ApprovalMinConfidence *float64                   `yaml:"approval_min_confidence"`
	Signer                string                     `yaml:"signer"`
	Contracts             map[string]ContractOptions `yaml:"contracts"`
	Roles                 map[string]string          `yaml:"roles"`
}

// ContractOptions describe one contract of a protocol.
type ContractOptions struct {
	Address        string `yaml:"address"`
	Pausable       bool   `yaml:"pausable"`
	Bridge         bool   `yaml:"bridge"`
	FreezeFunction string `yaml:"freeze_function"`
	FrozenFunction string `yaml:"frozen_function"`
	Signer         string `yaml:"signer"`
	// AccessControl marks an OpenZeppelin AccessControl contract, on which
	// the shipped policy may revoke roles.
	AccessControl bool `yaml:"access_control"`
	// BlockFunction (like "blockAddress(address)") blocks an address;
	// BlockedFunction (like "isBlocked(address)", optional) reads it back.
	BlockFunction   string `yaml:"block_function"`
	BlockedFunction string `yaml:"blocked_function"`
	// OutflowThreshold (wei, decimal) and OutflowWindow: the shipped bridge
	// policy freezes the bridge when at least that much left it within a
	// window no longer than OutflowWindow (default 1h in the policy).
	OutflowThreshold string        `yaml:"outflow_threshold"`
	OutflowWindow    time.Duration `yaml:"outflow_window"`
	// Presign keeps this contract's pause (pausable) or freeze (bridge)
	// signed ahead by the owners of its Safe signer, so it is sent with no
	// signing on the hot path.
	Presign bool `yaml:"presign"`
}

// AllowOptions allow Functions on Contract ("protocol.contract" or a 0x
// address) on chain ChainID.
type AllowOptions struct {
	ChainID   uint64   `yaml:"chain_id"`
	Contract  string   `yaml:"contract"`
	Functions []string `yaml:"functions"`
}

// DefaultOptions returns the defaults: embedded NATS on 127.0.0.1:4222 with
// its store in ./data, the shipped policies, at most 8 actions per event.
func DefaultOptions() Options {
	return Options{
		DataDir:            "data",
		NATS:               NATSOptions{Host: "127.0.0.1", Port: 4222, Replicas: 1, LeaseTTL: 10 * time.Second},
		MaxActionsPerEvent: 8,
		PolicyReload:       2 * time.Second,
		Guardrails:         GuardrailOptions{RateLimit: 10, RateWindow: 10 * time.Minute},
		Simulate:           defaultSimulateOptions(),
	}
}

// maxConfigSize bounds the configuration file.
const maxConfigSize = 1 << 20

// LoadConfig reads a YAML configuration file over the defaults.
func LoadConfig(path string) (Options, error) {
	f, err := os.Open(path)
	if err != nil {
		return Options{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	defer f.Close()
	opts, err := ParseConfig(f)
	if err != nil {
		return Options{}, fmt.Errorf("%s: %w", path, err)
	}
	return opts, nil
}

// ParseConfig decodes YAML over DefaultOptions and validates the result.
// Unknown keys are errors, so a typo never silently disables a setting.
func ParseConfig(r io.Reader) (Options, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigSize+1))
	if err != nil {
		return Options{}, fmt.Errorf("%w: reading: %w", ErrConfig, err)
	}
	if len(data) > maxConfigSize {
		return Options{}, fmt.Errorf("%w: larger than %d bytes", ErrConfig, maxConfigSize)
	}
	opts := DefaultOptions()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&opts); err != nil && !errors.Is(err, io.EOF) {
		return Options{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if err := opts.Validate(); err != nil {
		return Options{}, err
	}
	return opts, nil
}

func Errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
}

// Validate checks everything that can be checked without I/O, and reports
// the first problem with the path of the offending setting.
func (o Options) Validate() error {
	if o.NATS.URL == "" && o.DataDir == "" {
		return Errorf("data_dir: required for the embedded NATS server")
	}
	if o.NATS.URL == "" && (o.NATS.Port < -1 || o.NATS.Port > 65535) {
		return Errorf("nats.port: %d is not a port", o.NATS.Port)
	}
	if n := nonEmpty(o.NATS.Creds, o.NATS.NkeySeedFile, o.NATS.TokenEnv); n > 1 {
		return Errorf("nats: set at most one of creds, nkey_seed_file and token_env")
	}
	if (o.NATS.TLS.Cert == "") != (o.NATS.TLS.Key == "") {
		return Errorf("nats.tls: cert and key go together")
	}
	if o.NATS.URL == "" && (o.NATS.Creds != "" || o.NATS.NkeySeedFile != "" || o.NATS.TokenEnv != "" || o.NATS.TLS != NATSTLSOptions{}) {
		return Errorf("nats: creds, nkey_seed_file, token_env and tls are for an external NATS (nats.url); the embedded server uses the identities in data_dir")
	}
	if o.NATS.Replicas < 0 || o.NATS.Replicas > 5 {
		return Errorf("nats.replicas: must be 1 to 5, got %d", o.NATS.Replicas)
	}
	if o.MaxActionsPerEvent < 1 {
		return Errorf("max_actions_per_event: must be at least 1, got %d", o.MaxActionsPerEvent)
	}
	if err := o.validatePolicy(); err != nil {
		return err
	}
	if err := o.validateTrust(); err != nil {
		return err
	}
	if err := o.Audit.validate(); err != nil {
		return err
	}
	if o.NATS.LeaseTTL != 0 && (o.NATS.LeaseTTL < 300*time.Millisecond || o.NATS.LeaseTTL > 10*time.Minute) {
		return Errorf("nats.lease_ttl: %v is not between 300ms and 10m", o.NATS.LeaseTTL)
	}
	chains := map[uint64]bool{}
	for i, c := range o.Chains {
		switch {
		case c.ID == 0:
			return Errorf("chains[%d].id: required", i)
		case chains[c.ID]:
			return Errorf("chains[%d].id: chain %d is listed twice", i, c.ID)
		case !hasScheme(c.RPC, "http://", "https://", "ws://", "wss://"):
			return Errorf("chains[%d].rpc: want an http(s):// or ws(s):// URL, got %s", i, shownValue(c.RPC))
		case c.WS != "" && !hasScheme(c.WS, "ws://", "wss://"):
			// The URL may hold an API key: not repeated here.
			return Errorf("chains[%d].ws: want a ws(s):// URL", i)
		}
		if err := c.validateSubmit(i); err != nil {
			return err
		}
		chains[c.ID] = true
	}
	for _, name := range sortedKeys(o.Signers) {
		s := o.Signers[name]
		if s.Kind == "safe" {
			if err := o.validateSafe(name, s, chains); err != nil {
				return err
			}
			continue
		}
		// address is any signer's account (dry-runs need only it); the rest
		// is a Safe's alone.
		safeOnly := s.SafeSignerOptions
		safeOnly.Address = ""
		if !safeOnly.empty() {
			return Errorf("signers.%s: chain_id, owners, executor and refresh_blocks are for kind: safe", name)
		}
		if err := s.validate(name); err != nil {
			return err
		}
	}
	hasSigner := func(name string) bool {
		_, a := o.Signers[name]
		_, b := o.SignerInstances[name]
		return a || b
	}
	for _, pname := range sortedKeys(o.Protocols) {
		p := o.Protocols[pname]
		if !chains[p.ChainID] {
			return Errorf("protocols.%s.chain_id: chain %d is not in chains", pname, p.ChainID)
		}
		if p.MinConfidence != nil && (*p.MinConfidence < 0 || *p.MinConfidence > 1) {
			return Errorf("protocols.%s.min_confidence: must be between 0 and 1, got %v", pname, *p.MinConfidence)
		}
		if p.ApprovalMinConfidence != nil && (*p.ApprovalMinConfidence < 0 || *p.ApprovalMinConfidence > 1) {
			return Errorf("protocols.%s.approval_min_confidence: must be between 0 and 1, got %v", pname, *p.ApprovalMinConfidence)
		}
		if p.Signer != "" && !hasSigner(p.Signer) {
			return Errorf("protocols.%s.signer: no signer named %q", pname, p.Signer)
		}
		if len(p.Contracts) == 0 {
			return Errorf("protocols.%s.contracts: at least one contract is required", pname)
		}
		for _, cname := range sortedKeys(p.Contracts) {
			c := p.Contracts[cname]
			if !isAddress(c.Address) {
				return Errorf("protocols.%s.contracts.%s.address: %q is not a 0x-prefixed 20-byte hex address", pname, cname, c.Address)
			}
			if c.Signer != "" && !hasSigner(c.Signer) {
				return Errorf("protocols.%s.contracts.%s.signer: no signer named %q", pname, cname, c.Signer)
			}
			if err := c.validate(); err != nil {
				return Errorf("protocols.%s.contracts.%s.%v", pname, cname, err)
			}
			if c.Signer == "" && p.Signer == "" {
				return Errorf("protocols.%s.contracts.%s: no signer (set protocols.%s.signer)", pname, cname, pname)
			}
			if err := o.validateContractSafe(pname, cname, p, c); err != nil {
				return err
			}
		}
	}
	if err := o.Simulate.validate(); err != nil {
		return err
	}
	if err := o.ValidateObserve(); err != nil {
		return err
	}
	if err := o.ValidateNotify(); err != nil {
		return err
	}
	if err := o.ValidateIncidents(); err != nil {
		return err
	}
	if err := o.ValidateWatch(); err != nil {
		return err
	}
	if err := o.ValidateRecovery(); err != nil {
		return err
	}
	for i, a := range o.Allowlist {
		if !chains[a.ChainID] {
			return Errorf("allowlist[%d].chain_id: chain %d is not in chains", i, a.ChainID)
		}
		if _, err := o.ResolveContract(a.Contract); err != nil {
			return Errorf("allowlist[%d].contract: %v", i, err)
		}
		if len(a.Functions) == 0 {
			return Errorf("allowlist[%d].functions: at least one function signature, like \"pause()\"", i)
		}
		for j, f := range a.Functions {
			if !strings.HasSuffix(f, ")") || !strings.Contains(f, "(") {
				return Errorf("allowlist[%d].functions[%d]: %q is not a function signature like \"pause()\"", i, j, f)
			}
		}
	}
	return nil
}

// ResolveContract turns "protocol.contract" or a 0x address into an address.
func (o Options) ResolveContract(ref string) (common.Address, error) {
	if isAddress(ref) {
		return common.HexToAddress(ref), nil
	}
	pname, cname, ok := strings.Cut(ref, ".")
	if !ok {
		return common.Address{}, fmt.Errorf("%q is neither a 0x address nor protocol.contract", ref)
	}
	c, ok := o.Protocols[pname].Contracts[cname]
	if !ok {
		return common.Address{}, fmt.Errorf("%q: no contract %q in protocol %q", ref, cname, pname)
	}
	return common.HexToAddress(c.Address), nil
}

func isAddress(s string) bool { return strings.HasPrefix(s, "0x") && common.IsHexAddress(s) }

func hasScheme(s string, schemes ...string) bool {
	for _, p := range schemes {
		if strings.HasPrefix(s, p) && len(s) > len(p) {
			return true
		}
	}
	return false
}

// nonEmpty counts the non-empty strings.
func nonEmpty(ss ...string) int {
	n := 0
	for _, s := range ss {
		if s != "" {
			n++
		}
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
