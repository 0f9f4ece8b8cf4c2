package safe

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/decide"
)

func TestSafeConfig(t *testing.T) {
	opts, err := config.LoadConfig("testdata/safe.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := opts.Signers["treasury"]
	if s.Kind != "safe" || s.Executor != "gas" || len(s.Owners) != 2 || s.RefreshBlocks != 3 || !opts.IsSafe("treasury") || opts.IsSafe("alice") {
		t.Fatalf("treasury = %+v", s)
	}
	if targets := presignTargets(opts, decide.OfflineGuard(opts).Resolve, "treasury"); len(targets) != 1 || targets[0].function != "pause()" {
		t.Fatalf("presign targets = %+v, want the vault's pause", targets)
	}
}

func TestSafeConfigErrors(t *testing.T) {
	data, err := os.ReadFile("testdata/safe.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := string(data)
	tests := []struct {
		name    string
		replace [2]string
		wantMsg string
	}{
		{"bad address", [2]string{`"0x2D702316FE24B8c977A869470e93026a61E94532"`, `"0x2D70"`}, "signers.treasury.address"},
		{"unknown chain", [2]string{"chain_id: 1\n    owners", "chain_id: 7\n    owners"}, "signers.treasury.chain_id: chain 7"},
		{"unknown owner", [2]string{"owners: [alice, bob]", "owners: [alice, carol]"}, `signers.treasury.owners: no signer named "carol"`},
		{"owner twice", [2]string{"owners: [alice, bob]", "owners: [alice, alice]"}, `"alice" is listed twice`},
		{"owner is a Safe", [2]string{"owners: [alice, bob]", "owners: [alice, treasury]"}, `"treasury" is a Safe`},
		{"no executor", [2]string{"executor: gas", "executor: \"\""}, "signers.treasury.executor: required"},
		{"executor unknown", [2]string{"executor: gas", "executor: nobody"}, `signers.treasury.executor: no signer named "nobody"`},
		{"Safe with a key", [2]string{"kind: safe", "kind: safe\n    key_env: X"}, "a Safe has no key of its own"},
		{"Safe keys on a local signer", [2]string{"gas: {kind: local, key_env: EXECUTOR_KEY}", "gas: {kind: local, key_env: EXECUTOR_KEY, owners: [alice]}"}, "are for kind: safe"},
		{"presign without a Safe", [2]string{"signer: treasury", "signer: alice"}, "presign: only actions sent through a Safe"},
		{"presign on nothing pausable", [2]string{"pausable: true, presign", "pausable: false, presign"}, "neither pausable nor a bridge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(base, tt.replace[0], tt.replace[1], 1)
			if src == base {
				t.Fatalf("replacement %q not found", tt.replace[0])
			}
			_, err := config.ParseConfig(strings.NewReader(src))
			if !errors.Is(err, config.ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}
