package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// RecoveryOptions configure recovery: the inverse of a containment
// (unpause, unfreeze, re-grant a role, unblock), which firebreak never runs
// by itself. `firebreak recover` plans it and dry-runs it on a fork; the
// running engine executes it once Threshold of the Approvers signed the
// proposal's hash, each with their own ed25519 key
// (`firebreak approve --recovery ID --key FILE`).
//
// Recovery calls must be on Options.RecoveryAllowlist (recovery_allowlist),
// a list of its own: the containment allowlist never allows them and the
// containment guard has no action that makes them.
type RecoveryOptions struct {
	// Signer sends the recovery transactions. It must hold the role the
	// inverse calls need (OpenZeppelin's unpause and grantRole want the
	// admin role), which the containment signer should not hold.
	Signer string `yaml:"signer"`
	// Threshold is how many distinct approvers must sign a proposal.
	Threshold int `yaml:"threshold"`
	// Approvers are the operators who may approve a recovery.
	Approvers []RecoveryApprover `yaml:"approvers"`
}

// RecoveryApprover is one operator's public key.
type RecoveryApprover struct {
	// Name is who they are, as the audit log and the proposal show it.
	Name string `yaml:"name"`
	// PublicKey is the ed25519 public key, hex (64 digits) or base64.
	PublicKey string `yaml:"public_key"`
}

// Configured reports whether recovery is set up at all.
func (r RecoveryOptions) Configured() bool {
	return r.Signer != "" || r.Threshold != 0 || len(r.Approvers) > 0
}

// ParseRecoveryKey decodes an approver's public key: hex or base64 of 32
// bytes.
func ParseRecoveryKey(text string) (ed25519.PublicKey, error) {
	t := strings.TrimPrefix(strings.TrimSpace(text), "0x")
	if b, err := hex.DecodeString(t); err == nil {
		if len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%d bytes, want an ed25519 public key of %d", len(b), ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(b), nil
	}
	b, err := base64.StdEncoding.DecodeString(t)
	if err != nil {
		return nil, fmt.Errorf("neither hex nor base64")
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%d bytes, want an ed25519 public key of %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// RecoveryAllowedCalls is recovery_allowlist as resolved calls.
func (o Options) RecoveryAllowedCalls() []AllowedCall {
	return o.RecoveryOnly().AllowedCalls()
}

// RecoveryOnly is o with recovery_allowlist as its allowlist: what the
// checks of a recovery call are built from, so that they are the checks of
// the containment path over the other list.
func (o Options) RecoveryOnly() Options {
	r := o
	r.Allowlist = o.RecoveryAllowlist
	return r
}

// ValidateRecovery checks the recovery section and recovery_allowlist.
func (o Options) ValidateRecovery() error {
	chains := map[uint64]bool{}
	for _, c := range o.Chains {
		chains[c.ID] = true
	}
	for i, a := range o.RecoveryAllowlist {
		if !chains[a.ChainID] {
			return Errorf("recovery_allowlist[%d].chain_id: chain %d is not in chains", i, a.ChainID)
		}
		if _, err := o.ResolveContract(a.Contract); err != nil {
			return Errorf("recovery_allowlist[%d].contract: %v", i, err)
		}
		if len(a.Functions) == 0 {
			return Errorf("recovery_allowlist[%d].functions: at least one function signature, like \"unpause()\"", i)
		}
		for j, f := range a.Functions {
			if !strings.HasSuffix(f, ")") || !strings.Contains(f, "(") {
				return Errorf("recovery_allowlist[%d].functions[%d]: %q is not a function signature like \"unpause()\"", i, j, f)
			}
		}
	}
	r := o.Recovery
	if !r.Configured() {
		return nil
	}
	_, conf := o.Signers[r.Signer]
	_, inst := o.SignerInstances[r.Signer]
	switch {
	case r.Signer == "":
		return Errorf("recovery.signer: required: the signer that sends recovery transactions")
	case !conf && !inst:
		return Errorf("recovery.signer: no signer named %q", r.Signer)
	case conf && o.Signers[r.Signer].Kind == "safe":
		return Errorf("recovery.signer: %q is a Safe; recovery through a Safe is not supported yet: name a signer with a key and recovery.approvers", r.Signer)
	case len(r.Approvers) == 0:
		return Errorf("recovery.approvers: at least one approver (name and ed25519 public_key)")
	case r.Threshold < 1 || r.Threshold > len(r.Approvers):
		return Errorf("recovery.threshold: must be 1 to %d (the approvers listed), got %d", len(r.Approvers), r.Threshold)
	}
	names, keys := map[string]bool{}, map[string]string{}
	for i, a := range r.Approvers {
		if strings.TrimSpace(a.Name) == "" || len(a.Name) > 64 {
			return Errorf("recovery.approvers[%d].name: required, at most 64 characters", i)
		}
		if names[a.Name] {
			return Errorf("recovery.approvers[%d].name: %q is listed twice", i, a.Name)
		}
		names[a.Name] = true
		k, err := ParseRecoveryKey(a.PublicKey)
		if err != nil {
			return Errorf("recovery.approvers[%d].public_key (%s): %v", i, a.Name, err)
		}
		if other, ok := keys[string(k)]; ok {
			// One key under two names would count one person twice.
			return Errorf("recovery.approvers[%d].public_key (%s): the same key as %s", i, a.Name, other)
		}
		keys[string(k)] = a.Name
	}
	return nil
}
