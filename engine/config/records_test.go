package config

import (
	"strings"
	"testing"
)

func TestRecordsOptions(t *testing.T) {
	opts, err := ParseConfig(strings.NewReader(validConfig + `records:
  mac_key_file: /etc/firebreak/record-mac.key
  previous_mac_keys: [{file: /etc/firebreak/record-mac.key.old}, {env: OLD_MAC_KEY}]
`))
	if err != nil {
		t.Fatal(err)
	}
	r := opts.Records
	if r.MACKeyFile != "/etc/firebreak/record-mac.key" || len(r.PreviousMACKeys) != 2 || r.PreviousMACKeys[1].Env != "OLD_MAC_KEY" || !r.Configured() {
		t.Fatalf("records = %+v", r)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		r    RecordsOptions
		want string
	}{
		{RecordsOptions{MACKeyEnv: "A", MACKeyFile: "b"}, "at most one"},
		{RecordsOptions{MACKeyEnv: "A", PreviousMACKeys: []MACKeySource{{}}}, "previous_mac_keys[0]"},
		{RecordsOptions{MACKeyEnv: "A", PreviousMACKeys: []MACKeySource{{Env: "B", File: "c"}}}, "exactly one"},
		{RecordsOptions{PreviousMACKeys: []MACKeySource{{Env: "B"}}}, "current key configured"},
	}
	for _, b := range bad {
		if err := b.r.Validate(); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Validate(%+v) = %v, want %q", b.r, err, b.want)
		}
	}
	if _, err := ParseConfig(strings.NewReader(validConfig + "records: {unchecked: true}\n")); err == nil {
		t.Error("records.unchecked accepted from the file")
	}
}
