package record

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/nats-io/nats.go/jetstream"
)

// ActionsBucket is the JetStream KV bucket holding every action intent and
// its progress to the chain.
const ActionsBucket = "FIREBREAK_ACTIONS"

// State is where an action is on its way to the chain.
type State string

// States, in order. Mined, Failed and Refused are final.
const (
	// Pending: recorded, nothing signed yet. Safe to sign from scratch.
	Pending State = "pending"
	// Signed: a signed transaction is recorded and may have been broadcast;
	// from here on only that transaction is ever sent.
	Signed State = "signed"
	// Sent: a node accepted the transaction (or, after a restart or a
	// reorg, one of its recorded attempts is being carried on).
	Sent State = "sent"
	// Included: an attempt is in a block, waiting for the configured
	// confirmations; a reorg that removes it goes back to Sent.
	Included State = "included"
	// Mined: the receipt is in; Status tells success or revert.
	Mined State = "mined"
	// Failed: the action could not be executed; Error says why.
	Failed State = "failed"
	// Refused: quarantined. The stored record failed a check the engine
	// makes before it signs anything (the allowlist in force, the
	// engine's MAC, the sender) or on every load (Validate); Error says
	// which. Nothing is signed for it again; a transaction signed before
	// the record changed may still be mined.
	Refused State = "refused"
	// Joined: not sent, because an earlier action with the same chain,
	// target and calldata was already in flight; JoinedTo names it, and its
	// fate is this action's.
	Joined State = "joined"
	// Satisfied: not sent, or sent and reverted, only because the target was
	// already in the state the action wanted (a pause of a paused contract);
	// a recorded no-op, not a failure.
	Satisfied State = "satisfied"
)

// Final reports whether nothing more will happen to an action in state s.
func (s State) Final() bool {
	return s == Mined || s == Failed || s == Refused || s == Joined || s == Satisfied
}

// Intent is what to execute: a call the guard allowed.
type Intent struct {
	// ID is the event's key and the call's content address (IntentID):
	// recording the same intent twice is detected, which is what keeps one
	// event from acting twice, and a different call never shares an id.
	ID       string         `json:"id"`
	EventID  string         `json:"event_id"`
	Protocol string         `json:"protocol"`
	Type     string         `json:"type"`
	Rule     string         `json:"rule,omitempty"`
	ChainID  uint64         `json:"chain_id"`
	To       common.Address `json:"to"`
	Function string         `json:"function"`
	Data     hexutil.Bytes  `json:"data"`
	// Signer is the configured signer's name.
	Signer string `json:"signer"`
	// MAC is the engine's HMAC-SHA256 over the fields above (but Rule),
	// made when the intent is recorded (Store.Create with a Sealer). A
	// record without a valid one is never signed.
	MAC string `json:"mac,omitempty"`
}

// Attempt statuses.
const (
	// AttemptSent: signed, recorded, and handed to the endpoints.
	AttemptSent = "sent"
	// AttemptReplaced: a later attempt with the same nonce superseded it
	// (it may still be in some pool, but it is not the one mined).
	AttemptReplaced = "replaced"
	// AttemptMined: this is the attempt in the chain.
	AttemptMined = "mined"
	// AttemptDropped: its nonce was taken by a transaction that is not
	// the action's (sent out of band with the same key).
	AttemptDropped = "dropped"
)

