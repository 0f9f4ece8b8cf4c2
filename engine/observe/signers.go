package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/hashicorp/vault/api"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
	"github.com/firebreak-dev/firebreak/signer/vault"
)

// probeDigest is what the readiness check has each signer sign: a fixed
// digest that is no transaction's hash. The signature is checked and
// discarded.
var probeDigest = crypto.Keccak256Hash([]byte("firebreak readiness probe: this digest is signed to check the key answers, then discarded"))

// signerState is one configured signer as this run found it.
type signerState struct {
	name string
	kind string
	// addr is the account it sends from (a Safe's own address for a Safe);
	// known is false when it could not be found out.
	addr  common.Address
	known bool
	// ok is false when the signer cannot sign now.
	ok       bool
	findings []Finding
}

// usedSigners lists every signer the registry can send with: the
// protocols' and contracts' signers, and for each Safe its owners and
// executor.
func (r *run) usedSigners() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, pname := range sortedKeys(r.c.cfg.Protocols) {
		p := r.c.cfg.Protocols[pname]
		add(p.Signer)
		for _, cname := range sortedKeys(p.Contracts) {
			add(p.Contracts[cname].Signer)
		}
	}
	for _, n := range append([]string(nil), out...) {
		if so, ok := r.c.cfg.Signers[n]; ok && so.Kind == "safe" {
			for _, o := range so.Owners {
				add(o)
			}
			add(so.Executor)
		}
	}
	return out
}

