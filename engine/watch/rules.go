package watch

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
)

// Rule defaults, by kind.
const (
	DefaultOutflowWindow  = 10
	DefaultBurstWindow    = 5
	DefaultBurstCount     = 3
	DefaultConfidence     = 0.95
	AlertAnomalousOutflow = "anomalous-outflow"
	AlertExploit          = "exploit"
	AlertCallRevertBurst  = "call-revert-burst"
)

// transferTopic is ERC-20's Transfer(address,address,uint256).
var transferTopic = crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)"))

// blockData is what one block gives the rules: read once per block by the
// chain's follower, then evaluated without I/O.
type blockData struct {
	number, time uint64
	hash, parent common.Hash
	txs          []*types.Transaction
	logs         []types.Log
	// receipts of the transactions sent straight to a contract a
	// call_revert_burst rule watches, by hash.
	receipts map[common.Hash]*types.Receipt
	balances map[balanceKey]*big.Int
	signer   types.Signer
	senders  map[common.Hash]common.Address
}

// balanceKey is one balance an outflow rule reads: holder's ETH (zero
// token) or its balance of an ERC-20.
type balanceKey struct{ holder, token common.Address }

// sender returns the sender of the block's transaction with hash h.
func (d *blockData) sender(h common.Hash) (common.Address, bool) {
	if a, ok := d.senders[h]; ok {
		return a, true
	}
	for _, tx := range d.txs {
		if tx.Hash() != h {
			continue
		}
		from, err := types.Sender(d.signer, tx)
		if err != nil {
			return common.Address{}, false
		}
		if d.senders == nil {
			d.senders = map[common.Hash]common.Address{}
		}
		d.senders[h] = from
		return from, true
	}
	return common.Address{}, false
}

// finding is what a rule reports at a block; the chain's follower makes it
// an event.
type finding struct {
	alertType string
	severity  event.Severity
	// tx is the transaction the finding is about; zero when none is known.
	tx       common.Hash
	attacker *common.Address
	title    string
	metadata map[string]any
}

// rule is one compiled rule. observe takes the next block (blocks come in
// order, each once; after a reset the history is read again) and returns
// what fires at it: a function of the blocks within the rule's window only.
type rule interface {
	base() *ruleBase
	observe(d *blockData) []finding
	reset()
}

// ruleBase is what every rule has.
type ruleBase struct {
	protocol, name, kind string
	chainID              uint64
	contract             common.Address
	// contractName is the registry name of contract, "" if none.
	contractName string
	confidence   float64
	alertType    string
	severity     event.Severity
	metadata     map[string]string
	// history is how many blocks before the evaluated one the rule reads.
	history uint64
	// logs, balances and receipts are what the rule needs read per block.
	logs     []common.Address
	balances []balanceKey
	receipts []common.Address
}

func (b *ruleBase) base() *ruleBase { return b }

// label names the contract in titles: protocol.name, or the address.
func (b *ruleBase) label() string {
	if b.contractName != "" {
		return b.protocol + "." + b.contractName
	}
	return b.contract.Hex()
}

// meta starts a finding's metadata with the rule's static metadata and the
// fields every watch event has.
func (b *ruleBase) meta() map[string]any {
	m := map[string]any{"rule": b.name, "rule_kind": b.kind, "address": b.contract.Hex()}
	if b.contractName != "" {
		m["contract"] = b.contractName
	}
	for k, v := range b.metadata {
		m[k] = v
	}
	return m
}

// compile turns the configuration's watch rules into rules, per chain.
func compile(opts config.Options) (map[uint64][]rule, error) {
	out := map[uint64][]rule{}
	confidence := opts.Watch.Confidence
	if confidence == 0 {
		confidence = DefaultConfidence
	}
	for pname, wp := range opts.Watch.Protocols {
		proto := opts.Protocols[pname]
		known := knownAccounts(opts, wp)
		for _, rc := range wp.Rules {
			r, err := compileRule(opts, pname, proto.ChainID, rc, confidence, known)
			if err != nil {
				return nil, fmt.Errorf("%w: watch.protocols.%s rule %s: %w", ErrConfig, pname, rc.Name, err)
			}
			out[proto.ChainID] = append(out[proto.ChainID], r)
		}
	}
	for _, rs := range out {
		// A fixed order: findings of one block are published in it.
		slices.SortFunc(rs, func(a, b rule) int {
			return strings.Compare(a.base().protocol+"\x00"+a.base().name, b.base().protocol+"\x00"+b.base().name)
		})
	}
	return out, nil
}

