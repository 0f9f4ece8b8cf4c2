package report

import (
	"context"
	"crypto/ed25519"
	"flag"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/internal/natstest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

var (
	update        = flag.Bool("update", false, "rewrite the golden renderings in testdata/")
	updateFixture = flag.Bool("update-fixture", false, "rewrite testdata/incident.jsonl from a real audit log")
)

const fixturePath = "testdata/incident.jsonl"

// The fixture's incident: one critical event, a pause allowed and mined
// after one bump, a revoke refused by the guard, the incident records the
// incident store writes, one audited notification, and another event's
// records interleaved (which the chain runs through but the report does
// not use).
var (
	fixtureVault    = common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	fixtureGuardian = common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	fixtureAttacker = common.HexToAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906")
	fixtureTx1      = common.HexToHash("0x1111111111111111111111111111111111111111111111111111111111111111")
	fixtureTx2      = common.HexToHash("0x2222222222222222222222222222222222222222222222222222222222222222")
	fixtureExploit  = common.HexToHash("0x9999999999999999999999999999999999999999999999999999999999999999")
)

func fixtureIncident() incident.Incident {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	return incident.Incident{
		ID: "inc-demo-1", Protocol: "demo", Severity: "critical", Title: "Reentrancy drain on the demo vault",
		State: incident.Contained, OpenedAt: at, LastEventAt: at,
		Events: []string{"ev-1"}, Actions: []string{"ev-1/0"},
	}
}

// fixtureKey signs the fixture, so a test can check its signatures.
func fixtureKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(7 * (i + 1))
	}
	return ed25519.NewKeyFromSeed(seed)
}

