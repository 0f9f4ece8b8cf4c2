// Package vault is a signer.Signer whose secp256k1 key is held by
// HashiCorp Vault.
//
// # Modes
//
// In plugin mode (the default) the key lives in firebreak-vault-plugin, a
// Vault secrets engine built from cmd/firebreak-vault-plugin: the Signer
// sends digests and EIP-1559 transactions to the plugin's sign path and the
// key never leaves Vault. In kv mode the Signer reads a hex private key from
// a KV v2 secret for every signature, signs locally and zeroes its copy of
// the key bytes right after (best effort: the JSON decoder's string copy
// cannot be zeroed). Prefer plugin mode; kv mode is for teams that already
// keep keys in KV.
//
// Every signature, digest or transaction, is checked to recover to the
// signer's address before it is returned; a transaction returned by Vault
// must also be the transaction that was asked for. Otherwise the result is
// discarded with signer.ErrWrongSignature.
//
// # Registering the plugin in Vault
//
// Build the plugin, copy it into Vault's plugin_directory, register it with
// its checksum and mount it:
//
//	go build -trimpath -o /etc/vault/plugins/firebreak-vault-plugin ./cmd/firebreak-vault-plugin
//	vault plugin register -sha256=$(sha256sum /etc/vault/plugins/firebreak-vault-plugin | cut -d' ' -f1) \
//	    secret firebreak-vault-plugin
//	vault secrets enable -path=eth firebreak-vault-plugin
//
// Then create a key (or import one with private_key=HEX; it is write-only)
// and give the engine's token a policy that allows only what it needs:
//
//	vault write -f eth/keys/pauser        # returns name and address
//	vault read eth/keys/pauser            # name and address, never the key
//	vault write eth/keys/pauser/sign digest=0x<32 bytes>
//
//	path "eth/keys/pauser"      { capabilities = ["read"] }
//	path "eth/keys/pauser/sign" { capabilities = ["update"] }
//
// The keys are stored under the mount's keys/ prefix, which the plugin
// declares seal-wrapped (effective with a seal that supports seal wrapping).
// For a development server, `vault server -dev -dev-plugin-dir=DIR`
// registers every binary in DIR under its file name.
//
// # Configuration
//
// Config fields (zero values take the documented defaults):
//
//	Address        Vault's URL, e.g. https://vault.example:8200 (required)
//	CACert         PEM file of the CA of Vault's TLS certificate (system roots;
//	               the API client also honours VAULT_CACERT and the other
//	               VAULT_* TLS variables)
//	Mode           "plugin" (default) or "kv"
//	Mount, Key     plugin mode: the plugin's mount ("eth") and the key's name
//	KVMount        kv mode: the KV v2 mount ("secret")
//	KVPath         kv mode: the secret's path in the mount
//	KVField        kv mode: the field holding the hex key ("private_key")
//	Auth.Method    "token" (default), "approle" or "kubernetes"
//	Auth.Token     token auth
//	Auth.RoleID    approle auth, with Auth.SecretID
//	Auth.K8sRole   kubernetes auth, with Auth.K8sTokenPath (the service
//	               account token file, default
//	               /var/run/secrets/kubernetes.io/serviceaccount/token)
//	Auth.Path      where the auth method is mounted ("approle", "kubernetes")
//	Timeout        bound of each Vault request, retries included (5s)
//	MaxRetries     retries of a 5xx or connection error, never a 4xx (2)
//
// Auth.Token and Auth.SecretID are of type Secret, which prints, logs and
// marshals as "<secret>"; neither ever appears in an error or a log line.
//
// New logs in, resolves the address and keeps the token alive: a renewable
// token is renewed with the API's LifetimeWatcher, and with AppRole or
// Kubernetes the Signer logs in again when the token reaches its maximum
// TTL (an AppRole secret id with a use limit is used up by such logins).
// Close stops that.
//
// # Errors
//
// Failures wrap a sentinel: ErrAuth (permission denied, bad token, failed
// login), ErrSealed together with signer.ErrUnavailable (Vault is sealed;
// unseal it and the same Signer works again), signer.ErrUnavailable (Vault
// unreachable, timed out or answering 5xx), signer.ErrNoKey (no such key or
// secret), signer.ErrBadKey (kv mode: the secret is not a valid key),
// signer.ErrWrongSignature, ErrConfig.
package vault
