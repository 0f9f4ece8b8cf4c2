package report

import (
	"bytes"
	"crypto/ed25519"
	"fmt"

	"github.com/firebreak-dev/firebreak/engine/audit"
)

// Verification says whether the chain held over the records the report
// used: every record from the first used to the last used one (those of
// other incidents in between included, since the links run through them)
// is intact (its hash matches its content, audit.ParseRecord), each links
// to the one before (its prev is that record's hash), and each used record
// is the one the chain holds at its sequence number.
type Verification struct {
	Verified bool `json:"verified"`
	// FirstSeq and LastSeq are the span checked; Checked the records in it
	// that were read, Used those the report is built from.
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	Checked  int    `json:"checked"`
	Used     int    `json:"used"`
	// FirstPrev is the hash the span hangs from (record FirstSeq-1's) and
	// LastHash the hash of its last record: compare it with a head kept
	// elsewhere ('firebreak audit head').
	FirstPrev string `json:"first_prev"`
	LastHash  string `json:"last_hash"`
	// SignaturesChecked says whether each record's signature was checked
	// against a public key (only possible from record 1).
	SignaturesChecked bool `json:"signatures_checked"`
	// Problem names the first record that did not verify, and why.
	Problem string `json:"problem,omitempty"`
}

// verify checks the chain over the span of used within all (sorted by
// sequence).
func verify(all, used []audit.Record, pub ed25519.PublicKey) Verification {
	v := Verification{FirstSeq: used[0].Seq, LastSeq: used[len(used)-1].Seq, Used: len(used)}
	bySeq := make(map[uint64]audit.Record, len(all))
	for _, r := range all {
		if prev, dup := bySeq[r.Seq]; dup && prev.Hash != r.Hash {
			v.Problem = fmt.Sprintf("record %d: two different records with this sequence number", r.Seq)
			return v
		}
		bySeq[r.Seq] = r
	}
	var prevHash string
	for seq := v.FirstSeq; seq <= v.LastSeq; seq++ {
		r, ok := bySeq[seq]
		if !ok {
			v.Problem = fmt.Sprintf("record %d is missing from the records read: the chain cannot be followed through it", seq)
			return v
		}
		data, err := r.Encode()
		if err != nil {
			v.Problem = fmt.Sprintf("record %d: %v", seq, err)
			return v
		}
		parsed, err := audit.ParseRecord(data)
		if err != nil {
			v.Problem = fmt.Sprintf("record %d: %v", seq, err)
			return v
		}
		if parsed.Seq != seq {
			v.Problem = fmt.Sprintf("record %d says it is record %d", seq, parsed.Seq)
			return v
		}
		if seq == v.FirstSeq {
			v.FirstPrev = r.Prev
		} else if r.Prev != prevHash {
			v.Problem = fmt.Sprintf("record %d: its prev hash does not match the hash of record %d: a record was altered, removed or replaced", seq, seq-1)
			return v
		}
		prevHash = r.Hash
		v.Checked++
	}
	v.LastHash = prevHash
	if pub != nil {
		if problem := verifySignatures(all, v.LastSeq, pub); problem != "" {
			v.Problem = problem
			return v
		}
		v.SignaturesChecked = true
	}
	v.Verified = true
	return v
}

// verifySignatures runs the audit package's Verifier from record 1 to
// last, which is the only way it checks signatures.
func verifySignatures(all []audit.Record, last uint64, pub ed25519.PublicKey) string {
	if len(all) == 0 || all[0].Seq != 1 {
		return "signatures can only be checked on records read from record 1 (an export, or the whole stream)"
	}
	var buf bytes.Buffer
	for _, r := range all {
		if r.Seq > last {
			break
		}
		data, err := r.Encode()
		if err != nil {
			return fmt.Sprintf("record %d: %v", r.Seq, err)
		}
		buf.Write(data)
		buf.WriteByte('\n')
	}
	if _, err := audit.VerifyFile(&buf, audit.VerifyOptions{PublicKey: pub}); err != nil {
		return err.Error()
	}
	return ""
}
