package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest"
)

func runPublish(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nf := addNATSFlags(fs)
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak publish [--nats URL] EVENT.json [EVENT.json...]

Validates each detection event file and publishes it to detections.<source>
on the DETECTIONS stream, with the event id as the message id. Use '-' to
read one event from standard input. An invalid file is reported with the
field at fault and nothing of it is published.

Reference: docs/operations.md (the detection event format).

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	var events []event.Event
	for _, name := range fs.Args() {
		data, err := readInput(name)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak publish:", err)
			return exitUsage
		}
		ev, err := event.Decode(data)
		if err != nil {
			fmt.Fprintf(stderr, "firebreak publish: %s: %v\n", name, err)
			return exitUsage
		}
		events = append(events, ev)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	nc, err := nf.dial("firebreak-publish", lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak publish:", err)
		return exitFailure
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak publish:", err)
		return exitFailure
	}
	for _, ev := range events {
		ack, err := ingest.Publish(ctx, js, ev)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak publish:", err)
			return exitFailure
		}
		dup := ""
		if ack.Duplicate {
			dup = " (duplicate: the server already had it)"
		}
		fmt.Fprintf(stdout, "published %s to %s%s, stream sequence %d%s\n", ev.ID, ack.Stream, "", ack.Sequence, dup)
	}
	return exitOK
}

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, event.MaxSize+1))
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, event.MaxSize+1))
}
