package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
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
	signKey := fs.String("sign-key-file", "", "sign each event with the detector key in `FILE` (ed25519 seed, hex), for a source with verify: ed25519")
	keygen := fs.String("keygen", "", "make a detector key pair: the secret seed goes to `FILE` (mode 0600, never overwritten), the public key is printed for sources.<name>.public_keys; publishes nothing")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak publish [--nats URL] [--sign-key-file FILE] EVENT.json [EVENT.json...]
       firebreak publish --keygen FILE

Validates each detection event file and publishes it to detections.<source>
on the DETECTIONS stream, with the event id as the message id. Use '-' to
read one event from standard input. An invalid file is reported with the
field at fault and nothing of it is published.

With --sign-key-file, each message carries the detached ed25519 signature
of its exact bytes (headers Firebreak-Signature and Firebreak-Key-Id), as
a source configured with verify: ed25519 requires. --keygen makes the key
pair a detector signs with.

Reference: docs/operations.md (the detection event format),
docs/SECURITY.md (verified events).

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if *keygen != "" {
		if fs.NArg() > 0 || *signKey != "" {
			fs.Usage()
			return exitUsage
		}
		return detectorKeygen(*keygen, stdout, stderr)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	var key ed25519.PrivateKey
	if *signKey != "" {
		text, err := os.ReadFile(*signKey)
		if err == nil {
			key, err = ingest.ParseDetectorKey(string(text))
		}
		clear(text)
		if err != nil {
			fmt.Fprintf(stderr, "firebreak publish: --sign-key-file %s: %v\n", *signKey, err)
			return exitUsage
		}
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
		ack, err := ingest.PublishSigned(ctx, js, ev, key)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak publish:", err)
			return exitFailure
		}
		dup := ""
		if ack.Duplicate {
			dup = " (duplicate: the server already had it)"
		}
		signed := ""
		if key != nil {
			signed = ", signed by key " + ingest.KeyID(key.Public().(ed25519.PublicKey))
		}
		fmt.Fprintf(stdout, "published %s to %s%s, stream sequence %d%s\n", ev.ID, ack.Stream, signed, ack.Sequence, dup)
	}
	return exitOK
}

// detectorKeygen writes a new detector seed to path and prints what the
// engine's configuration needs.
func detectorKeygen(path string, stdout, stderr io.Writer) int {
	seed, pub, err := ingest.GenerateDetectorKey()
	if err != nil {
		fmt.Fprintln(stderr, "firebreak publish --keygen:", err)
		return exitFailure
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak publish --keygen:", err)
		return exitFailure
	}
	_, werr := fmt.Fprintln(fh, seed)
	if cerr := fh.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		fmt.Fprintln(stderr, "firebreak publish --keygen:", werr)
		return exitFailure
	}
	fmt.Fprintf(stdout, "secret key written to %s (sign with: firebreak publish --sign-key-file %s)\n"+
		"public key %s (key id %s); in the engine's configuration:\n\n"+
		"sources:\n  <source>:\n    verify: ed25519\n    public_keys: [\"%s\"]\n",
		path, path, hex.EncodeToString(pub), ingest.KeyID(pub), hex.EncodeToString(pub))
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
