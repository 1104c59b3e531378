// Command deploy measures Slipway's deployment speed: the wall time of a
// rolling deploy of 10 tasks beside the lower bound its settings impose,
// and the time from a target's deregistration until no data plane sends it
// new requests.
//
//	go run ./bench/deploy [-runs 3] [-tasks 10]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/process"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == process.ShimArg {
		os.Exit(process.ShimMain(os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == lbnode.Arg {
		os.Exit(lbnode.Main(os.Args[1:]))
	}
	runs := flag.Int("runs", 3, "rolling deploys to time")
	tasks := flag.Int("tasks", 10, "tasks in the service")
	flag.Parse()
	if err := run(*runs, *tasks); err != nil {
		fmt.Fprintln(os.Stderr, "bench/deploy:", err)
		os.Exit(1)
	}
}

// settings are the issue's: an app that starts in 1 s, ELB's minimum
// health-check interval, healthy threshold 2, deregistration delay 5 s.
type settings struct {
	startup          time.Duration
	interval         time.Duration
	healthyThreshold int
	deregistration   time.Duration
	tasks            int
	minPct, maxPct   int
}

func run(runs, tasks int) error {
	s := settings{startup: time.Second, interval: 5 * time.Second, healthyThreshold: 2,
		deregistration: 5 * time.Second, tasks: tasks, minPct: 100, maxPct: 200}
	ctx := context.Background()
	env, err := newEnv(ctx, s, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer env.close()
	var walls []time.Duration
	for i := range runs {
		d, err := env.deploy(ctx, fmt.Sprintf("v%d", i+2))
		if err != nil {
			return err
		}
		walls = append(walls, d)
		fmt.Printf("rolling deploy %d of %d tasks: %s\n", i+1, tasks, d.Round(time.Millisecond))
	}
	dereg, err := env.deregistrationLatency(ctx, 200)
	if err != nil {
		return err
	}
	report(s, walls, dereg)
	return nil
}

func report(s settings, walls, dereg []time.Duration) {
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	sort.Slice(dereg, func(i, j int) bool { return dereg[i] < dereg[j] })
	bound := lowerBound(s)
	median := walls[len(walls)/2]
	fmt.Println()
	fmt.Printf("%-52s %12s %12s\n", "figure", "slipway", "bound/goal")
	fmt.Printf("%-52s %12s %12s\n", fmt.Sprintf("rolling deploy, %d tasks (median of %d)", s.tasks, len(walls)),
		median.Round(time.Millisecond), bound.Round(time.Millisecond))
	fmt.Printf("%-52s %12s %12s\n", "  above the bound", (median - bound).Round(time.Millisecond), "< 1.5s")
	fmt.Printf("%-52s %12s %12s\n", "deregistration -> no new requests (p50)", pct(dereg, 50), "< 10ms")
	fmt.Printf("%-52s %12s %12s\n", "deregistration -> no new requests (p99)", pct(dereg, 99), "< 10ms")
}

// lowerBound is the least time any controller could take with these
// settings: a new task cannot pass a health check before its app listens
// (startup), ELB counts a newly registered target healthy after one passing
// check, and an old task with no request in flight drains at once.
func lowerBound(s settings) time.Duration { return s.startup }

func pct(d []time.Duration, p int) time.Duration {
	i := (len(d) - 1) * p / 100
	return d[i].Round(time.Microsecond)
}
