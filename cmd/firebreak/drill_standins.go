package main

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/signer"
	"github.com/firebreak-dev/firebreak/signer/local"
)

// drillSigners are the drill's stand-ins for your signers.
type drillSigners struct {
	// senders maps each stand-in that sends transactions (a protocol's
	// signer, a Safe's executor) to the account the fork takes it as.
	senders map[common.Address]common.Address
	// instances are the stand-in keys by signer name; safes your Safe
	// signers, whose owners and executor are stand-ins.
	instances map[string]signer.Signer
	safes     map[string]config.SignerOptions
	// swaps are the owners of your Safes the drill's keys replace on the
	// fork, so that their signatures count.
	swaps    []ownerSwap
	accounts []string
	report   []drillStandIn
}

// ownerSwap replaces owner by standIn among the owners of safe.
type ownerSwap struct {
	signer, safeName string
	safe             common.Address
	owner, standIn   common.Address
}

// drillStandIns makes a key for each signer the protocols of chainID use
// (and for the owners and executor of each Safe they use). A signer's key
// is never read: only its configured address.
func drillStandIns(o config.Options, chainID uint64) (drillSigners, error) {
	si := drillSigners{senders: map[common.Address]common.Address{}, instances: map[string]signer.Signer{}, safes: map[string]config.SignerOptions{}}
	senders := map[string]bool{}
	for _, p := range o.Protocols {
		if p.ChainID != chainID {
			continue
		}
		senders[p.Signer] = true
		for _, c := range p.Contracts {
			if c.Signer != "" {
				senders[c.Signer] = true
			}
		}
	}
	delete(senders, "")
	owners := map[string][]string{} // owner signer → the Safes it owns
	for _, name := range slices.Sorted(maps.Keys(senders)) {
		so, ok := o.Signers[name]
		if !ok {
			return si, fmt.Errorf("signers.%s: not configured", name)
		}
		if so.Kind != "safe" {
			continue
		}
		if !common.IsHexAddress(so.Address) {
			return si, fmt.Errorf("signers.%s: a Safe needs its address", name)
		}
		delete(senders, name)
		si.safes[name] = so
		senders[so.Executor] = true
		for _, ow := range so.Owners {
			owners[ow] = append(owners[ow], name)
		}
	}
	names := map[string]bool{}
	for n := range senders {
		names[n] = true
	}
	for n := range owners {
		names[n] = true
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		so, ok := o.Signers[name]
		if !ok {
			return si, fmt.Errorf("signers.%s: not configured", name)
		}
		if so.Kind == "safe" {
			return si, fmt.Errorf("signers.%s is a Safe used as another Safe's owner or executor: a drill does not rehearse nested Safes", name)
		}
		if !common.IsHexAddress(so.Address) {
			return si, fmt.Errorf("signers.%s: set address: to its account, which the drill impersonates on the fork (it never reads the signer's key)", name)
		}
		key, err := crypto.GenerateKey()
		if err != nil {
			return si, err
		}
		s, err := local.FromHex(hexutil.Encode(crypto.FromECDSA(key))[2:])
		if err != nil {
			return si, err
		}
		account := common.HexToAddress(so.Address)
		si.instances[name] = s
		if senders[name] {
			si.senders[s.Address()] = account
			si.accounts = append(si.accounts, name+" "+account.Hex())
			si.report = append(si.report, drillStandIn{Signer: name, Account: account.Hex(), StandIn: s.Address().Hex(), As: "sender"})
		}
		for _, safe := range owners[name] {
			addr := common.HexToAddress(si.safes[safe].Address)
			si.swaps = append(si.swaps, ownerSwap{signer: name, safeName: safe, safe: addr, owner: account, standIn: s.Address()})
			si.report = append(si.report, drillStandIn{Signer: name, Account: account.Hex(), StandIn: s.Address().Hex(), As: "owner of Safe " + addr.Hex()})
		}
	}
	if len(si.senders) == 0 {
		return si, fmt.Errorf("no protocol on chain %d names a signer: nothing could act", chainID)
	}
	return si, nil
}

// sentinelOwner heads a Safe's linked list of owners.
var sentinelOwner = common.HexToAddress("0x0000000000000000000000000000000000000001")