// Attempt is one signed transaction for an action: the first send and
// every fee bump or re-sign after it. Every hash that ever left the
// process is here, recorded before it was broadcast.
type Attempt struct {
	Hash  common.Hash `json:"hash"`
	Nonce uint64      `json:"nonce"`
	// GasFeeCap and GasTipCap in wei.
	GasFeeCap *hexutil.Big `json:"max_fee_per_gas"`
	GasTipCap *hexutil.Big `json:"max_priority_fee_per_gas"`
	GasLimit  uint64       `json:"gas_limit"`
	// Head is the block number the attempt was priced at.
	Head   uint64    `json:"head"`
	Reason string    `json:"reason"`
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// Record is an intent and its progress. TxHash, RawTx and the fee fields
// describe the current best attempt (the mined one once mined); Attempts
// lists all of them.
type Record struct {
	Intent
	State    State          `json:"state"`
	From     common.Address `json:"from,omitzero"`
	Nonce    *uint64        `json:"nonce,omitempty"`
	TxHash   *common.Hash   `json:"tx_hash,omitempty"`
	RawTx    hexutil.Bytes  `json:"raw_tx,omitempty"`
	GasLimit uint64         `json:"gas_limit,omitempty"`
	Attempts []Attempt      `json:"attempts,omitempty"`
	// Bumps counts fee bumps; Reorgs the times an included attempt left
	// the chain again.
	Bumps  int `json:"bumps,omitempty"`
	Reorgs int `json:"reorgs,omitempty"`
	// Warning is set, and stays until the next successful bump, when the
	// fee cap blocks a replacement the market asks for.
	Warning string `json:"warning,omitempty"`
	// Confirmations is how many blocks (including its own) are on top of
	// the mined attempt, as of the last check.
	Confirmations uint64 `json:"confirmations,omitempty"`
	// GasFeeCap and GasTipCap in wei.
	GasFeeCap *hexutil.Big `json:"max_fee_per_gas,omitempty"`
	GasTipCap *hexutil.Big `json:"max_priority_fee_per_gas,omitempty"`
	Block     uint64       `json:"block,omitempty"`
	GasUsed   uint64       `json:"gas_used,omitempty"`
	// EffectiveGasPrice is the receipt's price per gas paid (base fee plus
	// the tip paid): GasUsed × EffectiveGasPrice is the fee, exactly.
	EffectiveGasPrice *hexutil.Big `json:"effective_gas_price,omitempty"`
	// Status is the receipt status: 1 success, 0 reverted.
	Status uint64 `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
	// JoinedTo is the action this one joined (state Joined).
	JoinedTo  string    `json:"joined_to,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	MinedAt   time.Time `json:"mined_at,omitzero"`
}

// Store keeps action records in a JetStream KV bucket. Every record it
// reads (Get, Unfinished, Load) is decoded and validated, and one that
// fails is skipped (an error from Get). With an OnQuarantine hook (the
// engine's store) one that is not final is also quarantined: rewritten as
// Refused, with the reason, and reported to the hook, so nothing acts on it
// and nothing crashes on it again.
type Store struct {
	kv     jetstream.KeyValue
	sealer *Sealer
	onQ    func(ctx context.Context, rec Record)
}

// StoreOption configures a Store.
type StoreOption func(*Store)

// WithSealer makes Create seal every intent with the engine's MAC.
func WithSealer(s *Sealer) StoreOption { return func(st *Store) { st.sealer = s } }

// OnQuarantine sets the hook told of every record the store quarantined
// while loading it (the audit log and an error-level log line hang here).
// It gets the record as rewritten: state Refused, the reason in Error.
func OnQuarantine(f func(ctx context.Context, rec Record)) StoreOption {
	return func(st *Store) { st.onQ = f }
}

// NewStore creates or binds to the actions bucket.
func NewStore(ctx context.Context, js jetstream.JetStream, replicas int, opts ...StoreOption) (*Store, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      ActionsBucket,
		Description: "firebreak action intents and their progress to the chain",
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		History:     8,
	})
	if err != nil {
		return nil, fmt.Errorf("submit: creating bucket %s: %w", ActionsBucket, err)
	}
	s := &Store{kv: kv}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Create records a new intent in state Pending, sealed with the engine's
// MAC when the store has a Sealer. It returns false, and no error, when an
// intent with the same id exists already.
func (s *Store) Create(ctx context.Context, in Intent, now time.Time) (Record, uint64, bool, error) {
	return s.create(ctx, in, now, nil)
}

func (s *Store) create(ctx context.Context, in Intent, now time.Time, set func(*Record)) (Record, uint64, bool, error) {
	if s.sealer != nil {
		in = s.sealer.Seal(in)
	}
	rec := Record{Intent: in, State: Pending, CreatedAt: now}
	if set != nil {
		set(&rec)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return Record{}, 0, false, fmt.Errorf("submit: encoding action %s: %w", in.ID, err)
	}
	rev, err := s.kv.Create(ctx, in.ID, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return Record{}, 0, false, nil
	}
	if err != nil {
		return Record{}, 0, false, fmt.Errorf("submit: recording action %s: %w", in.ID, err)
	}
	return rec, rev, true, nil
}

