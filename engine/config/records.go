package config

// RecordsOptions configure the engine's MAC over what it records: every
// action intent and every approval carries an HMAC-SHA256 made when it is
// recorded, and nothing is signed for a record whose MAC does not verify.
//
// The key is MACKeyEnv's value or MACKeyFile's content (hex, at least 32
// bytes; `openssl rand -hex 32` makes one). With neither, the engine
// generates one in its data folder on its first start
// (<data_dir>/record-mac.key, mode 0600) and keeps it there. Engine
// replicas that share a NATS cluster must share the key: configure it.
// `firebreak approve` reads the same key to verify an approval before the
// owner signs.
//
// Rotation: make a new key the current one and list the old one under
// PreviousMACKeys. New records are sealed with the current key; records
// sealed with a listed previous key still verify. Once no unfinished
// action or pending approval was sealed with the old key, drop it.
type RecordsOptions struct {
	MACKeyEnv  string `yaml:"mac_key_env"`
	MACKeyFile string `yaml:"mac_key_file"`
	// PreviousMACKeys are accepted when verifying, never used to seal.
	PreviousMACKeys []MACKeySource `yaml:"previous_mac_keys"`
	// Unchecked turns the check before signing off, for the benchmark that
	// measures what it costs. Never set from the file.
	Unchecked bool `yaml:"-"`
}

// MACKeySource is where one key is: an environment variable or a file.
type MACKeySource struct {
	Env  string `yaml:"env"`
	File string `yaml:"file"`
}

// Configured reports whether the key comes from the configuration rather
// than the data folder.
func (r RecordsOptions) Configured() bool { return r.MACKeyEnv != "" || r.MACKeyFile != "" }

// Validate checks the records settings without I/O.
func (r RecordsOptions) Validate() error {
	if r.MACKeyEnv != "" && r.MACKeyFile != "" {
		return Errorf("records: set at most one of mac_key_env and mac_key_file")
	}
	for i, p := range r.PreviousMACKeys {
		if (p.Env == "") == (p.File == "") {
			return Errorf("records.previous_mac_keys[%d]: set exactly one of env and file", i)
		}
	}
	if len(r.PreviousMACKeys) > 0 && !r.Configured() {
		return Errorf("records.previous_mac_keys: a rotation needs the current key configured too (mac_key_env or mac_key_file)")
	}
	return nil
}
