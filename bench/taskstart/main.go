// Command taskstart measures task start latency, RunTask to RUNNING, on
// each runtime and network mode: it starts the server in process over a
// temporary data directory, runs n talk-service tasks one after another
// (each started while the earlier ones keep running) and reports the p50
// and p99 of the time from sending RunTask to the first DescribeTasks that
// says RUNNING (polled every 5 ms). Beside each figure it prints a peer
// measured in the same run: starting the same thing without Slipway (the
// Docker Engine API's create and start of the same image, or fork and exec
// of the same binary).
//
//	go run ./bench/taskstart [-n 50] [-batch 1] [-variants process,process-awsvpc,docker,docker-host,docker-awsvpc]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/docker"
	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/server"
)

// goal is issue 8's: a Docker task starts in under a second (p50).
const goal = time.Second

func main() {
	// The process runtime starts each task under `<this binary> __shim DIR`.
	if len(os.Args) > 1 && os.Args[1] == process.ShimArg {
		os.Exit(process.ShimMain(os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == lbnode.Arg { // and the load balancer under `<this binary> __lb`
		os.Exit(lbnode.Main(os.Args[1:]))
	}
	n := flag.Int("n", 50, "tasks per variant")
	batch := flag.Int("batch", 1, "tasks per RunTask call (1 to 10), started together")
	names := flag.String("variants", "process,process-awsvpc,docker,docker-host,docker-awsvpc", "variants to measure, comma-separated")
	flag.Parse()
	if *batch < 1 || *batch > 10 {
		fmt.Fprintln(os.Stderr, "bench/taskstart: -batch must be 1 to 10")
		os.Exit(2)
	}
	chosen, err := selectVariants(*names)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/taskstart:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	b, err := prepare(ctx, chosen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/taskstart:", err)
		os.Exit(1)
	}
	defer b.close()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	fmt.Printf("Task start latency, RunTask to RUNNING: %d tasks per variant, %d per RunTask, GOMAXPROCS %d, %s%s, load average %s\n",
		*n, *batch, runtime.GOMAXPROCS(0), runtime.Version(), b.engineNote(), loadAverage())
	fmt.Printf("%-15s %6s %9s %9s %9s   %-34s %9s %9s\n", "variant", "tasks", "p50", "p99", "max", "peer", "p50", "p99")
	failed := false
	for _, v := range chosen {
		res, err := b.measure(ctx, v, *n, *batch, logger)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench/taskstart: %s: %v\n", v.name, err)
			failed = true
			continue
		}
		res.print(os.Stdout)
		if v.runtime == server.RuntimeDocker && res.p(0.5) >= goal {
			fmt.Printf("  %s misses the goal: p50 %s, want under %s\n", v.name, round(res.p(0.5)), goal)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// variant is a runtime and network mode.
type variant struct {
	name    string
	runtime string
	mode    string // bridge, host or awsvpc
}

var allVariants = []variant{
	{"process", server.RuntimeProcess, "bridge"},
	{"process-awsvpc", server.RuntimeProcess, "awsvpc"},
	{"docker", server.RuntimeDocker, "bridge"},
	{"docker-host", server.RuntimeDocker, "host"},
	{"docker-awsvpc", server.RuntimeDocker, "awsvpc"},
}

func selectVariants(list string) ([]variant, error) {
	var out []variant
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(allVariants, func(v variant) bool { return v.name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown variant %q", name)
		}
		out = append(out, allVariants[i])
	}
	if len(out) == 0 {
		return nil, errors.New("no variant chosen")
	}
	return out, nil
}

// loadAverage is the machine's 1-minute load average: the figures mean
// little on a machine busy with other work.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

func (b *bench) engineNote() string {
	if b.docker == nil {
		return ""
	}
	e, err := docker.Probe(context.Background(), b.docker)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(", Docker Engine %s (API %s)", e.Version, e.APIVersion)
}
