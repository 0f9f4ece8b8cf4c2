package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"os"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decode"
	"github.com/firebreak-dev/firebreak/engine/simulate"
	"github.com/firebreak-dev/firebreak/engine/simulate/impersonate"
	"github.com/firebreak-dev/firebreak/engine/watch"
)

// forkURLEnv is where drill --config reads the fork URL from when
// --fork-url is not given: a provider's URL usually holds its API key, and
// a command line is readable by every user of the machine.
const forkURLEnv = "FIREBREAK_FORK_URL"

// forkDrill is what drill --config adds: a rehearsal of your own setup on
// a fork of your chain.
type forkDrill struct {
	ConfigPath string
	ForkURL    string
	ForkBlock  uint64
	// Protocol and Target name the protocol of the configuration and its
	// contract whose funds the attack drains; Token, when set, is the
	// ERC-20 counted as the funds instead of ETH.
	Protocol, Target, Token string
	// The attacker's transaction, sent once a block: from (impersonated
	// on the fork; empty: a fresh account), to (an address or a contract
	// of the protocol; empty: the target), calldata and value (wei).
	AttackFrom, AttackTo, AttackData, AttackValue string
	AttackGas                                     uint64
	// MinTipSet: --min-tip was given, and overrides the chain's min_tip.
	MinTipSet bool
}

// drillFork is what the report says about a drill of your own setup.
type drillFork struct {
	Config  string `json:"config"`
	ChainID uint64 `json:"chain_id"`
	// URL is the fork URL with any credential cut out; Block the block it
	// was forked at.
	URL      string `json:"fork_url"`
	Block    uint64 `json:"fork_block"`
	Protocol string `json:"protocol"`
	// Token is the ERC-20 counted as the funds; empty: ETH.
	Token    string         `json:"token,omitempty"`
	Attacker string         `json:"attacker"`
	StandIns []drillStandIn `json:"stand_ins"`
	// Impersonated counts the engine's transactions the fork took as
	// sent by your accounts.
	Impersonated int `json:"impersonated_txs"`
}

// drillStandIn is one of your signers: the account the fork acts as, and
// the key made for the drill that firebreak signed with instead.
type drillStandIn struct {
	Signer  string `json:"signer"`
	Account string `json:"account"`
	StandIn string `json:"stand_in"`
	// As says how the stand-in acts: "sender" (its transactions are
	// taken as the account's), or "owner of Safe 0x…" (the drill's key
	// replaced the account among the Safe's owners on the fork).
	As string `json:"as"`
}

