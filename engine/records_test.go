package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	safeabi "github.com/firebreak-dev/firebreak/contracts/safe"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
	safesigner "github.com/firebreak-dev/firebreak/signer/safe"
)

const testSafe = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"

func checksOptions(t testing.TB) config.Options {
	t.Helper()
	// valid.yaml's one key signer, and a Safe signer beside it.
	src := strings.Replace(validYAML, "signers: {g: {kind: local, key_env: KEY}}",
		`signers: {g: {kind: local, key_env: KEY}, treasury: {kind: safe, address: "`+testSafe+`", chain_id: 1, owners: [g], executor: g}}`, 1)
	opts, err := config.ParseConfig(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if !opts.IsSafe("treasury") {
		t.Fatal("valid.yaml changed: the Safe signer was not added")
	}
	opts.DataDir = t.TempDir()
	return opts
}

// The data folder's key is generated at the first start and the same one
// read by approve; a configured key and its rotation take precedence;
// approve without any key is refused, not given a fresh one.
func TestOpenSealer(t *testing.T) {
	opts := checksOptions(t)
	if _, err := openSealer(opts, false); !errors.Is(err, config.ErrConfig) {
		t.Fatalf("approve before any engine start: %v, want a configuration error", err)
	}
	serve, err := openSealer(opts, true)
	if err != nil {
		t.Fatal(err)
	}
	approve, err := openSealer(opts, false)
	if err != nil {
		t.Fatal(err)
	}
	in := serve.Seal(record.Intent{ID: "a-0", ChainID: 1})
	if err := approve.Verify(in); err != nil {
		t.Fatalf("approve's key is not the engine's: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(opts.DataDir, record.MACKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the data folder's key: %v, %v", fi, err)
	}
	// Rotation: a configured new key seals, the data folder's old one
	// still verifies.
	rotated := opts
	rotated.Records = config.RecordsOptions{MACKeyEnv: "NEW_MAC", PreviousMACKeys: []config.MACKeySource{{File: filepath.Join(opts.DataDir, record.MACKeyFile)}}}
	rotated.LookupEnv = func(k string) (string, bool) { return strings.Repeat("ab", 32), k == "NEW_MAC" }
	r, err := openSealer(rotated, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(in); err != nil {
		t.Fatalf("a record sealed before the rotation: %v", err)
	}
	if err := serve.Verify(r.Seal(record.Intent{ID: "a-0", ChainID: 1})); !errors.Is(err, record.ErrBadMAC) {
		t.Fatalf("the rotated key seals with the old one: %v", err)
	}
	rotated.LookupEnv = func(k string) (string, bool) { return "tooshort-s3cr3t", true }
	if _, err := openSealer(rotated, false); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("a bad key: %v (the error must not repeat it)", err)
	}
}

// recordChecks refuses a call off the allowlist and a bad MAC, and says
// both when both fail.
func TestRecordChecks(t *testing.T) {
	opts := checksOptions(t)
	sealer, _ := record.NewSealer([]byte(strings.Repeat("k", 32)))
	c := recordChecks{sealer, decide.NewAllowlist(opts)}
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	ok := record.Record{Intent: sealer.Seal(record.Intent{ID: "e-0", ChainID: 1, To: vault, Data: guard.Selector("pause()"), Signer: "g"})}
	if err := c.Authorize(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	off := ok
	off.Data = guard.Selector("unpause()")
	if err := c.Authorize(context.Background(), off); !errors.Is(err, decide.ErrNotAllowlisted) || !errors.Is(err, record.ErrBadMAC) {
		t.Fatalf("off the allowlist and resealed by nobody: %v, want both reasons", err)
	}
	off.Intent = sealer.Seal(off.Intent)
	if err := c.Authorize(context.Background(), off); !errors.Is(err, decide.ErrNotAllowlisted) || errors.Is(err, record.ErrBadMAC) {
		t.Fatalf("off the allowlist with a valid MAC: %v", err)
	}
}

// BenchmarkAuthorize is the check the submitter makes before every
// signature (MAC and allowlist), for a plain call and a Safe's
// execTransaction.
func BenchmarkAuthorize(b *testing.B) {
	opts := checksOptions(b)
	sealer, _ := record.NewSealer([]byte(strings.Repeat("k", 32)))
	c := recordChecks{sealer, decide.NewAllowlist(opts)}
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	tx := safesigner.NewTx(vault, guard.Selector("pause()"), 0)
	exec := safeabi.NewSafe().PackExecTransaction(tx.To, tx.Value.ToInt(), tx.Data, 0, tx.SafeTxGas.ToInt(), tx.BaseGas.ToInt(), tx.GasPrice.ToInt(), common.Address{}, common.Address{}, make([]byte, 2*65))
	for _, bc := range []struct {
		name string
		rec  record.Record
	}{
		{"call", record.Record{Intent: sealer.Seal(record.Intent{ID: "e-0", EventID: "e", ChainID: 1, To: vault, Function: "pause()", Data: guard.Selector("pause()"), Signer: "g", Type: "pause", Protocol: "p"})}},
		{"safe", record.Record{Intent: sealer.Seal(record.Intent{ID: "e-0", EventID: "e", ChainID: 1, To: common.HexToAddress(testSafe), Function: "execTransaction:pause()", Data: exec, Signer: "g", Type: "pause", Protocol: "p"})}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Authorize(context.Background(), bc.rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
