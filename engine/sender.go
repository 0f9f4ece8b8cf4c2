package engine

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
)

// senderAddress is the account the named signer sends from. Dry-runs and
// shadow mode need only this, never a signature: the configured address
// comes first, so no key has to be present; otherwise the address is
// derived from the key, which is then read and dropped.
func (o Options) senderAddress(name string) (common.Address, error) {
	if s, ok := o.SignerInstances[name]; ok {
		return s.Address(), nil
	}
	so, ok := o.Signers[name]
	if !ok {
		return common.Address{}, fmt.Errorf("%w: no signer named %q", ErrConfig, name)
	}
	if so.Address != "" {
		return common.HexToAddress(so.Address), nil
	}
	s, err := o.localSigner(so)
	if err != nil {
		return common.Address{}, fmt.Errorf("signers.%s: %w (or set signers.%s.address: a dry-run needs only the address)", name, err, name)
	}
	return s.Address(), nil
}
