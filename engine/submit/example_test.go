package submit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"math/big"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/submit"
	"github.com/firebreak-dev/firebreak/signer"
)

// A transaction priced at 30 gwei with a 2 gwei tip is not included; the
// market has not moved, so the replacement is geth's minimum: +10% on both.
// With a 32 gwei cap no valid replacement exists, and the caller is told.
func ExampleReplacement() {
	gwei := func(n float64) *big.Int { v, _ := big.NewFloat(n * 1e9).Int(nil); return v }
	old := submit.Fees{FeeCap: gwei(30), Tip: gwei(2)}
	market := submit.Fees{FeeCap: gwei(25), Tip: gwei(1)}

	next, err := submit.Replacement(old, market, nil)
	fmt.Println(next, err)

	_, err = submit.Replacement(old, market, gwei(32))
	fmt.Println(errors.Is(err, submit.ErrCapReached))
	// Output:
	// max fee 33000000000 wei, tip 2200000000 wei <nil>
	// true
}

// Node errors become sentinels in one place; only transient ones are retried.
func ExampleClassify() {
	err := submit.Classify(errors.New("replacement transaction underpriced"))
	fmt.Println(errors.Is(err, submit.ErrReplacementUnderpriced), submit.Retryable(err))

	err = submit.Classify(errors.New("dial tcp 127.0.0.1:8545: connect: connection refused"))
	fmt.Println(errors.Is(err, submit.ErrConnection), submit.Retryable(err))
	// Output:
	// true false
	// true true
}

// Several engines on one NATS: each builds its submitter with Leases under
// its own name. The first to start holds the sender; the others record
// actions that the holder sends, and take the sender over if it dies.
func ExampleNewLeases() {
	ctx := context.Background()
	nc, err := nats.Connect("nats://nats-1:4222,nats://nats-2:4222")
	if err != nil {
		log.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	store, err := record.NewStore(ctx, js, 3)
	if err != nil {
		log.Fatal(err)
	}
	leases, err := submit.NewLeases(ctx, js, 3, "engine-1", 10*time.Second, slog.Default())
	if err != nil {
		log.Fatal(err)
	}
	opts := submit.DefaultOptions()
	opts.Leases = leases
	chains := map[uint64]submit.ChainConfig{ /* the chains' nodes */ }
	signers := map[string]signer.Signer{ /* the senders' keys */ }
	sub := submit.New(store, chains, signers, opts, slog.Default())
	sub.Start(ctx)
}