// forkDrillRun rehearses the attack f describes on a fork of the chain of
// f's protocol, with the configuration's policies, registry, allowlist,
// guard and watch rules, and its signers' accounts impersonated.
func forkDrillRun(ctx context.Context, o drillOptions, f forkDrill) (drillReport, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	log, progress := o.Log, o.Progress
	if o.Slices < 1 {
		return drillReport{}, errors.New("--slices must be at least 1: it is how many transactions the attacker sends at most")
	}
	team, err := config.LoadConfig(f.ConfigPath)
	if err != nil {
		return drillReport{}, fmt.Errorf("--config: %w", err)
	}
	pname, err := pickDrillProtocol(team, f.Protocol)
	if err != nil {
		return drillReport{}, err
	}
	p := team.Protocols[pname]
	tname, err := pickDrillTarget(pname, p, f.Target)
	if err != nil {
		return drillReport{}, err
	}
	target := common.HexToAddress(p.Contracts[tname].Address)
	chain, ok := chainOf(team, p.ChainID)
	if !ok {
		return drillReport{}, fmt.Errorf("protocols.%s: chain %d is not in chains", pname, p.ChainID)
	}
	attack, err := parseDrillAttack(f, pname, p, target)
	if err != nil {
		return drillReport{}, err
	}
	si, err := drillStandIns(team, p.ChainID)
	if err != nil {
		return drillReport{}, err
	}

	progress("forking chain %d from %s with a %s block time", p.ChainID, config.RedactURL(f.ForkURL), o.BlockTime)
	node, err := simulate.StartAnvil(ctx, simulate.AnvilOptions{Bin: o.Anvil, BlockTime: o.BlockTime, ForkURL: f.ForkURL, ForkBlock: f.ForkBlock})
	if err != nil {
		return drillReport{}, fmt.Errorf("forking: %s", config.RedactURLs(err.Error(), f.ForkURL))
	}
	defer node.Stop()
	raw, err := rpc.DialContext(ctx, node.URL())
	if err != nil {
		return drillReport{}, fmt.Errorf("connecting to the fork: %w", err)
	}
	defer raw.Close()
	direct := ethclient.NewClient(raw)
	id, err := direct.ChainID(ctx)
	if err != nil {
		return drillReport{}, fmt.Errorf("the fork's chain id: %w", err)
	}
	if id.Uint64() != p.ChainID {
		return drillReport{}, fmt.Errorf("the fork is of chain %d, but protocols.%s is on chain %d: --fork-url must be a node of that chain", id, pname, p.ChainID)
	}
	forkBlock, err := direct.BlockNumber(ctx)
	if err != nil {
		return drillReport{}, fmt.Errorf("the fork's head: %w", err)
	}
	if code, err := direct.CodeAt(ctx, target, nil); err != nil || len(code) == 0 {
		return drillReport{}, fmt.Errorf("protocols.%s.contracts.%s: no contract at %s on the fork (block %d)", pname, tname, target.Hex(), forkBlock)
	}

	var safeNotes []string
	if len(si.swaps) > 0 {
		progress("making the drill's keys owners of your Safes on the fork, in place of the owners firebreak holds")
		if safeNotes, err = swapSafeOwners(ctx, raw, direct, si.swaps); err != nil {
			return drillReport{}, err
		}
	}
	progress("impersonating %s on the fork: firebreak signs with a key made for this drill", strings.Join(si.accounts, ", "))
	proxy, err := impersonate.Start(ctx, impersonate.Options{Upstream: node.URL(), StandIns: si.senders}, log)
	if err != nil {
		return drillReport{}, err
	}
	defer proxy.Close()
	client, err := ethclient.DialContext(ctx, proxy.URL())
	if err != nil {
		return drillReport{}, fmt.Errorf("connecting to the fork: %w", err)
	}
	defer client.Close()

	funds := func(ctx context.Context, block common.Hash) (*big.Int, error) {
		return watch.BalanceAt(ctx, client, target, attack.token, block)
	}
	atk, err := newForkAttacker(ctx, raw, direct, attack, id, gweiToWei(o.AttackerTip), o.Slices, funds)
	if err != nil {
		return drillReport{}, err
	}
	atk.target = target

	dataDir, err := os.MkdirTemp("", "firebreak-drill-")
	if err != nil {
		return drillReport{}, err
	}
	defer os.RemoveAll(dataDir)
	opts := forkEngineOptions(team, pname, tname, attack.token, chain, dataDir, proxy.URL(), node.WSURL(), si)
	if f.MinTipSet {
		opts.Chains[0].MinTip = o.MinTip
	}
	o.MinTip = opts.Chains[0].MinTip
	if len(team.Watch.Protocols[pname].Rules) == 0 {
		progress("no watch rules for %s in the configuration: watching %s.%s with the drill's own (outflow over 2%%, exploit over 5%%, 3 reverted calls)", pname, pname, tname)
	}

	st, err := startDrillStack(ctx, o, opts, p.ChainID, client, node.WSURL())
	if err != nil {
		return drillReport{}, err
	}
	defer st.stop()
	sc := drillScenario{Name: "fork", Target: tname, Label: pname + "." + tname, Containment: "what your policies decide", gas: f.AttackGas,
		About: "your own setup: " + attack.what + " from " + atk.from.Hex() + ", once a block",
		next: func(_ *attacker, _ *big.Int) (common.Address, *big.Int, []byte, string) {
			return attack.to, attack.value, attack.data, attack.what
		}}
	atk.sc = sc
	progress("attack: %s", sc.About)
	rep, err := st.attack(ctx, client, node.WSURL(), sc, atk)
	if err != nil {
		return rep, err
	}
	rep.Fork = &drillFork{Config: f.ConfigPath, ChainID: p.ChainID, URL: config.RedactURL(f.ForkURL), Block: forkBlock, Protocol: pname,
		Attacker: atk.from.Hex(), Impersonated: proxy.Sent()}
	if attack.token != (common.Address{}) {
		rep.Fork.Token = attack.token.Hex()
	}
	rep.Fork.StandIns = si.report
	rep.Notes = append(rep.Notes, safeNotes...)
	if o.Response && !rep.Contained {
		rep.Notes = append(rep.Notes, forkNotContained(rep)...)
	}
	return rep, nil
}

// forkNotContained says what to look at when your setup did not contain
// the attack: the first thing a rehearsal is for.
func forkNotContained(rep drillReport) []string {
	if len(rep.Detections) == 0 {
		return []string{"the watcher reported nothing: no rule of watch.protocols fired on this attack"}
	}
	if len(rep.Actions) == 0 {
		return []string{"no action was taken: your policies decided nothing for these events (see decided in detection_events), or the guard refused it"}
	}
	var out []string
	for _, a := range rep.Actions {
		if a.Status == types.ReceiptStatusSuccessful {
			continue
		}
		why := "if it reverted, the impersonated account may lack the role it needs, or the contract has no such function"
		if a.Error != "" {
			why = cut(termLine(a.Error), 400)
		}
		out = append(out, fmt.Sprintf("%s on %s ended %s: %s", a.Function, a.Contract, a.State, why))
	}
	return out
}