// swapSafeOwners makes each swap on the fork: the Safe itself,
// impersonated, calls swapOwner, as its own execTransaction would. It
// returns notes for the Safes whose threshold the owners firebreak holds
// do not reach: in a drill nobody approves.
func swapSafeOwners(ctx context.Context, raw *rpc.Client, c *ethclient.Client, swaps []ownerSwap) ([]string, error) {
	abi := safeabi.NewSafe()
	bySafe := map[common.Address][]ownerSwap{}
	for _, s := range swaps {
		bySafe[s.safe] = append(bySafe[s.safe], s)
	}
	var notes []string
	for _, safe := range slices.SortedFunc(maps.Keys(bySafe), func(a, b common.Address) int { return a.Cmp(b) }) {
		group := bySafe[safe]
		out, err := c.CallContract(ctx, ethereum.CallMsg{To: &safe, Data: abi.PackGetOwners()}, nil)
		if err != nil {
			return nil, fmt.Errorf("signers.%s: reading the Safe's owners on the fork: %w", group[0].safeName, err)
		}
		owners, err := abi.UnpackGetOwners(out)
		if err != nil {
			return nil, fmt.Errorf("signers.%s: %s is not a Safe on the fork: %w", group[0].safeName, safe.Hex(), err)
		}
		out, err = c.CallContract(ctx, ethereum.CallMsg{To: &safe, Data: abi.PackGetThreshold()}, nil)
		if err != nil {
			return nil, fmt.Errorf("signers.%s: reading the Safe's threshold on the fork: %w", group[0].safeName, err)
		}
		threshold, err := abi.UnpackGetThreshold(out)
		if err != nil {
			return nil, fmt.Errorf("signers.%s: the Safe's threshold: %w", group[0].safeName, err)
		}
		if err := asAccount(ctx, raw, c, safe, func(send func(data []byte) error) error {
			for _, s := range group {
				i := slices.Index(owners, s.owner)
				if i < 0 {
					return fmt.Errorf("signers.%s: %s is not an owner of the Safe %s (signers.%s) on the fork", s.signer, s.owner.Hex(), safe.Hex(), s.safeName)
				}
				prev := sentinelOwner
				if i > 0 {
					prev = owners[i-1]
				}
				if err := send(abi.PackSwapOwner(prev, s.owner, s.standIn)); err != nil {
					return fmt.Errorf("replacing owner %s of the Safe %s by the drill's key: %w", s.owner.Hex(), safe.Hex(), err)
				}
				owners[i] = s.standIn
			}
			return nil
		}); err != nil {
			return nil, err
		}
		if held := uint64(len(group)); threshold.Uint64() > held {
			notes = append(notes, fmt.Sprintf("the Safe %s (signers.%s) needs %d signatures and firebreak holds %d owners: its actions wait for %d approvals from people (firebreak approve), which nobody gives in a drill",
				safe.Hex(), group[0].safeName, threshold, held, threshold.Uint64()-held))
		}
	}
	return notes, nil
}

// asAccount lets f send transactions from account to itself on the fork,
// impersonated, paying gas the drill gives it and takes back afterwards,
// so that its balance is what it was.
func asAccount(ctx context.Context, raw *rpc.Client, c *ethclient.Client, account common.Address, f func(send func(data []byte) error) error) error {
	bal, err := c.BalanceAt(ctx, account, nil)
	if err != nil {
		return err
	}
	if err := raw.CallContext(ctx, nil, "anvil_impersonateAccount", account); err != nil {
		return err
	}
	defer raw.CallContext(context.WithoutCancel(ctx), nil, "anvil_stopImpersonatingAccount", account)
	gas := new(big.Int).Add(bal, big.NewInt(1e18))
	if err := raw.CallContext(ctx, nil, "anvil_setBalance", account, (*hexutil.Big)(gas)); err != nil {
		return err
	}
	defer raw.CallContext(context.WithoutCancel(ctx), nil, "anvil_setBalance", account, (*hexutil.Big)(bal))
	return f(func(data []byte) error {
		var hash common.Hash
		if err := raw.CallContext(ctx, &hash, "eth_sendTransaction", map[string]any{
			"from": account, "to": account, "gas": hexutil.Uint64(300_000), "input": hexutil.Bytes(data),
		}); err != nil {
			return err
		}
		for {
			r, err := c.TransactionReceipt(ctx, hash)
			if err == nil {
				if r.Status != types.ReceiptStatusSuccessful {
					return fmt.Errorf("transaction %s reverted", hash.Hex())
				}
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("transaction %s not mined: %w", hash.Hex(), ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// describe is how the report's header names a stand-in.
func (s drillStandIn) describe() string {
	if strings.HasPrefix(s.As, "owner of Safe ") {
		return fmt.Sprintf("signer %s: the drill's key %s replaced %s as an %s on the fork", s.Signer, s.StandIn, s.Account, s.As)
	}
	return fmt.Sprintf("signer %s acts as %s (impersonated; firebreak signed with the drill's key %s)", s.Signer, s.Account, s.StandIn)
}
