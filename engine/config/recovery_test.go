package config

import (
	"strings"
	"testing"
)

const (
	keyA = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
	keyB = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
)

func TestRecoveryOptions(t *testing.T) {
	good := validConfig + `signers: {g: {kind: local, key_env: KEY}, admin: {kind: local, key_env: ADMIN_KEY}}
recovery:
  signer: admin
  threshold: 2
  approvers:
    - {name: alice, public_key: "` + keyA + `"}
    - {name: bob, public_key: "PUA0w+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw="}
recovery_allowlist: [{chain_id: 1, contract: p.vault, functions: ["unpause()"]}]
`
	good = strings.Replace(good, "signers: {g: {kind: local, key_env: KEY}}\n", "", 1)
	opts, err := ParseConfig(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if r := opts.Recovery; r.Signer != "admin" || r.Threshold != 2 || len(r.Approvers) != 2 {
		t.Fatalf("recovery = %+v", r)
	}
	if calls := opts.RecoveryAllowedCalls(); len(calls) != 1 || calls[0].Function != "unpause()" {
		t.Fatalf("recovery calls = %+v", calls)
	}
	if calls := opts.AllowedCalls(); len(calls) != 1 || calls[0].Function != "pause()" {
		t.Fatalf("the containment allowlist took recovery calls: %+v", calls)
	}
	bad := []struct {
		name, from, to, want string
	}{
		{"no signer", "signer: admin\n  threshold", "threshold", "recovery.signer: required"},
		{"unknown signer", "signer: admin", "signer: nobody", `recovery.signer: no signer named "nobody"`},
		{"threshold above approvers", "threshold: 2", "threshold: 3", "recovery.threshold: must be 1 to 2"},
		{"threshold zero", "threshold: 2", "threshold: 0", "recovery.threshold"},
		{"bad key", keyA, "abcd", "recovery.approvers[0].public_key (alice)"},
		{"same key twice", "PUA0w+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=", keyA, "the same key as alice"},
		{"same name twice", "name: bob", "name: alice", `"alice" is listed twice`},
		{"allowlist chain", `recovery_allowlist: [{chain_id: 1`, `recovery_allowlist: [{chain_id: 7`, "recovery_allowlist[0].chain_id"},
		{"allowlist contract", "contract: p.vault, functions: [\"unpause()\"]", "contract: p.nope, functions: [\"unpause()\"]", "recovery_allowlist[0].contract"},
		{"allowlist signature", `["unpause()"]`, `["unpause"]`, "recovery_allowlist[0].functions[0]"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(strings.Replace(good, b.from, b.to, 1)))
			if err == nil || !strings.Contains(err.Error(), b.want) {
				t.Errorf("err = %v, want %q", err, b.want)
			}
		})
	}
	if _, err := ParseRecoveryKey(keyB); err != nil {
		t.Error(err)
	}
}