// drillAttack is the attacker's transaction, resolved.
type drillAttack struct {
	from  common.Address // zero: a fresh account
	to    common.Address
	data  []byte
	value *big.Int
	token common.Address
	what  string
}

func parseDrillAttack(f forkDrill, pname string, p config.ProtocolOptions, target common.Address) (drillAttack, error) {
	a := drillAttack{to: target, value: new(big.Int)}
	if f.AttackData == "" {
		return a, errors.New("--attack-data is required with --config: the calldata of the transaction the attacker sends once a block (for example from `cast calldata`)")
	}
	var err error
	if a.data, err = hexutil.Decode(f.AttackData); err != nil || len(a.data) < 4 {
		return a, fmt.Errorf("--attack-data %q: want 0x-prefixed calldata of at least a 4-byte selector", cut(f.AttackData, 80))
	}
	a.what = "call " + hexutil.Encode(a.data[:4])
	if c := decode.NewDecoder().DecodeCall(a.data); c.Known {
		a.what = c.Function
	}
	if f.AttackTo != "" {
		if a.to, err = drillAddress(f.AttackTo, pname, p); err != nil {
			return a, fmt.Errorf("--attack-to: %w", err)
		}
	}
	if f.AttackFrom != "" {
		if !common.IsHexAddress(f.AttackFrom) {
			return a, fmt.Errorf("--attack-from %q: not a 0x address", cut(f.AttackFrom, 80))
		}
		a.from = common.HexToAddress(f.AttackFrom)
	}
	if f.AttackValue != "" {
		if v, ok := new(big.Int).SetString(f.AttackValue, 10); ok && v.Sign() >= 0 {
			a.value = v
		} else {
			return a, fmt.Errorf("--attack-value %q: want an amount in wei", cut(f.AttackValue, 80))
		}
	}
	if f.Token != "" {
		if a.token, err = drillAddress(f.Token, pname, p); err != nil {
			return a, fmt.Errorf("--token: %w", err)
		}
	}
	return a, nil
}

// drillAddress is a 0x address or the address of a contract of protocol p.
func drillAddress(s, pname string, p config.ProtocolOptions) (common.Address, error) {
	if strings.HasPrefix(s, "0x") {
		if !common.IsHexAddress(s) {
			return common.Address{}, fmt.Errorf("%q is not a 0x address", cut(s, 80))
		}
		return common.HexToAddress(s), nil
	}
	c, ok := p.Contracts[s]
	if !ok {
		return common.Address{}, fmt.Errorf("%q is neither a 0x address nor a contract of protocols.%s (%s)", cut(s, 80), pname, strings.Join(slices.Sorted(maps.Keys(p.Contracts)), ", "))
	}
	return common.HexToAddress(c.Address), nil
}

func pickDrillProtocol(o config.Options, name string) (string, error) {
	names := slices.Sorted(maps.Keys(o.Protocols))
	switch {
	case name != "":
		if _, ok := o.Protocols[name]; !ok {
			return "", fmt.Errorf("--protocol %q is not in the configuration's protocols (%s)", name, strings.Join(names, ", "))
		}
		return name, nil
	case len(names) == 1:
		return names[0], nil
	case len(names) == 0:
		return "", errors.New("the configuration has no protocols: nothing to rehearse")
	}
	return "", fmt.Errorf("the configuration has %d protocols (%s): choose one with --protocol", len(names), strings.Join(names, ", "))
}

func pickDrillTarget(pname string, p config.ProtocolOptions, name string) (string, error) {
	names := slices.Sorted(maps.Keys(p.Contracts))
	switch {
	case name != "":
		if _, ok := p.Contracts[name]; !ok {
			return "", fmt.Errorf("--target %q is not a contract of protocols.%s (%s)", name, pname, strings.Join(names, ", "))
		}
		return name, nil
	case len(names) == 1:
		return names[0], nil
	}
	return "", fmt.Errorf("protocols.%s has %d contracts (%s): choose the one the attack drains with --target", pname, len(names), strings.Join(names, ", "))
}

func chainOf(o config.Options, id uint64) (config.ChainOptions, bool) {
	for _, c := range o.Chains {
		if c.ID == id {
			return c, true
		}
	}
	return config.ChainOptions{}, false
}

