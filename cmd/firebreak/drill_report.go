package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// drillReport is what `firebreak drill --json` prints. Times are in
// milliseconds from the moment the drill saw the block holding the first
// malicious transaction (the earliest anyone watching the chain could
// know); blocks are counted from that block.
type drillReport struct {
	Scenario    string `json:"scenario"`
	Response    bool   `json:"response"`
	BlockTimeMS int64  `json:"block_time_ms"`
	Target      string `json:"target"`
	TargetAddr  string `json:"target_address"`
	// Containment is what the shipped policies are expected to do.
	Containment string `json:"containment"`
	// Contained: a containment transaction was included and succeeded.
	Contained bool `json:"contained"`

	FundsStartWei   string  `json:"funds_start_wei"`
	FundsDrainedWei string  `json:"funds_drained_wei"`
	FundsSavedWei   string  `json:"funds_saved_wei"`
	FundsStartETH   float64 `json:"funds_start_eth"`
	DrainedETH      float64 `json:"drained_eth"`
	SavedETH        float64 `json:"saved_eth"`
	SavedPct        float64 `json:"saved_pct"`

	FirstMaliciousBlock uint64 `json:"first_malicious_block"`
	FirstMaliciousTx    string `json:"first_malicious_tx"`
	// Detection is the first event the watcher published about the target.
	DetectionBlock     uint64   `json:"detection_block,omitempty"`
	BlocksToDetection  *uint64  `json:"blocks_to_detection"`
	BlocksToBroadcast  *uint64  `json:"blocks_to_broadcast"`
	BlocksToInclusion  *uint64  `json:"blocks_to_inclusion"`
	InclusionBlock     uint64   `json:"inclusion_block,omitempty"`
	MSToDetection      *float64 `json:"ms_first_malicious_to_detection"`
	MSToDecision       *float64 `json:"ms_first_malicious_to_decision"`
	MSToBroadcast      *float64 `json:"ms_first_malicious_to_broadcast"`
	MSToInclusion      *float64 `json:"ms_first_malicious_to_inclusion"`
	MSDetectionToBcast *float64 `json:"ms_detection_to_broadcast"`

	AttackerTipGwei float64  `json:"attacker_tip_gwei"`
	PauseTipGwei    *float64 `json:"containment_tip_gwei"`
	MinTipGwei      float64  `json:"min_tip_gwei"`
	// ContainmentIndex is the containment's position in its block;
	// AttackerBeforeContainment the attacker's transactions ahead of it
	// there (each a slice drained that a better price would have saved).
	ContainmentIndex          *uint            `json:"containment_index_in_block"`
	AttackerBeforeContainment int              `json:"attacker_txs_before_containment_in_block"`
	ContainmentFirstInBlock   *bool            `json:"containment_before_attacker_in_block"`
	AttackerTxs               int              `json:"attacker_txs"`
	AttackerSucceeded         int              `json:"attacker_txs_succeeded"`
	AttackerReverted          int              `json:"attacker_txs_reverted"`
	AttackerRevertedAfter     int              `json:"attacker_txs_reverted_after_containment"`
	DetectionsCount           int              `json:"detections"`
	Actions                   []drillAction    `json:"actions"`
	Detections                []drillDetection `json:"detection_events"`
	Timeline                  []drillBlock     `json:"timeline"`
	Notes                     []string         `json:"notes,omitempty"`
	// Postmortem is where the incident report was written (runs with a
	// response and an output folder).
	Postmortem *drillPostmortem `json:"postmortem,omitempty"`
	// Fork describes a drill of your own setup (--config); nil for the
	// shipped scenarios.
	Fork *drillFork `json:"fork,omitempty"`
}