// knownAccounts is what in_registry means for a protocol: every contract
// of every protocol, the signers' addresses and the protocol's own known
// accounts.
func knownAccounts(opts config.Options, wp config.WatchProtocolOptions) map[common.Address]bool {
	known := map[common.Address]bool{}
	for _, p := range opts.Protocols {
		for _, c := range p.Contracts {
			known[common.HexToAddress(c.Address)] = true
		}
	}
	for _, s := range opts.Signers {
		if common.IsHexAddress(s.Address) {
			known[common.HexToAddress(s.Address)] = true
		}
	}
	for _, s := range opts.SignerInstances {
		known[s.Address()] = true
	}
	for _, a := range wp.KnownAccounts {
		known[common.HexToAddress(a)] = true
	}
	return known
}

func compileRule(opts config.Options, pname string, chainID uint64, rc config.WatchRule, confidence float64, known map[common.Address]bool) (rule, error) {
	b := ruleBase{protocol: pname, name: rc.Name, kind: rc.Kind, chainID: chainID, confidence: confidence, metadata: rc.Metadata}
	if rc.Confidence != nil {
		b.confidence = *rc.Confidence
	}
	if common.IsHexAddress(rc.Contract) && strings.HasPrefix(rc.Contract, "0x") {
		b.contract = common.HexToAddress(rc.Contract)
		for cname, c := range opts.Protocols[pname].Contracts {
			if common.HexToAddress(c.Address) == b.contract {
				b.contractName = cname
			}
		}
	} else {
		c, ok := opts.Protocols[pname].Contracts[rc.Contract]
		if !ok {
			return nil, fmt.Errorf("contract %q is not in protocol %s", rc.Contract, pname)
		}
		b.contract, b.contractName = common.HexToAddress(c.Address), rc.Contract
	}
	b.alertType, b.severity = rc.AlertType, event.Severity(rc.Severity)
	switch rc.Kind {
	case config.WatchOutflow:
		return compileOutflow(b, rc)
	case config.WatchEvent:
		return compileEvent(b, rc, known, opts.ResolveContract)
	case config.WatchCallRevertBurst:
		r := &burstRule{ruleBase: b, count: rc.Count, window: rc.WindowBlocks}
		if r.count == 0 {
			r.count = DefaultBurstCount
		}
		if r.window == 0 {
			r.window = DefaultBurstWindow
		}
		if r.alertType == "" {
			r.alertType = AlertCallRevertBurst
		}
		if r.severity == "" {
			r.severity = event.SeverityMedium
		}
		r.history = r.window
		r.receipts = []common.Address{r.contract}
		return r, nil
	}
	return nil, fmt.Errorf("unknown kind %q", rc.Kind)
}

// threshold is an outflow threshold: wei, or parts per million of the
// balance at the start of the window.
type threshold struct {
	set  bool
	text string
	wei  *big.Int
	ppm  int64
}

func parseThreshold(s string) (threshold, error) {
	t := threshold{set: s != "", text: s}
	if !t.set {
		return t, nil
	}
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		whole, frac, _ := strings.Cut(pct, ".")
		w, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || len(frac) > 4 {
			return t, fmt.Errorf("threshold %q is not a percentage like 5%% or 2.5%%", s)
		}
		f := int64(0)
		if frac != "" {
			if f, err = strconv.ParseInt((frac + "000")[:4], 10, 64); err != nil {
				return t, fmt.Errorf("threshold %q is not a percentage like 5%% or 2.5%%", s)
			}
		}
		t.ppm = w*10000 + f
		if t.ppm <= 0 || t.ppm > 1_000_000 {
			return t, fmt.Errorf("threshold %q is not above 0%% and at most 100%%", s)
		}
		return t, nil
	}
	wei, ok := new(big.Int).SetString(s, 10)
	if !ok || wei.Sign() <= 0 {
		return t, fmt.Errorf("threshold %q is not a positive amount in wei", s)
	}
	t.wei = wei
	return t, nil
}

