package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/firebreak-dev/firebreak/signer/vault"
)

// validate checks one signer's settings without I/O.
func (s SignerOptions) validate(name string) error {
	if s.Address != "" && !isAddress(s.Address) {
		return Errorf("signers.%s.address: %q is not a 0x-prefixed 20-byte hex address", name, s.Address)
	}
	switch s.Kind {
	case "local":
		if s.KeyEnv != "" && s.KeyFile != "" {
			return Errorf("signers.%s: set exactly one of key_env and key_file", name)
		}
		if s.KeyEnv == "" && s.KeyFile == "" && s.Address == "" {
			return Errorf("signers.%s: set key_env or key_file (or only address, for dry-runs and shadow mode)", name)
		}
		if s.Vault != nil {
			return Errorf("signers.%s.vault: only for kind: vault", name)
		}
	case "vault":
		v := s.Vault
		if v == nil {
			return Errorf("signers.%s.vault: required for kind: vault (address, key or kv_path, auth)", name)
		}
		if s.KeyEnv != "" || s.KeyFile != "" {
			return Errorf("signers.%s: key_env and key_file are for kind: local; a Vault key stays in Vault", name)
		}
		if !hasScheme(v.Address, "http://", "https://") {
			return Errorf("signers.%s.vault.address: want Vault's http(s):// URL, got %s", name, shownValue(v.Address))
		}
		switch v.Mode {
		case "", vault.ModePlugin:
			if v.Key == "" {
				return Errorf("signers.%s.vault.key: the key's name in the plugin is required", name)
			}
		case vault.ModeKV:
			if v.KVPath == "" {
				return Errorf("signers.%s.vault.kv_path: required in kv mode", name)
			}
		default:
			return Errorf("signers.%s.vault.mode: %q is not plugin or kv", name, v.Mode)
		}
		a := v.Auth
		switch a.Method {
		case "", vault.AuthToken:
			if (a.TokenEnv == "") == (a.TokenFile == "") {
				return Errorf("signers.%s.vault.auth: set exactly one of token_env and token_file", name)
			}
		case vault.AuthAppRole:
			if a.RoleID == "" || (a.SecretIDEnv == "") == (a.SecretIDFile == "") {
				return Errorf("signers.%s.vault.auth: approle needs role_id and one of secret_id_env and secret_id_file", name)
			}
		case vault.AuthKubernetes:
			if a.K8sRole == "" {
				return Errorf("signers.%s.vault.auth.kubernetes_role: required for the kubernetes method", name)
			}
		default:
			return Errorf("signers.%s.vault.auth.method: %q is not token, approle or kubernetes", name, a.Method)
		}
	default:
		return Errorf("signers.%s.kind: %q is not supported (supported: local, vault, safe)", name, s.Kind)
	}
	return nil
}

// Secret reads a credential from the environment variable env or the file
// path (exactly one is set). Errors name where it was looked for, never
// what was found.
func (o Options) Secret(env, path string) (string, error) {
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
