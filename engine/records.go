package engine

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/safe"
	"github.com/firebreak-dev/firebreak/engine/submit"
)

// openSealer returns the engine's MAC over records and approvals: the key
// of records.mac_key_env or mac_key_file (and the previous keys of a
// rotation), or else the data folder's, which a serving engine (create)
// generates on its first start. No key text reaches an error.
func openSealer(o config.Options, create bool) (*record.Sealer, error) {
	r := o.Records
	if err := r.Validate(); err != nil {
		return nil, err
	}
	load := func(field, env, file string) ([]byte, error) {
		if env != "" {
			v, ok := o.Env()(env)
			if !ok || v == "" {
				return nil, config.Errorf("%s: environment variable %s is not set", field, env)
			}
			k, err := record.ParseMACKey(v)
			if err != nil {
				return nil, fmt.Errorf("%w: %s (%s): %w", config.ErrConfig, field, env, err)
			}
			return k, nil
		}
		k, err := record.LoadMACKeyFile(file, false)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", config.ErrConfig, field, err)
		}
		return k, nil
	}
	var current []byte
	var err error
	switch {
	case r.Configured():
		current, err = load("records.mac_key", r.MACKeyEnv, r.MACKeyFile)
	case o.DataDir == "":
		return nil, config.Errorf("records: no MAC key: set records.mac_key_file or mac_key_env, or data_dir")
	default:
		path := filepath.Join(o.DataDir, record.MACKeyFile)
		if current, err = record.LoadMACKeyFile(path, create); err != nil {
			err = fmt.Errorf("%w: records: the data folder's MAC key (set records.mac_key_file to use another): %w", config.ErrConfig, err)
		}
	}
	if err != nil {
		return nil, err
	}
	var previous [][]byte
	for i, p := range r.PreviousMACKeys {
		k, err := load(fmt.Sprintf("records.previous_mac_keys[%d]", i), p.Env, p.File)
		if err != nil {
			return nil, err
		}
		previous = append(previous, k)
	}
	return record.NewSealer(current, previous...)
}

// records guard what the engine records: the engine's MAC, the allowlist
// in force, and the stores that quarantine what fails to load.
type records struct {
	store     *record.Store
	approvals *safe.ApprovalStore
	sealer    *record.Sealer
	allow     *decide.Allowlist
	// changed is the submitter's OnChange (audit, metrics), which a
	// record quarantined on load goes to as well; set before anything
	// loads a record.
	changed func(context.Context, record.Record)
}

// onChange makes f, the submitter's OnChange, the one quarantined records
// are reported to, and returns it.
func (r *records) onChange(f func(context.Context, record.Record)) func(context.Context, record.Record) {
	r.changed = f
	return f
}

// openRecords opens the actions and approvals buckets with the engine's
// MAC key and the quarantine hooks (error log, audit).
func (e *Engine) openRecords(ctx context.Context, js jetstream.JetStream, auditRec *audit.Recorder) (*records, error) {
	r := &records{allow: decide.NewAllowlist(e.opts), changed: auditRec.ActionChanged}
	var err error
	if r.sealer, err = openSealer(e.opts, true); err != nil {
		return r, err
	}
	if e.opts.NATS.URL != "" && !e.opts.Records.Configured() {
		e.log.Warn("records.mac_key_file is not set: engines sharing this NATS must share one MAC key, or each refuses the others' records", "key", "data_dir/"+record.MACKeyFile)
	}
	onRecord, onApproval := r.quarantineHooks(e.log, auditRec)
	if r.store, err = record.NewStore(ctx, js, e.opts.NATS.Replicas, record.WithSealer(r.sealer), record.OnQuarantine(onRecord)); err != nil {
		return r, err
	}
	if r.approvals, err = safe.NewApprovalStore(ctx, js, e.opts.NATS.Replicas); err != nil {
		return r, err
	}
	r.approvals.OnQuarantine(onApproval)
	return r, nil
}

// authorizer is the submitter's check before signing; nil only for the
// benchmark that measures it (Records.Unchecked).
func (r *records) authorizer(o config.Options) submit.Authorizer {
	if o.Records.Unchecked {
		return nil
	}
	return recordChecks{r.sealer, r.allow}
}

// guardSafes gives the Safe runner the MAC, the allowlist and the kill
// switch it checks approvals against before executing one.
func (r *records) guardSafes(ctx context.Context, js jetstream.JetStream, replicas int, safes *safe.Runner) error {
	ks, err := guard.OpenKillSwitch(ctx, js, replicas)
	if err != nil {
		return err
	}
	safes.Sealer, safes.Check, safes.Halt = r.sealer, r.allow, ks
	return nil
}

// recordChecks is the submitter's check before every signature: the
// record carries the engine's MAC, and its call is on the allowlist in
// force (a Safe's execTransaction: its inner call).
type recordChecks struct {
	sealer *record.Sealer
	allow  *decide.Allowlist
}

func (c recordChecks) Authorize(_ context.Context, rec record.Record) error {
	aerr := c.allow.Check(rec.ChainID, rec.To, rec.Data, rec.Signer)
	merr := c.sealer.Verify(rec.Intent)
	switch {
	case aerr != nil && merr != nil:
		return fmt.Errorf("%w; %w", aerr, merr)
	case aerr != nil:
		return aerr
	}
	return merr
}

// quarantineHooks report what the stores quarantined on load: an error
// in the log, and a refused record in the audit log (through the
// submitter's OnChange for action records, as the submitter's own
// refusals are).
func (r *records) quarantineHooks(log *slog.Logger, rec *audit.Recorder) (func(context.Context, record.Record), func(context.Context, safe.Approval)) {
	return func(ctx context.Context, q record.Record) {
			log.Error("stored action record quarantined: it does not validate, nothing is signed for it", "action", q.ID, "reason", q.Error)
			r.changed(ctx, q)
		}, func(ctx context.Context, a safe.Approval) {
			log.Error("stored approval quarantined: it does not validate, it is never executed", "approval", a.ID, "reason", a.Error)
			rec.ApprovalRefused(ctx, a, a.Error)
		}
}
