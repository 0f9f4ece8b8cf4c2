package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// VerifyOptions say what a verification demands beyond an intact chain.
type VerifyOptions struct {
	// PublicKey, when set, requires every record to carry a valid
	// signature by this key.
	PublicKey ed25519.PublicKey
	// ExpectHead, when set, is the hash of a record the chain must hold: a
	// head kept elsewhere ('firebreak audit head', an earlier verify's
	// LastHash). A chain cut off before it, or a replaced log that never
	// had it, fails. ExpectSeq, when not 0, is the sequence number that
	// record must have; without ExpectHead it is ignored.
	ExpectHead string
	ExpectSeq  uint64
}

// Report summarises a verified chain. LastHash anchors it: a copy of the
// hash kept elsewhere later proves that nothing was cut off the end.
type Report struct {
	Records  uint64 `json:"records"`
	LastSeq  uint64 `json:"last_seq"`
	LastHash string `json:"last_hash"`
	// Signed counts signed records; SignaturesChecked says whether their
	// signatures were checked against a public key.
	Signed            uint64 `json:"signed"`
	SignaturesChecked bool   `json:"signatures_checked"`
	// HeadSeq is the sequence number of the record that matched
	// VerifyOptions.ExpectHead; 0 when none was expected (or found).
	HeadSeq uint64 `json:"head_seq,omitempty"`
}

// Verifier checks records one after the other, from the first. The first
// error it returns is a *BrokenError naming the sequence number of the
// first record out of place: altered, missing, reordered, inserted or
// wrongly signed.
type Verifier struct {
	opts   VerifyOptions
	keyID  string
	next   uint64
	prev   string
	report Report
	err    error
}

// NewVerifier returns a Verifier expecting record 1.
func NewVerifier(opts VerifyOptions) *Verifier {
	opts.ExpectHead = strings.ToLower(strings.TrimSpace(opts.ExpectHead))
	v := &Verifier{opts: opts, next: 1, prev: genesis}
	if opts.PublicKey != nil {
		v.keyID = KeyID(opts.PublicKey)
		v.report.SignaturesChecked = true
	}
	return v
}

// Add checks the next record in its stored form. After an error every
// later call returns the same error.
func (v *Verifier) Add(data []byte) (Record, error) {
	if v.err != nil {
		return Record{}, v.err
	}
	r, err := v.check(data)
	if err != nil {
		v.err = &BrokenError{Seq: v.next, Reason: err.Error()}
		return r, v.err
	}
	v.next, v.prev = r.Seq+1, r.Hash
	if v.opts.ExpectHead != "" && r.Hash == v.opts.ExpectHead && (v.opts.ExpectSeq == 0 || r.Seq == v.opts.ExpectSeq) {
		v.report.HeadSeq = r.Seq
	}
	v.report.Records++
	v.report.LastSeq, v.report.LastHash = r.Seq, r.Hash
	if r.Sig != "" {
		v.report.Signed++
	}
	return r, nil
}

func (v *Verifier) check(data []byte) (Record, error) {
	r, err := ParseRecord(data)
	if err != nil {
		return r, err
	}
	switch {
	case r.Seq > v.next:
		return r, fmt.Errorf("found record %d where record %d belongs: a record is missing or out of order", r.Seq, v.next)
	case r.Seq < v.next:
		return r, fmt.Errorf("found record %d again after record %d: a record is repeated or out of order", r.Seq, v.next-1)
	case r.Prev != v.prev:
		return r, fmt.Errorf("its prev hash does not match the hash of record %d: a record before it was altered, removed or replaced", v.next-1)
	}
	if v.opts.PublicKey == nil {
		return r, nil
	}
	if r.Sig == "" {
		return r, errors.New("not signed, and a public key was given")
	}
	if r.KeyID != v.keyID {
		return r, fmt.Errorf("signed by key %s, not by the given key %s", r.KeyID, v.keyID)
	}
	sig, err := hex.DecodeString(r.Sig)
	pre, perr := r.preimage()
	if err != nil || perr != nil || !ed25519.Verify(v.opts.PublicKey, pre, sig) {
		return r, errors.New("bad signature")
	}
	return r, nil
}

// Report is the summary of what verified so far.
func (v *Verifier) Report() Report { return v.report }

// Done says whether what was added is the whole of a good chain: the
// first error Add returned, or, when VerifyOptions.ExpectHead is set and
// no record added had that hash (at ExpectSeq, when set), a *BrokenError
// saying so. Call it after the last record.
func (v *Verifier) Done() error {
	if v.err != nil || v.opts.ExpectHead == "" || v.report.HeadSeq != 0 {
		return v.err
	}
	want := fmt.Sprintf("hash %s", v.opts.ExpectHead)
	if v.opts.ExpectSeq != 0 {
		want = fmt.Sprintf("record %d with %s", v.opts.ExpectSeq, want)
	}
	ends := "the chain is empty"
	if v.report.Records > 0 {
		ends = fmt.Sprintf("the chain ends at record %d, hash %s", v.report.LastSeq, v.report.LastHash)
	}
	seq, reason := v.next, fmt.Sprintf("the expected head (%s) is not in the chain: %s; records were cut off the end, or the log was replaced", want, ends)
	if v.opts.ExpectSeq != 0 && v.opts.ExpectSeq < v.next {
		// The chain reaches that record, and it is another.
		seq = v.opts.ExpectSeq
		reason = fmt.Sprintf("record %d is not the expected head (hash %s): the log was replaced or rewritten up to there", v.opts.ExpectSeq, v.opts.ExpectHead)
	}
	v.err = &BrokenError{Seq: seq, Reason: reason}
	return v.err
}

// VerifyFile verifies an export: one record per line, from record 1.
func VerifyFile(r io.Reader, opts VerifyOptions) (Report, error) {
	v := NewVerifier(opts)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxRecordSize+1)
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if _, err := v.Add(line); err != nil {
			return v.Report(), err
		}
	}
	if err := sc.Err(); err != nil {
		return v.Report(), &BrokenError{Seq: v.next, Reason: fmt.Sprintf("reading the export: %v", err)}
	}
	return v.Report(), v.Done()
}
