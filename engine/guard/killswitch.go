package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Kill switch storage: one key in a JetStream KV bucket, shared by every
// engine replica and the firebreak halt / resume commands.
const (
	ControlBucket = "FIREBREAK_CONTROL"
	HaltKey       = "halt"
)

// Halt is the recorded reason firebreak was halted.
type Halt struct {
	Reason string    `json:"reason"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
}

func (h Halt) String() string {
	s := fmt.Sprintf("%q since %s", h.Reason, h.At.UTC().Format(time.RFC3339))
	if h.By != "" {
		s += " by " + h.By
	}
	return s
}

// KillSwitch is the global halt: while the key is set, the guard refuses
// every action of every event. Actions recorded before the halt are not
// recalled: the halt stops new decisions from acting.
type KillSwitch struct {
	kv jetstream.KeyValue
}

// OpenKillSwitch opens (creating it when missing) the control bucket.
func OpenKillSwitch(ctx context.Context, js jetstream.JetStream, replicas int) (*KillSwitch, error) {
	if replicas < 1 {
		replicas = 1
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: ControlBucket, Description: "firebreak control: the kill switch", History: 16, Replicas: replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("guard: opening the %s bucket: %w", ControlBucket, err)
	}
	return &KillSwitch{kv: kv}, nil
}

// BindKillSwitch opens the control bucket the engine created, without
// creating or changing it: what an operator's identity may do (it may put
// the halt key, never configure a bucket). A bucket that does not exist
// means no engine ever ran on this NATS.
func BindKillSwitch(ctx context.Context, js jetstream.JetStream) (*KillSwitch, error) {
	kv, err := js.KeyValue(ctx, ControlBucket)
	if err != nil {
		return nil, fmt.Errorf("guard: opening the %s bucket (has an engine run on this NATS?): %w", ControlBucket, err)
	}
	return &KillSwitch{kv: kv}, nil
}

// Halt sets the kill switch.
func (k *KillSwitch) Halt(ctx context.Context, h Halt) error {
	if strings.TrimSpace(h.Reason) == "" {
		return errors.New("guard: a halt needs a reason")
	}
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if _, err := k.kv.Put(ctx, HaltKey, data); err != nil {
		return fmt.Errorf("guard: setting the kill switch: %w", err)
	}
	return nil
}

// Resume clears the kill switch.
func (k *KillSwitch) Resume(ctx context.Context) error {
	if err := k.kv.Delete(ctx, HaltKey); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("guard: clearing the kill switch: %w", err)
	}
	return nil
}

// Halted reads the kill switch from the bucket. It is called once per
// event that asks for actions, so a halt set before the event was read is
// always honoured, with no watch delay in between.
func (k *KillSwitch) Halted(ctx context.Context) (Halt, bool, error) {
	e, err := k.kv.Get(ctx, HaltKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Halt{}, false, nil
	}
	if err != nil {
		return Halt{}, false, err
	}
	return decodeHalt(e.Value())
}

func decodeHalt(data []byte) (Halt, bool, error) {
	var h Halt
	if err := json.Unmarshal(data, &h); err != nil {
		// Someone wrote the key by hand: still a halt, with the raw value.
		return Halt{Reason: strings.TrimSpace(string(data))}, true, nil
	}
	return h, true, nil
}

// Watch logs every change of the kill switch until ctx ends, so that a
// halt or resume shows in every replica's log the moment it happens.
func (k *KillSwitch) Watch(ctx context.Context, log *slog.Logger) error {
	w, err := k.kv.Watch(ctx, HaltKey)
	if err != nil {
		return fmt.Errorf("guard: watching the kill switch: %w", err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return nil
			}
			if e == nil { // the initial values have been delivered
				continue
			}
			if e.Operation() != jetstream.KeyValuePut {
				log.Warn("kill switch cleared: firebreak acts again")
				continue
			}
			h, _, _ := decodeHalt(e.Value())
			log.Warn("KILL SWITCH SET: firebreak takes no action until 'firebreak resume'", "reason", h.Reason, "by", h.By, "at", h.At)
		}
	}
}