// Get returns an action's record and its revision. A stored value that
// fails to decode or validate is an error wrapping ErrInvalid (and, if not
// final, quarantined).
func (s *Store) Get(ctx context.Context, id string) (Record, uint64, error) {
	e, err := s.kv.Get(ctx, id)
	if err != nil {
		return Record{}, 0, fmt.Errorf("submit: reading action %s: %w", id, err)
	}
	rec, err := s.Load(ctx, e)
	if err != nil {
		return Record{}, 0, err
	}
	return rec, e.Revision(), nil
}

// Update writes rec if the stored revision is still rev: the submitter
// owning an action is its only writer, and this proves it.
func (s *Store) Update(ctx context.Context, rec Record, rev uint64) (uint64, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return 0, fmt.Errorf("submit: encoding action %s: %w", rec.ID, err)
	}
	next, err := s.kv.Update(ctx, rec.ID, data, rev)
	if err != nil {
		return 0, fmt.Errorf("submit: updating action %s: %w", rec.ID, err)
	}
	return next, nil
}

// Unfinished returns the records that are not in a final state, for resuming
// after a restart. The bucket's latest values stream in on one watcher
// instead of one request per key: a bucket with years of finished actions
// is read in a fraction of the time.
func (s *Store) Unfinished(ctx context.Context) ([]Record, []uint64, error) {
	// The silence is bounded, not the whole read: a bucket of any size is
	// read to the end, and a store that does not answer (a leader moving)
	// is an error the caller can wait out, not a hang. The watcher lives
	// as long as its context, so its creation is bounded by a cancel, not
	// a deadline.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	creating := time.AfterFunc(unfinishedIdle, cancel)
	w, err := s.kv.WatchAll(wctx, jetstream.IgnoreDeletes())
	if err == nil {
		defer func() { _ = w.Stop() }()
	}
	if !creating.Stop() && ctx.Err() == nil {
		// Cancelled while (or just after) it was made: whatever it
		// delivers now may be cut short.
		err = fmt.Errorf("no answer for %v: %w", unfinishedIdle, context.DeadlineExceeded)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("submit: listing actions: %w", err)
	}
	var recs []Record
	var revs []uint64
	idle := time.NewTimer(unfinishedIdle)
	defer idle.Stop()
	for {
		var e jetstream.KeyValueEntry
		select {
		case e = <-w.Updates():
			idle.Reset(unfinishedIdle)
		case <-idle.C:
			return nil, nil, fmt.Errorf("submit: listing actions: no answer for %v: %w", unfinishedIdle, context.DeadlineExceeded)
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("submit: listing actions: %w", ctx.Err())
		}
		if e == nil {
			if ctx.Err() != nil {
				// A watcher stopped by the context ends its updates too:
				// that is no proof the list is complete.
				return nil, nil, fmt.Errorf("submit: listing actions: %w", ctx.Err())
			}
			return recs, revs, nil // every key's latest value is in
		}
		rec, err := s.Load(ctx, e)
		if err != nil {
			continue // quarantined (or final): nothing to resume
		}
		if !rec.State.Final() {
			recs = append(recs, rec)
			revs = append(revs, e.Revision())
		}
	}
}

// unfinishedIdle is how long Unfinished waits for the next record.
const unfinishedIdle = 15 * time.Second

// WatchUpdates watches every record written from now on, until ctx ends or
// the watcher is stopped: how a replica sees intents another one recorded.
// Decode what it delivers with Load.
func (s *Store) WatchUpdates(ctx context.Context) (jetstream.KeyWatcher, error) {
	return s.kv.WatchAll(ctx, jetstream.UpdatesOnly())
}

// CreateJoined records in as joined to the action first (state Joined,
// final): it is never sent, first's fate is its fate. Like Create it
// returns false, and no error, when an intent with the same id exists.
func (s *Store) CreateJoined(ctx context.Context, in Intent, first string, now time.Time) (Record, uint64, bool, error) {
	return s.create(ctx, in, now, func(r *Record) { r.State, r.JoinedTo = Joined, first })
}