type drillAction struct {
	Type     string   `json:"type"`
	Contract string   `json:"contract"`
	Function string   `json:"function"`
	ActionID string   `json:"action_id"`
	EventID  string   `json:"event_id"`
	State    string   `json:"state"`
	TxHash   string   `json:"tx_hash,omitempty"`
	Block    uint64   `json:"block,omitempty"`
	Index    *uint    `json:"index_in_block,omitempty"`
	Status   uint64   `json:"status"`
	TipGwei  float64  `json:"tip_gwei"`
	Bumps    int      `json:"bumps"`
	MSToSent *float64 `json:"ms_first_malicious_to_broadcast,omitempty"`
	MSToMine *float64 `json:"ms_first_malicious_to_inclusion,omitempty"`
	// Error is why the action failed, as its record says.
	Error string `json:"error,omitempty"`
}

type drillDetection struct {
	EventID   string   `json:"event_id"`
	AlertType string   `json:"alert_type"`
	Severity  string   `json:"severity"`
	Rule      string   `json:"rule"`
	Block     uint64   `json:"block"`
	MS        float64  `json:"ms"`
	Rules     []string `json:"decision_rules,omitempty"`
	Decided   []string `json:"decided,omitempty"`
	Title     string   `json:"title"`
}

// drillBlock is one line group of the timeline: a block as it was seen,
// its transactions in order, and what happened before the next block.
type drillBlock struct {
	Block uint64     `json:"block"`
	MS    float64    `json:"ms"`
	Txs   []drillTx  `json:"txs,omitempty"`
	After []drillLog `json:"after,omitempty"`
}

type drillTx struct {
	Index   uint    `json:"index"`
	Who     string  `json:"who"`
	What    string  `json:"what"`
	OK      bool    `json:"ok"`
	TipGwei float64 `json:"tip_gwei"`
	Hash    string  `json:"hash"`
}

type drillLog struct {
	MS   float64 `json:"ms"`
	What string  `json:"what"`
}

