// Command api benchmarks Slipway's control-plane API: it starts the server
// in process on 127.0.0.1 over a temporary data directory and drives it
// with concurrent aws-sdk-go-v2 ECS clients (signed requests, one
// keep-alive connection each), measuring throughput and latency of a
// durable write (RegisterTaskDefinition) and a read (DescribeServices of a
// service with two deployments and 100 events).
//
//	go run ./bench/api [-clients 50] [-duration 10s] [-requests N] [-rate R] [-signed] [-cpuprofile F]
//
// The fixture service runs 3 real `sleep` tasks under the process runtime,
// whose shim is this binary (see main).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/process"
)

// goals are the p99 latencies of issue 2 on a 2-core machine.
var goals = map[string]time.Duration{
	"RegisterTaskDefinition": 20 * time.Millisecond,
	"DescribeServices":       5 * time.Millisecond,
}

func main() {
	// The process runtime starts each task under `<this binary> __shim DIR`.
	if len(os.Args) > 1 && os.Args[1] == process.ShimArg {
		os.Exit(process.ShimMain(os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == lbnode.Arg { // and the load balancer under `<this binary> __lb`
		os.Exit(lbnode.Main(os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == serveFlag {
		os.Exit(serveFixture(slices.Contains(os.Args[2:], "-signed")))
	}
	var o benchOptions
	flag.BoolVar(&o.separate, "separate", false, "run the server in a child process (clients' GC then does not pause it)")
	flag.IntVar(&o.load.clients, "clients", 50, "concurrent SDK clients")
	flag.DurationVar(&o.load.duration, "duration", 10*time.Second, "measuring time per operation")
	flag.IntVar(&o.load.requests, "requests", 0, "stop each operation after this many requests (0: duration only)")
	flag.DurationVar(&o.load.warmup, "warmup", time.Second, "unrecorded warm-up per operation")
	flag.Float64Var(&o.load.rate, "rate", 0, "total requests per second, paced (0: each client sends as soon as answered)")
	flag.BoolVar(&o.signed, "signed", false, "configure credentials so the server verifies every SigV4 signature")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured phases to this file")
	ops := flag.String("ops", "DescribeServices,RegisterTaskDefinition", "operations to measure, comma-separated")
	flag.Parse()
	selected, err := selectOperations(*ops)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/api:", err)
		os.Exit(2)
	}
	o.ops = selected
	results, err := runBenchmark(context.Background(), o, nil, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/api:", err)
		os.Exit(1)
	}
	pacing := "closed loop"
	if o.load.rate > 0 {
		pacing = fmt.Sprintf("paced at %.0f req/s", o.load.rate)
	}
	where := "in process"
	if o.separate {
		where = "in a separate process"
	}
	fmt.Printf("Slipway control-plane API (server %s): %d aws-sdk-go-v2 clients, %s, signed=%v, GOMAXPROCS %d, %s\n",
		where, o.load.clients, pacing, o.signed, runtime.GOMAXPROCS(0), runtime.Version())
	printTable(os.Stdout, results, goals)
}

type benchOptions struct {
	separate   bool
	ops        []operation // default: all
	load       loadOptions
	signed     bool
	cpuProfile string
}

// runBenchmark builds the fixture and measures each operation in turn.
// shim and shimEnv override the process runtime's shim command (tests).
func runBenchmark(ctx context.Context, o benchOptions, shim, shimEnv []string) ([]result, error) {
	var url string
	if o.separate {
		p, err := startServerProcess(o.signed)
		if err != nil {
			return nil, err
		}
		defer p.close()
		url = p.url
	} else {
		f, err := startFixture(ctx, fixtureOptions{signed: o.signed, shim: shim, shimEnv: shimEnv, logLevel: slog.LevelError})
		if err != nil {
			return nil, err
		}
		defer f.close()
		url = f.url()
	}
	if o.cpuProfile != "" {
		pf, err := os.Create(o.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	if len(o.ops) == 0 {
		o.ops = allOperations
	}
	var results []result
	for _, op := range o.ops {
		results = append(results, runLoad(url, op, o.load))
	}
	return results, nil
}

var allOperations = []operation{describeServices, registerTaskDefinition}

// selectOperations parses the -ops list.
func selectOperations(list string) ([]operation, error) {
	var ops []operation
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(allOperations, func(op operation) bool { return op.name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown operation %q", name)
		}
		ops = append(ops, allOperations[i])
	}
	return ops, nil
}

var describeServices = operation{
	name: "DescribeServices",
	call: func(ctx context.Context, c *awsecs.Client, _, _ int) error {
		out, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{serviceName}})
		if err == nil && (len(out.Services) != 1 || len(out.Services[0].Events) != 100 || len(out.Services[0].Deployments) != 2) {
			err = fmt.Errorf("unexpected answer: %d services", len(out.Services))
		}
		return err
	},
}

// registerTaskDefinition registers revisions of one family per client, so
// writes contend on the store as much as separate teams' deploys would, not
// on one family's revision counter alone.
var registerTaskDefinition = operation{
	name: "RegisterTaskDefinition",
	call: func(ctx context.Context, c *awsecs.Client, worker, _ int) error {
		in := sleeperTaskDef(16)
		in.Family = aws.String(fmt.Sprintf("bench-%d", worker))
		_, err := c.RegisterTaskDefinition(ctx, in)
		return err
	},
}
