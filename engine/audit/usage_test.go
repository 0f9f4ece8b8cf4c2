package audit

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestUsageLevels(t *testing.T) {
	for _, tt := range []struct {
		name string
		u    Usage
		frac float64
		want UsageLevel
		text string
	}{
		{"no limit", Usage{Bytes: 1 << 40, Records: 9}, 0, UsageOK, "no limit set"},
		{"half the stream's limit", Usage{Bytes: 50, MaxBytes: 100}, 0.5, UsageOK, "50% of the tighter limit: ok"},
		{"stream at the warning", Usage{Bytes: 80, MaxBytes: 100}, 0.8, UsageWarn, "warn"},
		{"stream critical", Usage{Bytes: 95, MaxBytes: 100}, 0.95, UsageCritical, "critical"},
		{"stream full", Usage{Bytes: 100, MaxBytes: 100}, 1, UsageCritical, "critical"},
		{"the account is the tighter", Usage{Bytes: 10, MaxBytes: 100, StoreBytes: 90, StoreLimit: 100}, 0.9, UsageWarn, "account's file storage 90 of 100"},
		{"only an account limit", Usage{Bytes: 10, StoreBytes: 99, StoreLimit: 100}, 0.99, UsageCritical, "critical"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if f := tt.u.Fraction(); f != tt.frac {
				t.Errorf("Fraction = %v, want %v", f, tt.frac)
			}
			if l := tt.u.Level(); l != tt.want {
				t.Errorf("Level = %s, want %s", l, tt.want)
			}
			if s := tt.u.String(); !strings.Contains(s, tt.text) {
				t.Errorf("String = %q, want it to mention %q", s, tt.text)
			}
		})
	}
}

// A stream with a size limit that is full refuses the next record, at
// once and with ErrFull, and keeps every record it has: the chain still
// verifies from record 1. A stream made before (discard old) is moved to
// discard new.
func TestFullStreamRefusesAndKeepsEverything(t *testing.T) {
	js, _ := startJetStream(t)
	ctx := ctxT(t)
	old := StreamConfig(1, 0)
	old.Discard = jetstream.DiscardOld // as the stream was made before
	if _, err := js.CreateStream(ctx, old); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), CheckpointFile)
	l, err := openWithCheckpoint(t, js, path, func(o *Options) {
		o.MaxBytes = 4 << 10
		o.RetryFor = time.Hour // a full stream is not retried
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := js.Stream(ctx, Stream)
	info, err := s.Info(ctx)
	if err != nil || info.Config.Discard != jetstream.DiscardNew || info.Config.MaxBytes != 4<<10 || !info.Config.DenyDelete || !info.Config.DenyPurge {
		t.Fatalf("stream config %+v, %v; want discard new, max bytes 4096, deny delete and purge", info.Config, err)
	}
	u, err := l.Usage(ctx)
	if err != nil || u.Records != 0 || u.MaxBytes != 4<<10 || u.Level() != UsageOK {
		t.Fatalf("Usage of the empty stream = %+v, %v", u, err)
	}
	var stored uint64
	var levels []UsageLevel
	for i := 0; ; i++ {
		_, err := l.Append(ctx, Entry{Kind: KindReceived, EventID: "ev", Data: map[string]string{"pad": strings.Repeat("p", 200)}})
		if err != nil {
			if !errors.Is(err, ErrAppend) || !errors.Is(err, ErrFull) || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("append into a full stream = %v; want ErrAppend and ErrFull, at once", err)
			}
			break
		}
		stored++
		u, err := l.Usage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(levels) == 0 || levels[len(levels)-1] != u.Level() {
			levels = append(levels, u.Level())
		}
		if i > 100 {
			t.Fatal("the stream never filled")
		}
	}
	if len(levels) < 2 || levels[len(levels)-1] < UsageWarn {
		t.Errorf("levels while filling: %v; want ok, then warn or critical before it was full", levels)
	}
	// The engine's next record is refused the same way (AppendAll too).
	if _, err := l.AppendAll(ctx, Entry{Kind: KindReceived}, Entry{Kind: KindDecision}); !errors.Is(err, ErrFull) {
		t.Fatalf("AppendAll into a full stream = %v, want ErrFull", err)
	}
	rd, _ := NewReader(ctx, js)
	rep, err := rd.Verify(ctx, VerifyOptions{})
	if err != nil || rep.Records != stored {
		t.Fatalf("Verify = %+v, %v; want all %d records, from record 1", rep, err, stored)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	cp, err := LoadCheckpoint(path)
	if err != nil || cp.Seq != stored {
		t.Fatalf("checkpoint = %+v, %v; want the last record stored, %d", cp, err, stored)
	}
	if _, err := openWithCheckpoint(t, js, path, func(o *Options) { o.MaxBytes = -1 }); err == nil {
		t.Error("a negative MaxBytes was accepted")
	}
}