func collectDrill(ctx context.Context, client *ethclient.Client, eng *engine.Engine, sc drillScenario, o drillOptions, atk *attacker, rec *drillRecorder, last uint64) (drillReport, error) {
	label := sc.Label
	if label == "" {
		label = "drill." + sc.Target
	}
	rep := drillReport{Scenario: sc.Name, Response: o.Response, BlockTimeMS: o.BlockTime.Milliseconds(), Target: label,
		TargetAddr: atk.target.Hex(), Containment: sc.Containment, AttackerTipGwei: o.AttackerTip, MinTipGwei: o.MinTip, Actions: []drillAction{}}
	if !o.Response {
		rep.Containment = "none (--no-response)"
	}
	sent := atk.txs()
	if len(sent) == 0 {
		return rep, fmt.Errorf("the attacker sent no transaction (%s)", strings.Join(atk.errs, "; "))
	}
	attackHashes := map[common.Hash]attackTx{}
	var first *types.Receipt
	for _, t := range sent {
		attackHashes[t.Hash] = t
		r, err := client.TransactionReceipt(ctx, t.Hash)
		if err != nil {
			return rep, fmt.Errorf("receipt of attacker tx %s: %w", t.Hash, err)
		}
		if first == nil || r.BlockNumber.Cmp(first.BlockNumber) < 0 || (r.BlockNumber.Cmp(first.BlockNumber) == 0 && r.TransactionIndex < first.TransactionIndex) {
			first = r
		}
	}
	rep.FirstMaliciousBlock, rep.FirstMaliciousTx = first.BlockNumber.Uint64(), first.TxHash.Hex()
	rec.mu.Lock()
	t0 := rec.heads[rep.FirstMaliciousBlock]
	heads := maps.Clone(rec.heads)
	dets := slices.Clone(rec.detections)
	rec.mu.Unlock()
	msOf := func(t time.Time) float64 { return ms(t.Sub(t0)) }

	// Decisions and actions.
	var logs []drillLog
	actionOf := map[common.Hash]*drillAction{}
	type mined struct {
		block uint64
		index uint
		a     *drillAction
		rec   record.Record
	}
	var contained []mined
	for _, det := range dets {
		dd := drillDetection{EventID: det.Event.ID, AlertType: det.Event.AlertType, Severity: string(det.Event.Severity), Rule: det.Rule,
			Block: det.Block, MS: msOf(det.DetectedAt), Title: det.Event.Title}
		logs = append(logs, drillLog{MS: dd.MS, What: fmt.Sprintf("detection  %s (%s) by rule %s: %s", dd.AlertType, dd.Severity, dd.Rule, dd.Title)})
		if eng != nil {
			octx, cancel := context.WithTimeout(ctx, 5*time.Second)
			out, err := waitOutcome(octx, eng, det.Event.ID)
			cancel()
			if err != nil {
				rep.Notes = append(rep.Notes, "no decision for "+det.Event.ID+": "+err.Error())
			} else {
				decided := decisionSummary(out)
				if out.Decision != nil {
					dd.Rules = out.Decision.Rules
				}
				dd.Decided = decided
				logs = append(logs, drillLog{MS: msOf(out.ReceivedAt), What: "decision   " + strings.Join(decided, "; ")})
				for _, a := range out.Actions {
					if a.ActionID == "" {
						continue
					}
					actx, cancel := context.WithTimeout(ctx, 3*o.BlockTime+5*time.Second)
					r, err := waitAction(actx, eng, a.ActionID)
					cancel()
					if err != nil && r.ID == "" {
						rep.Notes = append(rep.Notes, "action "+a.ActionID+": "+err.Error())
						continue
					}
					da := &drillAction{Type: a.Request.Type, Contract: a.Request.Protocol + "." + a.Request.Contract, Function: r.Function,
						ActionID: a.ActionID, EventID: det.Event.ID, State: string(r.State), Status: r.Status, Bumps: r.Bumps, Error: r.Error}
					if r.GasTipCap != nil {
						da.TipGwei = gwei(r.GasTipCap.ToInt())
					}
					if !r.SentAt.IsZero() {
						v := msOf(r.SentAt)
						da.MSToSent = &v
						logs = append(logs, drillLog{MS: v, What: fmt.Sprintf("broadcast  %s on %s, tip %.2f gwei", r.Function, da.Contract, gweiOfAttempt(r))})
					}
					if r.TxHash != nil {
						da.TxHash, da.Block = r.TxHash.Hex(), r.Block
					}
					for _, at := range r.Attempts {
						actionOf[at.Hash] = da
					}
					if r.TxHash != nil {
						actionOf[*r.TxHash] = da
					}
					rep.Actions = append(rep.Actions, *da)
					if r.State == record.Mined && r.Status == types.ReceiptStatusSuccessful && r.TxHash != nil {
						if rc, err := client.TransactionReceipt(ctx, *r.TxHash); err == nil {
							idx := rc.TransactionIndex
							da.Index = &idx
							rep.Actions[len(rep.Actions)-1].Index = &idx
							contained = append(contained, mined{block: r.Block, index: idx, a: &rep.Actions[len(rep.Actions)-1], rec: r})
						}
					}
				}
			}
		}
		rep.Detections = append(rep.Detections, dd)
	}
	rep.DetectionsCount = len(rep.Detections)

	// The chain, block by block.
	from := rep.FirstMaliciousBlock - 1
	containedBlock, containedIndex := uint64(0), uint(0)
	if len(contained) > 0 {
		sort.Slice(contained, func(i, j int) bool {
			if contained[i].block != contained[j].block {
				return contained[i].block < contained[j].block
			}
			return contained[i].index < contained[j].index
		})
		c := contained[0]
		rep.Contained, containedBlock, containedIndex = true, c.block, c.index
		rep.InclusionBlock = c.block
		rep.ContainmentIndex = &c.index
		tip := c.a.TipGwei
		rep.PauseTipGwei = &tip
		rep.BlocksToInclusion = u64(c.block - rep.FirstMaliciousBlock)
		if at, ok := heads[c.block]; ok {
			rep.MSToInclusion = f64(msOf(at))
		}
		if len(c.rec.Attempts) > 0 {
			rep.BlocksToBroadcast = u64(c.rec.Attempts[0].Head - min(c.rec.Attempts[0].Head, rep.FirstMaliciousBlock))
		}
		rep.MSToBroadcast = c.a.MSToSent
	}
	for n := from; n <= last; n++ {
		blk, err := client.BlockByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			return rep, fmt.Errorf("block %d: %w", n, err)
		}
		rcs, err := client.BlockReceipts(ctx, rpc.BlockNumberOrHashWithNumber(rpc.BlockNumber(n)))
		if err != nil {
			return rep, fmt.Errorf("receipts of block %d: %w", n, err)
		}
		b := drillBlock{Block: n}
		if at, ok := heads[n]; ok {
			b.MS = msOf(at)
		}
		for i, tx := range blk.Transactions() {
			ok := i < len(rcs) && rcs[i].Status == types.ReceiptStatusSuccessful
			// The receipt's hash is the one the chain knows: a transaction
			// anvil sent as an impersonated account hashes differently
			// from its decoded fields.
			hash := tx.Hash()
			if i < len(rcs) {
				hash = rcs[i].TxHash
			}
			t := drillTx{Index: uint(i), OK: ok, TipGwei: gwei(effectiveTip(tx, blk.BaseFee())), Hash: hash.Hex(), Who: "other", What: "call"}
			if at, isAttack := attackHashes[hash]; isAttack {
				t.Who, t.What = "attacker", at.What
				rep.AttackerTxs++
				if ok {
					rep.AttackerSucceeded++
				} else {
					rep.AttackerReverted++
					if rep.Contained && (n > containedBlock || (n == containedBlock && uint(i) > containedIndex)) {
						rep.AttackerRevertedAfter++
					}
				}
				if rep.Contained && n == containedBlock && uint(i) < containedIndex && ok {
					rep.AttackerBeforeContainment++
				}
			} else if a, isAction := actionOf[hash]; isAction {
				t.Who, t.What = "firebreak", a.Function+" on "+a.Contract
			}
			b.Txs = append(b.Txs, t)
		}
		rep.Timeline = append(rep.Timeline, b)
	}
	// Blocks after the last transaction of the drill are only the settling.
	for len(rep.Timeline) > 1 && len(rep.Timeline[len(rep.Timeline)-1].Txs) == 0 {
		rep.Timeline = rep.Timeline[:len(rep.Timeline)-1]
	}
	if rep.Contained {
		first := rep.AttackerBeforeContainment == 0
		rep.ContainmentFirstInBlock = &first
	}
	// Everything that happened between heads goes after the head it followed.
	sort.SliceStable(logs, func(i, j int) bool { return logs[i].MS < logs[j].MS })
	for _, l := range logs {
		i := len(rep.Timeline) - 1
		for i > 0 && rep.Timeline[i].MS > l.MS {
			i--
		}
		rep.Timeline[i].After = append(rep.Timeline[i].After, l)
	}

	// The first detection about the target, and the first decision.
	for _, dd := range rep.Detections {
		if rep.BlocksToDetection == nil {
			rep.DetectionBlock = dd.Block
			rep.BlocksToDetection = u64(dd.Block - min(dd.Block, rep.FirstMaliciousBlock))
			rep.MSToDetection = f64(dd.MS)
		}
	}
	for _, l := range logs {
		if strings.HasPrefix(l.What, "decision") {
			rep.MSToDecision = f64(l.MS)
			break
		}
	}
	if rep.MSToDetection != nil && rep.MSToBroadcast != nil {
		rep.MSDetectionToBcast = f64(*rep.MSToBroadcast - *rep.MSToDetection)
	}

	// Funds, read at the blocks' hashes (see watch.Chain).
	balanceAt := func(n uint64) (*big.Int, error) {
		h, err := client.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			return nil, err
		}
		return atk.funds(ctx, h.Hash())
	}
	start, err := balanceAt(from)
	if err != nil {
		return rep, err
	}
	end, err := balanceAt(last)
	if err != nil {
		return rep, err
	}
	drained := new(big.Int).Sub(start, end)
	if drained.Sign() < 0 {
		drained = new(big.Int)
	}
	rep.FundsStartWei, rep.FundsDrainedWei, rep.FundsSavedWei = start.String(), drained.String(), end.String()
	rep.FundsStartETH, rep.DrainedETH, rep.SavedETH = ether(start), ether(drained), ether(end)
	if start.Sign() > 0 {
		pct, _ := new(big.Float).Quo(new(big.Float).SetInt(new(big.Int).Mul(end, big.NewInt(10000))), new(big.Float).SetInt(start)).Float64()
		rep.SavedPct = float64(int64(pct+0.5)) / 100
	}
	if o.Response && !rep.Contained {
		rep.Notes = append(rep.Notes, "no containment transaction was included")
	}
	if len(atk.errs) > 0 {
		rep.Notes = append(rep.Notes, "attacker errors: "+strings.Join(atk.errs, "; "))
	}
	return rep, nil
}

