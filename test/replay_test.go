package test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// A valid event dead-lettered as stale during an outage, replayed by an
// operator once the node is back ('firebreak dead-letters replay SEQ' sends
// this request), pauses the vault; replaying it twice sends one transaction.
func TestDeadLetterReplayActsOnce(t *testing.T) {
	var gate *tcpGate
	var dataDir string
	s := newStack(t, func(o *config.Options) {
		gate = newTCPGate(t, hostOf(t, o.Chains[0].RPC))
		o.Chains[0].RPC = gate.URL()
		// A short budget, so the outage outlives it in a test.
		o.Ingest.MaxEventAge, o.Ingest.HandleTimeout = 2*time.Second, time.Second
		o.Ingest.RetryDelay, o.Ingest.MaxRetryDelay = 20*time.Millisecond, 100*time.Millisecond
		dataDir = o.DataDir
	})
	gate.set(gateRefuse)
	s.publish(criticalExploit("replayed"))
	dead := firstDeadLetter(s)
	if code := dead.Headers().Get(ingest.HeaderDeadCode); code != ingest.CodeStale {
		t.Fatalf("dead letter code %q, want %q", code, ingest.CodeStale)
	}
	meta, err := dead.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	gate.set(gateForward)

	// The operator, with the identity 'firebreak creds create --role
	// operator' makes.
	seed, _, err := ingest.CreateIdentity(ingest.IdentityDir(dataDir), ingest.RoleOperator, "oncall", "")
	if err != nil {
		t.Fatal(err)
	}
	waitIdentity(t, s.engine.NATSURL(), seed)
	op, err := ingest.DialWith(s.engine.NATSURL(), "operator", ingest.ConnectOptions{NkeySeedFile: seed})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	replay := func() ingest.ReplayReply {
		t.Helper()
		data, _ := json.Marshal(ingest.ReplayRequest{Seqs: []uint64{meta.Sequence.Stream}})
		msg, err := op.RequestWithContext(s.ctx, ingest.ReplaySubject, data)
		if err != nil {
			t.Fatal(err)
		}
		var r ingest.ReplayReply
		if err := json.Unmarshal(msg.Data, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Replayed) != 1 || len(r.Errors) != 0 {
			t.Fatalf("replay answer %+v, want one replayed", r)
		}
		return r
	}
	replay()
	out := s.outcome("replayed")
	if len(out.Actions) != 1 {
		t.Fatalf("outcome %+v, want one pause", out)
	}
	s.action(out.Actions[0].ActionID)
	if !s.paused() {
		t.Fatal("the replayed event did not pause the vault")
	}
	if again := replay(); !again.Replayed[0].Duplicate {
		t.Errorf("the second replay was stored again: %+v", again)
	}
	s.drained()
	if n := s.sent(s.guardian.Address()); n != 1 {
		t.Fatalf("the guardian sent %d transactions after two replays, want 1", n)
	}
}
