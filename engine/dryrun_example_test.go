package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/firebreak-dev/firebreak/engine"
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
)

// DryRun decides an event as the engine would and tries the allowed
// actions on a fork of the chain; nothing is sent. (Not run as a test: it
// needs a node to fork. cmd/firebreak's dry-run tests run it on anvil.)
func ExampleDryRun() {
	ctx := context.Background()
	opts, err := config.LoadConfig("firebreak.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	opts.LookupEnv = os.LookupEnv
	data, _ := os.ReadFile("event.json")
	ev, err := event.Decode(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := engine.DryRun(ctx, opts, ev, engine.DryRunOptions{ForkBlock: 0}, slog.Default())
	if err != nil {
		fmt.Println("no dry-run:", err)
		return
	}
	for _, sim := range out.DryRuns {
		for _, a := range sim.Actions {
			fmt.Println(a.Type, a.Target, a.Call, a.Status, a.Revert, a.PostCondition)
		}
	}
}