// writeFixture appends the fixture's entries to a real audit log (a real
// NATS server in process, a fixed clock, a fixed key) and exports it.
func writeFixture(t *testing.T) {
	js := natstest.JetStream(t)
	appendFixture(t, js)
	ctx := context.Background()
	rd, err := audit.NewReader(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := rd.Export(ctx, f); err != nil {
		t.Fatal(err)
	}
}

// appendFixture writes the fixture's records to the audit log on js.
func appendFixture(t *testing.T, js jetstream.JetStream) {
	ctx := context.Background()
	clock := time.Date(2026, 11, 25, 10, 0, 0, 500_000_000, time.UTC)
	opts := audit.DefaultOptions()
	opts.Key = fixtureKey()
	opts.Now = func() time.Time { clock = clock.Add(37 * time.Millisecond); return clock }
	lg, err := audit.NewLog(ctx, js, opts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ev := event.Event{
		ID: "ev-1", Source: "forta", ChainID: 31337, Severity: event.SeverityCritical, Confidence: 0.95,
		AlertType: "exploit", Protocol: "demo", Title: `Reentrancy <script>alert(1)</script> | *drain*`, RuleID: "ATTACK-DETECTOR-2",
		Addresses:    []common.Address{fixtureAttacker, fixtureVault},
		AddressRoles: map[string][]common.Address{"attacker": {fixtureAttacker}, "victim": {fixtureVault}},
		TxHash:       &fixtureExploit, Block: 41,
		Timestamp: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
	}
	other := event.Event{ID: "other-1", Source: "forta", ChainID: 31337, Severity: event.SeverityLow, Confidence: 0.5,
		AlertType: "anomalous-outflow", Protocol: "other", Timestamp: ev.Timestamp}
	req := guard.Request{Type: "pause", Protocol: "demo", Contract: "vault", Rule: "exploit_pause"}
	revoke := guard.Request{Type: "revoke_role", Protocol: "demo", Contract: "vault", Role: "operator", Account: fixtureAttacker.Hex(), Rule: "exploit_pause"}
	in := record.Intent{ID: "ev-1/0", EventID: "ev-1", Protocol: "demo", Type: "pause", Rule: "exploit_pause", ChainID: 31337,
		To: fixtureVault, Function: "pause()", Data: hexutil.Bytes{0x84, 0x56, 0xcb, 0x59}, Signer: "guardian"}
	nonce := uint64(0)
	gwei := func(g int64) *hexutil.Big { return (*hexutil.Big)(new(big.Int).Mul(big.NewInt(g), big.NewInt(1e9))) }
	act := func(state record.State, hash common.Hash, mutate func(*record.Record)) record.Record {
		r := record.Record{Intent: in, State: state, From: fixtureGuardian, Nonce: &nonce, TxHash: &hash, GasLimit: 60000,
			GasFeeCap: gwei(40), GasTipCap: gwei(5), CreatedAt: ev.Timestamp.Add(time.Second)}
		if mutate != nil {
			mutate(&r)
		}
		return r
	}
	entries := []audit.Entry{
		{Kind: audit.KindReceived, EventID: ev.ID, Protocol: ev.Protocol, Data: audit.ReceivedData{Event: ev, ReceivedAt: ev.Timestamp.Add(120 * time.Millisecond)}},
		{Kind: audit.KindReceived, EventID: other.ID, Protocol: other.Protocol, Data: audit.ReceivedData{Event: other}},
		{Kind: audit.KindDecision, EventID: ev.ID, Protocol: "demo", Data: audit.DecisionData{DecisionID: "d-1", Decision: &decide.Decision{
			Actions: []guard.Request{req, revoke}, Reasons: []string{"critical exploit on demo: pause the vault"}, Rules: []string{"exploit_pause"}, Revision: "rev-3f2a9c"}}},
		{Kind: audit.KindGuard, EventID: ev.ID, Protocol: "demo", Data: audit.GuardData{Index: 0, Verdict: guard.Verdict{Request: req, Outcome: guard.Allowed,
			ChainID: 31337, To: fixtureVault, Function: "pause()", Signer: "guardian"}}},
		{Kind: audit.KindGuard, EventID: ev.ID, Protocol: "demo", Data: audit.GuardData{Index: 1, Verdict: guard.Verdict{Request: revoke, Outcome: guard.Refused,
			Reason: "revokeRole(bytes32,address) on demo.vault is not on the allowlist"}}},
		{Kind: audit.KindPlanned, EventID: ev.ID, Protocol: "demo", ActionID: in.ID, Data: audit.PlannedData{Intent: in}},
		{Kind: KindIncident, EventID: ev.ID, Protocol: "demo", Data: map[string]any{"incident": "inc-demo-1", "protocol": "demo", "from": "", "to": "detected",
			"by": "engine", "note": "opened by a critical exploit alert", "event": ev.ID}},
		{Kind: audit.KindSigned, EventID: ev.ID, Protocol: "demo", ActionID: in.ID, Data: audit.ActionData{Action: act(record.Signed, fixtureTx1, nil)}},
		{Kind: audit.KindDecision, EventID: other.ID, Protocol: "other", Data: audit.DecisionData{DecisionID: "d-2", Decision: &decide.Decision{Revision: "rev-3f2a9c"}}},
		{Kind: audit.KindSent, EventID: ev.ID, Protocol: "demo", ActionID: in.ID, Data: audit.ActionData{Action: act(record.Sent, fixtureTx1, func(r *record.Record) {
			r.SentAt = ev.Timestamp.Add(1200 * time.Millisecond)
		})}},
		{Kind: audit.KindBumped, EventID: ev.ID, Protocol: "demo", ActionID: in.ID, Data: audit.ActionData{Action: act(record.Sent, fixtureTx2, func(r *record.Record) {
			r.Bumps, r.GasFeeCap, r.GasTipCap = 1, gwei(48), gwei(6)
			r.Attempts = []record.Attempt{{Hash: fixtureTx1, Status: record.AttemptReplaced}, {Hash: fixtureTx2, Status: record.AttemptSent}}
		})}},
		{Kind: audit.KindIncluded, EventID: ev.ID, Protocol: "demo", ActionID: in.ID, Data: audit.ActionData{Action: act(record.Included, fixtureTx2, func(r *record.Record) {
			r.Bumps, r.GasFeeCap, r.GasTipCap, r.Block, r.GasUsed, r.Status, r.Confirmations = 1, gwei(48), gwei(6), 42, 28934, 1, 1
		})}},
		{Kind: audit.KindMined, EventID: ev.ID, Protocol: "demo", ActionID: in.ID, Data: audit.ActionData{Action: act(record.Mined, fixtureTx2, func(r *record.Record) {
			r.Bumps, r.GasFeeCap, r.GasTipCap, r.Block, r.GasUsed, r.Status, r.Confirmations = 1, gwei(48), gwei(6), 42, 28934, 1, 2
			r.Attempts = []record.Attempt{{Hash: fixtureTx1, Status: record.AttemptReplaced}, {Hash: fixtureTx2, Status: record.AttemptMined}}
		})}},
		{Kind: "notified", EventID: ev.ID, Protocol: "demo", Data: map[string]any{"channel": "slack-secops", "kind": "incident.contained", "status": "delivered", "incident": "inc-demo-1"}},
		{Kind: KindIncident, EventID: ev.ID, Protocol: "demo", Data: map[string]any{"incident": "inc-demo-1", "protocol": "demo", "from": "detected", "to": "contained",
			"by": "engine", "note": "every allowed action is final", "actions": []string{in.ID}}},
		{Kind: audit.KindMined, EventID: other.ID, Protocol: "other", Data: map[string]any{"unrelated": true}},
	}
	for _, e := range entries {
		if _, err := lg.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
}

// loadFixture reads the fixture export, verifying it as the audit package
// does.
func loadFixture(t testing.TB) []audit.Record {
	t.Helper()
	data, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := parseExport(data)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestFixtureIsARealChain(t *testing.T) {
	if *updateFixture {
		writeFixture(t)
	}
	f, err := os.Open(filepath.Clean(fixturePath))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := audit.VerifyFile(f, audit.VerifyOptions{PublicKey: fixtureKey().Public().(ed25519.PublicKey)})
	if err != nil || rep.Records != 16 {
		t.Fatalf("the fixture does not verify as an audit export: %+v, %v", rep, err)
	}
}
