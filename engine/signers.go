package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
	"github.com/firebreak-dev/firebreak/signer/vault"
)

// validate checks one signer's settings without I/O.
func (s SignerOptions) validate(name string) error {
	if s.Address != "" && !isAddress(s.Address) {
		return configErr("signers.%s.address: %q is not a 0x-prefixed 20-byte hex address", name, s.Address)
	}
	switch s.Kind {
	case "local":
		if s.KeyEnv != "" && s.KeyFile != "" {
			return configErr("signers.%s: set exactly one of key_env and key_file", name)
		}
		if s.KeyEnv == "" && s.KeyFile == "" && s.Address == "" {
			return configErr("signers.%s: set key_env or key_file (or only address, for dry-runs and shadow mode)", name)
		}
		if s.Vault != nil {
			return configErr("signers.%s.vault: only for kind: vault", name)
		}
	case "vault":
		v := s.Vault
		if v == nil {
			return configErr("signers.%s.vault: required for kind: vault (address, key or kv_path, auth)", name)
		}
		if s.KeyEnv != "" || s.KeyFile != "" {
			return configErr("signers.%s: key_env and key_file are for kind: local; a Vault key stays in Vault", name)
		}
		if !hasScheme(v.Address, "http://", "https://") {
			return configErr("signers.%s.vault.address: want Vault's http(s):// URL, got %q", name, v.Address)
		}
		switch v.Mode {
		case "", vault.ModePlugin:
			if v.Key == "" {
				return configErr("signers.%s.vault.key: the key's name in the plugin is required", name)
			}
		case vault.ModeKV:
			if v.KVPath == "" {
				return configErr("signers.%s.vault.kv_path: required in kv mode", name)
			}
		default:
			return configErr("signers.%s.vault.mode: %q is not plugin or kv", name, v.Mode)
		}
		a := v.Auth
		switch a.Method {
		case "", vault.AuthToken:
			if (a.TokenEnv == "") == (a.TokenFile == "") {
				return configErr("signers.%s.vault.auth: set exactly one of token_env and token_file", name)
			}
		case vault.AuthAppRole:
			if a.RoleID == "" || (a.SecretIDEnv == "") == (a.SecretIDFile == "") {
				return configErr("signers.%s.vault.auth: approle needs role_id and one of secret_id_env and secret_id_file", name)
			}
		case vault.AuthKubernetes:
			if a.K8sRole == "" {
				return configErr("signers.%s.vault.auth.kubernetes_role: required for the kubernetes method", name)
			}
		default:
			return configErr("signers.%s.vault.auth.method: %q is not token, approle or kubernetes", name, a.Method)
		}
	default:
		return configErr("signers.%s.kind: %q is not supported (supported: local, vault, safe)", name, s.Kind)
	}
	return nil
}

// buildSigners makes every configured signer. Vault signers log in here, so
// a wrong token or an unreachable Vault stops the start with its reason.
// The returned close function releases them (Vault token renewal).
func (o Options) buildSigners(ctx context.Context, log *slog.Logger) (map[string]signer.Signer, func(), error) {
	out := map[string]signer.Signer{}
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			_ = c()
		}
	}
	names := make([]string, 0, len(o.Signers))
	for name := range o.Signers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := o.SignerInstances[name]; ok {
			continue
		}
		so := o.Signers[name]
		if so.Kind == "safe" {
			continue // not a key: built by newSafeRunner over its owners
		}
		var s signer.Signer
		var err error
		switch so.Kind {
		case "local":
			s, err = o.localSigner(so)
		case "vault":
			var vs *vault.Signer
			vs, err = o.vaultSigner(ctx, so.Vault, log.With("signer", name))
			if err == nil {
				closers = append(closers, vs.Close)
				s = vs
			}
		}
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("signers.%s: %w", name, err)
		}
		out[name] = s
		log.Info("signer ready", "signer", name, "kind", so.Kind, "address", s.Address().Hex())
	}
	for name, s := range o.SignerInstances {
		out[name] = s
	}
	return out, closeAll, nil
}

func (o Options) localSigner(so SignerOptions) (signer.Signer, error) {
	var s *local.Signer
	switch {
	case so.KeyEnv != "":
		val, err := o.secret(so.KeyEnv, "")
		if err != nil {
			return nil, err
		}
		if s, err = local.FromHex(val); err != nil {
			return nil, err
		}
	case so.KeyFile != "":
		pass := ""
		if so.PassphraseEnv != "" {
			var err error
			if pass, err = o.secret(so.PassphraseEnv, ""); err != nil {
				return nil, err
			}
		}
		var err error
		if s, err = local.FromFile(so.KeyFile, pass); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: only an address is configured: enough for dry-runs and shadow mode, not to send (set key_env or key_file)", ErrConfig)
	}
	// The configured address is what dry-runs simulate from: a key for
	// another account would make them lie.
	if so.Address != "" && !strings.EqualFold(so.Address, s.Address().Hex()) {
		return nil, fmt.Errorf("%w: address is %s but the key is for %s", ErrConfig, so.Address, s.Address().Hex())
	}
	return s, nil
}

func (o Options) vaultSigner(ctx context.Context, v *VaultSignerOptions, log *slog.Logger) (*vault.Signer, error) {
	cfg := vault.Config{
		Address: v.Address, CACert: v.CACert, Mode: v.Mode, Mount: v.Mount, Key: v.Key,
		KVMount: v.KVMount, KVPath: v.KVPath, KVField: v.KVField, Timeout: v.Timeout,
		Auth: vault.Auth{Method: v.Auth.Method, RoleID: v.Auth.RoleID, K8sRole: v.Auth.K8sRole,
			K8sTokenPath: v.Auth.K8sTokenPath, Path: v.Auth.Path},
	}
	switch cfg.Auth.Method {
	case "", vault.AuthToken:
		tok, err := o.secret(v.Auth.TokenEnv, v.Auth.TokenFile)
		if err != nil {
			return nil, err
		}
		cfg.Auth.Token = vault.Secret(tok)
	case vault.AuthAppRole:
		id, err := o.secret(v.Auth.SecretIDEnv, v.Auth.SecretIDFile)
		if err != nil {
			return nil, err
		}
		cfg.Auth.SecretID = vault.Secret(id)
	}
	return vault.New(ctx, cfg, log)
}

// secret reads a credential from the environment variable env or the file
// path (exactly one is set). Errors name where it was looked for, never
// what was found.
func (o Options) secret(env, path string) (string, error) {
	if env != "" {
		lookup := o.LookupEnv
		if lookup == nil {
			lookup = func(string) (string, bool) { return "", false }
		}
		val, ok := lookup(env)
		if !ok || val == "" {
			return "", fmt.Errorf("%w: environment variable %s is not set", ErrConfig, env)
		}
		return val, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: reading %s: %w", ErrConfig, path, err)
	}
	return strings.TrimSpace(string(b)), nil
}
