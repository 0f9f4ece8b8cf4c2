package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/watch"
)

func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "firebreak.yaml", "configuration file with a watch: section (see docs/drills.md)")
	natsURL := fs.String("nats", "", "NATS server URL (default: nats.url of the configuration, else the embedded server 'firebreak serve' runs at nats.host:nats.port)")
	creds := fs.String("creds", "", "NATS credentials: an nkey seed or .creds file allowed to publish on detections.<watch source> and to use the FIREBREAK_WATCH bucket (on the embedded server: the engine's, data_dir/nats-identities/engine.nk)")
	statsEvery := fs.Duration("stats-every", time.Minute, "log each chain's head, cursor and lag this often (0: never)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	logFormat := fs.String("log-format", "text", "text or json")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: firebreak watch [--config firebreak.yaml] [--nats URL]

Runs firebreak's own detector: follows the chains of the protocols in the
configuration's watch: section and evaluates their rules over every new block
(outflow, event, call_revert_burst), publishing what they find as native
detection events to detections.<watch.source> on the DETECTIONS stream, which
a running engine ('firebreak serve') consumes. Its cursor (the last block
processed) is kept in the FIREBREAK_WATCH bucket: a restart neither skips nor
reports a block twice. With watch.signing_key_file every event carries the
detector's ed25519 signature in the Firebreak-Signature header.

Reference: docs/drills.md (the watcher and its rules).

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	log, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak watch:", err)
		return exitUsage
	}
	opts, err := config.LoadConfig(*configPath)
	if err == nil {
		err = opts.ValidateWatch()
	}
	if err == nil && !opts.Watch.Enabled() {
		err = fmt.Errorf("%s: %w", *configPath, watch.ErrNoRules)
	}
	if err != nil {
		fmt.Fprintln(stderr, "firebreak watch:", err)
		return exitUsage
	}
	opts.LookupEnv = lookupEnv
	var sign watch.SignFunc
	if f := opts.Watch.SigningKeyFile; f != "" {
		key, err := watch.LoadSigningKey(f)
		if err != nil {
			fmt.Fprintln(stderr, "firebreak watch: watch.signing_key_file:", err)
			return exitUsage
		}
		sign = watch.Ed25519Signer(key)
	}
	nodes, closeNodes, err := dialWatchNodes(ctx, opts, log)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak watch:", err)
		return exitFailure
	}
	defer closeNodes()
	url := *natsURL
	if url == "" {
		url = opts.NATS.URL
	}
	if url == "" {
		url = fmt.Sprintf("nats://%s:%d", opts.NATS.Host, opts.NATS.Port)
	}
	var copts ingest.ConnectOptions
	if *creds != "" {
		if copts, err = ingest.CredentialFile(*creds); err != nil {
			fmt.Fprintln(stderr, "firebreak watch: --creds:", err)
			return exitUsage
		}
	}
	nc, err := ingest.DialWith(url, "firebreak-watch", copts)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak watch:", err)
		return exitFailure
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak watch:", err)
		return exitFailure
	}
	w, err := watch.New(opts, watch.Options{Nodes: nodes, JetStream: js, Replicas: opts.NATS.Replicas, Sign: sign}, log)
	if err != nil {
		fmt.Fprintln(stderr, "firebreak watch:", err)
		return exitUsage
	}
	if *statsEvery > 0 {
		go func() {
			t := time.NewTicker(*statsEvery)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					for _, s := range w.Stats() {
						log.Info("watch stats", "chain", s.ChainID, "head", s.Head, "cursor", s.Cursor, "lag", s.Lag,
							"blocks", s.Blocks, "detections", s.Detections, "errors", s.Errors, "pushed", s.Pushed)
					}
				}
			}
		}()
	}
	if err := w.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "firebreak watch:", err)
		return exitFailure
	}
	return exitOK
}

// dialWatchNodes connects to the chains the watched protocols are on:
// calls over rpc, heads pushed over ws when it is set.
func dialWatchNodes(ctx context.Context, opts config.Options, log *slog.Logger) (map[uint64]watch.Node, func(), error) {
	need := map[uint64]bool{}
	for p := range opts.Watch.Protocols {
		need[opts.Protocols[p].ChainID] = true
	}
	nodes := map[uint64]watch.Node{}
	var closers []func()
	closeAll := func() {
		for _, f := range closers {
			f()
		}
	}
	for _, c := range opts.Chains {
		if !need[c.ID] {
			continue
		}
		client, err := engine.DialChain(ctx, c, c.RPC) // every call bounded by rpc_timeout
		if err != nil {
			closeAll()
			// Not wrapped: the URL, which the error repeats, may hold an API key.
			return nil, nil, fmt.Errorf("connecting to the rpc of chain %d failed", c.ID)
		}
		closers = append(closers, client.Close)
		n := watch.Node{Node: client}
		if c.WS != "" {
			if ws, err := engine.DialChain(ctx, c, c.WS); err != nil {
				log.Warn("cannot connect to the chain's ws endpoint: polling the head over rpc instead", "chain", c.ID)
			} else {
				closers = append(closers, ws.Close)
				n.Heads = ws
			}
		} else if strings.HasPrefix(c.RPC, "ws") {
			n.Heads = client
		}
		nodes[c.ID] = n
	}
	return nodes, closeAll, nil
}
