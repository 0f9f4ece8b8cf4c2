package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// VerifyOptions say what a verification demands beyond an intact chain.
type VerifyOptions struct {
	// PublicKey, when set, requires every record to carry a valid
	// signature by this key.
	PublicKey ed25519.PublicKey
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
	return v.Report(), nil
}
