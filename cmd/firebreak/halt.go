package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/guard"
)

// runHalt sets (halt) or clears (resume) the kill switch.
func runHalt(ctx context.Context, name string, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	nf := addNATSFlags(fs)
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	reason := new(string)
	if name == "halt" {
		reason = fs.String("reason", "", "why firebreak is halted (required; recorded and shown in every refusal)")
	}
	fs.Usage = func() {
		if name == "halt" {
			fmt.Fprint(stderr, `Usage: firebreak halt --reason TEXT [--nats URL]

Sets the global kill switch: the key "halt" in the FIREBREAK_CONTROL KV
bucket. From the next event on, every engine connected to this NATS refuses
every action, recording "firebreak is halted: <reason>" as the reason.
Actions recorded before the halt are not recalled. 'firebreak resume' lifts it.

Reference: docs/operations.md (kill switch).

Flags:
`)
		} else {
			fmt.Fprint(stderr, `Usage: firebreak resume [--nats URL]

Clears the global kill switch set by 'firebreak halt': engines act again
from the next event on.

Reference: docs/operations.md (kill switch).

Flags:
`)
		}
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 0 || (name == "halt" && *reason == "") {
		fs.Usage()
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	nc, err := nf.dial("firebreak-"+name, lookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak %s: %v\n", name, err)
		return exitFailure
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak %s: %v\n", name, err)
		return exitFailure
	}
	ks, err := guard.BindKillSwitch(ctx, js)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak %s: %v\n", name, err)
		return exitFailure
	}
	if name == "resume" {
		if err := ks.Resume(ctx); err != nil {
			fmt.Fprintf(stderr, "firebreak resume: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, "kill switch cleared: firebreak acts on the next event")
		return exitOK
	}
	by, _ := lookupEnv("USER")
	h := guard.Halt{Reason: *reason, By: by, At: time.Now().UTC()}
	if err := ks.Halt(ctx, h); err != nil {
		fmt.Fprintf(stderr, "firebreak halt: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "kill switch set: firebreak takes no action until 'firebreak resume' (%s)\n", h)
	return exitOK
}