// decisionSummary says what the engine made of one event.
func decisionSummary(out decide.Outcome) []string {
	if out.Decision == nil {
		return []string{"policy error: " + out.DecisionError}
	}
	if len(out.Actions) == 0 {
		return []string{"no action: no policy acts on " + out.Event.AlertType + " at " + string(out.Event.Severity)}
	}
	var s []string
	for _, a := range out.Actions {
		what := a.Request.Type + " " + a.Request.Protocol + "." + a.Request.Contract
		if a.Request.Role != "" {
			what += " role " + a.Request.Role + " of " + a.Request.Account
		}
		s = append(s, fmt.Sprintf("%s: %s (%s)", a.Request.Rule, what, a.Outcome))
	}
	return s
}

func gweiOfAttempt(r record.Record) float64 {
	if len(r.Attempts) > 0 && r.Attempts[0].GasTipCap != nil {
		return gwei(r.Attempts[0].GasTipCap.ToInt())
	}
	return 0
}

func effectiveTip(tx *types.Transaction, base *big.Int) *big.Int {
	tip, err := tx.EffectiveGasTip(base)
	if err != nil {
		return new(big.Int)
	}
	return tip
}

func gwei(wei *big.Int) float64 {
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(wei), big.NewFloat(1e9)).Float64()
	return f
}