// reached reports whether a fall of drop from ref meets the threshold.
func (t threshold) reached(drop, ref *big.Int) bool {
	if !t.set || drop.Sign() <= 0 {
		return false
	}
	if t.wei != nil {
		return drop.Cmp(t.wei) >= 0
	}
	if ref.Sign() <= 0 {
		return false
	}
	return new(big.Int).Mul(drop, big.NewInt(1_000_000)).Cmp(new(big.Int).Mul(ref, big.NewInt(t.ppm))) >= 0
}

// outflowRule watches one balance.
type outflowRule struct {
	ruleBase
	token              common.Address // zero: ETH
	threshold, exploit threshold
	window             uint64
	// hist holds the balance at the last window+2 blocks, oldest first.
	hist []sample
}

type sample struct {
	block, time uint64
	balance     *big.Int
}

func compileOutflow(b ruleBase, rc config.WatchRule) (rule, error) {
	r := &outflowRule{ruleBase: b, window: rc.WindowBlocks}
	var err error
	if r.threshold, err = parseThreshold(rc.Threshold); err != nil {
		return nil, err
	}
	if !r.threshold.set {
		return nil, fmt.Errorf("threshold is required")
	}
	if r.exploit, err = parseThreshold(rc.ExploitThreshold); err != nil {
		return nil, err
	}
	if rc.Token != "" {
		r.token = common.HexToAddress(rc.Token)
	}
	if r.window == 0 {
		r.window = DefaultOutflowWindow
	}
	if r.alertType == "" {
		r.alertType = AlertAnomalousOutflow
	}
	if r.severity == "" {
		r.severity = event.SeverityHigh
	}
	r.history = r.window + 1
	r.balances = []balanceKey{{holder: r.contract, token: r.token}}
	r.logs = []common.Address{r.contract}
	if r.token != (common.Address{}) {
		r.logs = append(r.logs, r.token)
	}
	return r, nil
}

func (r *outflowRule) reset() { r.hist = nil }

// fall is the largest fall of the balance at hist[i] from one within the
// window before it: the amount, the balance it fell from and where that was.
func (r *outflowRule) fall(i int) (drop, ref *big.Int, from int) {
	cur := r.hist[i]
	from = -1
	for j := i - 1; j >= 0 && cur.block-r.hist[j].block <= r.window; j-- {
		if ref == nil || r.hist[j].balance.Cmp(ref) > 0 {
			ref, from = r.hist[j].balance, j
		}
	}
	if ref == nil || ref.Cmp(cur.balance) <= 0 {
		return new(big.Int), ref, from
	}
	return new(big.Int).Sub(ref, cur.balance), ref, from
}

func (r *outflowRule) observe(d *blockData) []finding {
	bal := d.balances[balanceKey{holder: r.contract, token: r.token}]
	if bal == nil {
		return nil
	}
	if n := len(r.hist); n > 0 && r.hist[n-1].block+1 != d.number {
		r.hist = nil // not contiguous: start over
	}
	r.hist = append(r.hist, sample{block: d.number, time: d.time, balance: bal})
	if keep := int(r.window) + 2; len(r.hist) > keep {
		r.hist = slices.Delete(r.hist, 0, len(r.hist)-keep)
	}
	i := len(r.hist) - 1
	drop, ref, from := r.fall(i)
	anomalous, exploit := r.threshold.reached(drop, ref), r.exploit.reached(drop, ref)
	var wasAnomalous, wasExploit bool
	if i > 0 {
		pd, pr, _ := r.fall(i - 1)
		wasAnomalous, wasExploit = r.threshold.reached(pd, pr), r.exploit.reached(pd, pr)
	}
	f := finding{alertType: r.alertType, severity: r.severity}
	switch {
	case exploit && !wasExploit:
		f.alertType, f.severity = AlertExploit, event.SeverityCritical
	case anomalous && !wasAnomalous && !exploit:
	default:
		return nil
	}
	start := r.hist[from]
	blocks := d.number - start.block
	seconds := uint64(1)
	if d.time > start.time {
		seconds = d.time - start.time
	}
	m := r.meta()
	asset := "ETH"
	if r.token != (common.Address{}) {
		asset = r.token.Hex()
	}
	pct := 0.0
	if ref.Sign() > 0 {
		pct, _ = new(big.Float).Quo(new(big.Float).SetInt(new(big.Int).Mul(drop, big.NewInt(100))), new(big.Float).SetInt(ref)).Float64()
		pct = float64(int64(pct*100+0.5)) / 100
	}
	m["amount"], m["percent"], m["token"] = drop.String(), pct, asset
	m["window_blocks"], m["window_seconds"], m["from_block"] = blocks, seconds, start.block
	m["balance_before"], m["balance_after"] = ref.String(), bal.String()
	m["threshold"] = r.threshold.text
	if r.exploit.set {
		m["exploit_threshold"] = r.exploit.text
	}
	f.metadata = m
	f.title = fmt.Sprintf("%s: %s %s (%.2f%%) left %s within %d block(s)", f.alertType, formatAmount(drop, asset), assetUnit(asset), pct, r.label(), blocks)
	f.tx, f.attacker = d.firstTouch(r.contract, r.token)
	return []finding{f}
}

