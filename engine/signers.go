package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
	"github.com/firebreak-dev/firebreak/signer/vault"
)

// buildSigners makes every configured signer. Vault signers log in here, so
// a wrong token or an unreachable Vault stops the start with its reason.
// The returned close function releases them (Vault token renewal).
func buildSigners(ctx context.Context, o config.Options, log *slog.Logger) (map[string]signer.Signer, func(), error) {
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
			s, err = localSigner(o, so)
		case "vault":
			var vs *vault.Signer
			vs, err = vaultSigner(ctx, o, so.Vault, log.With("signer", name))
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

func localSigner(o config.Options, so config.SignerOptions) (signer.Signer, error) {
	var s *local.Signer
	switch {
	case so.KeyEnv != "":
		val, err := o.Secret(so.KeyEnv, "")
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
			if pass, err = o.Secret(so.PassphraseEnv, ""); err != nil {
				return nil, err
			}
		}
		var err error
		if s, err = local.FromFile(so.KeyFile, pass); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: only an address is configured: enough for dry-runs and shadow mode, not to send (set key_env or key_file)", config.ErrConfig)
	}
	// The configured address is what dry-runs simulate from: a key for
	// another account would make them lie.
	if so.Address != "" && !strings.EqualFold(so.Address, s.Address().Hex()) {
		return nil, fmt.Errorf("%w: address is %s but the key is for %s", config.ErrConfig, so.Address, s.Address().Hex())
	}
	return s, nil
}

func vaultSigner(ctx context.Context, o config.Options, v *config.VaultSignerOptions, log *slog.Logger) (*vault.Signer, error) {
	cfg := vault.Config{
		Address: v.Address, CACert: v.CACert, Mode: v.Mode, Mount: v.Mount, Key: v.Key,
		KVMount: v.KVMount, KVPath: v.KVPath, KVField: v.KVField, Timeout: v.Timeout,
		Auth: vault.Auth{Method: v.Auth.Method, RoleID: v.Auth.RoleID, K8sRole: v.Auth.K8sRole,
			K8sTokenPath: v.Auth.K8sTokenPath, Path: v.Auth.Path},
	}
	switch cfg.Auth.Method {
	case "", vault.AuthToken:
		tok, err := o.Secret(v.Auth.TokenEnv, v.Auth.TokenFile)
		if err != nil {
			return nil, err
		}
		cfg.Auth.Token = vault.Secret(tok)
	case vault.AuthAppRole:
		id, err := o.Secret(v.Auth.SecretIDEnv, v.Auth.SecretIDFile)
		if err != nil {
			return nil, err
		}
		cfg.Auth.SecretID = vault.Secret(id)
	}
	return vault.New(ctx, cfg, log)
}