func ether(wei *big.Int) float64 {
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(wei), big.NewFloat(1e18)).Float64()
	return f
}

func u64(v uint64) *uint64   { return &v }
func f64(v float64) *float64 { return &v }

// noFigure stands for a figure a drill did not produce.
const noFigure = "—"

func fmtBlocks(v *uint64) string {
	if v == nil {
		return noFigure
	}
	if *v == 1 {
		return "1 block"
	}
	return fmt.Sprintf("%d blocks", *v)
}

func fmtMS(v *float64) string {
	if v == nil {
		return noFigure
	}
	return fmt.Sprintf("%.0f ms", *v)
}

func printDrill(w io.Writer, r drillReport) {
	resp := "with firebreak"
	if !r.Response {
		resp = "without firebreak (--no-response)"
	}
	fmt.Fprintf(w, "\nfirebreak drill: %s, %s blocks, %s\n", r.Scenario, time.Duration(r.BlockTimeMS)*time.Millisecond, resp)
	fmt.Fprintf(w, "target %s (%s), expected response: %s\n", r.Target, r.TargetAddr, r.Containment)
	unit := "ETH"
	if f := r.Fork; f != nil {
		fmt.Fprintf(w, "your setup: %s, protocol %s, on a fork of chain %d at block %d (%s)\n", f.Config, f.Protocol, f.ChainID, f.Block, f.URL)
		for _, s := range f.StandIns {
			fmt.Fprintf(w, "  %s\n", s.describe())
		}
		fmt.Fprintf(w, "  attacker %s\n", f.Attacker)
		if f.Token != "" {
			unit = "tok"
			fmt.Fprintf(w, "  funds: the target's balance of the ERC-20 %s, in units of 1e18\n", f.Token)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-7s %9s  %s\n", "block", "ms", "transactions in block order, then what happened before the next block")
	for _, b := range r.Timeline {
		first := true
		line := func(s string) {
			if first {
				fmt.Fprintf(w, "%-7d %9.0f  %s\n", b.Block, b.MS, s)
				first = false
			} else {
				fmt.Fprintf(w, "%-7s %9s  %s\n", "", "", s)
			}
		}
		if len(b.Txs) == 0 {
			line("(no transaction)")
		}
		for _, t := range b.Txs {
			status := "ok"
			if !t.OK {
				status = "REVERTED"
			}
			mark := ""
			switch {
			case t.Hash == r.FirstMaliciousTx:
				mark = "  ← first malicious tx"
			case t.Who == "firebreak" && b.Block == r.InclusionBlock && r.ContainmentIndex != nil && t.Index == *r.ContainmentIndex:
				mark = "  ← containment included"
			case t.Who == "attacker" && !t.OK && r.Contained:
				mark = "  ← stopped by the containment"
			}
			line(fmt.Sprintf("[%d] %-9s %-36s %-8s tip %5.2f gwei%s", t.Index, t.Who, t.What, status, t.TipGwei, mark))
		}
		for _, l := range b.After {
			fmt.Fprintf(w, "%-7s %9.0f  %s\n", "", l.MS, l.What)
		}
	}
	fmt.Fprintf(w, `
outcome
  first malicious tx → detection   %-9s %s
  first malicious tx → broadcast   %-9s %s
  first malicious tx → inclusion   %-9s %s
  funds at start   %10.4f %s
  drained          %10.4f %s
  saved            %10.4f %s  (%.1f%%)
  attacker txs     %d: %d succeeded, %d reverted (%d after the containment)
`, fmtBlocks(r.BlocksToDetection), fmtMS(r.MSToDetection), fmtBlocks(r.BlocksToBroadcast), fmtMS(r.MSToBroadcast),
		fmtBlocks(r.BlocksToInclusion), fmtMS(r.MSToInclusion), r.FundsStartETH, unit, r.DrainedETH, unit, r.SavedETH, unit, r.SavedPct,
		r.AttackerTxs, r.AttackerSucceeded, r.AttackerReverted, r.AttackerRevertedAfter)
	if r.Contained && r.PauseTipGwei != nil {
		if r.AttackerBeforeContainment > 0 {
			fmt.Fprintf(w, "  ordering         in block %d the containment (tip %.2f gwei) came after %d attacker tx(s) (tip %.2f gwei): it did not outbid them; raise the chain's min_tip above what an attacker pays (chains[].min_tip; --min-tip in a drill)\n",
				r.InclusionBlock, *r.PauseTipGwei, r.AttackerBeforeContainment, r.AttackerTipGwei)
		} else {
			fmt.Fprintf(w, "  ordering         in block %d the containment (tip %.2f gwei) came before the attacker's tx (tip %.2f gwei)\n",
				r.InclusionBlock, *r.PauseTipGwei, r.AttackerTipGwei)
		}
	}
	if p := r.Postmortem; p != nil {
		fmt.Fprintf(w, "  incident report  %s\n                   %s\n                   (incident %s, audit chain verified over records #%d to #%d: %s)\n",
			p.Markdown, p.HTML, p.Incident, p.FirstSeq, p.LastSeq, yesNoText(p.Verified))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

func yesNoText(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// printDrillTable prints one line per drill: what --scenario all ends with.
func printDrillTable(w io.Writer, reps []drillReport) {
	fmt.Fprintf(w, "\n%-22s %-10s %-10s %-10s %-10s %-14s %-10s\n", "scenario", "firebreak", "detect", "broadcast", "included", "drained ETH", "saved")
	for _, r := range reps {
		resp := "yes"
		if !r.Response {
			resp = "no"
		}
		inc := "—"
		if r.BlocksToInclusion != nil {
			inc = fmt.Sprintf("+%d blk", *r.BlocksToInclusion)
		}
		fmt.Fprintf(w, "%-22s %-10s %-10s %-10s %-10s %-14.4f %.1f%%\n", r.Scenario, resp, fmtMS(r.MSToDetection), fmtMS(r.MSToBroadcast), inc, r.DrainedETH, r.SavedPct)
	}
}