// firstTouch returns the first transaction of the block that moved funds
// of contract (a log from it, or a Transfer of token from it) or, failing
// that, was sent to it; and its sender.
func (d *blockData) firstTouch(contract, token common.Address) (common.Hash, *common.Address) {
	var tx common.Hash
	for _, l := range d.logs {
		if l.Removed {
			continue
		}
		if (token == common.Address{} && l.Address == contract) ||
			(token != common.Address{} && l.Address == token && len(l.Topics) == 3 && l.Topics[0] == transferTopic && common.BytesToAddress(l.Topics[1].Bytes()) == contract) {
			tx = l.TxHash
			break
		}
	}
	if tx == (common.Hash{}) {
		for _, t := range d.txs {
			if t.To() != nil && *t.To() == contract {
				tx = t.Hash()
				break
			}
		}
	}
	if tx == (common.Hash{}) {
		return tx, nil
	}
	if from, ok := d.sender(tx); ok {
		return tx, &from
	}
	return tx, nil
}

// formatAmount writes wei as ETH with four decimals; token amounts stay in
// their smallest unit.
func formatAmount(v *big.Int, asset string) string {
	if asset != "ETH" {
		return v.String()
	}
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(v), big.NewFloat(1e18)).Float64()
	return strconv.FormatFloat(f, 'f', 4, 64)
}

func assetUnit(asset string) string {
	if asset == "ETH" {
		return "ETH"
	}
	return "units of " + asset
}

// eventRule matches logs.
type eventRule struct {
	ruleBase
	ev           abi.Event
	where        []condition
	metadataArgs map[string]string
	attackerArg  string
}

func compileEvent(b ruleBase, rc config.WatchRule, known map[common.Address]bool, resolve func(string) (common.Address, error)) (rule, error) {
	ev, err := ParseEvent(rc.Event)
	if err != nil {
		return nil, err
	}
	r := &eventRule{ruleBase: b, ev: ev, metadataArgs: rc.MetadataArgs, attackerArg: rc.AttackerArg}
	if r.severity == "" {
		r.severity = event.SeverityHigh
	}
	has := func(name string) bool {
		for _, a := range ev.Inputs {
			if a.Name == name {
				return true
			}
		}
		return false
	}
	for i, c := range rc.Where {
		cond, err := compileCondition(ev, c, known, resolve)
		if err != nil {
			return nil, fmt.Errorf("where[%d].%w", i, err)
		}
		r.where = append(r.where, cond)
	}
	for k, arg := range rc.MetadataArgs {
		if !has(arg) {
			return nil, fmt.Errorf("metadata_args.%s: %s has no argument %q (arguments: %s)", k, ev.Name, arg, argNames(ev))
		}
	}
	if r.attackerArg != "" {
		i := slices.IndexFunc(ev.Inputs, func(a abi.Argument) bool { return a.Name == r.attackerArg })
		if i < 0 || ev.Inputs[i].Type.T != abi.AddressTy {
			return nil, fmt.Errorf("attacker_arg: %s has no address argument %q", ev.Name, r.attackerArg)
		}
	}
	r.logs = []common.Address{r.contract}
	return r, nil
}

