package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// actionsServer starts a real embedded NATS server holding three actions:
// a mined pause of demo, a failed freeze of demo and a sent pause of other.
func actionsServer(t *testing.T) string {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: t.TempDir(), Host: "127.0.0.1", Port: -1, Insecure: true}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := ingest.Dial(srv.ClientURL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	store, err := record.NewStore(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	nonce, hash := uint64(3), common.HexToHash("0x2222222222222222222222222222222222222222222222222222222222222222")
	fee, tip := (*hexutil.Big)(big.NewInt(31_500_000_000)), (*hexutil.Big)(big.NewInt(1_000_000_000))
	for i, r := range []record.Record{
		{Intent: record.Intent{ID: "aaa-0", EventID: "ev-1", Protocol: "demo", Type: "pause", Rule: "exploit_pause", ChainID: 31337, To: vault, Function: "pause()", Data: hexutil.Bytes{0x84, 0x56, 0xcb, 0x59}, Signer: "guardian"},
			State: record.Mined, Nonce: &nonce, TxHash: &hash, GasFeeCap: fee, GasTipCap: tip, GasLimit: 40000, Block: 9, GasUsed: 27000, Status: 1,
			Attempts: []record.Attempt{{Hash: hash, Nonce: nonce, GasFeeCap: fee, GasTipCap: tip, GasLimit: 40000, Head: 8, Status: record.AttemptMined, Reason: "first", At: at}}},
		{Intent: record.Intent{ID: "bbb-1", EventID: "ev-1", Protocol: "demo", Type: "freeze_bridge", ChainID: 31337, To: vault, Function: "freeze()", Signer: "guardian"},
			State: record.Failed, Error: "execution reverted"},
		{Intent: record.Intent{ID: "ccc-0", EventID: "ev-2", Protocol: "other", Type: "pause", ChainID: 1, To: vault, Function: "pause()", Signer: "guardian"},
			State: record.Sent, Nonce: &nonce},
	} {
		rec, rev, _, err := store.Create(ctx, r.Intent, at.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		r.CreatedAt = rec.CreatedAt
		if _, err := store.Update(ctx, r, rev); err != nil {
			t.Fatal(err)
		}
	}
	return srv.ClientURL()
}

func TestActionsCommands(t *testing.T) {
	url := actionsServer(t)
	code, out, errOut := runCLI(t, "actions", "list", "--nats", url)
	if code != exitOK {
		t.Fatalf("list: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "CREATED") || !strings.Contains(lines[1], "ccc-0") || !strings.Contains(lines[3], "aaa-0") {
		t.Fatalf("list, newest first:\n%s", out)
	}
	if !strings.Contains(lines[3], "0x2222") || !strings.Contains(lines[3], "mined") || !strings.Contains(lines[3], "pause pause() on 0x5FbDB") {
		t.Errorf("the mined row: %s", lines[3])
	}

	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--state", "mined,failed"}, []string{"aaa-0", "bbb-1"}},
		{[]string{"--protocol", "other"}, []string{"ccc-0"}},
		{[]string{"--event", "ev-1", "--state", "failed"}, []string{"bbb-1"}},
		{[]string{"--limit", "1"}, []string{"ccc-0"}},
	} {
		code, out, errOut := runCLI(t, append([]string{"actions", "list", "--json", "--nats", url}, c.args...)...)
		var recs []record.Record
		if err := json.Unmarshal([]byte(out), &recs); code != exitOK || err != nil {
			t.Fatalf("list %v: exit %d, %v: %s%s", c.args, code, err, out, errOut)
		}
		var ids []string
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if strings.Join(ids, ",") != strings.Join(c.want, ",") && strings.Join(ids, ",") != strings.Join(reverse(c.want), ",") {
			t.Errorf("list %v = %v, want %v", c.args, ids, c.want)
		}
	}
	if code, out, _ := runCLI(t, "actions", "list", "--nats", url, "--state", "included"); code != exitOK || !strings.Contains(out, "no actions (of 3 recorded)") {
		t.Errorf("no match: %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, "actions", "list", "--nats", url, "--state", "done"); code != exitUsage || !strings.Contains(errOut, `"done" is not one of`) {
		t.Errorf("bad state: %d %s", code, errOut)
	}

	code, out, errOut = runCLI(t, "actions", "show", "aaa-0", "--nats", url)
	if code != exitOK {
		t.Fatalf("show: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"aaa-0", "mined", "exploit_pause", "pause()", "0x8456cb59", "max 31.5 gwei, tip 1 gwei", "block", "9 (0 confirmations, 27000 gas used, status 1)", "attempts (1):", "first"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := runCLI(t, "actions", "show", "--json", "--nats", url, "bbb-1"); code != exitOK || !strings.Contains(out, `"execution reverted"`) {
		t.Errorf("show --json: %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, "actions", "show", "--nats", url, "nope"); code != exitFailure || !strings.Contains(errOut, "no such action") {
		t.Errorf("show of a missing action: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "actions", "cancel", "aaa-0"); code != exitUsage || !strings.Contains(errOut, "not available yet") {
		t.Errorf("cancel: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "actions"); code != exitUsage || !strings.Contains(errOut, "Usage: firebreak actions") {
		t.Errorf("no command: %d %s", code, errOut)
	}
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func TestActionsWithoutAnEngine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	code, _, errOut := runCLI(t, "actions", "list", "--nats", "nats://"+addr, "--timeout", "5s")
	if code != exitFailure || !strings.Contains(errOut, "no firebreak at nats://"+addr+": is 'firebreak serve' running?") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
