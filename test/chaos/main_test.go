package chaos

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// knobs size the scenarios: small by default (inside make test), full with
// FIREBREAK_CHAOS=full (make chaos). docs/chaos.md lists them.
type knobs struct {
	full bool
	// events is the number of valid events of a burst, spread over the
	// protocols; malformed is how many malformed or forged ones go with it.
	events, malformed int
	// kills is how many times kill-burst SIGKILLs the engine.
	kills int
	// outage is how long the RPC is hung or down and Vault sealed.
	outage time.Duration
	// settle bounds the wait, after recovery, for containment and for every
	// event to be on record.
	settle time.Duration
	seed   uint64
}

func loadKnobs() (knobs, error) {
	k := knobs{events: 30, malformed: 6, kills: 2, outage: 20 * time.Second, settle: 90 * time.Second}
	switch v := os.Getenv("FIREBREAK_CHAOS"); v {
	case "", "short":
	case "full":
		k = knobs{full: true, events: 200, malformed: 20, kills: 8, outage: 3 * time.Minute, settle: 5 * time.Minute}
	default:
		return k, fmt.Errorf("FIREBREAK_CHAOS=%q: want short or full", v)
	}
	for _, o := range []struct {
		env string
		dst *int
	}{{"FIREBREAK_CHAOS_EVENTS", &k.events}, {"FIREBREAK_CHAOS_KILLS", &k.kills}} {
		if v := os.Getenv(o.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return k, fmt.Errorf("%s=%q: want a number", o.env, v)
			}
			*o.dst = n
		}
	}
	if v := os.Getenv("FIREBREAK_CHAOS_OUTAGE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return k, fmt.Errorf("FIREBREAK_CHAOS_OUTAGE=%q: want a duration like 20s", v)
		}
		k.outage = d
	}
	k.seed = uint64(time.Now().UnixNano())
	if v := os.Getenv("FIREBREAK_CHAOS_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return k, fmt.Errorf("FIREBREAK_CHAOS_SEED=%q: want a number", v)
		}
		k.seed = s
	}
	return k, nil
}

// suite is what every scenario shares: the knobs and the binaries built
// once.
var suite struct {
	knobs
	// firebreak and natsServer are the binaries built for this run.
	firebreak, natsServer string
	buildErr              error
}

// rng is a scenario's random source, derived from the printed seed and
// the scenario's name so that one scenario replays alone.
func rng(name string) *rand.Rand {
	var h uint64
	for _, c := range name {
		h = h*31 + uint64(c)
	}
	return rand.New(rand.NewPCG(suite.seed, h))
}

func TestMain(m *testing.M) {
	k, err := loadKnobs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	suite.knobs = k
	dir, err := os.MkdirTemp("", "firebreak-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	mode := "short"
	if k.full {
		mode = "full"
	}
	fmt.Printf("chaos: %s version, seed %d (FIREBREAK_CHAOS_SEED=%d replays it): %d events + %d malformed, %d kills, %s outages\n",
		mode, k.seed, k.seed, k.events, k.malformed, k.kills, k.outage)
	suite.firebreak = filepath.Join(dir, "firebreak")
	suite.natsServer = filepath.Join(dir, "nats-server")
	suite.buildErr = build(suite.firebreak, "github.com/firebreak-dev/firebreak/cmd/firebreak")
	if suite.buildErr == nil {
		// nats-server from the module cache, at the version go.mod pins.
		suite.buildErr = build(suite.natsServer, "github.com/nats-io/nats-server/v2")
	}
	code := m.Run()
	printTable()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func build(out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// binaries fails the test if the suite's binaries did not build.
func binaries(t *testing.T) {
	t.Helper()
	if suite.buildErr != nil {
		t.Fatal(suite.buildErr)
	}
}

// result is one row of the table.
type result struct {
	scenario         string
	events, invalid  int
	kills            int
	lost, duplicates int
	reverted         int
	// containment is the time from recovery (the last restart, the node
	// or Vault back) until every vault was paused; negative when never.
	containment time.Duration
	pass        bool
}

var (
	resultsMu sync.Mutex
	results   []result
)

func report(r result) {
	resultsMu.Lock()
	defer resultsMu.Unlock()
	results = append(results, r)
}

func printTable() {
	resultsMu.Lock()
	defer resultsMu.Unlock()
	if len(results) == 0 {
		return
	}
	sort.Slice(results, func(i, j int) bool { return results[i].scenario < results[j].scenario })
	var b strings.Builder
	fmt.Fprintf(&b, "\nchaos table (seed %d)\n", suite.seed)
	fmt.Fprintf(&b, "%-14s %7s %9s %6s %5s %10s %9s %22s %s\n", "scenario", "events", "malformed", "kills", "lost", "duplicates", "reverted", "containment after rec.", "result")
	for _, r := range results {
		c := "never"
		if r.containment >= 0 {
			c = r.containment.Round(100 * time.Millisecond).String()
		}
		res := "FAIL"
		if r.pass {
			res = "pass"
		}
		fmt.Fprintf(&b, "%-14s %7d %9d %6d %5d %10d %9d %22s %s\n", r.scenario, r.events, r.invalid, r.kills, r.lost, r.duplicates, r.reverted, c, res)
	}
	fmt.Print(b.String())
}
