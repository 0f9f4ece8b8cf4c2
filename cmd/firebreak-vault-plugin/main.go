// Command firebreak-vault-plugin is a Vault secrets engine that keeps
// secp256k1 keys inside Vault and signs Ethereum digests and EIP-1559
// transactions there, so the key never leaves Vault.
//
// Vault starts it as a plugin over gRPC; it is not meant to be run by hand.
// See package github.com/firebreak-dev/firebreak/signer/vault for how to
// register it and for the signer that uses it.
package main

import (
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/sdk/plugin"

	"github.com/firebreak-dev/firebreak/cmd/firebreak-vault-plugin/internal/ethsign"
)

func main() {
	os.Exit(run())
}

func run() int {
	logger := hclog.New(&hclog.LoggerOptions{Name: "firebreak-vault-plugin", JSONFormat: true})

	meta := &api.PluginAPIClientMeta{}
	flags := meta.FlagSet()
	if err := flags.Parse(os.Args[1:]); err != nil {
		logger.Error("parsing flags", "error", err)
		return 2
	}
	err := plugin.ServeMultiplex(&plugin.ServeOpts{
		BackendFactoryFunc: ethsign.Factory,
		TLSProviderFunc:    api.VaultPluginTLSProvider(meta.GetTLSConfig()),
		Logger:             logger,
	})
	if err != nil {
		logger.Error("plugin shutting down", "error", err)
		return 1
	}
	return 0
}