func (r *eventRule) reset() {}

func (r *eventRule) observe(d *blockData) []finding {
	var out []finding
	seen := map[common.Hash]bool{}
	for _, l := range d.logs {
		if l.Removed || l.Address != r.contract || seen[l.TxHash] {
			continue
		}
		vals, ok := decodeLog(r.ev, l)
		if !ok {
			continue
		}
		match := true
		for _, c := range r.where {
			if !c.test(vals[c.arg]) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		seen[l.TxHash] = true
		m := r.meta()
		args := map[string]string{}
		for _, a := range r.ev.Inputs {
			args[a.Name] = formatArg(vals[a.Name])
		}
		for k, arg := range r.metadataArgs {
			m[k] = args[arg]
		}
		m["event"], m["args"], m["log_index"] = r.ev.Sig, args, uint64(l.Index)
		f := finding{alertType: r.alertType, severity: r.severity, tx: l.TxHash, metadata: m,
			title: fmt.Sprintf("%s: %s on %s", r.alertType, r.ev.Name, r.label())}
		if r.attackerArg != "" {
			if a, ok := vals[r.attackerArg].(common.Address); ok {
				f.attacker = &a
			}
		} else if from, ok := d.sender(l.TxHash); ok {
			f.attacker = &from
		}
		out = append(out, f)
	}
	return out
}

// burstRule counts reverted calls per sender.
type burstRule struct {
	ruleBase
	count  int
	window uint64
	// hist holds the reverted calls of the last window+1 blocks.
	hist []reverts
}

type reverts struct {
	block uint64
	// by sender, the reverted transactions in block order.
	by map[common.Address][]common.Hash
}

func (r *burstRule) reset() { r.hist = nil }

func (r *burstRule) observe(d *blockData) []finding {
	cur := reverts{block: d.number, by: map[common.Address][]common.Hash{}}
	for _, tx := range d.txs {
		if tx.To() == nil || *tx.To() != r.contract {
			continue
		}
		rc := d.receipts[tx.Hash()]
		if rc == nil || rc.Status != types.ReceiptStatusFailed {
			continue
		}
		if from, ok := d.sender(tx.Hash()); ok {
			cur.by[from] = append(cur.by[from], tx.Hash())
		}
	}
	if n := len(r.hist); n > 0 && r.hist[n-1].block+1 != d.number {
		r.hist = nil
	}
	r.hist = append(r.hist, cur)
	if keep := int(r.window) + 1; len(r.hist) > keep {
		r.hist = slices.Delete(r.hist, 0, len(r.hist)-keep)
	}
	senders := make([]common.Address, 0, len(cur.by))
	for s := range cur.by {
		senders = append(senders, s)
	}
	slices.SortFunc(senders, func(a, b common.Address) int { return a.Cmp(b) })
	var out []finding
	for _, s := range senders {
		now, before := r.countIn(s, d.number-min(d.number, r.window-1), d.number), 0
		if d.number > 0 {
			before = r.countIn(s, d.number-min(d.number, r.window), d.number-1)
		}
		if now < r.count || before >= r.count {
			continue
		}
		var txs []string
		for _, h := range r.hist {
			if h.block+r.window > d.number {
				for _, t := range h.by[s] {
					txs = append(txs, t.Hex())
				}
			}
		}
		txs = txs[max(0, len(txs)-20):]
		m := r.meta()
		m["count"], m["window_blocks"], m["sender"], m["txs"] = uint64(now), r.window, s.Hex(), txs
		last := cur.by[s][len(cur.by[s])-1]
		sender := s
		out = append(out, finding{alertType: r.alertType, severity: r.severity, tx: last, attacker: &sender, metadata: m,
			title: fmt.Sprintf("%s: %d reverted calls to %s from %s within %d blocks", r.alertType, now, r.label(), s.Hex(), r.window)})
	}
	return out
}

// countIn counts s's reverted calls in blocks from..to.
func (r *burstRule) countIn(s common.Address, from, to uint64) int {
	n := 0
	for _, h := range r.hist {
		if h.block >= from && h.block <= to {
			n += len(h.by[s])
		}
	}
	return n
}
