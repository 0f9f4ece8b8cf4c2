package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/audit"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

// Append records to the audit stream, tell one incident's story, export
// the log and verify the copy.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "audit-example-")
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ingest.StartEmbedded(ingest.EmbeddedOptions{Dir: dir, Host: "127.0.0.1", Port: -1}, quiet)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown()
	nc, _ := srv.Dial("example")
	defer nc.Close()
	js, _ := jetstream.New(nc)

	opts := audit.DefaultOptions()
	clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	opts.Now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	log, err := audit.NewLog(ctx, js, opts, quiet)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = log.Append(ctx, audit.Entry{Kind: audit.KindRejected, Data: audit.RejectedData{
		Subject: "detections.forta", StreamSeq: 7, Reason: `field "severity": unknown value`, Size: 120,
	}})
	_, _ = log.Append(ctx, audit.Entry{Kind: audit.KindDuplicate, EventID: "forta-1", Protocol: "demo"})

	rd, _ := audit.NewReader(ctx, js)
	story, _ := rd.Event(ctx, "forta-1")
	fmt.Println(len(story), "record about forta-1:", story[0].Kind)

	var export bytes.Buffer
	n, _ := rd.Export(ctx, &export)
	lines := export.Bytes()
	rep, err := audit.VerifyFile(bytes.NewReader(lines), audit.VerifyOptions{})
	fmt.Println("exported", n, "records; verified", rep.Records, "err", err)

	tampered := bytes.Replace(lines, []byte("severity"), []byte("SEVERITY"), 1)
	_, err = audit.VerifyFile(bytes.NewReader(tampered), audit.VerifyOptions{})
	fmt.Println(err)
	// Output:
	// 1 record about forta-1: duplicate
	// exported 2 records; verified 2 err <nil>
	// audit: chain broken at record 1: audit: malformed record: record 1: content does not match its hash (altered)
}
