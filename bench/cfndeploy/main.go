// Command cfndeploy measures what CloudFormation adds to a deployment: the
// time from UpdateStack with a new image to UPDATE_COMPLETE for a 10-task
// load-balanced service, beside the same rolling deployment started with
// ECS's UpdateService (until it is the only deployment, COMPLETED, with
// every task running), in one run on one server.
//
//	go run ./bench/cfndeploy [-runs 5] [-tasks 10]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
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
	runs := flag.Int("runs", 5, "deployments to time each way")
	tasks := flag.Int("tasks", 10, "tasks in each service")
	flag.Parse()
	if err := run(*runs, *tasks); err != nil {
		fmt.Fprintln(os.Stderr, "bench/cfndeploy:", err)
		os.Exit(1)
	}
}

func run(runs, tasks int) error {
	ctx := context.Background()
	env, err := newEnv(ctx, tasks, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer env.close()
	var viaStack, viaService []time.Duration
	// Alternate the two ways so that the machine's load falls on both alike.
	for i := range runs {
		d, err := env.updateStack(ctx, i+2)
		if err != nil {
			return err
		}
		viaStack = append(viaStack, d)
		fmt.Printf("run %d: update-stack -> UPDATE_COMPLETE %s", i+1, d.Round(time.Millisecond))
		if d, err = env.updateService(ctx, i+2); err != nil {
			return err
		}
		viaService = append(viaService, d)
		fmt.Printf(", UpdateService -> deployment COMPLETED %s\n", d.Round(time.Millisecond))
	}
	s, u := median(viaStack), median(viaService)
	fmt.Println()
	fmt.Printf("%-58s %10s\n", fmt.Sprintf("median of %d, %d tasks", runs, tasks), "")
	fmt.Printf("%-58s %10s\n", "UpdateStack (new image) -> UPDATE_COMPLETE", s.Round(time.Millisecond))
	fmt.Printf("%-58s %10s\n", "UpdateService (new image) -> deployment COMPLETED", u.Round(time.Millisecond))
	fmt.Printf("%-58s %10s  (goal < 1s)\n", "CloudFormation's overhead", (s - u).Round(time.Millisecond))
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