// forkEngineOptions are your configuration made safe to run against the
// fork: only its chain, reached through the impersonating proxy and never
// through your other endpoints or private relay; a fresh embedded NATS;
// the drill's keys as your signers; no notification, console, ingress,
// metrics, readiness or recovery. Policies, registry, allowlist, guard,
// guardrails, incidents and watch rules are yours.
func forkEngineOptions(team config.Options, pname, tname string, token common.Address, chain config.ChainOptions, dataDir, rpcURL, wsURL string, si drillSigners) config.Options {
	o := config.DefaultOptions()
	o.DataDir = dataDir
	o.NATS.Port = -1
	o.Chains = []config.ChainOptions{{ID: chain.ID, Name: chain.Name, RPC: rpcURL, WS: wsURL, Broadcast: "public",
		MaxFeePerGas: chain.MaxFeePerGas, MinTip: chain.MinTip, TipPercentile: chain.TipPercentile,
		Confirmations: chain.Confirmations, BumpEveryBlocks: chain.BumpEveryBlocks, Explorer: chain.Explorer}}
	o.SignerInstances = si.instances
	o.Signers = si.safes
	// The stand-ins hold no role themselves: the check would report that.
	// The drill is the check: the containment executes as your account.
	o.Readiness.Off = true
	o.PolicyDir, o.PolicyBundle = team.PolicyDir, team.PolicyBundle
	o.PolicyBundleVerificationKey, o.PolicyBundleVerificationAlgorithm = team.PolicyBundleVerificationKey, team.PolicyBundleVerificationAlgorithm
	o.PolicyReload = 0
	o.MaxActionsPerEvent = team.MaxActionsPerEvent
	o.Guard, o.Guardrails, o.Incidents = team.Guard, team.Guardrails, team.Incidents
	o.Protocols = map[string]config.ProtocolOptions{}
	for name, p := range team.Protocols {
		if p.ChainID == chain.ID {
			o.Protocols[name] = p
		}
	}
	for _, a := range team.Allowlist {
		if a.ChainID == chain.ID {
			o.Allowlist = append(o.Allowlist, a)
		}
	}
	o.Watch = team.Watch
	o.Watch.SigningKeyFile = "" // in process: the drill's watcher publishes as the engine
	o.Watch.Protocols = map[string]config.WatchProtocolOptions{}
	for name, w := range team.Watch.Protocols {
		if _, ok := o.Protocols[name]; ok {
			o.Watch.Protocols[name] = w
		}
	}
	if len(o.Watch.Protocols[pname].Rules) == 0 {
		w := o.Watch.Protocols[pname]
		tok := ""
		if token != (common.Address{}) {
			tok = token.Hex()
		}
		w.Rules = []config.WatchRule{
			{Name: "drill-outflow", Kind: config.WatchOutflow, Contract: tname, Token: tok, Threshold: "2%", ExploitThreshold: "5%", WindowBlocks: 10},
			{Name: "drill-reverts", Kind: config.WatchCallRevertBurst, Contract: tname, Count: 3, WindowBlocks: 5},
		}
		o.Watch.Protocols[pname] = w
	}
	return o
}

// newForkAttacker is the attacker of a drill of your own setup: from is
// impersonated on the fork (a compromised account of yours), or, when not
// given, a fresh account. Either is given ETH for gas on the fork.
func newForkAttacker(ctx context.Context, raw *rpc.Client, direct *ethclient.Client, a drillAttack, chainID *big.Int, tip *big.Int, max int,
	funds func(context.Context, common.Hash) (*big.Int, error)) (*attacker, error) {
	atk := &attacker{client: direct, rpc: raw, funds: funds, chainID: chainID, signer: types.LatestSignerForChainID(chainID),
		tip: tip, max: max, from: a.from, loot: a.from,
		// No slice: the attacker's call takes what it takes; the drill
		// only stops it when the funds are gone.
		slice: new(big.Int).Lsh(common.Big1, 255)}
	if a.from == (common.Address{}) {
		key, err := crypto.GenerateKey()
		if err != nil {
			return nil, err
		}
		atk.key, atk.from = key, crypto.PubkeyToAddress(key.PublicKey)
		atk.loot = atk.from
	} else if err := raw.CallContext(ctx, nil, "anvil_impersonateAccount", a.from); err != nil {
		return nil, fmt.Errorf("impersonating the attacker %s on the fork: %w", a.from.Hex(), err)
	}
	bal, err := direct.BalanceAt(ctx, atk.from, nil)
	if err != nil {
		return nil, fmt.Errorf("the attacker's balance: %w", err)
	}
	gas := new(big.Int).Mul(big.NewInt(10), big.NewInt(1e18))
	if bal.Cmp(gas) < 0 {
		if err := raw.CallContext(ctx, nil, "anvil_setBalance", atk.from, (*hexutil.Big)(new(big.Int).Add(bal, gas))); err != nil {
			return nil, fmt.Errorf("giving the attacker gas on the fork: %w", err)
		}
	}
	if atk.nonce, err = direct.PendingNonceAt(ctx, atk.from); err != nil {
		return nil, fmt.Errorf("the attacker's nonce: %w", err)
	}
	return atk, nil
}
