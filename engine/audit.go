package engine

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/firebreak-dev/firebreak/engine/audit"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/nats-io/nats.go/jetstream"
)

// openAudit opens the audit log on js.
func (e *Engine) openAudit(ctx context.Context, js jetstream.JetStream) (*audit.Recorder, error) {
	key, keyText, err := e.auditKey()
	if err != nil {
		return nil, err
	}
	opts := audit.DefaultOptions()
	opts.Replicas, opts.Key, opts.Now = e.opts.NATS.Replicas, key, e.now
	opts.Secrets = append(e.opts.Secrets(keyText), e.opts.IngressSecrets()...)
	if e.opts.Audit.RetryFor > 0 {
		opts.RetryFor = e.opts.Audit.RetryFor
	}
	if e.opts.DataDir != "" {
		// The head this engine last wrote: a stream that no longer holds
		// it was replaced or truncated, and the start is refused.
		opts.CheckpointPath = filepath.Join(e.opts.DataDir, audit.CheckpointFile)
	}
	opts.AcceptReset, opts.MaxBytes = e.opts.Audit.AcceptReset, e.opts.Audit.MaxBytes
	l, err := audit.NewLog(ctx, js, opts, e.log)
	if err != nil {
		return nil, err
	}
	if pub := l.PublicKey(); pub != nil {
		e.log.Info("audit log signing", "public_key", hex.EncodeToString(pub), "key_id", audit.KeyID(pub))
	}
	rec := audit.NewRecorder(ctx, l, e.log)
	if e.opts.DataDir != "" {
		// Records the stream cannot take in time wait on the disk, and an
		// earlier run's are replayed now.
		if err := rec.OpenSpill(filepath.Join(e.opts.DataDir, audit.SpillDir)); err != nil {
			rec.Close()
			return nil, err
		}
	} else {
		e.log.Warn("no data folder: audit records the stream cannot take in time are lost (logged), not spilled to disk")
	}
	return rec, nil
}

// auditKey reads the configured signing key. Neither the key nor the file
// content ever appears in an error.
func (e *Engine) auditKey() (ed25519.PrivateKey, string, error) {
	a := e.opts.Audit
	var text string
	switch {
	case a.SigningKeyEnv != "":
		v, ok := e.lookupEnv()(a.SigningKeyEnv)
		if !ok {
			return nil, "", config.Errorf("audit.signing_key_env: environment variable %s is not set", a.SigningKeyEnv)
		}
		text = v
	case a.SigningKeyFile != "":
		b, err := os.ReadFile(a.SigningKeyFile)
		if err != nil {
			return nil, "", config.Errorf("audit.signing_key_file: %v", err)
		}
		text = string(b)
	default:
		return nil, "", nil
	}
	key, err := audit.ParsePrivateKey(text)
	if err != nil {
		return nil, "", fmt.Errorf("%w: audit signing key: %w", config.ErrConfig, err)
	}
	return key, strings.TrimSpace(text), nil
}

func (e *Engine) lookupEnv() func(string) (string, bool) { return e.opts.Env() }