// checkSigners checks every used signer at once.
func (r *run) checkSigners(ctx context.Context) {
	names := r.usedSigners()
	states := make([]*signerState, len(names))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, name := range names {
		wg.Go(func() {
			st, closer := r.checkSigner(ctx, name)
			states[i] = st
			if closer != nil {
				mu.Lock()
				r.closers = append(r.closers, closer)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// Their findings are reported with each protocol that uses them.
	for _, st := range states {
		r.signers[st.name] = st
	}
}

func (r *run) checkSigner(ctx context.Context, name string) (*signerState, func()) {
	st := &signerState{name: name}
	so, configured := r.c.cfg.Signers[name]
	st.kind = so.Kind
	add := func(check string, s Status, detail, fix string) {
		st.findings = append(st.findings, Finding{Signer: name, Check: check, Status: s, Detail: detail, Fix: fix})
	}
	if so.Kind == "safe" {
		st.addr, st.known, st.ok = common.HexToAddress(so.Address), true, true
		return st, nil // its owners and executor are checked as signers of their own
	}
	sg, built := r.c.signers[name]
	var closer func()
	if !built {
		if !configured {
			add(CheckSigner, StatusFail, fmt.Sprintf("no signer named %q is configured", name), fmt.Sprintf("Add signers.%s.", name))
			return st, nil
		}
		if so.Address != "" {
			st.addr, st.known = common.HexToAddress(so.Address), true
		}
		var err error
		if err = r.call(ctx, func(ctx context.Context) (err error) { sg, closer, err = r.buildSigner(ctx, so); return err }); err != nil {
			add(CheckSigner, StatusFail, fmt.Sprintf("the %s signer cannot be used: %s", so.Kind, err), signerFix(name, so, err))
			if so.Kind == "vault" {
				st.findings = append(st.findings, r.checkVaultToken(ctx, name, so)...)
			}
			return st, closer
		}
	} else {
		st.kind = kindOf(sg, so)
	}
	st.addr, st.known = sg.Address(), true
	var sigErr error
	err := r.call(ctx, func(ctx context.Context) (err error) { _, sigErr = sg.SignDigest(ctx, probeDigest); return sigErr })
	refusedByPolicy := err != nil && strings.Contains(err.Error(), "refused by key policy")
	switch {
	case err == nil:
		st.ok = true
		add(CheckSigner, StatusOK, fmt.Sprintf("%s key for %s signs (a probe digest, discarded)", st.kind, st.addr.Hex()), "")
	case refusedByPolicy:
		// The plugin loads the key before its policy refuses the digest:
		// the key is there.
		st.ok = true
		add(CheckSigner, StatusOK, fmt.Sprintf("Vault key for %s is present; its signing policy refuses raw digests (allow_digest false), as it should", st.addr.Hex()), "")
	default:
		add(CheckSigner, StatusFail, fmt.Sprintf("%s key for %s does not sign: %s", st.kind, st.addr.Hex(), transportCause(err)), signerFix(name, so, err))
	}
	if st.kind == "vault" && configured {
		st.findings = append(st.findings, r.checkVaultToken(ctx, name, so)...)
		st.findings = append(st.findings, r.checkKeyPolicy(ctx, name, so)...)
	}
	return st, closer
}

func kindOf(sg signer.Signer, so config.SignerOptions) string {
	switch sg.(type) {
	case *vault.Signer:
		return "vault"
	case *local.Signer:
		return "local"
	}
	if so.Kind != "" {
		return so.Kind
	}
	return "built-in"
}

func signerFix(name string, so config.SignerOptions, err error) string {
	switch {
	case errors.Is(err, config.ErrConfig):
		return fmt.Sprintf("Set the secret signers.%s names (key_env, key_file, passphrase_env, vault.auth) in the environment firebreak runs in.", name)
	case errors.Is(err, vault.ErrAuth):
		return fmt.Sprintf("Give signers.%s a valid Vault token or login (vault.auth); the one configured is refused.", name)
	case errors.Is(err, signer.ErrUnavailable), errors.Is(err, errTimeout):
		return fmt.Sprintf("Bring Vault at %s back (or unseal it): no action of this signer can be signed until then.", vaultAddr(so))
	case errors.Is(err, signer.ErrNoKey):
		return fmt.Sprintf("Create or import the key signers.%s names, or fix its name.", name)
	case errors.Is(err, signer.ErrBadKey):
		return fmt.Sprintf("signers.%s points at something that is not a secp256k1 private key.", name)
	}
	return fmt.Sprintf("Check signers.%s.", name)
}

func vaultAddr(so config.SignerOptions) string {
	if so.Vault == nil {
		return "(none)"
	}
	return so.Vault.Address
}

// buildSigner builds a configured key signer as the engine does. A local
// key is decrypted; a Vault signer logs in and reads its key's address.
func (r *run) buildSigner(ctx context.Context, so config.SignerOptions) (signer.Signer, func(), error) {
	o := r.c.cfg
	switch so.Kind {
	case "local":
		var s *local.Signer
		var err error
		switch {
		case so.KeyEnv != "":
			var val string
			if val, err = o.Secret(so.KeyEnv, ""); err == nil {
				s, err = local.FromHex(val)
			}
		case so.KeyFile != "":
			pass := ""
			if so.PassphraseEnv != "" {
				if pass, err = o.Secret(so.PassphraseEnv, ""); err != nil {
					return nil, nil, err
				}
			}
			s, err = local.FromFile(so.KeyFile, pass)
		default:
			return nil, nil, fmt.Errorf("%w: only an address is configured: enough for dry-runs, not to sign (set key_env or key_file)", config.ErrConfig)
		}
		if err != nil {
			return nil, nil, err
		}
		if so.Address != "" && !strings.EqualFold(so.Address, s.Address().Hex()) {
			return nil, nil, fmt.Errorf("%w: address is %s but the key is for %s", config.ErrConfig, so.Address, s.Address().Hex())
		}
		return s, nil, nil
	case "vault":
		cfg, err := r.vaultConfig(so)
		if err != nil {
			return nil, nil, err
		}
		s, err := vault.New(ctx, cfg, r.c.log)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { _ = s.Close() }, nil
	}
	return nil, nil, fmt.Errorf("%w: kind %q is not a key", config.ErrConfig, so.Kind)
}

func (r *run) vaultConfig(so config.SignerOptions) (vault.Config, error) {
	v := so.Vault
	cfg := vault.Config{
		Address: v.Address, CACert: v.CACert, Mode: v.Mode, Mount: v.Mount, Key: v.Key,
		KVMount: v.KVMount, KVPath: v.KVPath, KVField: v.KVField, Timeout: r.c.r.CallTimeout, MaxRetries: -1,
		Auth: vault.Auth{Method: v.Auth.Method, RoleID: v.Auth.RoleID, K8sRole: v.Auth.K8sRole, K8sTokenPath: v.Auth.K8sTokenPath, Path: v.Auth.Path},
	}
	switch cfg.Auth.Method {
	case "", vault.AuthToken:
		tok, err := r.c.cfg.Secret(v.Auth.TokenEnv, v.Auth.TokenFile)
		if err != nil {
			return cfg, err
		}
		cfg.Auth.Token = vault.Secret(tok)
	case vault.AuthAppRole:
		id, err := r.c.cfg.Secret(v.Auth.SecretIDEnv, v.Auth.SecretIDFile)
		if err != nil {
			return cfg, err
		}
		cfg.Auth.SecretID = vault.Secret(id)
	}
	return cfg, nil
}

// vaultClient is an API client with the signer's token (token auth only:
// the other methods log in, which a check should not do behind the
// signer's back).
func (r *run) vaultClient(so config.SignerOptions) (*api.Client, bool, error) {
	v := so.Vault
	if v == nil || (v.Auth.Method != "" && v.Auth.Method != vault.AuthToken) {
		return nil, false, nil
	}
	tok, err := r.c.cfg.Secret(v.Auth.TokenEnv, v.Auth.TokenFile)
	if err != nil {
		return nil, true, err
	}
	c := api.DefaultConfig()
	c.Address, c.Timeout, c.MaxRetries = v.Address, r.c.r.CallTimeout, 0
	if v.CACert != "" {
		if err := c.ConfigureTLS(&api.TLSConfig{CACert: v.CACert}); err != nil {
			return nil, true, err
		}
	}
	client, err := api.NewClient(c)
	if err != nil {
		return nil, true, err
	}
	client.SetToken(tok)
	return client, true, nil
}

// checkVaultToken looks the signer's token up: valid, and valid or
// renewable beyond readiness.token_margin.
func (r *run) checkVaultToken(ctx context.Context, name string, so config.SignerOptions) []Finding {
	f := Finding{Signer: name, Check: CheckToken}
	client, isToken, err := r.vaultClient(so)
	switch {
	case !isToken:
		f.Status, f.Detail = StatusOK, fmt.Sprintf("logs in with %s by itself, and again when its token ends", so.Vault.Auth.Method)
		return []Finding{f}
	case err != nil:
		f.Status, f.Detail, f.Fix = StatusFail, fmt.Sprintf("the Vault token cannot be read: %s", err), signerFix(name, so, err)
		return []Finding{f}
	}
	var sec *api.Secret
	err = r.call(ctx, func(ctx context.Context) (err error) {
		sec, err = client.Auth().Token().LookupSelfWithContext(ctx)
		return err
	})
	if err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) && (re.StatusCode == 403 || re.StatusCode == 401) {
			f.Status, f.Detail, f.Fix = StatusFail, fmt.Sprintf("Vault at %s refuses the token (%d): it expired or was revoked", so.Vault.Address, re.StatusCode),
				fmt.Sprintf("Issue a new token for signers.%s and restart firebreak with it.", name)
		} else {
			f.Status, f.Detail, f.Fix = StatusFail, fmt.Sprintf("Vault at %s is unreachable: %s", so.Vault.Address, rpcCause(err)),
				fmt.Sprintf("Bring Vault at %s back (or unseal it): no action of this signer can be signed until then.", so.Vault.Address)
		}
		return []Finding{f}
	}
	ttl, _ := sec.TokenTTL()
	renewable, _ := sec.TokenIsRenewable()
	margin := r.c.r.TokenMargin
	if ttl <= 0 {
		f.Status, f.Detail = StatusOK, "the token does not expire"
		return []Finding{f}
	}
	if end, ok := tokenMaxEnd(sec); renewable && ok && time.Until(end) < margin {
		f.Status, f.Detail = StatusFail, fmt.Sprintf("the token can be renewed only until %s (its max TTL), less than readiness.token_margin (%s) from now", end.UTC().Format(time.RFC3339), margin)
		f.Fix = fmt.Sprintf("Issue signers.%s a token with a longer max TTL, or use AppRole or Kubernetes auth, which log in again.", name)
		return []Finding{f}
	}
	switch {
	case ttl >= margin:
		f.Status, f.Detail = StatusOK, fmt.Sprintf("the token is valid for %s (renewable: %v)", ttl.Round(time.Second), renewable)
	case renewable:
		f.Status, f.Detail = StatusOK, fmt.Sprintf("the token is valid for %s and renewable: the running signer renews it", ttl.Round(time.Second))
	default:
		f.Status, f.Detail = StatusFail, fmt.Sprintf("the token expires in %s, within readiness.token_margin (%s), and is not renewable", ttl.Round(time.Second), margin)
		f.Fix = fmt.Sprintf("Issue signers.%s a new (renewable) token before this one expires.", name)
	}
	return []Finding{f}
}

// tokenMaxEnd is when a token's explicit max TTL ends it, if it has one.
func tokenMaxEnd(sec *api.Secret) (time.Time, bool) {
	n, ok := sec.Data["explicit_max_ttl"].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	secs, err := n.Int64()
	issued, _ := sec.Data["issue_time"].(string)
	at, terr := time.Parse(time.RFC3339Nano, issued)
	if err != nil || secs <= 0 || terr != nil {
		return time.Time{}, false
	}
	return at.Add(time.Duration(secs) * time.Second), true
}

// checkKeyPolicy reads the plugin's key entry for its policy flag: a key
// without a signing policy signs whatever the engine's token asks.
func (r *run) checkKeyPolicy(ctx context.Context, name string, so config.SignerOptions) []Finding {
	v := so.Vault
	if v.Mode == vault.ModeKV {
		return []Finding{{Signer: name, Check: CheckKeyPolicy, Status: StatusWarn,
			Detail: "the key is a KV secret, read into firebreak for each signature: no signing policy can bound it",
			Fix:    "Move the key into firebreak-vault-plugin (mode plugin) and give it a signing policy (docs/vault-signing-policy.md)."}}
	}
	client, isToken, err := r.vaultClient(so)
	if !isToken || err != nil {
		return nil // the token finding says why
	}
	mount := v.Mount
	if mount == "" {
		mount = vault.DefaultMount
	}
	var sec *api.Secret
	if err := r.call(ctx, func(ctx context.Context) (err error) {
		sec, err = client.Logical().ReadWithContext(ctx, mount+"/keys/"+v.Key)
		return err
	}); err != nil {
		return []Finding{{Signer: name, Check: CheckKeyPolicy, Status: StatusWarn,
			Detail: fmt.Sprintf("the key entry %s/keys/%s could not be read: %s", mount, v.Key, rpcCause(err)),
			Fix:    fmt.Sprintf(`Allow the token "read" on %s/keys/%s, or check Vault.`, mount, v.Key)}}
	}
	if sec == nil {
		return []Finding{{Signer: name, Check: CheckKeyPolicy, Status: StatusFail,
			Detail: fmt.Sprintf("Vault has no key %s/keys/%s", mount, v.Key),
			Fix:    fmt.Sprintf("Create or import the key %q in the plugin at %s.", v.Key, mount)}}
	}
	if has, _ := sec.Data["policy"].(bool); has {
		return []Finding{{Signer: name, Check: CheckKeyPolicy, Status: StatusOK, Detail: fmt.Sprintf("key %s/keys/%s has a signing policy", mount, v.Key)}}
	}
	return []Finding{{Signer: name, Check: CheckKeyPolicy, Status: StatusWarn,
		Detail: fmt.Sprintf("no signing policy: key %s/keys/%s signs whatever the engine's token asks", mount, v.Key),
		Fix:    fmt.Sprintf("Set a policy on %s/keys/%s/policy allowing only the containment calls (docs/vault-signing-policy.md).", mount, v.Key)}}
}

func normalizeSig(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }
