package simulate

import (
	"bytes"
	"sync"
)

// ProcessOutput collects a child process's output (stdout and stderr may
// write at once) for error messages and test logs. It keeps the last MiB:
// a process that talks for hours does not grow it without bound.
type ProcessOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// maxProcessOutput is how much ProcessOutput keeps.
const maxProcessOutput = 1 << 20

func (b *ProcessOutput) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len()+len(p) > maxProcessOutput {
		// Drop the oldest half: the end is what explains a failure.
		keep := b.buf.Bytes()[b.buf.Len()/2:]
		b.buf = *bytes.NewBuffer(append([]byte(nil), keep...))
	}
	return b.buf.Write(p)
}

// String is everything kept.
func (b *ProcessOutput) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Tail is the last n bytes kept.
func (b *ProcessOutput) Tail(n int) string {
	s := b.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
