package config

import "slices"

// SafeSignerOptions describe a signer of kind "safe": a Safe multisig whose
// owners' signers are other configured signers. Actions of a protocol or
// contract whose signer is a Safe are sent as execTransaction calls on the
// Safe, paid for by Executor.
type SafeSignerOptions struct {
	// Address of the Safe (the proxy).
	Address string `yaml:"address"`
	// ChainID is the chain the Safe lives on; it must be in chains.
	ChainID uint64 `yaml:"chain_id"`
	// Owners names the signers of the Safe's owners firebreak holds. Fewer
	// than the Safe's threshold is allowed: the rest come from
	// `firebreak approve`.
	Owners []string `yaml:"owners"`
	// Executor names the signer that sends execTransaction and pays its gas;
	// it needs no role anywhere.
	Executor string `yaml:"executor"`
	// RefreshBlocks is how many blocks apart pre-signed transactions are
	// re-simulated (default 2).
	RefreshBlocks uint64 `yaml:"refresh_blocks"`
}

func (s SafeSignerOptions) empty() bool {
	return s.Address == "" && s.ChainID == 0 && len(s.Owners) == 0 && s.Executor == "" && s.RefreshBlocks == 0
}

// IsSafe reports whether the signer called name is a Safe.
func (o Options) IsSafe(name string) bool {
	s, ok := o.Signers[name]
	return ok && s.Kind == "safe"
}

// HasSafe reports whether any signer is a Safe.
func (o Options) HasSafe() bool {
	for _, s := range o.Signers {
		if s.Kind == "safe" {
			return true
		}
	}
	return false
}

func (o Options) validateSafe(name string, s SignerOptions, chains map[uint64]bool) error {
	if s.KeyEnv != "" || s.KeyFile != "" || s.PassphraseEnv != "" {
		return Errorf("signers.%s: a Safe has no key of its own: drop key_env, key_file and passphrase_env (its owners are signers)", name)
	}
	if !isAddress(s.Address) {
		return Errorf("signers.%s.address: %q is not a 0x-prefixed 20-byte hex address", name, s.Address)
	}
	if !chains[s.ChainID] {
		return Errorf("signers.%s.chain_id: chain %d is not in chains", name, s.ChainID)
	}
	keyed := func(field, ref string) error {
		_, inst := o.SignerInstances[ref]
		so, conf := o.Signers[ref]
		switch {
		case !inst && !conf:
			return Errorf("signers.%s.%s: no signer named %q", name, field, ref)
		case conf && so.Kind == "safe" && !inst:
			return Errorf("signers.%s.%s: %q is a Safe; it must be a signer with a key", name, field, ref)
		}
		return nil
	}
	for i, owner := range s.Owners {
		if err := keyed("owners", owner); err != nil {
			return err
		}
		if slices.Contains(s.Owners[:i], owner) {
			return Errorf("signers.%s.owners: %q is listed twice", name, owner)
		}
	}
	if s.Executor == "" {
		return Errorf("signers.%s.executor: required (the signer that sends execTransaction and pays its gas)", name)
	}
	return keyed("executor", s.Executor)
}

// validateContractSafe checks a contract whose actions go through a Safe,
// and the presign setting.
func (o Options) validateContractSafe(pname, cname string, p ProtocolOptions, c ContractOptions) error {
	signer := c.Signer
	if signer == "" {
		signer = p.Signer
	}
	if o.IsSafe(signer) && o.Signers[signer].ChainID != p.ChainID {
		return Errorf("protocols.%s.contracts.%s: its Safe signer %q is on chain %d, the protocol on chain %d", pname, cname, signer, o.Signers[signer].ChainID, p.ChainID)
	}
	if !c.Presign {
		return nil
	}
	if !o.IsSafe(signer) {
		return Errorf("protocols.%s.contracts.%s.presign: only actions sent through a Safe are pre-signed, and signer %q is not a Safe", pname, cname, signer)
	}
	if !c.Pausable && !c.Bridge {
		return Errorf("protocols.%s.contracts.%s.presign: the contract is neither pausable nor a bridge, so there is nothing to pre-sign", pname, cname)
	}
	return nil
}
