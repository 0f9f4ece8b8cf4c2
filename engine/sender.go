package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/firebreak-dev/firebreak/engine/config"
)

// senderAddress is the account the named signer sends from. Dry-runs and
// shadow mode need only this, never a signature: the configured address
// comes first, so no key has to be present; otherwise the address is
// derived from the key, which is then read and dropped.
func senderAddress(o config.Options, name string) (common.Address, error) {
	if s, ok := o.SignerInstances[name]; ok {
		return s.Address(), nil
	}
	so, ok := o.Signers[name]
	if !ok {
		return common.Address{}, fmt.Errorf("%w: no signer named %q", config.ErrConfig, name)
	}
	if so.Address != "" {
		return common.HexToAddress(so.Address), nil
	}
	if so.Kind != "local" {
		return common.Address{}, fmt.Errorf("%w: signers.%s (kind %s): set signers.%s.address, the account a dry-run sends from", config.ErrConfig, name, so.Kind, name)
	}
	if a, ok := keystoreAddress(so.KeyFile); ok {
		return a, nil
	}
	s, err := localSigner(o, so)
	if err != nil {
		return common.Address{}, fmt.Errorf("signers.%s: %w (or set signers.%s.address: a dry-run needs only the address)", name, err, name)
	}
	return s.Address(), nil
}

// keystoreAddress reads the address an encrypted JSON keystore carries in
// the clear, so a dry-run needs neither the passphrase nor the key.
func keystoreAddress(path string) (common.Address, bool) {
	if path == "" {
		return common.Address{}, false
	}
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
		clear(data)
		return common.Address{}, false
	}
	var ks struct {
		Address string `json:"address"`
	}
	if json.Unmarshal(data, &ks) != nil || !common.IsHexAddress(ks.Address) {
		return common.Address{}, false
	}
	return common.HexToAddress(ks.Address), true
}
